import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { labelKey } from './keys';
import type { LabelStorage } from './storage';

export { labelKey };
export { LabelsUnavailableError, unavailableLabels, type LabelStorage } from './storage';

const errorName = (err: unknown) => (err as { name?: string })?.name ?? '';
const statusOf = (err: unknown) => (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;

/** Shipping labels in S3, byte for byte (PDF and image labels are binary; ZPL/EPL are text but kept as bytes). */
export class LabelStore implements LabelStorage {
  constructor(
    private readonly client: S3Client,
    readonly bucket: string,
  ) {}

  labelKey(tenant: string, ongoingOrderId: string | number, packageId: string | number, extension: string): string {
    return labelKey(tenant, ongoingOrderId, packageId, extension);
  }

  async put(key: string, bytes: Uint8Array, contentType: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: bytes, ContentType: contentType, ContentLength: bytes.byteLength }),
    );
  }

  /** The label's bytes; throws a plain "not found" error naming the key when there is none. */
  async get(key: string): Promise<Buffer> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!out.Body) return Buffer.alloc(0);
      return Buffer.from(await out.Body.transformToByteArray());
    } catch (err) {
      if (errorName(err) === 'NoSuchKey' || statusOf(err) === 404) throw new Error(`No label stored at ${key}`);
      throw err;
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (err) {
      if (errorName(err) === 'NotFound' || errorName(err) === 'NoSuchKey' || statusOf(err) === 404) return false;
      throw err;
    }
  }
}

/** For local runs and tests: create the bucket unless it is there. Idempotent. */
export async function ensureBucket(client: S3Client, bucket: string): Promise<void> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
    return;
  } catch (err) {
    if (statusOf(err) !== 404 && errorName(err) !== 'NotFound' && errorName(err) !== 'NoSuchBucket') throw err;
  }
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (err) {
    const name = errorName(err);
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw err;
  }
}
