import { labelKey } from './keys';
import type { S3Client } from '@aws-sdk/client-s3';
import type { LabelStorage } from './storage';
import { openS3LabelStore } from './s3-store';
import { memo } from '../util/memo';

/** Label storage that opens the real store on its first label. */
function openedOnFirstLabel(bucket: string, open: () => LabelStorage): LabelStorage {
  const store = memo(open);
  return {
    bucket,
    labelKey,
    put: async (key, bytes, contentType) => store().put(key, bytes, contentType),
    get: async (key) => store().get(key),
    exists: async (key) => store().exists(key),
  };
}

/**
 * Labels in S3, with the S3 client made on the first label instead of at the function's start. The modules are
 * imported statically: for the webhook, which stores a label on every Send, the S3 client's code belongs in the
 * bundle it starts with. An import() made esbuild wrap every module it reaches, the SDK core DynamoDB shares
 * included, which cost more at start (45 KiB, 6-8 ms measured on the tracking worker) than evaluating the S3
 * client's module code (bench: "no import()").
 */
export function lazyS3Labels(bucket: string, client?: S3Client): LabelStorage {
  return openedOnFirstLabel(bucket, () => openS3LabelStore(bucket, client));
}

/**
 * Labels in S3 with the S3 client's code itself loaded on the first label: for the tracking worker, whose runs
 * store a label only when they resume a shipment the webhook left half done. The Lambda bundling builds
 * s3-store.ts apart for a require() of it (infra/cdk/bundling.ts, LAMBDA_BUNDLING.bundledApart), so the worker
 * starts without the S3 client; unbundled (tests, `npm start`) this is an ordinary require.
 */
export function s3LabelsLoadedOnFirstLabel(bucket: string, client?: S3Client): LabelStorage {
  return openedOnFirstLabel(bucket, () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { openS3LabelStore: open } = require('./s3-store') as typeof import('./s3-store');
    return open(bucket, client);
  });
}
