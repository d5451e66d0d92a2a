import { randomBytes } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { createDynamoDocumentClient, createS3Client } from '../../shared/aws/clients';
import { ensureTable } from '../../shared/state/table';
import { ensureBucket } from '../../shared/labels/store';

/**
 * Helpers for integration tests. The emulators are started once per jest run by global-setup.ts; every
 * test file makes its own uniquely named tables and buckets, so files never see each other's data.
 */

/** Refuses to run against anything but the local emulators (never a real AWS account). */
export function emulatorEnv(): { dynamodb: string; s3: string; secretsManager: string; dynamoKind: string } {
  const dynamodb = process.env.AWS_ENDPOINT_URL_DYNAMODB;
  const s3 = process.env.AWS_ENDPOINT_URL_S3;
  const secretsManager = process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
  const local = (url: string | undefined) => !!url && /^http:\/\/127\.0\.0\.1:\d+\/?$/.test(url);
  if (!local(dynamodb) || !local(s3) || !local(secretsManager)) {
    throw new Error('The AWS emulators are not running (test/support/global-setup.ts sets AWS_ENDPOINT_URL_* to 127.0.0.1)');
  }
  return { dynamodb: dynamodb!, s3: s3!, secretsManager: secretsManager!, dynamoKind: process.env.OB_TEST_DYNAMODB_KIND ?? 'unknown' };
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`.toLowerCase();
}

const clients: { destroy(): void }[] = [];

/** A document client on the DynamoDB emulator; closed by `closeTestClients()`. */
export function testDocumentClient(): DynamoDBDocumentClient {
  emulatorEnv();
  const client = createDynamoDocumentClient();
  clients.push(client);
  return client;
}

/** An S3 client on the S3 emulator (path style, checksums only when required); closed by `closeTestClients()`. */
export function testS3Client(): S3Client {
  emulatorEnv();
  const client = createS3Client();
  clients.push(client);
  return client;
}

/** Call in afterAll so no keep-alive socket holds jest open. */
export function closeTestClients(): void {
  for (const c of clients.splice(0)) c.destroy();
}

/** A new, empty state table with the real table definition; returns its name. */
export async function freshTable(prefix = 'state'): Promise<string> {
  const name = uniqueName(prefix);
  const client = createDynamoDocumentClient();
  try {
    emulatorEnv();
    await ensureTable(client, name);
  } finally {
    client.destroy();
  }
  return name;
}

/** A new, empty bucket; returns its name. */
export async function freshBucket(prefix = 'labels'): Promise<string> {
  const name = uniqueName(prefix).slice(0, 63);
  const client = createS3Client();
  try {
    emulatorEnv();
    await ensureBucket(client, name);
  } finally {
    client.destroy();
  }
  return name;
}
