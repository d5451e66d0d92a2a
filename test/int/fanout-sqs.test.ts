import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { createSqsClient } from '../../shared/aws/clients';
import { parseTenantSettings } from '../../shared/config';
import { dispatcherHandler } from '../../shared/lambda/dispatch';
import { workerHandler } from '../../shared/lambda/worker';
import { articlesFlow } from '../../shared/flows/articles';
import { StateStore } from '../../shared/state';
import { DynamoTenantRegistry } from '../../shared/tenants';
import { startSqsEmulator, type SqsEmulator } from '../../infra/emulators';
import { startSqsPoller, type SqsPoller } from '../../infra/local/sqs-poller';
import { DEFAULT_SIM_TOKEN, seedDemoCatalog, seedDemoOrders, startBaseLinkerSimulator, type BaseLinkerSimulator } from '../../infra/simulators/baselinker';
import { DEMO_API_USER } from '../../infra/simulators/ongoing';
import { testDocumentClient, uniqueName } from '../support/emulators';
import { queueDepth as depthOf, until as untilFor } from '../support/queues';
import { startWorld, type World } from '../support/world';

const until = <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> => untilFor(what, probe, 40_000);
const queueDepth = (url: string): Promise<number> => depthOf(sqs, url);

// DynamoDB only (the flow suites run on both state adapters: describeOnEachState): the dispatcher and the worker
// entries wire the DynamoDB state and the tenant registry as on AWS.

/**
 * The fan-out over real SQS semantics (fauxqs over HTTP): the articles dispatcher puts one message per due
 * tenant on the queue, the in-repo poller (Lambda's SQS event source has no emulator) invokes the worker
 * entry with real SQS events at bounded concurrency, failed tenant-runs come back after their back-off and
 * then sit in the dead-letter queue naming tenant and flow. Five tenants: two healthy, one on a slow
 * BaseLinker, one whose secret is missing, one whose token BaseLinker no longer accepts.
 */

const MAX_RECEIVES = 2;
const CONCURRENCY = 2;
const event = { source: 'aws.events', 'detail-type': 'Scheduled Event' };

let world: World;
let slowBl: BaseLinkerSimulator;
let sqsEmulator: SqsEmulator;
let sqs: SQSClient;
let queueUrl: string;
let dlqUrl: string;
let registry: DynamoTenantRegistry;
let poller: SqsPoller | undefined;
const saved = { ...process.env };
const finishedAt = new Map<string, number>();

async function createQueues(): Promise<void> {
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('articles-dlq') }));
  dlqUrl = dlq.QueueUrl!;
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }));
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: uniqueName('articles'),
      Attributes: { VisibilityTimeout: '30', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes!.QueueArn, maxReceiveCount: MAX_RECEIVES }) },
    }),
  );
  queueUrl = queue.QueueUrl!;
}

beforeAll(async () => {
  [world, slowBl, sqsEmulator] = await Promise.all([
    startWorld({ ongoing: { goodsOwners: [42, 43, 44, 45, 46].map((id) => ({ id, name: `owner ${id}` })), users: [{ ...DEMO_API_USER, goodsOwnerIds: [42, 43, 44, 45, 46] }] } }),
    startBaseLinkerSimulator({ latencyMs: 400 }),
    startSqsEmulator(),
  ]);
  const catalog = seedDemoCatalog(world.bl);
  seedDemoOrders(world.bl, catalog);
  const slowCatalog = seedDemoCatalog(slowBl);
  seedDemoOrders(slowBl, slowCatalog);
  sqs = createSqsClient({ endpoint: sqsEmulator.endpoint });
  await createQueues();

  const sm = new SecretsManagerClient({});
  const secretFor = async (id: string, token = DEFAULT_SIM_TOKEN) => {
    const name = uniqueName(`ob/${id}`);
    await sm.send(
      new CreateSecretCommand({
        Name: name,
        SecretString: JSON.stringify({ baselinkerToken: token, ongoingUser: DEMO_API_USER.user, ongoingPassword: DEMO_API_USER.password, webhookSecret: 'w'.repeat(40) }),
      }),
    );
    return name;
  };
  registry = new DynamoTenantRegistry(testDocumentClient(), world.tableName);
  const put = async (id: string, owner: number, secretName: string, bl: BaseLinkerSimulator = world.bl, inventoryId = catalog.inventoryId) => {
    const input = { id, baselinker: { url: bl.url, inventoryId, orderStatusIds: [bl.state.statuses[1].id], requestsPerMinute: 100 }, ongoing: { url: world.ongoing.baseUrl, goodsOwnerId: owner } };
    await registry.put({ input, settings: parseTenantSettings(input), secretName });
  };
  await put('good-a', 42, await secretFor('good-a'));
  await put('good-b', 43, await secretFor('good-b'));
  await put('slow', 44, await secretFor('slow'), slowBl, slowCatalog.inventoryId);
  await put('bad-secret', 45, 'ob/no-such-secret');
  await put('revoked', 46, await secretFor('revoked', 'token-baselinker-no-longer-accepts'));
  await put('paused', 47, await secretFor('paused'));
  await registry.setEnabled('paused', false);
  sm.destroy();

  Object.assign(process.env, {
    TABLE_NAME: world.tableName,
    LABELS_BUCKET: world.labelsBucket,
    QUEUE_URL: queueUrl,
    AWS_ENDPOINT_URL_SQS: sqsEmulator.endpoint,
    METRICS_DISABLED: 'true',
    RETRY_BASE_SECONDS: '1',
  });
});

afterAll(async () => {
  await poller?.stop();
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
  sqs?.destroy();
  await Promise.all([world?.close(), slowBl?.close(), sqsEmulator?.stop()]);
});

test('one message per due tenant; each tenant-run alone; failures retried, then dead-lettered naming tenant and flow', async () => {
  const dispatch = dispatcherHandler('articles');
  const first = await dispatch(event);
  expect(first.due.sort()).toEqual(['bad-secret', 'good-a', 'good-b', 'revoked', 'slow']);
  expect(first).toMatchObject({ sent: 5, disabled: 1, tenants: 5 });

  const worker = workerHandler('articles', articlesFlow);
  poller = await startSqsPoller({
    sqs,
    queueUrl,
    maxConcurrency: CONCURRENCY,
    timeoutMs: 120_000,
    handler: async (sqsEvent, context) => {
      const response = await worker(sqsEvent, context);
      const tenant = JSON.parse(sqsEvent.Records[0].body).tenant as string;
      finishedAt.set(tenant, Date.now());
      return response;
    },
  });

  const store = new StateStore(testDocumentClient(), world.tableName);
  const outcome = async (tenant: string) => (await store.getRunSummaries(tenant)).find((s) => s.flow === 'articles')?.outcome;
  // The healthy tenants' articles reach their own goods owners in Ongoing.
  for (const tenant of ['good-a', 'good-b', 'slow']) await until(`${tenant} ok`, async () => ((await outcome(tenant)) === 'ok' ? true : undefined));
  const articlesOf = (owner: number) => [...world.ongoing.state.articles.values()].filter((a) => a.goodsOwnerId === owner).length;
  expect(articlesOf(42)).toBe(8);
  expect(articlesOf(43)).toBe(8);
  expect(articlesOf(44)).toBe(8);
  expect(articlesOf(45)).toBe(0);
  expect(articlesOf(46)).toBe(0);

  // Failed tenant-runs: received MAX_RECEIVES times, then SQS moves them to the dead-letter queue.
  const deadLetters = await until('two dead letters', async () => {
    if ((await queueDepth(dlqUrl)) < 2) return undefined;
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }));
    return (Messages?.length ?? 0) >= 2 ? Messages : undefined;
  });
  const named = (m: Message) => [m.MessageAttributes?.tenant?.StringValue, m.MessageAttributes?.flow?.StringValue];
  expect(deadLetters.map(named).sort()).toEqual([
    ['bad-secret', 'articles'],
    ['revoked', 'articles'],
  ]);
  // The worker received each MAX_RECEIVES times before SQS gave up on it (this test's own reads count too).
  for (const m of deadLetters) expect(Number(m.Attributes?.ApproximateReceiveCount)).toBeGreaterThan(MAX_RECEIVES);
  expect(await outcome('bad-secret')).toBe('failed');
  expect((await store.getRunSummaries('bad-secret'))[0].message).toMatch(/could not read secret "ob\/no-such-secret"/);
  expect(await outcome('revoked')).toBe('failed');
  expect(await outcome('paused')).toBeUndefined();

  // Bounded concurrency held; the slow tenant did not hold the healthy ones up.
  expect(poller.stats.maxInFlight).toBeLessThanOrEqual(CONCURRENCY);
  expect(Math.max(finishedAt.get('good-a')!, finishedAt.get('good-b')!)).toBeLessThan(finishedAt.get('slow')!);
  expect(await until('queue drained', async () => ((await queueDepth(queueUrl)) === 0 ? true : undefined))).toBe(true);

  // The next tick: every tenant ran (or failed) within its interval, so nothing is due; a paused tenant stays out.
  const second = await dispatch(event);
  expect(second).toMatchObject({ sent: 0, notDue: 5, disabled: 1 });
});

test('a message delivered twice runs once: the second sees a run that started after it was dispatched', async () => {
  const worker = workerHandler('articles', articlesFlow);
  const before = (await new StateStore(testDocumentClient(), world.tableName).getRunSummaries('good-a')).find((s) => s.flow === 'articles')!;
  const record = {
    messageId: 'dup-1',
    receiptHandle: 'none',
    body: JSON.stringify({ tenant: 'good-a', flow: 'articles', dispatchedAt: Date.parse(before.startedAt) - 1000 }),
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: '', ApproximateFirstReceiveTimestamp: '0' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-north-1:000000000000:articles',
    awsRegion: 'eu-north-1',
  };
  expect(await worker({ Records: [record] }, { getRemainingTimeInMillis: () => 60_000 })).toEqual({ batchItemFailures: [] });
  const after = (await new StateStore(testDocumentClient(), world.tableName).getRunSummaries('good-a')).find((s) => s.flow === 'articles')!;
  expect(after.runId).toBe(before.runId);

  // A message that can never run (no tenant named) fails, so it ends in the dead-letter queue for a person.
  const broken = await worker({ Records: [{ ...record, messageId: 'bad-1', body: '{"flow":"articles"}' }] }, { getRemainingTimeInMillis: () => 60_000 });
  expect(broken).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad-1' }] });
});
