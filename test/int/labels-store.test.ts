import { randomBytes } from 'node:crypto';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { resetAwsClients } from '../../shared/aws/clients';
import { LabelStore, labelKey, ensureBucket } from '../../shared/labels';
import { lazyS3Labels } from '../../shared/labels/lazy';
import { closeTestClients, freshBucket, testS3Client } from '../support/emulators';

let store: LabelStore;

beforeAll(async () => {
  store = new LabelStore(testS3Client(), await freshBucket());
});

afterAll(async () => {
  resetAwsClients();
  await closeTestClients();
});

it('names a label by tenant, Ongoing order and package', () => {
  expect(labelKey('acme', 123, 'P-9', 'pdf')).toBe('labels/acme/123/P-9.pdf');
  expect(labelKey('acme', '123', 9, '.ZPL')).toBe('labels/acme/123/9.zpl');
  expect(store.labelKey('acme', 1, 2, 'png')).toBe('labels/acme/1/2.png');
  // Ids never break out of their path segment.
  expect(labelKey('a/b', '../x', 'p q', 'pdf')).toBe('labels/a_b/.._x/p_q.pdf');
  expect(() => labelKey('acme', '..', 1, 'pdf')).toThrow(/not a valid name/);
  expect(() => labelKey('acme', 1, 1, 'p/df')).toThrow(/extension/);
});

it('returns exactly the bytes it stored, every byte value included', async () => {
  const bytes = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(200_000)]);
  const key = labelKey('acme', 1001, 'PKG-1', 'pdf');
  expect(await store.exists(key)).toBe(false);
  await store.put(key, bytes, 'application/pdf');
  expect(await store.exists(key)).toBe(true);
  const back = await store.get(key);
  expect(back.equals(bytes)).toBe(true);
  const head = await testS3Client().send(new HeadObjectCommand({ Bucket: store.bucket, Key: key }));
  expect(head.ContentType).toBe('application/pdf');
  expect(head.ContentLength).toBe(bytes.length);
});

it('replaces a label stored again under the same key', async () => {
  const key = labelKey('acme', 1002, 'PKG-2', 'zpl');
  await store.put(key, Buffer.from('^XA first ^XZ'), 'application/zpl');
  await store.put(key, Buffer.from('^XA second ^XZ'), 'application/zpl');
  expect((await store.get(key)).toString()).toBe('^XA second ^XZ');
});

it('says clearly when a label is missing', async () => {
  await expect(store.get('labels/acme/none/none.pdf')).rejects.toThrow('No label stored at labels/acme/none/none.pdf');
});

it('creates a bucket once and accepts being asked again', async () => {
  await expect(ensureBucket(testS3Client(), store.bucket)).resolves.toBeUndefined();
});

it('stores and reads labels through the lazily loaded S3 store the Lambda functions use', async () => {
  const lazy = lazyS3Labels(store.bucket);
  expect(lazy).not.toBeInstanceOf(LabelStore);
  const key = lazy.labelKey('acme', 77, 'PKG-7', 'pdf');
  expect(await lazy.exists(key)).toBe(false);
  await lazy.put(key, Buffer.from('%PDF-lazy'), 'application/pdf');
  expect((await store.get(key)).toString()).toBe('%PDF-lazy');
  expect((await lazy.get(key)).toString()).toBe('%PDF-lazy');
});
