import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { InMemoryBudget } from '../../shared/baselinker/budget';
import { createDynamoDocumentClient, createS3Client } from '../../shared/aws/clients';
import { parseTenantSettings, type TenantConfig, type TenantSettingsInput } from '../../shared/config';
import type { FlowName } from '../../shared/flows/catalogue';
import type { CatalogueFlow } from '../../shared/flows/catalogue';
import { runBudgetMs as lambdaRunBudgetMs } from '../../shared/lambda/worker';
import { createOrdersFlow } from '../../shared/flows/orders';
import { FLOWS } from '../../shared/flows/registry';
import { runFlow, type TenantRunReport } from '../../shared/flows/runner';
import { createTenantServices, type TenantServices } from '../../shared/lambda/wiring';
import { ensureBucket } from '../../shared/labels/store';
import { InMemoryMetrics, METRIC } from '../../shared/observability/metrics';
import { ensureTable } from '../../shared/state/table';
import type { OngoingClient } from '../../shared/ongoing/client';
import { DEFAULT_SIM_TOKEN, startBaseLinkerSimulator, type BaseLinkerSimulator } from '../../infra/simulators/baselinker';
import { DEMO_API_USER, DEMO_GOODS_OWNER, demoSimulatorOptions, startOngoingSimulator, type OngoingSimulator } from '../../infra/simulators/ongoing';
import { ongoingTwin } from '../support/ongoing-twin';

/**
 * The benchmark's wiring. Scheduled flows run on SIMULATED time: the simulators answer at once and each
 * request's latency is added to the run's clock instead of being slept (BaseLinker and Ongoing latency per
 * request, counted from the clients' request counters; real elapsed time counts too). The flows read that
 * clock through `FlowContext.now`, so their deadlines follow it. Requests in a run are serial (the flows issue
 * them one at a time), so summing their latencies is the run's duration; Ongoing writes are serial per goods
 * owner anyway.
 *
 * One run of a flow = one "Lambda invocation": in a child process of its own (peak RSS measured there, with
 * --max-old-space-size) or in this process (the jest smoke test). The simulators and the DynamoDB emulator
 * live in the parent, so their data never counts as the flow's memory.
 */

export interface BenchSettings {
  blLatencyMs: number;
  ongoingLatencyMs: number;
  courierDelayMs: number;
  quick: boolean;
}

export const DEFAULT_SETTINGS: BenchSettings = { blLatencyMs: 150, ongoingLatencyMs: 100, courierDelayMs: 500, quick: false };

/**
 * Lambda: the worker's timeout per flow (infra/cdk/flows.ts maxTimeout; one tenant-run per invocation); the
 * worker keeps a margin back (shared/lambda/worker.ts runBudgetMs). The interval no longer caps it: the
 * dispatcher queues a tenant only when its interval has passed, and the per-tenant lease keeps runs apart.
 */
export const LAMBDA_TIMEOUT_MS: Record<FlowName, (intervalMinutes: number) => number> = {
  articles: () => 600_000,
  stock: () => 600_000,
  orders: () => 300_000,
  reconcile: () => 600_000,
  tracking: () => 300_000,
};

/** Run budget as the worker computes it from the remaining time. */
export function runBudgetMs(flow: FlowName, intervalMinutes: number): number {
  return lambdaRunBudgetMs(LAMBDA_TIMEOUT_MS[flow](intervalMinutes));
}

/** The parent's simulated wall clock: the simulators stamp with it; runs start at it. */
export class SimTimeline {
  private at: number;
  constructor(start = Date.now()) {
    this.at = start;
  }
  now = (): number => this.at;
  set(ms: number): void {
    this.at = Math.max(this.at, ms);
  }
  advance(ms: number): void {
    this.at += ms;
  }
}

export interface BenchWorld {
  bl: BaseLinkerSimulator;
  ongoing: OngoingSimulator;
  timeline: SimTimeline;
  tenant: TenantConfig;
  runtime: { tableName: string; labelsBucket: string };
  /** The BaseLinker warehouse key, e.g. bl_1. */
  warehouseKey: string;
  close(): Promise<void>;
}

export interface BenchWorldOptions {
  tenant?: Partial<Record<keyof TenantSettingsInput, unknown>>;
  /** Real latency (shipment scenario); default 0, the latency is counted into the simulated clock instead. */
  realLatency?: { blMs: number; ongoingMs: number; methodLatencyMs?: Record<string, number> };
}

/** A shop's order confirmed at `confirmedAtS` (BaseLinker seconds), with placeholder customer data and these products. */
export function addBenchOrder(
  world: BenchWorld,
  i: number,
  confirmedAtS: number,
  products: { sku: string; name: string; quantity: number; price_brutto: number }[],
  statusId: number,
): void {
  world.bl.addOrder(
    {
      order_status_id: statusId,
      email: `klient${i}@example.invalid`,
      delivery_fullname: `Klient ${i}`,
      delivery_address: `ul. Długa ${1 + (i % 200)}`,
      delivery_postcode: '31-147',
      delivery_city: 'Kraków',
      delivery_country_code: 'PL',
      payment_done: 99.9,
      products,
    },
    { createdAt: confirmedAtS - 30, confirmedAt: confirmedAtS },
  );
}

/**
 * An order already in Ongoing, picked and waiting at the packing desk for Send (status 400), with its BaseLinker
 * order (in `blStatusId` when given). Returns the Ongoing order id.
 */
export async function orderAtTheDesk(world: BenchWorld, ongoing: OngoingClient, line: { articleNumber: string; numberOfItems: number }, blStatusId?: number): Promise<number> {
  const bl = world.bl.addOrder({ ...(blStatusId !== undefined && { order_status_id: blStatusId }), delivery_fullname: 'Anna Nowak', delivery_address: 'ul. Prosta 1', delivery_postcode: '00-001', delivery_city: 'Warszawa' });
  return ongoingTwin(ongoing, world.ongoing, bl.order_id, { deliveryDate: '2030-03-04T00:00:00Z', orderLines: [{ rowNumber: '1', ...line }], status: 400 });
}

function requireEmulators(): void {
  const local = (v: string | undefined) => !!v && /^http:\/\/127\.0\.0\.1:\d+\/?$/.test(v);
  if (!local(process.env.AWS_ENDPOINT_URL_DYNAMODB) || !local(process.env.AWS_ENDPOINT_URL_S3)) {
    throw new Error('the benchmark needs the local AWS emulators (AWS_ENDPOINT_URL_DYNAMODB / _S3 on 127.0.0.1)');
  }
}

function merge(base: Record<string, unknown>, over: Record<string, unknown> = {}): Record<string, unknown> {
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' ? merge(b as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

export async function startBenchWorld(options: BenchWorldOptions = {}): Promise<BenchWorld> {
  requireEmulators();
  const timeline = new SimTimeline();
  const real = options.realLatency;
  const [bl, ongoing] = await Promise.all([
    startBaseLinkerSimulator({
      now: timeline.now,
      latencyMs: real?.blMs ?? 0,
      methodLatencyMs: real?.methodLatencyMs,
      rateLimit: { requestsPerWindow: 10_000_000, windowMs: 60_000, blockMs: 1000 },
    }),
    startOngoingSimulator(demoSimulatorOptions({ now: timeline.now, readLatencyMs: real?.ongoingMs ?? 0, writeLatencyMs: real?.ongoingMs ?? 0 })),
  ]);
  const inventory = bl.addInventory({ inventory_id: 1 });
  const warehouseKey = bl.addWarehouse({ inventoryId: inventory.inventory_id, warehouse_type: 'bl', name: 'Ongoing' });

  const suffix = `${process.pid}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const runtime = { tableName: `bench-${suffix}`, labelsBucket: `bench-${suffix}`.toLowerCase().slice(0, 63) };
  const dynamo = createDynamoDocumentClient();
  const s3 = createS3Client();
  try {
    await Promise.all([ensureTable(dynamo, runtime.tableName), ensureBucket(s3, runtime.labelsBucket)]);
  } finally {
    dynamo.destroy();
    s3.destroy();
  }
  const settings = parseTenantSettings(
    merge(
      {
        id: 'bench',
        baselinker: { url: bl.url, inventoryId: inventory.inventory_id, orderStatusIds: [1] },
        ongoing: { url: ongoing.baseUrl, goodsOwnerId: DEMO_GOODS_OWNER.id },
        stock: { enabled: false },
      },
      options.tenant as Record<string, unknown>,
    ),
  );
  const tenant: TenantConfig = {
    ...settings,
    secrets: { baselinkerToken: DEFAULT_SIM_TOKEN, ongoingUser: DEMO_API_USER.user, ongoingPassword: DEMO_API_USER.password, webhookSecret: 'bench-webhook-secret-placeholder' },
  };
  return {
    bl,
    ongoing,
    timeline,
    tenant,
    runtime,
    warehouseKey,
    async close() {
      await Promise.all([bl.close(), ongoing.close()]);
    },
  };
}

// ---------- one run ----------

export interface RunJob {
  flow: FlowName;
  tenant: TenantConfig;
  runtime: { tableName: string; labelsBucket: string };
  /** Simulated epoch ms at which the run starts. */
  startAt: number;
  /** The run's budget (deadline - start), simulated ms. */
  budgetMs: number;
  latency: { blMs: number; ongoingMs: number };
  orders?: { fullScanIntervalMs?: number };
}

export interface RunOutcome {
  report: TenantRunReport;
  /** Simulated epoch ms when the run ended. */
  simEnd: number;
  realMs: number;
  blByMethod: Record<string, number>;
  ongoingRequests: number;
  /** OrderLagSeconds points: confirmed in BaseLinker -> written to Ongoing, on the simulated clock. */
  orderLagsS: number[];
  /** Child process only: peak resident set size of the run's process, and at its start (runtime + bundle). */
  peakRssBytes?: number;
  baselineRssBytes?: number;
}

export type RunExecutor = (job: RunJob) => Promise<RunOutcome>;

function flowFor(job: RunJob): CatalogueFlow {
  if (job.flow === 'orders' && job.orders) return createOrdersFlow(job.orders);
  return FLOWS[job.flow];
}

/** One run through the real runner, on a clock that adds each request's latency. */
export async function executeRun(job: RunJob): Promise<RunOutcome> {
  const dynamo = createDynamoDocumentClient();
  const s3 = createS3Client();
  const budget = new InMemoryBudget({ requestsPerMinute: 10_000_000, burst: 10_000_000 });
  const metrics = new InMemoryMetrics();
  const realStart = Date.now();
  let services: TenantServices | undefined;
  const now = () =>
    job.startAt +
    (Date.now() - realStart) +
    (services ? services.baselinker.requestCount * job.latency.blMs + services.ongoing.requestCount * job.latency.ongoingMs : 0);
  try {
    const [report] = await runFlow(job.flow, flowFor(job), {
      tenants: [job.tenant],
      runtime: job.runtime,
      deadline: job.startAt + job.budgetMs,
      metrics,
      now,
      services: (tenant, options) => (services = createTenantServices(tenant, job.runtime, { ...options, dynamo, s3, budget })),
    });
    return {
      report,
      simEnd: now(),
      realMs: Date.now() - realStart,
      blByMethod: { ...(services?.baselinker.requestsByMethod ?? {}) },
      ongoingRequests: services?.ongoing.requestCount ?? 0,
      orderLagsS: metrics.points.filter((p) => p.name === METRIC.orderLag).map((p) => p.value),
    };
  } finally {
    dynamo.destroy();
    s3.destroy();
  }
}

export const inProcessExecutor: RunExecutor = executeRun;

/** Peak RSS of this process as the kernel counts it (Linux), else undefined. */
export function kernelPeakRss(): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Each run in a fresh `node --max-old-space-size=<mb>` child running the bundled child entry. */
export function childExecutor(bundle: string, maxOldSpaceMb: number): RunExecutor {
  return (job) =>
    new Promise<RunOutcome>((resolve, reject) => {
      const child = fork(bundle, [], {
        execArgv: [`--max-old-space-size=${maxOldSpaceMb}`],
        env: { ...process.env, LOG_LEVEL: 'SILENT' },
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      });
      let stderr = '';
      let answered = false;
      child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
      child.on('message', (msg: { ok: boolean; outcome?: RunOutcome; error?: string }) => {
        answered = true;
        if (msg.ok && msg.outcome) resolve(msg.outcome);
        else reject(new Error(`run in child failed: ${msg.error}`));
        child.disconnect();
      });
      child.on('exit', (code, signal) => {
        if (!answered) reject(new Error(`run child exited (${code ?? signal}) without an answer${stderr ? `: ${stderr.trim().split('\n').slice(-5).join(' | ')}` : ''}`));
      });
      child.send(job);
    });
}
