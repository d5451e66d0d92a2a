import type { ArticlesResult } from './articles.bench';
import type { BundlesResult } from './bundles.bench';
import type { BenchSettings } from './harness.bench';
import type { JournalResult, OrdersResult } from './orders.bench';
import type { ShipmentResult } from './shipment.bench';
import type { StockResult } from './stock.bench';

export interface BenchResults {
  startedAt: string;
  mode: 'full' | 'quick';
  command: string;
  settings: BenchSettings;
  executor: 'child' | 'in-process';
  articles: ArticlesResult[];
  stock?: StockResult;
  orders: OrdersResult[];
  journal?: JournalResult;
  shipment?: ShipmentResult;
  bundles?: BundlesResult;
  targets: Target[];
  realSeconds: number;
}

export interface Target {
  name: string;
  value: string;
  limit: string;
  pass: boolean;
  why?: string;
}

const MAX_RATIO = 1.05;
const MAX_RSS_MB = 256;
const MAX_LAG_S = 120;
/** Each Lambda bundle at most this much above the floor bundle (DynamoDB client + handler) built in the same run. */
const MAX_BUNDLE_ABOVE_FLOOR = 256 * 1024;
/** Module initialisation as deployed (the function's NODE_OPTIONS) at most this many times the floor's. */
const MAX_INIT_RATIO = 1.5;

const f1 = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? String(n) : n.toFixed(n >= 100 ? 0 : n >= 10 ? 1 : 2));
const kib = (b: number) => `${(b / 1024).toFixed(0)} KiB`;

/** Every target of the brief, PASS or MISS, each MISS with the reason the figures show. */
export function evaluateTargets(r: Omit<BenchResults, 'targets'>): Target[] {
  const t: Target[] = [];
  for (const a of r.articles) {
    for (const [label, p] of [['first sync', a.first], ['unchanged re-sync', a.resync]] as const) {
      const resumes = Math.max(0, p.runs - 1);
      t.push({
        name: `articles ${a.variants}: ${label}, BaseLinker calls / minimum`,
        value: `${p.blCalls} / ${p.minimumBlCalls} = ${p.ratio.toFixed(3)}`,
        limit: `≤ ${MAX_RATIO}`,
        pass: p.ratio <= MAX_RATIO,
        why:
          p.ratio > MAX_RATIO && resumes > 0
            ? `the sync needed ${p.runs} runs; each resumed run reads again the list page and the data chunk it stopped in (${p.blCalls - p.minimumBlCalls} extra calls over ${resumes} resumes)`
            : undefined,
      });
    }
    t.push({
      name: `articles ${a.variants}: unchanged re-sync writes (Ongoing articles, BaseLinker stock)`,
      value: `${a.resync.ongoingWrites}, ${a.resync.blStockWrites}`,
      limit: '0, 0',
      pass: a.resync.ongoingWrites === 0 && a.resync.blStockWrites === 0,
    });
  }
  const biggest = r.articles.at(-1);
  if (biggest) {
    t.push({
      name: `articles ${biggest.variants}: every article written exactly once across ${biggest.first.runs} run(s)`,
      value: `${biggest.first.ongoingWrites} writes, ${biggest.first.articlesInOngoing} articles`,
      limit: `${biggest.variants} and ${biggest.variants}`,
      pass: biggest.first.writtenExactlyOnce,
    });
    const peak = Math.max(...r.articles.flatMap((a) => [a.first.peakRssMB ?? NaN, a.resync.peakRssMB ?? NaN]).filter(Number.isFinite));
    t.push({
      name: `articles ${biggest.variants}: peak memory (RSS) of one run`,
      value: Number.isFinite(peak) ? `${f1(peak)} MB` : 'not measured (in-process mode)',
      limit: `≤ ${MAX_RSS_MB} MB`,
      pass: Number.isFinite(peak) && peak <= MAX_RSS_MB,
      why: Number.isFinite(peak) ? undefined : 'run without --in-process to measure it',
    });
  }
  if (r.stock) {
    for (const s of [r.stock.initial, ...r.stock.steps]) {
      t.push({
        name: `stock ${r.stock.articles} articles, ${s.changed} changed: BaseLinker calls / minimum`,
        value: `${s.blCalls} / ${s.minimumBlCalls}${s.minimumBlCalls ? ` = ${s.ratio.toFixed(3)}` : ''}`,
        limit: s.minimumBlCalls ? `≤ ${MAX_RATIO}` : '0 calls',
        pass: s.ratio <= MAX_RATIO,
      });
    }
  }
  for (const o of r.orders) {
    t.push({
      name: `orders ${o.newOrders} new: BaseLinker calls / minimum`,
      value: `${o.blCalls} / ${o.minimumBlCalls} = ${o.ratio.toFixed(3)}`,
      limit: `≤ ${MAX_RATIO}`,
      pass: o.ratio <= MAX_RATIO,
      why:
        o.ratio > MAX_RATIO && o.runs > 1
          ? `the batch needed ${o.runs} runs at the ${o.budgetMinutes}-minute budget; a resumed run scans the window from its start again (pages already transferred are read, not written, again)`
          : undefined,
    });
    t.push({ name: `orders ${o.newOrders} new: each written to Ongoing exactly once`, value: `${o.ongoingOrderWrites} writes, ${o.ordersInOngoing} orders`, limit: `${o.newOrders} and ${o.newOrders}`, pass: o.writtenExactlyOnce });
  }
  if (r.journal) {
    const j = r.journal;
    t.push({
      name: 'journal mode: order confirmed -> in Ongoing (max, simulated)',
      value: `${f1(j.lagMaxS)} s (p50 ${f1(j.lagP50S)} s, p95 ${f1(j.lagP95S)} s; ${j.transferred}/${j.orders} orders)`,
      limit: `≤ ${MAX_LAG_S} s`,
      pass: j.lagMaxS <= MAX_LAG_S && j.transferred === j.orders,
    });
  }
  if (r.shipment) {
    const s = r.shipment;
    const limit = 2000 + s.courierDelayMs;
    t.push({
      name: `shipment: Send -> label attached, p95 (courier delay ${s.courierDelayMs} ms)`,
      value: `${f1(s.p95Ms)} ms (p50 ${f1(s.p50Ms)} ms; ${s.ok}/${s.sends} ok)`,
      limit: `≤ ${limit} ms`,
      pass: s.p95Ms <= limit && s.ok === s.sends,
    });
  }
  if (r.bundles) {
    const { floor } = r.bundles;
    for (const b of r.bundles.functions) {
      const above = b.bytes - floor.bytes;
      t.push({
        name: `bundle ${b.name}: size above the floor (minified, map not counted)`,
        value: `${kib(b.bytes)} - ${kib(floor.bytes)} = ${kib(above)}`,
        limit: `≤ ${kib(MAX_BUNDLE_ABOVE_FLOOR)}`,
        pass: above <= MAX_BUNDLE_ABOVE_FLOOR,
        why: above > MAX_BUNDLE_ABOVE_FLOOR ? `largest parts: ${b.top.map((x) => `${x.module} ${kib(x.bytes)}`).join(', ')}` : undefined,
      });
      const ratio = b.initMs / floor.initMs;
      t.push({
        name: `bundle ${b.name}: module initialisation / floor's (CPU, ${r.bundles.nodeOptions || 'no NODE_OPTIONS'})`,
        value: `${f1(b.initMs)} / ${f1(floor.initMs)} ms = ${ratio.toFixed(2)}`,
        limit: `≤ ${MAX_INIT_RATIO}`,
        pass: ratio <= MAX_INIT_RATIO,
        why:
          ratio > MAX_INIT_RATIO
            ? 'evaluating what the bundle holds beyond the floor: zod schemas built at load, axios (its load touches fetch, which loads undici), Powertools logger and metrics, our own modules'
            : undefined,
      });
    }
  }
  return t;
}

function table(rows: string[][], markdown: boolean): string {
  if (markdown) {
    const [head, ...body] = rows;
    return [`| ${head!.join(' | ')} |`, `|${head!.map(() => '---').join('|')}|`, ...body.map((r) => `| ${r.join(' | ')} |`)].join('\n');
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ')).join('\n');
}

/** The figures as tables (plain or markdown), then the targets. */
export function renderReport(r: BenchResults, markdown: boolean): string {
  const out: string[] = [];
  const h = (s: string) => out.push('', markdown ? `**${s}**` : `== ${s}`, '');
  const s = r.settings;
  out.push(
    markdown ? `Measured with \`${r.command}\` (${r.mode}).` : `Benchmark (${r.mode}): ${r.command}`,
    '',
    `Latency per request: BaseLinker ${s.blLatencyMs} ms, Ongoing ${s.ongoingLatencyMs} ms (writes serial per goods owner), courier ${s.courierDelayMs} ms on createPackage. ` +
      'Scheduled flows (articles, stock, orders) ran on SIMULATED time: each request\'s latency is added to the run\'s clock instead of slept, and the flows\' deadlines follow that clock; "sim" figures are simulated. ' +
      'The shipment figures are real time with real sleeps. Lambda budgets as deployed: articles/stock 10 min, orders 5 min (1 min with the journal), minus 30 s.',
  );

  if (r.articles.length) {
    h('Articles (BaseLinker -> Ongoing)');
    const rows = [['variants', 'pass', 'runs', 'BL calls', 'minimum', 'ratio', 'Ongoing writes', 'sim time', 'peak RSS']];
    for (const a of r.articles) {
      for (const [label, p] of [['first sync', a.first], ['re-sync', a.resync]] as const) {
        rows.push([String(a.variants), label, String(p.runs), String(p.blCalls), String(p.minimumBlCalls), p.ratio.toFixed(3), String(p.ongoingWrites), `${f1(p.simMinutes)} min`, p.peakRssMB !== undefined ? `${f1(p.peakRssMB)} MB` : '-']);
      }
    }
    out.push(table(rows, markdown));
  }
  if (r.stock) {
    h(`Stock (Ongoing -> BaseLinker), ${r.stock.articles} articles`);
    const rows = [['changed levels', 'BL calls', 'minimum', 'ratio', 'levels written', 'Ongoing reads', 'sim time']];
    for (const st of [r.stock.initial, ...r.stock.steps]) {
      rows.push([`${st.changed}${st === r.stock.initial ? ' (first run)' : ''}`, String(st.blCalls), String(st.minimumBlCalls), st.minimumBlCalls ? st.ratio.toFixed(3) : '-', String(st.levelsWritten), String(st.ongoingRequests), `${f1(st.simSeconds)} s`]);
    }
    out.push(table(rows, markdown));
  }
  if (r.orders.length || r.journal) {
    h('Orders (BaseLinker -> Ongoing)');
    const rows = [['new orders per cycle', 'runs', 'BL calls', 'minimum', 'ratio', 'Ongoing writes', 'sim wall time']];
    for (const o of r.orders) rows.push([String(o.newOrders), String(o.runs), String(o.blCalls), String(o.minimumBlCalls), o.ratio.toFixed(3), String(o.ongoingOrderWrites), `${f1(o.simMinutes)} min`]);
    out.push(table(rows, markdown));
    if (r.journal) {
      const j = r.journal;
      out.push(
        '',
        `Journal mode, a run every minute for ${j.minutes} min, ${j.ordersPerMinute} orders confirmed per minute at random times: confirmed -> in Ongoing p50 ${f1(j.lagP50S)} s, p95 ${f1(j.lagP95S)} s, max ${f1(j.lagMaxS)} s (simulated); BaseLinker calls ${j.blCalls} (${Object.entries(j.blByMethod).map(([m, n]) => `${m} ${n}`).join(', ')}).`,
      );
    }
  }
  if (r.shipment) {
    const sh = r.shipment;
    h('Shipment (Send -> label attached, real time)');
    out.push(table([['sends', 'ok', 'courier delay', 'p50', 'p95', 'max', 'BL calls / send', 'Ongoing calls / send'], [String(sh.sends), String(sh.ok), `${sh.courierDelayMs} ms`, `${f1(sh.p50Ms)} ms`, `${f1(sh.p95Ms)} ms`, `${f1(sh.maxMs)} ms`, f1(sh.blCallsPerSend), f1(sh.ongoingCallsPerSend)]], markdown));
  }
  if (r.bundles) {
    const { floor, functions, levers, nodeOptions, repeats } = r.bundles;
    h(`Lambda bundles against the floor (DynamoDB client + handler), esbuild as deployed (infra/cdk/bundling.ts); init = median CPU ms of require in a fresh node over ${repeats} runs`);
    const rows = [['bundle', 'size', 'above floor', 'source map', `init (${nodeOptions || 'none'})`, 'init / floor', 'init without maps', 'wall (noisy)', 'size', 'init']];
    for (const b of [floor, ...functions]) {
      const isFloor = b === floor;
      const above = b.bytes - floor.bytes;
      const ratio = b.initMs / floor.initMs;
      rows.push([
        b.name,
        kib(b.bytes),
        isFloor ? '-' : kib(above),
        kib(b.mapBytes),
        `${f1(b.initMs)} ms`,
        isFloor ? '1.00' : ratio.toFixed(2),
        `${f1(b.initNoMapsMs)} ms`,
        `${f1(b.initWallMs)} ms`,
        isFloor ? '-' : above <= MAX_BUNDLE_ABOVE_FLOOR ? 'PASS' : 'MISS',
        isFloor ? '-' : ratio <= MAX_INIT_RATIO ? 'PASS' : 'MISS',
      ]);
    }
    out.push(table(rows, markdown));
    h('What each bundle lever buys (the function rebuilt with the lever undone, same run)');
    const leverRows = [['lever', 'function', 'bytes saved', 'init CPU saved', 'note']];
    for (const l of levers) leverRows.push([l.lever, l.function, kib(l.savedBytes), `${f1(l.savedInitMs)} ms`, l.note]);
    out.push(table(leverRows, markdown));
  }
  h('Targets');
  const rows = [['', 'target', 'measured', 'limit']];
  for (const t of r.targets) rows.push([t.pass ? 'PASS' : 'MISS', t.name, t.value, t.limit]);
  out.push(table(rows, markdown));
  const misses = r.targets.filter((t) => !t.pass);
  if (misses.length) {
    out.push('', markdown ? 'Missed:' : 'Missed, and why:');
    for (const m of misses) out.push(`- ${m.name}: ${m.value}${m.why ? ` — ${m.why}` : ''}`);
  }
  return out.join('\n');
}
