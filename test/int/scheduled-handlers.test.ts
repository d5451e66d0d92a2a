import type { ScheduledEvent } from 'aws-lambda';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createSqsClient } from '../../shared/aws/clients';
import { parseTenantSettings } from '../../shared/config';
import type { FlowName } from '../../shared/flows/catalogue';
import { DynamoTenantRegistry } from '../../shared/tenants';
import { startSqsEmulator, type SqsEmulator } from '../../infra/emulators';
import { startSqsPoller, type SqsWorkerHandler } from '../../infra/local/sqs-poller';
import { DEFAULT_SIM_TOKEN, seedDemoCatalog, seedDemoOrders } from '../../infra/simulators/baselinker';
import { DEMO_API_USER } from '../../infra/simulators/ongoing';
import { testDocumentClient, uniqueName } from '../support/emulators';
import { startWorld, type World } from '../support/world';

// DynamoDB only (the flow suites run on both state adapters: describeOnEachState): the deployed entry points wire
// DynamoDB, S3 and SQS from the environment as on AWS; the state adapter is theirs, not the test's.

/**
 * The deployed entry points themselves, configured only the way the CDK stack configures them (TABLE_NAME,
 * LABELS_BUCKET, QUEUE_URL; the tenant in the registry, its secret in Secrets Manager, the fake one the test
 * setup runs): functions/<flow>/handler.ts takes the EventBridge event and queues the due tenant,
 * functions/<flow>/worker.ts takes the SQS message (the in-repo poller stands in for the event source).
 */

const event: ScheduledEvent = {
  version: '0',
  id: 'test-event',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '000000000000',
  time: new Date().toISOString(),
  region: 'eu-north-1',
  resources: ['arn:aws:events:eu-north-1:000000000000:rule/test'],
  detail: {},
};

let world: World;
let sqsEmulator: SqsEmulator;
let sqs: SQSClient;
const saved = { ...process.env };

beforeAll(async () => {
  [world, sqsEmulator] = await Promise.all([startWorld(), startSqsEmulator()]);
  sqs = createSqsClient({ endpoint: sqsEmulator.endpoint });
  const catalog = seedDemoCatalog(world.bl);
  seedDemoOrders(world.bl, catalog);
  const secretName = uniqueName('ongoing-baselinker/deployed');
  const sm = new SecretsManagerClient({});
  await sm.send(
    new CreateSecretCommand({
      Name: secretName,
      SecretString: JSON.stringify({ baselinkerToken: DEFAULT_SIM_TOKEN, ongoingUser: DEMO_API_USER.user, ongoingPassword: DEMO_API_USER.password, webhookSecret: 's'.repeat(40) }),
    }),
  );
  sm.destroy();
  const input = {
    id: 'deployed',
    baselinker: { url: world.bl.url, inventoryId: catalog.inventoryId, orderStatusIds: [world.bl.state.statuses[1].id], requestsPerMinute: 100 },
    ongoing: { url: world.ongoing.baseUrl, goodsOwnerId: 42 },
    stock: { enabled: true, warehouseKey: catalog.warehouseKey },
    shipment: { courierCode: 'dpd' },
  };
  await new DynamoTenantRegistry(testDocumentClient(), world.tableName).put({ input, settings: parseTenantSettings(input), secretName });
  Object.assign(process.env, {
    TABLE_NAME: world.tableName,
    LABELS_BUCKET: world.labelsBucket,
    AWS_ENDPOINT_URL_SQS: sqsEmulator.endpoint,
    METRICS_DISABLED: 'true',
  });
});

afterAll(async () => {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
  sqs?.destroy();
  await Promise.all([world?.close(), sqsEmulator?.stop()]);
});

async function runTick(flow: FlowName): Promise<{ due: string[]; outcome?: string; baselinkerRequests?: number }> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName(flow) }));
  process.env.QUEUE_URL = QueueUrl;
  /* eslint-disable @typescript-eslint/no-require-imports */
  const dispatcher = require(`../../functions/${flow}/handler`).handler as (e: ScheduledEvent) => Promise<{ due: string[] }>;
  const worker = require(`../../functions/${flow}/worker`).handler as SqsWorkerHandler;
  const report = await dispatcher(event);
  let handled = 0;
  const poller = await startSqsPoller({ sqs, queueUrl: QueueUrl!, timeoutMs: 120_000, handler: async (e, c) => {
    const response = await worker(e, c);
    handled += 1;
    return response;
  } });
  const deadline = Date.now() + 60_000;
  while (handled < report.due.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await poller.stop();
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
  expect(Number(Attributes?.ApproximateNumberOfMessages) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible)).toBe(0);
  const summary = (await world.store.getRunSummaries('deployed')).find((s) => s.flow === flow);
  return { due: report.due, outcome: summary?.outcome, baselinkerRequests: summary?.counts?.baselinkerRequests };
}

it.each(['articles', 'orders', 'stock', 'reconcile', 'tracking'] as const)('the %s rule queues the registry tenant and its worker runs the flow', async (flow) => {
  const tick = await runTick(flow);
  expect(tick).toMatchObject({ due: ['deployed'], outcome: 'ok' });
  if (flow === 'articles') expect(world.ongoing.state.articles.size).toBe(8);
  if (flow === 'orders') expect(world.ongoing.state.orders.size).toBeGreaterThanOrEqual(2);
  if (flow === 'stock') expect(tick.baselinkerRequests).toBeGreaterThan(0);
});

it('queues nobody while a tenant\'s own interval has not passed since its last run (one rule serves every tenant)', async () => {
  const { due } = await runTick('orders');
  expect(due).toEqual([]);
});

it('a failing tenant-run fails its message only, so SQS retries it (the dead-letter queue after the last try)', async () => {
  // The last orders run was long ago: this tick is due.
  await world.store.putRunSummary('deployed', 'orders', { startedAt: new Date(Date.now() - 3_600_000).toISOString(), outcome: 'ok' });
  world.bl.injectFault({ method: 'getOrders', kind: 'http500', times: 20 });
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('orders-fail') }));
  process.env.QUEUE_URL = QueueUrl;
  const dispatcher = require('../../functions/orders/handler').handler as (e: ScheduledEvent) => Promise<{ due: string[] }>;
  const worker = require('../../functions/orders/worker').handler as SqsWorkerHandler;
  expect((await dispatcher(event)).due).toEqual(['deployed']);
  const poller = await startSqsPoller({ sqs, queueUrl: QueueUrl!, handler: worker });
  const deadline = Date.now() + 60_000;
  while (poller.stats.failedItems < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await poller.stop();
  world.bl.clearFaults();
  expect(poller.stats).toMatchObject({ failedItems: 1, deleted: 0 });
  const summary = (await world.store.getRunSummaries('deployed')).find((s) => s.flow === 'orders');
  expect(summary).toMatchObject({ outcome: 'failed', message: expect.stringContaining('getOrders') });
});
