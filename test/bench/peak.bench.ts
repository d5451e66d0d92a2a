import {
  bucketParams,
  BudgetWaitExceededError,
  DEFAULT_BUDGET,
  takeToken,
  type AcquireOptions,
  type BucketParams,
  type BucketState,
  type BudgetPriority,
  type RequestBudget,
} from '../../shared/baselinker/budget';
import { createDynamoDocumentClient, createS3Client } from '../../shared/aws/clients';
import { ordersFlow } from '../../shared/flows/orders';
import { runFlow } from '../../shared/flows/runner';
import { createTenantServices, type TenantServices } from '../../shared/lambda/wiring';
import { InMemoryMetrics, METRIC } from '../../shared/observability/metrics';
import { MemoryState } from '../../shared/state';
import { OngoingClient } from '../../shared/ongoing/client';
import { createShipmentWebhookHandler } from '../../shared/webhook';
import { startApiGateway } from '../../infra/local/api-gateway';
import { demoClientSettings } from '../../infra/simulators/ongoing';
import { articlesMinimumCalls, DATA_CHUNK } from './articles.bench';
import { addBenchOrder, orderAtTheDesk, runBudgetMs, startBenchWorld, type BenchSettings, type BenchWorld } from './harness.bench';
import { percentile } from './orders.bench';
import { stockMinimumCalls } from './stock.bench';

/**
 * The peak hour on ONE BaseLinker token, on a simulated clock: every process that shares the token (the orders
 * runs, the Sends at the packing desk, the stock pushes, the catalog walk) takes its tokens from one bucket with
 * the same `takeToken` rule and priorities as the deployed budget, and a conservative discrete-event scheduler
 * hands out tokens in simulated-time order: a process's clock is its start plus the latency of every request it
 * made plus what it waited for tokens, and the scheduler only moves on when no process is between two requests.
 *
 * Real: the orders flow (through the runner, against the simulators and DynamoDB Local) and the Sends (the Ongoing
 * simulator presses Send, the webhook goes over HTTP to the real handler). Modelled, with the call counts the
 * bench measures for the real flows: the catalog walk (a 50,000-variant re-read, `articlesMinimumCalls` per pass,
 * asking for its next token as soon as it has the last; unconstrained it goes faster than the budget allows, so
 * this is the hungriest it can be), and the stock push (`stockMinimumCalls` for 5,000 levels after its Ongoing reads).
 * The walk is modelled because re-reading 50,000 article records from the DynamoDB emulator dozens of times would
 * take the bench most of its real time, and only its demand on the token matters here. For the same reason the
 * state ports are the in-memory adapters (the same contract suite as DynamoDB's): the scenario measures the
 * token, and a run's real time counts on no clock here.
 */

export interface PeakFlowSpend {
  flow: string;
  priority: BudgetPriority;
  calls: number;
  waitedS: number;
}

export interface PeakResult {
  journal: boolean;
  minutes: number;
  ordersPerMinute: number;
  ordersIntervalMinutes: number;
  orders: number;
  transferred: number;
  lagP50S: number;
  lagP95S: number;
  lagMaxS: number;
  sends: number;
  sendsOk: number;
  sendP50Ms: number;
  sendP95Ms: number;
  courierDelayMs: number;
  /** Requests that would be the 101st within 60 s (BaseLinker blocks the token then). */
  tokenBlocks: number;
  maxInAnyMinute: number;
  requestsPerMinute: number;
  spend: PeakFlowSpend[];
  catalogPasses: number;
  realSeconds: number;
}

const TO_FULFIL = 5502;
/** The walk's catalog: 25,000 simple products and 5,000 with five variants = 50,000 variants, 30,000 main products. */
const WALK_MAIN_PRODUCTS = 30_000;
const STOCK_CHANGED = 5_000;
/** The stock flow's Ongoing reads for 5,000 changed levels (measured by the stock scenario: 11). */
const STOCK_ONGOING_READS = 11;
const SBLOCK_LIMIT = 100;

interface Pending {
  proc: Proc;
  at: number;
  priority: BudgetPriority;
  waitedForThis: number;
  maxWaitMs?: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

/** One process on the token: a clock of its own, the latencies it has spent, the tokens it waited for. */
class Proc {
  waitedMs = 0;
  extraMs = 0;
  services?: TenantServices;
  constructor(
    readonly sched: TokenScheduler,
    readonly flow: string,
    readonly priority: BudgetPriority,
    readonly startAt: number,
    private readonly latency: { blMs: number; ongoingMs: number; courierMs: number },
  ) {}

  now = (): number => {
    const s = this.services;
    const bl = s ? s.baselinker.requestCount * this.latency.blMs + (s.baselinker.requestsByMethod.createPackage ?? 0) * this.latency.courierMs : 0;
    return this.startAt + this.waitedMs + this.extraMs + bl + (s ? s.ongoing.requestCount * this.latency.ongoingMs : 0);
  };

  readonly budget: RequestBudget = {
    acquire: (_key: string, options?: AcquireOptions) => this.sched.acquire(this, options),
    block: async () => undefined,
    inspect: async () => ({ tokensLeft: 0 }),
  };
}

/** Hands out the shared bucket's tokens in simulated-time order. */
class TokenScheduler {
  private state: BucketState | undefined;
  private readonly params: BucketParams;
  private running = 0;
  private idle?: () => void;
  private readonly pending: Pending[] = [];
  private readonly starts: Array<{ at: number; launch: () => Promise<unknown> }> = [];
  readonly grants: number[] = [];
  readonly spend = new Map<string, PeakFlowSpend>();

  constructor(
    policy: { requestsPerMinute: number; burst?: number },
    private readonly onTime: (ms: number) => void,
  ) {
    this.params = bucketParams(policy);
  }

  acquire(proc: Proc, options: AcquireOptions = {}): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ proc, at: proc.now(), priority: options.priority ?? proc.priority, waitedForThis: 0, maxWaitMs: options.maxWaitMs, resolve, reject });
      this.leave();
    });
  }

  /** A process started at `at` (simulated), run to its end. */
  schedule(at: number, launch: () => Promise<unknown>): void {
    this.starts.push({ at, launch });
  }

  private enter(): void {
    this.running++;
  }

  private leave(): void {
    this.running--;
    if (this.running === 0) this.idle?.();
  }

  private quiet(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((r) => (this.idle = () => ((this.idle = undefined), r())));
  }

  /** Runs every process started before `endMs` to its end. */
  async run(endMs: number): Promise<void> {
    for (;;) {
      await this.quiet();
      this.pending.sort((a, b) => a.at - b.at);
      this.starts.sort((a, b) => a.at - b.at);
      const p = this.pending[0];
      const s = this.starts[0];
      if (!p && (!s || s.at > endMs)) return;
      if (s && s.at <= endMs && (!p || s.at <= p.at)) {
        this.starts.shift();
        this.onTime(s.at);
        this.enter();
        void s.launch().finally(() => this.leave());
        continue;
      }
      this.pending.shift();
      const r = takeToken(this.state, p!.at, this.params, p!.priority);
      if (r.taken) {
        this.state = r.next;
        this.grants.push(p!.at);
        this.onTime(p!.at);
        const key = p!.proc.flow;
        const spent = this.spend.get(key) ?? { flow: key, priority: p!.proc.priority, calls: 0, waitedS: 0 };
        spent.calls++;
        this.spend.set(key, spent);
        this.enter();
        p!.resolve();
        continue;
      }
      if (p!.maxWaitMs !== undefined && p!.waitedForThis + r.waitMs > p!.maxWaitMs) {
        this.enter();
        p!.reject(new BudgetWaitExceededError(r.waitMs, undefined));
        continue;
      }
      p!.waitedForThis += r.waitMs;
      p!.proc.waitedMs += r.waitMs;
      const spent = this.spend.get(p!.proc.flow) ?? { flow: p!.proc.flow, priority: p!.proc.priority, calls: 0, waitedS: 0 };
      spent.waitedS += r.waitMs / 1000;
      this.spend.set(p!.proc.flow, spent);
      p!.at += r.waitMs;
      this.pending.push(p!);
    }
  }

  /** Requests past BaseLinker's 100 in any rolling 60 s, and the most in any rolling 60 s. */
  blocks(): { blocks: number; max: number } {
    const g = [...this.grants].sort((a, b) => a - b);
    let blocks = 0;
    let max = 0;
    for (let i = 0, j = 0; i < g.length; i++) {
      while (g[i]! - g[j]! >= 60_000) j++;
      const inWindow = i - j + 1;
      max = Math.max(max, inWindow);
      if (inWindow > SBLOCK_LIMIT) blocks++;
    }
    return { blocks, max };
  }
}

function addOrder(world: BenchWorld, i: number, confirmedAtS: number): void {
  addBenchOrder(world, i, confirmedAtS, [{ sku: `ART-${i % 20}`, name: 'Artykuł', quantity: 1, price_brutto: 39.9 }], TO_FULFIL);
}

/**
 * `minutes` simulated minutes on one token at the default budget (80 a minute, burst 10): `ordersPerMinute`
 * orders confirmed at random times, an orders run at every tick of its schedule (1 minute with the journal, 15
 * without; a tick is skipped while the last run still goes, as its lease would), two Sends a minute, the stock
 * push every 15 minutes, and the catalog walk all the time.
 */
export async function peakScenario(settings: BenchSettings, options: { journal: boolean; minutes: number; ordersPerMinute: number; sendsPerMinute: number }): Promise<PeakResult> {
  const realStart = Date.now();
  const { journal, minutes, ordersPerMinute, sendsPerMinute } = options;
  const world = await startBenchWorld({ tenant: { baselinker: { orderStatusIds: [TO_FULFIL], journal, lookbackDays: 1 }, shipment: { courierCode: 'dpd' } } });
  const dynamo = createDynamoDocumentClient();
  const s3 = createS3Client();
  const policy = { requestsPerMinute: world.tenant.baselinker.requestsPerMinute ?? DEFAULT_BUDGET.requestsPerMinute, burst: world.tenant.baselinker.burst };
  const sched = new TokenScheduler(policy, (ms) => world.timeline.set(ms));
  const memory = new MemoryState();
  const wire = (tenant: typeof world.tenant, opts: object, budget: RequestBudget): TenantServices => ({
    ...createTenantServices(tenant, world.runtime, { ...opts, dynamo, s3, budget }),
    state: memory.ports(tenant.id),
  });
  const latency = { blMs: settings.blLatencyMs, ongoingMs: settings.ongoingLatencyMs, courierMs: settings.courierDelayMs };
  let sendProc: Proc | undefined;
  const handler = createShipmentWebhookHandler({
    tenants: async () => [world.tenant],
    services: (tenant, opts) => {
      const proc = sendProc!;
      proc.services = wire(tenant, opts, proc.budget);
      return proc.services;
    },
  });
  const gateway = await startApiGateway({ routes: [{ method: 'POST', resource: '/webhook/ongoing', handler }] });
  try {
    const ongoing = new OngoingClient(demoClientSettings(world.ongoing.baseUrl));
    for (let i = 0; i < 20; i++) await ongoing.putArticle({ articleNumber: `ART-${i}`, articleName: `Artykuł ${i}`, weight: 0.3 });
    world.ongoing.settings.webhook = { url: `${gateway.url}/webhook/ongoing`, headerName: 'X-Webhook-Secret', headerValue: world.tenant.secrets.webhookSecret };
    world.tenant.shipment.webhookHeader = 'X-Webhook-Secret';
    // Orders already in Ongoing, picked and waiting at the desk for Send (in a BaseLinker status the flow ignores).
    const desk: number[] = [];
    for (let i = 0; i < minutes * sendsPerMinute; i++) {
      desk.push(await orderAtTheDesk(world, ongoing, { articleNumber: 'ART-0', numberOfItems: 1 }, 5501));
    }

    const t0 = world.timeline.now();
    const end = t0 + minutes * 60_000;
    const metrics = new InMemoryMetrics();
    const interval = world.tenant.schedules.ordersMinutes ?? (journal ? 1 : 15);
    const ordersBudget = runBudgetMs('orders', interval);

    // The orders flow: a run per tick, through the real runner.
    let ordersBusy = false;
    const ordersRun = (at: number) => async () => {
      if (ordersBusy) return; // the last run still holds the lease
      ordersBusy = true;
      const proc = new Proc(sched, 'orders', 'orders', at, latency);
      try {
        await runFlow('orders', ordersFlow, {
          tenants: [world.tenant],
          runtime: world.runtime,
          deadline: at + ordersBudget,
          metrics,
          now: proc.now,
          services: (tenant, _runtime, opts) => (proc.services = wire(tenant, opts ?? {}, proc.budget)),
        });
      } finally {
        ordersBusy = false;
      }
    };
    // The first run: finds the journal's end (or scans the still empty window).
    sched.schedule(t0, ordersRun(t0));
    let seed = 7;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    let n = 0;
    for (let m = 1; m <= minutes + interval; m++) {
      const tick = t0 + m * 60_000;
      const from = tick - 60_000;
      sched.schedule(from + 1, async () => {
        if (m > minutes) return;
        const times = Array.from({ length: ordersPerMinute }, () => Math.floor((from + random() * 60_000) / 1000)).sort((a, b) => a - b);
        for (const t of times) addOrder(world, n++, t);
      });
      if (m % interval === 0) sched.schedule(tick, ordersRun(tick));
    }

    // Sends at the desk.
    const sendTimes: number[] = [];
    let sendsOk = 0;
    desk.forEach((orderId, i) => {
      const at = t0 + Math.floor((i * 60_000) / sendsPerMinute) + 7_000;
      sched.schedule(at, async () => {
        const proc = new Proc(sched, 'send', 'interactive', at, latency);
        sendProc = proc;
        const status = await world.ongoing.pressSend(orderId);
        sendTimes.push(proc.now() - at);
        if (status === 200 && [...world.ongoing.state.files.values()].some((f) => f.orderId === orderId)) sendsOk++;
      });
    });

    // The stock push every 15 minutes: its Ongoing reads, then its BaseLinker calls (a page of orders holding
    // stock in the one chosen status, and the updateInventoryProductsStock calls).
    for (let at = t0 + 3 * 60_000; at < end; at += world.tenant.schedules.stockMinutes * 60_000) {
      sched.schedule(at, async () => {
        const proc = new Proc(sched, 'stock', 'stock', at, latency);
        proc.extraMs += STOCK_ONGOING_READS * latency.ongoingMs;
        for (let i = 0; i < stockMinimumCalls(STOCK_CHANGED, STOCK_CHANGED, 1, false, 0); i++) {
          await proc.budget.acquire('token', { priority: 'stock' });
          proc.extraMs += latency.blMs;
        }
      });
    }

    // The catalog walk, pass after pass, for the whole hour.
    const perPass = articlesMinimumCalls(WALK_MAIN_PRODUCTS, DATA_CHUNK);
    let passes = 0;
    sched.schedule(t0, async () => {
      const proc = new Proc(sched, 'articles (catalog walk)', 'bulk', t0, latency);
      while (proc.now() < end) {
        for (let i = 0; i < perPass && proc.now() < end; i++) {
          await proc.budget.acquire('token', { priority: 'bulk' });
          proc.extraMs += latency.blMs;
        }
        passes++;
      }
    });

    await sched.run(end + interval * 60_000);

    const lags = metrics.points.filter((p) => p.name === METRIC.orderLag).map((p) => p.value);
    const { blocks, max } = sched.blocks();
    return {
      journal,
      minutes,
      ordersPerMinute,
      ordersIntervalMinutes: interval,
      orders: n,
      transferred: lags.length,
      lagP50S: percentile(lags, 50),
      lagP95S: percentile(lags, 95),
      lagMaxS: lags.length ? Math.max(...lags) : NaN,
      sends: desk.length,
      sendsOk,
      sendP50Ms: percentile(sendTimes, 50),
      sendP95Ms: percentile(sendTimes, 95),
      courierDelayMs: settings.courierDelayMs,
      tokenBlocks: blocks,
      maxInAnyMinute: max,
      requestsPerMinute: policy.requestsPerMinute,
      spend: [...sched.spend.values()].sort((a, b) => b.calls - a.calls),
      catalogPasses: passes,
      realSeconds: (Date.now() - realStart) / 1000,
    };
  } finally {
    await gateway.close();
    dynamo.destroy();
    s3.destroy();
    await world.close();
  }
}
