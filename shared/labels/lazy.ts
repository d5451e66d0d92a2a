import { labelKey } from './keys';
import type { S3Client } from '@aws-sdk/client-s3';
import type { LabelStorage } from './storage';
import { LabelStore } from './store';
import { s3Client } from '../aws/s3';
import { memo } from '../util/memo';

/**
 * Labels in S3, with the S3 client made on the first label instead of at the function's start: most tracking
 * runs store no label. The modules are imported statically: an import() made esbuild wrap every module it
 * reaches, the SDK core DynamoDB shares included, which cost more at start (45 KiB, 6-8 ms measured on the
 * tracking worker) than evaluating the S3 client's module code (bench: "no import()").
 */
export function lazyS3Labels(bucket: string, client?: S3Client): LabelStorage {
  const open = memo(() => new LabelStore(client ?? s3Client(), bucket));
  return {
    bucket,
    labelKey,
    put: async (key, bytes, contentType) => open().put(key, bytes, contentType),
    get: async (key) => open().get(key),
    exists: async (key) => open().exists(key),
  };
}
