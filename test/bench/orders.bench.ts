import { ORDERS_PAGE_SIZE } from '../../shared/baselinker/client';
import { OngoingClient } from '../../shared/ongoing/client';
import { demoClientSettings } from '../../infra/simulators/ongoing';
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
  lagP50S: number;
  lagP95S: number;
  lagMaxS: number;
  blCalls: number;
  blByMethod: Record<string, number>;
  /** Σ per run: the journal's pages for the events it read (a page under 100 ends it) + one order page per 100 orders it took in. */
  minimumBlCalls: number;
  ratio: number;
  /** Ongoing's writes are serial per goods owner: one PUT per order at the bench's Ongoing latency, per minute. */
  ongoingWriteSecondsPerMinute: number;
  /** One run's budget, simulated seconds. */
  runBudgetS: number;
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
 * Journal mode on its schedule (every minute, the deployed run budget): orders are confirmed at random simulated times
 * at their rate (`ordersPerMinute` for `minutes` of the simulated clock, however long the runs take), each tick runs the orders flow; the lag is the flow's own OrderLagSeconds (confirmed ->
 * written to Ongoing, on the simulated clock). An order confirmed while a run is going is only seen by the
 * next tick, which is what the random times between ticks model. Ids follow the confirmation times (each
 * order is created 30 s before it is confirmed, and BaseLinker numbers orders as they are created).
 */
export async function journalScenario(exec: RunExecutor, settings: BenchSettings, minutes: number, ordersPerMinute: number): Promise<JournalResult> {
  const world = await startBenchWorld({ tenant: { baselinker: { orderStatusIds: [TO_FULFIL], journal: true, lookbackDays: 1 } } });
  try {
    const skus = await seedOngoingArticles(world);
    const interval = world.tenant.schedules.ordersMinutes ?? 1;
    const job = (startAt: number) => ({
      flow: 'orders' as const,
      tenant: world.tenant,
      runtime: world.runtime,
      startAt,
      budgetMs: runBudgetMs('orders', interval),
      latency: { blMs: settings.blLatencyMs, ongoingMs: settings.ongoingLatencyMs },
    });
    const statuses = new Set([...world.tenant.baselinker.orderStatusIds, ...world.tenant.baselinker.cancelledStatusIds]);
    const statusesScanned = statuses.size;
    const ordersInStatuses = () => [...world.bl.state.orders.values()].filter((o) => statuses.has(o.order_status_id) && o.date_confirmed > 0).length;
    // First run: finds the journal's end and scans; from here on each tick reads the journal.
    let tick = world.timeline.now();
    const first = await exec(job(tick));
    world.timeline.set(first.simEnd);
    const lags: number[] = [];
    const blByMethod: Record<string, number> = {};
    let runs = 0;
    let partialRuns = 0;
    let minimum = 0;
    let n = 0;
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    /** One orders run at `tick`, its figures added up. */
    const runAt = async (at: number): Promise<void> => {
      world.timeline.set(at);
      const inStatuses = ordersInStatuses();
      const outcome = await exec(job(at));
      runs++;
      minimum += runMinimum(outcome, inStatuses, statusesScanned);
      world.timeline.set(outcome.simEnd);
      if (outcome.report.outcome === 'failed') throw new Error(`orders run failed: ${outcome.report.error}`);
      if (outcome.report.result?.complete === false) partialRuns++;
      lags.push(...outcome.orderLagsS);
      for (const [k, v] of Object.entries(outcome.blByMethod)) blByMethod[k] = (blByMethod[k] ?? 0) + v;
    };
    // Orders come at their rate on the simulated clock whatever the runs do: a run that overran its minute
    // (Ongoing takes one write at a time) leaves more than a minute's orders for the next one.
    const genEnd = tick + minutes * 60_000;
    let genUntil = tick;
    while (genUntil < genEnd) {
      const previous = tick;
      tick = Math.max(previous + interval * 60_000, world.timeline.now());
      const until = Math.min(tick, genEnd);
      const count = Math.round((ordersPerMinute * (until - genUntil)) / 60_000);
      const from = genUntil;
      const times = Array.from({ length: count }, () => Math.floor((from + random() * (until - from)) / 1000)).sort((a, b) => a - b);
      genUntil = until;
      for (const t of times) addOrder(world, skus, n++, t);
      await runAt(tick);
    }
    // Whatever the last minutes left pending: drain it (these runs count, calls and minimum alike).
    for (let extra = 0; lags.length < n && extra < 30; extra++) {
      tick = Math.max(tick + interval * 60_000, world.timeline.now());
      await runAt(tick);
    }
    const blCalls = Object.values(blByMethod).reduce((a, b) => a + b, 0);
    return {
      minutes,
      ordersPerMinute,
      orders: n,
      transferred: lags.length,
      runs,
      partialRuns,
      lagP50S: percentile(lags, 50),
      lagP95S: percentile(lags, 95),
      lagMaxS: lags.length ? Math.max(...lags) : NaN,
      blCalls,
      blByMethod,
      minimumBlCalls: minimum,
      ratio: blCalls / minimum,
      ongoingWriteSecondsPerMinute: (ordersPerMinute * settings.ongoingLatencyMs) / 1000,
      runBudgetS: runBudgetMs('orders', interval) / 1000,
    };
  } finally {
    await world.close();
  }
}
