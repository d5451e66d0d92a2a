import type { S3Client } from '@aws-sdk/client-s3';
import { s3Client } from '../aws/s3';
import { LabelStore } from './store';

/**
 * The S3 label store with the process's S3 client: a module of its own so that a function loading it with
 * require() on its first label (s3LabelsLoadedOnFirstLabel) gets it bundled apart, with the S3 client inside
 * (infra/cdk/bundling.ts, LAMBDA_BUNDLING.bundledApart). Nothing here runs at load.
 */
export function openS3LabelStore(bucket: string, client?: S3Client): LabelStore {
  return new LabelStore(client ?? s3Client(), bucket);
}
