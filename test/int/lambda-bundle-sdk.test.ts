import { join, resolve } from 'node:path';
import { CreateQueueCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { startSqsEmulator, type SqsEmulator } from '../../infra/emulators';
import { createSqsClient } from '../../shared/aws/clients';
import { bundled } from '../support/bundles';
import { closeTestClients, freshBucket, freshTable, uniqueName } from '../support/emulators';

/**
 * The SDK clients as the Lambda bundles carry them (infra/cdk/bundling.ts: schemas with literal keys, package.json
 * reduced to its version, the label store and the workers' queue bundled apart), run against the emulators over
 * HTTP: requests, answers and the errors each function tells apart (a missing label, a lost conditional write, a
 * missing secret) still serialise and parse.
 */
const REPO = resolve(__dirname, '..', '..');
const from = (...path: string[]) => JSON.stringify(join(REPO, ...path));

const ENTRY = `
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { createDynamoDocumentClient, createSqsClient } from ${from('shared', 'aws', 'clients')};
import { createS3Client } from ${from('shared', 'aws', 's3')};
import { LabelStore } from ${from('shared', 'labels', 'store')};
import { s3LabelsLoadedOnFirstLabel } from ${from('shared', 'labels', 'lazy')};
import { StateStore } from ${from('shared', 'state', 'store')};
import { AwsSecretsProvider } from ${from('shared', 'config', 'secrets')};
import { runMessage } from ${from('shared', 'fanout', 'dispatcher')};
import { runQueueLoadedOnFirstUse } from ${from('shared', 'lambda', 'worker')};

export async function labels(bucket: string) {
  const store = new LabelStore(createS3Client(), bucket);
  const key = store.labelKey('acme', 7, 'P-1', 'pdf');
  const before = await store.exists(key);
  await store.put(key, Buffer.from('%PDF-1.4 label'), 'application/pdf');
  return { before, after: await store.exists(key), text: (await store.get(key)).toString() };
}

const apartLoaded = () => Object.keys(require.cache).some((file) => file.endsWith('.labels-s3.js'));

export async function labelsOnFirstLabel(bucket: string) {
  const store = s3LabelsLoadedOnFirstLabel(bucket);
  const key = store.labelKey('acme', 8, 'P-2', 'zpl');
  const loadedBefore = apartLoaded();
  const before = await store.exists(key);
  await store.put(key, Buffer.from('^XA label ^XZ'), 'application/zpl');
  return { loadedBefore, loadedAfter: apartLoaded(), before, after: await store.exists(key), text: (await store.get(key)).toString() };
}

export async function state(table: string) {
  const store = new StateStore(createDynamoDocumentClient(), table);
  await store.putCursor('acme', 'orders', { lastId: 42 });
  const first = await store.claimOrder('acme', 1001, 'worker-a', 60_000);
  const second = await store.claimOrder('acme', 1001, 'worker-b', 60_000);
  return { cursor: await store.getCursor('acme', 'orders'), first, second };
}

export async function queue(endpoint: string, queueUrl: string) {
  const out = await createSqsClient({ endpoint }).send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{"tenant":"acme"}' }));
  return { messageId: out.MessageId };
}

const queueApartLoaded = () => Object.keys(require.cache).some((file) => file.endsWith('.sqs.js'));

export async function queueOnFirstUse(queueUrl: string) {
  const queue = runQueueLoadedOnFirstUse(queueUrl);
  const loadedBefore = queueApartLoaded();
  await queue.send(runMessage({ tenant: 'acme', flow: 'orders', dispatchedAt: 1, continues: 'run-1' }));
  return { loadedBefore, loadedAfter: queueApartLoaded(), retryIn: (receiptHandle: string, seconds: number) => queue.retryIn(receiptHandle, seconds) };
}

export async function missingSecret(name: string) {
  try {
    await new AwsSecretsProvider().getSecretJson(name);
    return 'read';
  } catch (error) {
    return (error as Error).message;
  }
}
`;

interface BundledClients {
  labels(bucket: string): Promise<{ before: boolean; after: boolean; text: string }>;
  labelsOnFirstLabel(bucket: string): Promise<{ loadedBefore: boolean; loadedAfter: boolean; before: boolean; after: boolean; text: string }>;
  state(table: string): Promise<{ cursor: unknown; first: string; second: string }>;
  queue(endpoint: string, queueUrl: string): Promise<{ messageId?: string }>;
  queueOnFirstUse(queueUrl: string): Promise<{ loadedBefore: boolean; loadedAfter: boolean; retryIn(receiptHandle: string, seconds: number): Promise<void> }>;
  missingSecret(name: string): Promise<string>;
}

let clients: BundledClients;
let sqsEmulator: SqsEmulator;
let sqs: SQSClient;

beforeAll(async () => {
  clients = await bundled<BundledClients>('sdk-clients', { source: ENTRY });
  sqsEmulator = await startSqsEmulator();
  sqs = createSqsClient({ endpoint: sqsEmulator.endpoint });
}, 120_000);

afterAll(async () => {
  sqs?.destroy();
  await sqsEmulator?.stop();
  closeTestClients();
});

it('stores a label in S3 and tells a missing one apart', async () => {
  await expect(clients.labels(await freshBucket())).resolves.toEqual({ before: false, after: true, text: '%PDF-1.4 label' });
});

it('stores a label through the label store bundled apart, loaded by the first label (the tracking worker)', async () => {
  await expect(clients.labelsOnFirstLabel(await freshBucket())).resolves.toEqual({ loadedBefore: false, loadedAfter: true, before: false, after: true, text: '^XA label ^XZ' });
});

it('writes and reads DynamoDB, and sees a lost conditional write as a claim held by someone else', async () => {
  await expect(clients.state(await freshTable())).resolves.toEqual({ cursor: { lastId: 42 }, first: 'claimed', second: 'busy' });
});

it('sends an SQS message', async () => {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('bundle') }));
  const sent = await clients.queue(sqsEmulator.endpoint, QueueUrl!);
  const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
  expect(received.Messages?.map((m) => [m.MessageId, m.Body])).toEqual([[sent.messageId, '{"tenant":"acme"}']]);
});

it('sends and delays a tenant-run through the run queue bundled apart, loaded on first use (the workers)', async () => {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('bundle-run') }));
  const saved = process.env.AWS_ENDPOINT_URL_SQS;
  process.env.AWS_ENDPOINT_URL_SQS = sqsEmulator.endpoint; // read by the bundled sqsClient() when first made
  try {
    const queue = await clients.queueOnFirstUse(QueueUrl!);
    expect([queue.loadedBefore, queue.loadedAfter]).toEqual([false, true]);
    const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1, VisibilityTimeout: 60 }));
    expect(first.Messages?.map((m) => JSON.parse(m.Body!).continues)).toEqual(['run-1']);
    await queue.retryIn(first.Messages![0]!.ReceiptHandle!, 0);
    const again = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
    expect(again.Messages?.map((m) => m.MessageId)).toEqual([first.Messages![0]!.MessageId]);
  } finally {
    if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_SQS;
    else process.env.AWS_ENDPOINT_URL_SQS = saved;
  }
});

it('tells a missing secret apart by the error Secrets Manager answers', async () => {
  const name = uniqueName('no/such');
  await expect(clients.missingSecret(name)).resolves.toBe(`could not read secret "${name}": no such secret (ResourceNotFoundException)`);
});
