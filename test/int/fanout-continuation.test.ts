import type { ScheduledEvent } from 'aws-lambda';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createSqsClient } from '../../shared/aws/clients';
import { parseTenantSettings } from '../../shared/config';
import type { Flow } from '../../shared/flows/context';
import type { NeedsOf } from '../../shared/flows/catalogue';
import { ordersFlow } from '../../shared/flows/orders';
import { runMessage } from '../../shared/fanout/dispatcher';
import { continuesAtOnce } from '../../shared/fanout/worker';
import { dispatcherHandler } from '../../shared/lambda/dispatch';
import { workerHandler } from '../../shared/lambda/worker';
import { DynamoTenantRegistry } from '../../shared/tenants';
import { startSqsEmulator, type SqsEmulator } from '../../infra/emulators';
import { startSqsPoller, type SqsPoller } from '../../infra/local/sqs-poller';
import { DEFAULT_SIM_TOKEN } from '../../infra/simulators/baselinker';
import { DEMO_API_USER } from '../../infra/simulators/ongoing';
import { testDocumentClient, uniqueName } from '../support/emulators';
import { queueDepth as depthOf, until } from '../support/queues';
import { startWorld, type World } from '../support/world';

const queueDepth = (url: string): Promise<number> => depthOf(sqs, url);

// DynamoDB only: the dispatcher and worker entries wire the DynamoDB state and the tenant registry as on AWS.

/**
 * A run that stops at its deadline with work left is continued at once: the worker puts a message for the same
 * tenant back on the queue (real SQS semantics, fauxqs over HTTP), so one tick carries a backlog to its end
 * without waiting for the next. The worker is told its function has 6 s (a 3 s run budget) and Ongoing takes
 * 25 ms a write, so 300 orders take three runs at least (7.5 s of writes alone). Nothing runs twice at once (the
 * run lease), nothing is written twice (claims and Ongoing's duplicate check), whatever extra messages race the
 * continuation.
 */

const CHOSEN = 5501;
const FUNCTION_TIMEOUT_MS = 6_000;
const ORDERS = 300;
const event = { source: 'aws.events', 'detail-type': 'Scheduled Event' } as unknown as ScheduledEvent;

let world: World;
let sqsEmulator: SqsEmulator;
let sqs: SQSClient;
let poller: SqsPoller | undefined;
const saved = { ...process.env };

/** The orders flow, watched: how many runs went, how many at once at most, and which stopped at their deadline. */
const watch = { runs: 0, active: 0, maxActive: 0, partial: 0 };
const watchedOrders: Flow<NeedsOf<'orders'>> = async (ctx) => {
  watch.runs += 1;
  watch.active += 1;
  watch.maxActive = Math.max(watch.maxActive, watch.active);
  try {
    const result = await ordersFlow(ctx);
    if (!result.complete) watch.partial += 1;
    return result;
  } finally {
    watch.active -= 1;
  }
};

async function freshQueue(name: string): Promise<string> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName(name), Attributes: { VisibilityTimeout: '30' } }));
  process.env.QUEUE_URL = QueueUrl;
  return QueueUrl!;
}

const ordersRun = async () => (await world.store.getRunSummaries('cont')).find((s) => s.flow === 'orders');
/** Makes the tenant due at the next tick: its last run (ok) started an hour ago. */
const lastRunLongAgo = () => world.store.putRunSummary('cont', 'orders', { startedAt: new Date(Date.now() - 3_600_000).toISOString(), outcome: 'ok' });
const addOrders = (n: number) => Array.from({ length: n }, () => world.bl.addOrder({ order_status_id: CHOSEN, products: [{ sku: 'SKU-A', quantity: 1, price_brutto: 10 }] }).order_id);
/** Ongoing's order numbers, each as often as Ongoing holds it. */
const writtenNumbers = () => [...world.ongoing.state.orders.values()].map((o) => o.orderNumber);

beforeAll(async () => {
  [world, sqsEmulator] = await Promise.all([startWorld({ ongoing: { writeLatencyMs: 25 } }), startSqsEmulator()]);
  sqs = createSqsClient({ endpoint: sqsEmulator.endpoint });
  await world.services().ongoing.putArticle({ articleNumber: 'SKU-A', articleName: 'Article A' });
  const secretName = uniqueName('ongoing-baselinker/cont');
  const sm = new SecretsManagerClient({});
  await sm.send(
    new CreateSecretCommand({
      Name: secretName,
      SecretString: JSON.stringify({ baselinkerToken: DEFAULT_SIM_TOKEN, ongoingUser: DEMO_API_USER.user, ongoingPassword: DEMO_API_USER.password, webhookSecret: 'c'.repeat(40) }),
    }),
  );
  sm.destroy();
  const input = { id: 'cont', baselinker: { url: world.bl.url, inventoryId: 1, orderStatusIds: [CHOSEN], journal: true }, ongoing: { url: world.ongoing.baseUrl, goodsOwnerId: 42 } };
  await new DynamoTenantRegistry(testDocumentClient(), world.tableName).put({ input, settings: parseTenantSettings(input), secretName });
  Object.assign(process.env, { TABLE_NAME: world.tableName, LABELS_BUCKET: world.labelsBucket, AWS_ENDPOINT_URL_SQS: sqsEmulator.endpoint, METRICS_DISABLED: 'true' });
});

afterEach(async () => {
  await poller?.stop();
  poller = undefined;
});

afterAll(async () => {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
  sqs?.destroy();
  await Promise.all([world?.close(), sqsEmulator?.stop()]);
});

async function startWorker(queueUrl: string, maxConcurrency: number): Promise<SqsPoller> {
  return startSqsPoller({ sqs, queueUrl, maxConcurrency, timeoutMs: FUNCTION_TIMEOUT_MS, handler: workerHandler('orders', watchedOrders) });
}

test('continues a run that stopped at its deadline, or finished but outlasted its interval (a tick stood down while it ran); nothing else', () => {
  const budget = 50_000;
  expect(continuesAtOnce({ outcome: 'partial', durationMs: 49_000 }, 1, budget)).toBe(true);
  expect(continuesAtOnce({ outcome: 'partial', durationMs: 25_000 }, 1, budget)).toBe(true);
  // Partial but early: it stopped for something time does not cure (a chunk too big for the time left, a budget it
  // could not get). Continued at once it would stop again at once: it waits for the next tick.
  expect(continuesAtOnce({ outcome: 'partial', durationMs: 2_000 }, 1, budget)).toBe(false);
  expect(continuesAtOnce({ outcome: 'ok', durationMs: 61_000 }, 1, budget)).toBe(true);
  expect(continuesAtOnce({ outcome: 'ok', durationMs: 59_000 }, 1, budget)).toBe(false);
  expect(continuesAtOnce({ outcome: 'ok', durationMs: 240_000 }, 15, budget)).toBe(false);
  // A failed run goes back through SQS's retry and back-off; one that stood down leaves the work to the run going.
  expect(continuesAtOnce({ outcome: 'failed', durationMs: 300_000 }, 1, budget)).toBe(false);
  expect(continuesAtOnce({ outcome: 'skipped', durationMs: 90_000 }, 1, budget)).toBe(false);
});

test('one tick carries a backlog to its end: each run stopped at its deadline is continued at once, and the chain stops when the work is done', async () => {
  const queueUrl = await freshQueue('orders-cont');
  poller = await startWorker(queueUrl, 2);
  // First run: finds the journal's end (and scans an empty window).
  expect((await dispatcherHandler('orders')(event)).due).toEqual(['cont']);
  await until('the first run', async () => ((await ordersRun())?.outcome === 'ok' ? true : undefined));

  const ids = addOrders(ORDERS);
  await lastRunLongAgo();
  Object.assign(watch, { runs: 0, partial: 0, maxActive: 0 });
  expect((await dispatcherHandler('orders')(event)).due).toEqual(['cont']);
  await until('all the orders in Ongoing', () => (writtenNumbers().length >= ORDERS ? true : undefined));
  await until('the last run ok', async () => ((await ordersRun())?.outcome === 'ok' ? true : undefined));

  // Several runs from the one tick: each that stopped at its deadline was continued, the last finished the work.
  expect(watch.partial).toBeGreaterThanOrEqual(2);
  expect(watch.runs).toBe(watch.partial + 1);
  expect(watch.maxActive).toBe(1);
  expect(writtenNumbers().sort()).toEqual(ids.map(String).sort());
  expect(world.ongoing.calls('PUT /orders')).toBe(ORDERS);
  // No run after the one that finished: the queue is empty and stays so.
  await until('queue drained', async () => ((await queueDepth(queueUrl)) === 0 ? true : undefined));
  const runs = watch.runs;
  await new Promise((r) => setTimeout(r, 1_500));
  expect(watch.runs).toBe(runs);
  expect(poller.stats.invocations).toBe(runs + 1);
}, 120_000);

test("two runs never go at once: ticks' messages racing the continuations stand down or are dropped as duplicates, and nothing is written twice", async () => {
  const queueUrl = await freshQueue('orders-race');
  const before = writtenNumbers().length;
  world.ongoing.resetCalls();
  const ids = addOrders(ORDERS);
  await lastRunLongAgo();
  Object.assign(watch, { runs: 0, partial: 0, maxActive: 0 });
  poller = await startWorker(queueUrl, 3);
  expect((await dispatcherHandler('orders')(event)).due).toEqual(['cont']);
  // While the chain goes, more messages for the same tenant: a tick's (dispatched now) and redeliveries of it.
  let extra = 0;
  while (writtenNumbers().length - before < ORDERS - 50 && extra < 12) {
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, ...runMessage({ tenant: 'cont', flow: 'orders', dispatchedAt: Date.now() }) }));
    extra += 1;
    await new Promise((r) => setTimeout(r, 150));
  }
  await until('all the orders in Ongoing', () => (writtenNumbers().length - before >= ORDERS ? true : undefined));
  await until('queue drained', async () => ((await queueDepth(queueUrl)) === 0 && watch.active === 0 ? true : undefined));

  expect(extra).toBeGreaterThanOrEqual(3);
  expect(watch.maxActive).toBe(1);
  // Every message was taken, fewer ran the flow: the rest stood down at the lease or were duplicates.
  expect(poller.stats.invocations).toBeGreaterThan(watch.runs);
  const numbers = writtenNumbers();
  expect(new Set(numbers).size).toBe(numbers.length);
  expect(world.ongoing.calls('PUT /orders')).toBe(ORDERS);
  expect(numbers.filter((n) => ids.map(String).includes(n))).toHaveLength(ORDERS);
  expect((await ordersRun())?.outcome).toBe('ok');
}, 120_000);

test('a continuation SQS refuses is not lost: the run stays due, so the next tick continues it', async () => {
  // The worker is told a queue that does not exist: its continuation cannot be sent.
  const queueUrl = await freshQueue('orders-missing');
  process.env.QUEUE_URL = `${queueUrl}-gone`;
  world.ongoing.resetCalls();
  addOrders(ORDERS);
  await lastRunLongAgo();
  const record = {
    messageId: 'tick-1',
    receiptHandle: 'none',
    body: runMessage({ tenant: 'cont', flow: 'orders', dispatchedAt: Date.now() }).MessageBody,
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: '', ApproximateFirstReceiveTimestamp: '0' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-north-1:000000000000:orders',
    awsRegion: 'eu-north-1',
  };
  const response = await workerHandler('orders', watchedOrders)({ Records: [record] }, { getRemainingTimeInMillis: () => FUNCTION_TIMEOUT_MS });
  expect(response).toEqual({ batchItemFailures: [] });
  expect((await ordersRun())?.outcome).toBe('partial');
  expect(world.ongoing.calls('PUT /orders')).toBeLessThan(ORDERS);
  expect(await queueDepth(queueUrl)).toBe(0);
  // The next tick: a partial run is due at once, so the tenant is queued again.
  process.env.QUEUE_URL = queueUrl;
  expect((await dispatcherHandler('orders')(event)).due).toEqual(['cont']);
  expect(await queueDepth(queueUrl)).toBe(1);
});

test('a run that stops early with work left is not continued at once: it waits for the tick instead of spinning invocations', async () => {
  const queueUrl = await freshQueue('orders-stalled');
  process.env.QUEUE_URL = queueUrl;
  await lastRunLongAgo();
  // What a run does that cannot progress (its next chunk does not fit the time left, the BaseLinker budget is
  // taken): it stops at once, incomplete.
  let runs = 0;
  const stalled: Flow<NeedsOf<'orders'>> = async () => {
    runs += 1;
    return { seen: 0, written: 0, setAside: 0, complete: false, counts: {} };
  };
  poller = await startSqsPoller({ sqs, queueUrl, maxConcurrency: 1, timeoutMs: FUNCTION_TIMEOUT_MS, handler: workerHandler('orders', stalled) });
  expect((await dispatcherHandler('orders')(event)).due).toEqual(['cont']);
  await until('the stalled run', async () => ((await ordersRun())?.outcome === 'partial' && runs === 1 ? true : undefined));
  await until('queue drained', async () => ((await queueDepth(queueUrl)) === 0 ? true : undefined));
  await new Promise((r) => setTimeout(r, 1_500));
  // One run, one message: nothing was put back on the queue.
  expect(runs).toBe(1);
  expect(poller.stats.invocations).toBe(1);
  // The next tick still finds it due (a partial run is due at once), so the work is not left behind.
  expect((await dispatcherHandler('orders')(event)).due).toEqual(['cont']);
});
