import { ORDERS_PAGE_SIZE } from '../../shared/baselinker/client';
import { OngoingClient } from '../../shared/ongoing/client';
import { demoClientSettings } from '../../infra/simulators/ongoing';
import { TICK_MINUTES } from '../../infra/cdk/flows';
import { continuesAtOnce } from '../../shared/fanout/worker';
import { isDue } from '../../shared/flows/due';
import type { TenantRunReport } from '../../shared/flows/runner';
import { runUntilComplete } from './articles.bench';
import { addBenchOrder, runBudgetMs, startBenchWorld, type BenchSettings, type BenchWorld, type RunExecutor, type RunOutcome } from './harness.bench';

/** The status the tenant imports from ("Do realizacji" in the simulator's default statuses). */
const TO_FULFIL = 5502;
const ARTICLES = 20;

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
export { percentile };

async function seedOngoingArticles(world: BenchWorld): Promise<string[]> {
  const client = new OngoingClient(demoClientSettings(world.ongoing.baseUrl));
  const skus: string[] = [];
  for (let i = 0; i < ARTICLES; i++) {
    const sku = `ART-${i}`;
    await client.putArticle({ articleNumber: sku, articleName: `Artykuł ${i}`, weight: 0.3 });
    skus.push(sku);
  }
  world.ongoing.resetCalls();
  return skus;
}

function addOrder(world: BenchWorld, skus: string[], i: number, confirmedAtS: number): void {
  addBenchOrder(
    world,
    i,
    confirmedAtS,
    [
      { sku: skus[i % skus.length]!, name: 'Artykuł', quantity: 1 + (i % 3), price_brutto: 39.9 },
      { sku: skus[(i * 7 + 3) % skus.length]!, name: 'Artykuł', quantity: 1, price_brutto: 19.9 },
    ],
    TO_FULFIL,
  );
}

/** Every status scanned costs at least one page, and a page under 100 ends it. */
export function ordersMinimumCalls(newOrders: number, statusesScanned = 1): number {
  return Math.floor(newOrders / ORDERS_PAGE_SIZE) + statusesScanned;
}

export interface OrdersResult {
  newOrders: number;
  budgetMinutes: number;
  runs: number;
  complete: boolean;
  blCalls: number;
  blByMethod: Record<string, number>;
  minimumBlCalls: number;
  ratio: number;
  ongoingOrderWrites: number;
  ongoingRequests: number;
  ordersInOngoing: number;
  writtenExactlyOnce: boolean;
  simMinutes: number;
  realSeconds: number;
  peakRssMB?: number;
}

/** N orders confirmed in the last hour, picked up by the status scan (journal off, every 15 minutes). */
export async function ordersScenario(exec: RunExecutor, settings: BenchSettings, newOrders: number): Promise<OrdersResult> {
  const world = await startBenchWorld({ tenant: { baselinker: { orderStatusIds: [TO_FULFIL], journal: false, lookbackDays: 1 } } });
  try {
    const skus = await seedOngoingArticles(world);
    const nowS = Math.floor(world.timeline.now() / 1000);
    for (let i = 0; i < newOrders; i++) addOrder(world, skus, i, nowS - 3600 + Math.floor((i * 3600) / newOrders));
    const interval = world.tenant.schedules.ordersMinutes ?? 15;
    const t0 = Date.now();
    const runs = await runUntilComplete(world, exec, settings, 'orders', interval);
    const minimum = ordersMinimumCalls(newOrders, new Set([...world.tenant.baselinker.orderStatusIds, ...world.tenant.baselinker.cancelledStatusIds]).size);
    const writes = world.ongoing.calls('PUT /orders');
    const inOngoing = [...world.ongoing.state.orders.values()].filter((o) => o.goodsOwnerId === world.tenant.ongoing.goodsOwnerId).length;
    return {
      newOrders,
      budgetMinutes: runBudgetMs('orders', interval) / 60_000,
      runs: runs.runs,
      complete: runs.complete,
      blCalls: runs.blCalls,
      blByMethod: runs.blByMethod,
      minimumBlCalls: minimum,
      ratio: runs.blCalls / minimum,
      ongoingOrderWrites: writes,
      ongoingRequests: runs.outcomes.reduce((n, o) => n + o.ongoingRequests, 0),
      ordersInOngoing: inOngoing,
      writtenExactlyOnce: writes === newOrders && inOngoing === newOrders,
      simMinutes: runs.simMs / 60_000,
      realSeconds: (Date.now() - t0) / 1000,
      peakRssMB: runs.peakRssBytes !== undefined ? runs.peakRssBytes / (1024 * 1024) : undefined,
    };
  } finally {
    await world.close();
  }
}

export interface JournalResult {
  minutes: number;
  ordersPerMinute: number;
  orders: number;
  transferred: number;
  runs: number;
  /** Runs that stopped at their deadline and left orders pending for the next. */
  partialRuns: number;
  /** Runs started by the worker's continuation of a run (partial, or longer than its interval), not by a tick. */
  continuations: number;
  lagP50S: number;
  lagP95S: number;
  lagMaxS: number;
  /** The same orders through an ideal single writer (see `serialWriteFloor`). */
  floorP50S: number;
  floorP95S: number;
  floorMaxS: number;
  blCalls: number;
  blByMethod: Record<string, number>;
  /** Σ per run: the journal's pages for the events it read (a page under 100 ends it) + one order page per 100 orders it took in. */
  minimumBlCalls: number;
  ratio: number;
  /** Ongoing's writes are serial per goods owner: one PUT per order at the bench's Ongoing latency, per minute. */
  ongoingWriteSecondsPerMinute: number;
  /** One run's budget, simulated seconds. */
  runBudgetS: number;
  /** Where the simulated time went, from the first order confirmed to the end of the last run (seconds). */
  time: JournalTime;
  /** Each counted run: its start (s after the first tick), length, orders written, and how it ended. */
  runLog: { atS: number; durationS: number; written: number; outcome: string; continued: boolean; fullScan: boolean }[];
}

export interface JournalTime {
  /** From the first order confirmed to the end of the last run. */
  spanS: number;
  /** Ongoing order writes (PUT /orders), the part an ideal writer spends too. */
  ongoingWritesS: number;
  /** Other Ongoing requests: the batch lookups of order numbers (the duplicate check) and of articles. */
  ongoingOtherS: number;
  baselinkerS: number;
  /** Real time inside the runs: DynamoDB (claims, records, cursor), the simulators, CPU. */
  realS: number;
  /** Between runs while orders confirmed earlier were waiting. */
  idleWithWorkS: number;
  /** Inside runs that made the safety-net status scan (every 15 minutes in journal mode). */
  scanRunsS: number;
}

/** The fewest BaseLinker calls one poll can make: the journal read to its end, and the order pages. */
export function journalMinimumCalls(events: number, newOrders: number): number {
  return Math.floor(events / 100) + 1 + Math.ceil(newOrders / ORDERS_PAGE_SIZE);
}

/**
 * A poll's minimum from what it did: the events it read, the orders it wrote (a run that stopped took in only
 * those), and when the run also made the safety-net status scan (every 15 minutes in journal mode), that scan's
 * own minimum: a page per 100 orders in the chosen statuses at the run's start, and one per status scanned.
 */
function runMinimum(outcome: RunOutcome, ordersInStatusesAtStart: number, statusesScanned: number): number {
  const events = outcome.report.result?.counts?.journalEvents ?? 0;
  // A scan cut by the deadline goes on in the next run ("scanResumed"): one scan, counted once, where it began.
  const counts = outcome.report.result?.counts;
  const scan = counts?.fullScan === 1 && counts.scanResumed !== 1 ? ordersMinimumCalls(ordersInStatusesAtStart, statusesScanned) : 0;
  return journalMinimumCalls(events, outcome.orderLagsS.length) + scan;
}

/**
 * The physical floor of the lag, computed on the same orders: an ideal single writer takes them one at a time in
 * confirmation order, each write taking Ongoing's latency (Ongoing writes one order at a time per goods owner:
 * reference ongoing-api.md 2.5; its REST API has no batch order write), none started before its order was
 * confirmed plus the fewest BaseLinker reads that see it (one journal page naming it, one order page bringing it).
 * No poll interval, no duplicate check, no state: the lag no design can beat. Seconds, in confirmation order.
 */
export function serialWriteFloor(confirmedAtS: readonly number[], settings: Pick<BenchSettings, 'blLatencyMs' | 'ongoingLatencyMs'>): number[] {
  let free = -Infinity;
  return confirmedAtS.map((t) => {
    const start = Math.max(free, t * 1000 + 2 * settings.blLatencyMs);
    free = start + settings.ongoingLatencyMs;
    return (free - t * 1000) / 1000;
  });
}

/** From a message put on a queue to its run starting: SQS hands it to the event source's long poll, Lambda invokes. */
export const SQS_HANDOFF_MS = 1_000;

/**
 * When the next run starts, as deployed: a run that stopped at its deadline with work left, or outlasted its
 * interval, is continued at once (the worker's continuation, shared/fanout/worker.ts), one SQS hand-over after
 * it ended; otherwise the first
 * dispatcher tick (every TICK_MINUTES from the first) whose message reaches a worker after the run ended and
 * finds the tenant due (shared/flows/due.ts, the dispatcher's rule) starts it. A tick's message that reaches the
 * worker while a run is going stands down at the run lease: nothing changes.
 */
export function nextRunStart(firstTick: number, intervalMinutes: number, budgetMs: number, last: { startedAt: number; outcome: TenantRunReport['outcome'] }, endedAt: number): number {
  if (continuesAtOnce({ outcome: last.outcome, durationMs: endedAt - last.startedAt }, intervalMinutes, budgetMs)) return endedAt + SQS_HANDOFF_MS;
  const tickMs = TICK_MINUTES * 60_000;
  const summary = { startedAt: new Date(last.startedAt).toISOString(), outcome: last.outcome };
  for (let k = Math.max(0, Math.ceil((endedAt - SQS_HANDOFF_MS - firstTick) / tickMs)); ; k++) {
    const tick = firstTick + k * tickMs;
    if (isDue(summary, intervalMinutes, tick)) return tick + SQS_HANDOFF_MS;
  }
}

/**
 * Journal mode as deployed (a dispatcher tick every minute, the SQS worker, the run lease, the continuation of a
 * run stopped at its deadline; the worker's run budget): orders are confirmed at random simulated times at their
 * rate (`ordersPerMinute` in each of `minutes` minutes of the simulated clock, however long the runs take), and
 * a run sees those confirmed before it started. The lag is the flow's own OrderLagSeconds (confirmed -> written
 * to Ongoing, on the simulated clock), next to the serial-write floor of the same orders. Ids follow the
 * confirmation times (each order is created 30 s before it is confirmed, and BaseLinker numbers orders as they are
 * created).
 */
export async function journalScenario(exec: RunExecutor, settings: BenchSettings, minutes: number, ordersPerMinute: number): Promise<JournalResult> {
  const world = await startBenchWorld({ tenant: { baselinker: { orderStatusIds: [TO_FULFIL], journal: true, lookbackDays: 1 } } });
  try {
    const skus = await seedOngoingArticles(world);
    const interval = world.tenant.schedules.ordersMinutes ?? 1;
    const budgetMs = runBudgetMs('orders', interval);
    const job = (startAt: number) => ({
      flow: 'orders' as const,
      tenant: world.tenant,
      runtime: world.runtime,
      startAt,
      budgetMs,
      latency: { blMs: settings.blLatencyMs, ongoingMs: settings.ongoingLatencyMs },
    });
    const statuses = new Set([...world.tenant.baselinker.orderStatusIds, ...world.tenant.baselinker.cancelledStatusIds]);
    const statusesScanned = statuses.size;
    const ordersInStatuses = () => [...world.bl.state.orders.values()].filter((o) => statuses.has(o.order_status_id) && o.date_confirmed > 0).length;

    // The first tick's run finds the journal's end and scans; from here on each run reads the journal.
    const firstTick = world.timeline.now();
    const first = await exec(job(firstTick));
    world.timeline.set(first.simEnd);

    // Every order's confirmation time, drawn up front: the same orders whatever the runs do (and for the floor).
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const confirmedMs: number[] = [];
    for (let m = 0; m < minutes; m++) for (let i = 0; i < ordersPerMinute; i++) confirmedMs.push(firstTick + (m + random()) * 60_000);
    confirmedMs.sort((a, b) => a - b);
    const confirmedS = confirmedMs.map((t) => Math.floor(t / 1000));
    const floor = serialWriteFloor(confirmedS, settings);

    const lags: number[] = [];
    const blByMethod: Record<string, number> = {};
    const runLog: JournalResult['runLog'] = [];
    const time: JournalTime = { spanS: 0, ongoingWritesS: 0, ongoingOtherS: 0, baselinkerS: 0, realS: 0, idleWithWorkS: 0, scanRunsS: 0 };
    let partialRuns = 0;
    let continuations = 0;
    let minimum = 0;
    let added = 0;
    let last: { startedAt: number; outcome: TenantRunReport['outcome'] } = { startedAt: firstTick, outcome: first.report.outcome };
    let at = nextRunStart(firstTick, interval, budgetMs, last, first.simEnd);
    const giveUpAt = firstTick + (minutes + 60) * 60_000;
    let endedAt = first.simEnd;
    while (lags.length < confirmedMs.length && at < giveUpAt) {
      const continued = continuesAtOnce({ outcome: last.outcome, durationMs: endedAt - last.startedAt }, interval, budgetMs);
      // Idle while an order confirmed earlier waited (one added but not written, or one confirmed before this start).
      const waitingSince = lags.length < added ? endedAt : (confirmedMs[added] ?? Infinity);
      time.idleWithWorkS += Math.max(0, at - Math.max(endedAt, waitingSince)) / 1000;
      for (; added < confirmedMs.length && confirmedMs[added]! < at; added++) addOrder(world, skus, added, confirmedS[added]!);

      world.timeline.set(at);
      const inStatuses = ordersInStatuses();
      const putsBefore = world.ongoing.calls('PUT /orders');
      const outcome = await exec(job(at));
      if (outcome.report.outcome === 'failed') throw new Error(`orders run failed: ${outcome.report.error}`);
      world.timeline.set(outcome.simEnd);
      const puts = world.ongoing.calls('PUT /orders') - putsBefore;
      const bl = Object.values(outcome.blByMethod).reduce((a, b) => a + b, 0);
      const fullScan = outcome.report.result?.counts?.fullScan === 1;
      minimum += runMinimum(outcome, inStatuses, statusesScanned);
      if (outcome.report.result?.complete === false) partialRuns++;
      if (continued) continuations++;
      lags.push(...outcome.orderLagsS);
      for (const [k, v] of Object.entries(outcome.blByMethod)) blByMethod[k] = (blByMethod[k] ?? 0) + v;
      time.ongoingWritesS += (puts * settings.ongoingLatencyMs) / 1000;
      time.ongoingOtherS += ((outcome.ongoingRequests - puts) * settings.ongoingLatencyMs) / 1000;
      time.baselinkerS += (bl * settings.blLatencyMs) / 1000;
      time.realS += outcome.realMs / 1000;
      if (fullScan) time.scanRunsS += (outcome.simEnd - at) / 1000;
      runLog.push({ atS: Math.round((at - firstTick) / 100) / 10, durationS: Math.round((outcome.simEnd - at) / 100) / 10, written: outcome.orderLagsS.length, outcome: outcome.report.outcome, continued, fullScan });

      last = { startedAt: at, outcome: outcome.report.outcome };
      endedAt = outcome.simEnd;
      at = nextRunStart(firstTick, interval, budgetMs, last, endedAt);
    }
    time.spanS = (endedAt - (confirmedMs[0] ?? firstTick)) / 1000;
    const blCalls = Object.values(blByMethod).reduce((a, b) => a + b, 0);
    return {
      minutes,
      ordersPerMinute,
      orders: confirmedMs.length,
      transferred: lags.length,
      runs: runLog.length,
      partialRuns,
      continuations,
      lagP50S: percentile(lags, 50),
      lagP95S: percentile(lags, 95),
      lagMaxS: lags.length ? Math.max(...lags) : NaN,
      floorP50S: percentile(floor, 50),
      floorP95S: percentile(floor, 95),
      floorMaxS: floor.length ? Math.max(...floor) : NaN,
      blCalls,
      blByMethod,
      minimumBlCalls: minimum,
      ratio: blCalls / minimum,
      ongoingWriteSecondsPerMinute: (ordersPerMinute * settings.ongoingLatencyMs) / 1000,
      runBudgetS: budgetMs / 1000,
      time,
      runLog,
    };
  } finally {
    await world.close();
  }
}
