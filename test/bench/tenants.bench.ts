import type { SQSClient } from '@aws-sdk/client-sqs';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { InMemoryBudget } from '../../shared/baselinker/budget';
import { createDynamoDocumentClient, createS3Client, createSqsClient } from '../../shared/aws/clients';
import { parseTenantSettings, StaticSecretsProvider, type TenantConfig } from '../../shared/config';
import { dispatchDueTenants, type DispatchReport } from '../../shared/fanout/dispatcher';
import { handleRunMessages } from '../../shared/fanout/worker';
import type { FlowName } from '../../shared/flows/catalogue';
import { FLOWS } from '../../shared/flows/registry';
import { runFlow, type TenantRunReport } from '../../shared/flows/runner';
import { createTenantServices, type TenantServices } from '../../shared/lambda/wiring';
import { ensureBucket } from '../../shared/labels/store';
import { InMemoryMetrics } from '../../shared/observability/metrics';
import { StateStore } from '../../shared/state';
import { ensureTable } from '../../shared/state/table';
import { DynamoTenantRegistry } from '../../shared/tenants/registry';
import { startSqsEmulator } from '../../infra/emulators';
import { startSqsPoller } from '../../infra/local/sqs-poller';
import { seedDemoCatalog, seedDemoOrders, startBaseLinkerSimulator } from '../../infra/simulators/baselinker';
import { startOngoingSimulator } from '../../infra/simulators/ongoing';
import type { BenchSettings, RunExecutor } from './harness.bench';
import { DEFAULT_WORKER_CONCURRENCY } from '../../infra/cdk/settings';

/**
 * Many tenants on one deployment: N tenants in the registry (one simulator process of each kind serves all their
 * accounts: N BaseLinker tokens, N Ongoing goods owners), orders every minute and articles every 15 minutes,
 * dispatched over SQS (fauxqs, real HTTP) and run by the worker one tenant per message. Time is simulated as in
 * the other scenarios, and a run's duration is modeled from its requests (see DYNAMO_REQUEST_MS): what a Lambda
 * would be billed for.
 *
 * It measures per tick the dispatcher's own cost (requests, time) and whether every due tenant's run starts
 * within its interval at the deployed workerConcurrency (the runs' measured durations placed on that many
 * workers, in queue order), and counts per tenant-run the Lambda time and the DynamoDB, SQS requests. From those
 * counts it prices a month per tenant at the published on-demand prices for 1,000 orders and 5,000 articles a
 * month, at 10, 100 and 500 tenants.
 */

/** AWS on-demand prices, us-east-1 (the pages as of 2026-12; DynamoDB after the November 2024 cut). */
export const PRICES = {
  lambdaGbSecondArm: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  dynamoWriteUnit: 0.625 / 1e6,
  dynamoReadUnit: 0.125 / 1e6,
  sqsRequest: 0.4 / 1e6,
  apiGatewayRestRequest: 3.5 / 1e6,
  secretMonth: 0.4,
  secretApiCall: 0.05 / 1e4,
};

/**
 * Modeled time of one DynamoDB request from a Lambda in the table's region. Run durations are modeled, not
 * timed: this process runs many tenant-runs at once on a shared CPU, where a Lambda has its own; a run's
 * duration is its BaseLinker and Ongoing requests times their latency plus its DynamoDB requests times this,
 * plus a fixed invocation overhead.
 */
const DYNAMO_REQUEST_MS = 10;
const INVOCATION_OVERHEAD_MS = 50;

/** Memory of every function (infra/cdk settings memoryMb default). */
const LAMBDA_GB = 0.5;
const MINUTES_PER_MONTH = 30 * 24 * 60;
const MONTHLY = { orders: 1_000, articles: 5_000 };
const INTERVAL_MIN: Record<'orders' | 'articles', number> = { orders: 1, articles: 15 };
/** Lambda's SQS event source keeps 5 long polls (20 s) open per queue when idle: 15 requests a minute (AWS's documented default; an estimate). */
const EVENT_SOURCE_POLLS_PER_MINUTE = 5 * 3;
const SCHEDULED_FLOWS_DEPLOYED = 5;

interface Counts {
  reads: number;
  writes: number;
  requests: Record<string, number>;
}

function countDynamo(client: DynamoDBDocumentClient, counts: Counts): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName ?? '?');
      const input = args.input as Record<string, any>;
      counts.requests[name] = (counts.requests[name] ?? 0) + 1;
      if (name === 'BatchGetCommand' || name === 'BatchGetItemCommand') {
        for (const t of Object.values(input.RequestItems ?? {}) as { Keys: unknown[] }[]) counts.reads += t.Keys.length;
      } else if (name === 'BatchWriteCommand' || name === 'BatchWriteItemCommand') {
        for (const t of Object.values(input.RequestItems ?? {}) as unknown[][]) counts.writes += t.length;
      } else if (/^(Get|Query|Scan)/.test(name)) {
        const out = await next(args);
        // One unit per item read (items here are far below 4 KB); at least one per request.
        counts.reads += Math.max(1, ((out.output as { Items?: unknown[] }).Items ?? [1]).length);
        return out;
      } else if (/^(Put|Update|Delete)/.test(name)) counts.writes += 1;
      return next(args);
    },
    { step: 'initialize', name: 'benchCount' },
  );
}

function countSqs(client: SQSClient, counts: Record<string, number>): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName ?? '?');
      counts[name] = (counts[name] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: 'benchCount' },
  );
}

export interface TickResult {
  flow: 'orders' | 'articles';
  simMinute: number;
  dispatch: Pick<DispatchReport, 'tenants' | 'sent' | 'notDue'> & { ms: number; requests: DispatchReport['requests'] };
  runs: number;
  failed: number;
  /** Modeled duration of each run (request latencies + overhead), ms. */
  meanRunMs: number;
  /** Mean BaseLinker and Ongoing requests of a run. */
  blRequests: number;
  ongoingRequests: number;
  /** When the last due tenant's run starts after the tick, at the deployed worker concurrency, simulated s. */
  lastStartS: number;
  /** The fewest workers that start every due run within the interval. */
  minConcurrency: number;
  perRun: { dynamoReads: number; dynamoWrites: number; sqsRequests: number; written: number };
}

export interface CostRow {
  tenants: number;
  perTenantMonthUsd: number;
  parts: Record<string, number>;
}

export interface TenantsResult {
  tenants: number;
  benchConcurrency: number;
  workerConcurrency: number;
  ticks: TickResult[];
  /** Peak RSS of one orders worker run in its own process (MB), when the child executor ran. */
  workerPeakRssMb?: number;
  workerBaselineRssMb?: number;
  cost: CostRow[];
  realSeconds: number;
}

/** Greedy placement of runs (queue order) on `workers` slots: when the last one starts. */
function lastStart(durationsMs: readonly number[], workers: number): number {
  const free = new Array<number>(workers).fill(0);
  let last = 0;
  for (const d of durationsMs) {
    let slot = 0;
    for (let i = 1; i < free.length; i++) if (free[i] < free[slot]) slot = i;
    last = Math.max(last, free[slot]);
    free[slot] += d;
  }
  return last;
}

export async function tenantsScenario(exec: RunExecutor, settings: BenchSettings, tenants: number): Promise<TenantsResult> {
  const started = Date.now();
  const suffix = `${process.pid}-${Date.now().toString(36)}`;
  const runtime = { tableName: `bench-tenants-${suffix}`, labelsBucket: `bench-tenants-${suffix}`.slice(0, 63) };
  const dynamoCounts: Counts = { reads: 0, writes: 0, requests: {} };
  const sqsCounts: Record<string, number> = {};
  const dynamo = createDynamoDocumentClient();
  countDynamo(dynamo, dynamoCounts);
  const s3 = createS3Client();
  await Promise.all([ensureTable(dynamo, runtime.tableName), ensureBucket(s3, runtime.labelsBucket)]);

  const tokens = Array.from({ length: tenants }, (_, i) => `bench-token-${i}`);
  const owners = Array.from({ length: tenants }, (_, i) => ({ id: 1000 + i, name: `owner ${i}` }));
  const [bl, ongoing, sqsEmulator] = await Promise.all([
    startBaseLinkerSimulator({ tokens, rateLimit: { requestsPerWindow: 10_000_000, windowMs: 60_000, blockMs: 1000 } }),
    startOngoingSimulator({ warehouse: 'bench', goodsOwners: owners, users: [{ user: 'bench-user', password: 'bench-password', goodsOwnerIds: owners.map((o) => o.id) }] }),
    startSqsEmulator(),
  ]);
  const sqs = createSqsClient({ endpoint: sqsEmulator.endpoint });
  countSqs(sqs, sqsCounts);
  try {
    const catalog = seedDemoCatalog(bl);
    seedDemoOrders(bl, catalog);
    const registry = new DynamoTenantRegistry(dynamo, runtime.tableName);
    const secrets: Record<string, unknown> = {};
    const configs = new Map<string, TenantConfig>();
    for (let i = 0; i < tenants; i++) {
      const id = `t${String(i).padStart(3, '0')}`;
      const input = {
        id,
        baselinker: { url: bl.url, inventoryId: catalog.inventoryId, orderStatusIds: [bl.state.statuses[1].id], requestsPerMinute: 100 },
        ongoing: { url: ongoing.baseUrl, goodsOwnerId: owners[i].id },
        schedules: { ordersMinutes: INTERVAL_MIN.orders, articlesMinutes: INTERVAL_MIN.articles },
      };
      const secret = { baselinkerToken: tokens[i], ongoingUser: 'bench-user', ongoingPassword: 'bench-password', webhookSecret: 'b'.repeat(40) };
      secrets[`ongoing-baselinker/${id}`] = secret;
      const parsed = parseTenantSettings(input);
      configs.set(id, { ...parsed, secrets: secret });
      await registry.put({ input, settings: parsed, secretName: `ongoing-baselinker/${id}` });
    }
    const secretsProvider = new StaticSecretsProvider(secrets);
    const state = new StateStore(dynamo, runtime.tableName);
    const budget = new InMemoryBudget({ requestsPerMinute: 10_000_000, burst: 10_000_000 });

    // Simulated clock: the tick's time plus the real time since the tick (the runs add their request latency).
    const t0 = Date.now();
    let tickSim = t0;
    let tickReal = Date.now();
    const simNow = () => tickSim + (Date.now() - tickReal);

    const ticks: TickResult[] = [];
    const benchConcurrency = 20;
    const runTick = async (flow: 'orders' | 'articles', simMinute: number): Promise<void> => {
      tickSim = t0 + simMinute * 60_000;
      tickReal = Date.now();
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `bench-${flow}-${simMinute}-${suffix}`, Attributes: { VisibilityTimeout: '600' } }));
      const dispatchStart = Date.now();
      const report = await dispatchDueTenants({ flow, registry, dynamo, tableName: runtime.tableName, sqs, queueUrl: QueueUrl!, now: simNow });
      const dispatchMs = Date.now() - dispatchStart;
      const afterDispatch = { reads: dynamoCounts.reads, writes: dynamoCounts.writes, sqs: Object.values(sqsCounts).reduce((a, b) => a + b, 0) };

      const latencies: number[] = [];
      const errors: string[] = [];
      const reports: TenantRunReport[] = [];
      const metrics = new InMemoryMetrics();
      const poller = await startSqsPoller({
        sqs,
        queueUrl: QueueUrl!,
        maxConcurrency: benchConcurrency,
        onError: (error) => errors.push(error instanceof Error ? `${error.name}: ${error.message}` : String(error)),
        handler: async (event) => {
          const result = await handleRunMessages(event, simNow() + 5 * 60_000, {
            flow,
            registry,
            secrets: secretsProvider,
            metrics,
            lastRun: async (tenant) => (await state.getRunSummaries(tenant)).find((s) => s.flow === flow),
            recordFailure: (tenant, startedAt, message) => state.putRunSummary(tenant, flow, { startedAt, outcome: 'failed', message }),
            run: async (tenant, deadline) => {
              let services: TenantServices | undefined;
              const latency = () => (services ? services.baselinker.requestCount * settings.blLatencyMs + services.ongoing.requestCount * settings.ongoingLatencyMs : 0);
              const [runReport] = await runFlow(flow as FlowName, FLOWS[flow] as never, {
                tenants: [tenant],
                runtime,
                deadline,
                metrics,
                now: () => simNow() + latency(),
                services: (t, options) => (services = createTenantServices(t, runtime, { ...options, dynamo, s3, budget })),
              });
              latencies.push(latency());
              reports.push(runReport);
              return runReport;
            },
          });
          return result.response;
        },
      });
      const deadline = Date.now() + 10 * 60_000;
      while (reports.length + errors.length < report.sent && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      if (errors.length) process.stderr.write(`[bench tenants] ${flow} @ ${simMinute}: ${errors.length} invocations threw, e.g. ${errors[0]}\n`);
      await poller.stop();
      const runs = reports.length;
      const after = { reads: dynamoCounts.reads, writes: dynamoCounts.writes, sqs: Object.values(sqsCounts).reduce((a, b) => a + b, 0) };
      const dynamoPerRun = runs ? (after.reads - afterDispatch.reads + after.writes - afterDispatch.writes) / runs : 0;
      const durations = latencies.map((l) => l + INVOCATION_OVERHEAD_MS + dynamoPerRun * DYNAMO_REQUEST_MS);
      const intervalMs = INTERVAL_MIN[flow] * 60_000;
      let minConcurrency = 1;
      while (minConcurrency < 1000 && lastStart(durations, minConcurrency) > intervalMs) minConcurrency += 1;
      ticks.push({
        flow,
        simMinute,
        dispatch: { tenants: report.tenants, sent: report.sent, notDue: report.notDue, ms: dispatchMs, requests: report.requests },
        runs,
        failed: reports.filter((r) => r.outcome === 'failed').length + errors.length,
        meanRunMs: runs ? durations.reduce((a, b) => a + b, 0) / runs : 0,
        blRequests: runs ? reports.reduce((a, r) => a + r.baselinkerRequests, 0) / runs : 0,
        ongoingRequests: runs ? reports.reduce((a, r) => a + r.ongoingRequests, 0) / runs : 0,
        lastStartS: lastStart(durations, DEFAULT_WORKER_CONCURRENCY) / 1000,
        minConcurrency: runs ? minConcurrency : 0,
        perRun: {
          dynamoReads: runs ? (after.reads - afterDispatch.reads) / runs : 0,
          dynamoWrites: runs ? (after.writes - afterDispatch.writes) / runs : 0,
          // The poller's receives and deletes stand for the event source's; the dispatcher's batches are counted with the dispatch.
          sqsRequests: runs ? (after.sqs - afterDispatch.sqs) / runs : 0,
          written: runs ? reports.reduce((a, r) => a + (r.result?.written ?? 0), 0) / runs : 0,
        },
      });
    };

    // Minute 0: every tenant is due for both flows (first run); minutes 1 and 2: orders again (idle polls);
    // minute 15: articles again, nothing changed (an idle re-sync), and orders.
    await runTick('articles', 0);
    await runTick('orders', 0);
    await runTick('orders', 1);
    await runTick('articles', 1);
    await runTick('orders', 2);
    await runTick('articles', 15);

    // One orders worker run in a process of its own, for its peak memory.
    const one = configs.get('t000')!;
    const memory = await exec({ flow: 'orders', tenant: one, runtime, startAt: t0 + 16 * 60_000, budgetMs: 4 * 60_000, latency: { blMs: settings.blLatencyMs, ongoingMs: settings.ongoingLatencyMs } });

    return {
      tenants,
      benchConcurrency,
      workerConcurrency: DEFAULT_WORKER_CONCURRENCY,
      ticks,
      ...(memory.peakRssBytes !== undefined && { workerPeakRssMb: memory.peakRssBytes / 2 ** 20 }),
      ...(memory.baselineRssBytes !== undefined && { workerBaselineRssMb: memory.baselineRssBytes / 2 ** 20 }),
      cost: monthlyCost(ticks, tenants, [10, 100, 500]),
      realSeconds: (Date.now() - started) / 1000,
    };
  } finally {
    sqs.destroy();
    dynamo.destroy();
    s3.destroy();
    await Promise.all([bl.close(), ongoing.close(), sqsEmulator.stop()]);
  }
}

/**
 * A month per tenant from the counted ticks: idle runs at each flow's interval, plus the measured cost of each
 * order or article actually written, plus the dispatcher ticks and the event source's polling shared by all
 * tenants (so the per-tenant share falls as tenants grow), plus one secret per tenant and the Send webhook's
 * API Gateway request per order.
 */
export function monthlyCost(ticks: readonly TickResult[], measuredTenants: number, sizes: readonly number[]): CostRow[] {
  const find = (flow: string, pick: (t: TickResult) => boolean) => ticks.find((t) => t.flow === flow && pick(t));
  const ordersFirst = find('orders', (t) => t.simMinute === 0)!;
  const ordersIdle = find('orders', (t) => t.simMinute > 0 && t.runs > 0)!;
  const articlesFirst = find('articles', (t) => t.simMinute === 0)!;
  const articlesIdle = find('articles', (t) => t.simMinute >= 15 && t.runs > 0) ?? articlesFirst;
  const dispatchTick = find('orders', (t) => t.simMinute > 0)!;

  const runCost = (t: TickResult) => ({
    lambda: (t.meanRunMs / 1000) * LAMBDA_GB * PRICES.lambdaGbSecondArm + PRICES.lambdaRequest,
    dynamo: t.perRun.dynamoReads * PRICES.dynamoReadUnit + t.perRun.dynamoWrites * PRICES.dynamoWriteUnit,
    sqs: t.perRun.sqsRequests * PRICES.sqsRequest,
  });
  const sum = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);
  // Extra cost of one written item: the first run (which wrote) minus an idle run, per item written.
  const perItem = (first: TickResult, idle: TickResult) => (first.perRun.written > 0 ? Math.max(0, sum(runCost(first)) - sum(runCost(idle))) / first.perRun.written : 0);

  const ordersRuns = MINUTES_PER_MONTH / INTERVAL_MIN.orders;
  const articlesRuns = MINUTES_PER_MONTH / INTERVAL_MIN.articles;
  const idleOrders = runCost(ordersIdle);
  const idleArticles = runCost(articlesIdle);
  const variable = {
    'orders runs (Lambda)': ordersRuns * idleOrders.lambda,
    'orders runs (DynamoDB)': ordersRuns * idleOrders.dynamo,
    'orders runs (SQS)': ordersRuns * idleOrders.sqs,
    'articles runs (Lambda+DynamoDB+SQS)': articlesRuns * sum(idleArticles),
    'orders written': MONTHLY.orders * perItem(ordersFirst, ordersIdle),
    'articles written': MONTHLY.articles * perItem(articlesFirst, articlesIdle),
    'Send webhook (API Gateway)': MONTHLY.orders * PRICES.apiGatewayRestRequest,
    'secret (Secrets Manager)': PRICES.secretMonth + (ordersRuns + articlesRuns) * PRICES.secretApiCall * (1 / 5), // cached 5 min: ~1 call per 5 runs at 1/min
  };
  return sizes.map((n) => {
    // The dispatcher's work per tick grows with the registry: requests measured at `measuredTenants`, scaled.
    const scale = n / measuredTenants;
    // Per tick: the registry Query (about 0.5 KB a tenant, eventually consistent: 1 unit per 8 KB) and the
    // BatchGetItem of every tenant's last run (eventually consistent: half a unit each), SQS batches of 10.
    const dispatcherTick =
      (Math.max(100, dispatchTick.dispatch.ms * scale) / 1000) * LAMBDA_GB * PRICES.lambdaGbSecondArm +
      PRICES.lambdaRequest +
      n * (1 / 16 + 0.5) * PRICES.dynamoReadUnit +
      Math.ceil((dispatchTick.dispatch.sent * scale) / 10) * PRICES.sqsRequest;
    const shared = {
      'dispatchers (5 flows, every minute)': SCHEDULED_FLOWS_DEPLOYED * MINUTES_PER_MONTH * dispatcherTick,
      'event source polling (5 queues, estimate)': SCHEDULED_FLOWS_DEPLOYED * MINUTES_PER_MONTH * EVENT_SOURCE_POLLS_PER_MINUTE * PRICES.sqsRequest,
    };
    const parts: Record<string, number> = { ...variable };
    for (const [k, v] of Object.entries(shared)) parts[k] = v / n;
    return { tenants: n, perTenantMonthUsd: sum(parts), parts };
  });
}
