import { labelKey } from './keys';
import type { S3Client } from '@aws-sdk/client-s3';
import type { LabelStorage } from './storage';

/**
 * Labels in S3, with the S3 client loaded on the first label instead of at the function's start: most tracking
 * runs store no label, and a Send loads it while BaseLinker is still booking the shipment (bench: "lazy S3").
 */
export function lazyS3Labels(bucket: string, client?: S3Client): LabelStorage {
  let store: Promise<LabelStorage> | undefined;
  const open = (): Promise<LabelStorage> =>
    (store ??= Promise.all([import('./store'), import('../aws/s3')]).then(([{ LabelStore }, { s3Client }]) => new LabelStore(client ?? s3Client(), bucket)));
  return {
    bucket,
    labelKey,
    put: async (key, bytes, contentType) => (await open()).put(key, bytes, contentType),
    get: async (key) => (await open()).get(key),
    exists: async (key) => (await open()).exists(key),
  };
}
