import type { ArticlesResult } from './articles.bench';
import type { BundlesResult } from './bundles.bench';
import type { BenchSettings } from './harness.bench';
import type { JournalResult, OrdersResult } from './orders.bench';
import type { PeakResult } from './peak.bench';
import type { ShipmentResult } from './shipment.bench';
import type { StockResult } from './stock.bench';
import type { TenantsResult } from './tenants.bench';

export interface BenchResults {
  startedAt: string;
  mode: 'full' | 'quick';
  command: string;
  settings: BenchSettings;
  executor: 'child' | 'in-process';
  articles: ArticlesResult[];
  stock?: StockResult;
  orders: OrdersResult[];
  journal: JournalResult[];
  peak: PeakResult[];
  shipment?: ShipmentResult;
  bundles?: BundlesResult;
  tenants?: TenantsResult;
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
/** Issue 17: Send -> label attached p95 within the courier's own delay plus this. */
const MAX_SEND_OVER_COURIER_MS = 1000;
const MAX_BL_CALLS_PER_SEND = 3.2;
/** Each Lambda bundle at most this much above the floor bundle (DynamoDB client + handler) built in the same run. */
const MAX_BUNDLE_ABOVE_FLOOR = 256 * 1024;
/** Module initialisation as deployed (the function's NODE_OPTIONS) at most this many times the floor's. */
const MAX_INIT_RATIO = 1.5;

const f1 = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? String(n) : n.toFixed(n >= 100 ? 0 : n >= 10 ? 1 : 2));
const kib = (b: number) => `${(b / 1024).toFixed(0)} KiB`;

/** A journal lag MISS, Ongoing's or ours: the floor of the same orders, and where the rest of the time went. */
function journalLagWhy(j: JournalResult): string {
  const writeMs = (j.ongoingWriteSecondsPerMinute / j.ordersPerMinute) * 1000;
  const t = j.time;
  const share = (s: number) => `${f1(s)} s (${((100 * s) / t.spanS).toFixed(0)} %)`;
  const head =
    j.floorP95S > MAX_LAG_S
      ? `Ongoing's: the serial-write floor of the same orders is p95 ${f1(j.floorP95S)} s, as Ongoing takes one order write at a time per goods owner (${writeMs.toFixed(0)} ms a write: at most ${Math.floor(60_000 / writeMs)} orders a minute against ${j.ordersPerMinute} confirmed), so no writer reaches ${MAX_LAG_S} s; ours is ${(j.lagP95S / j.floorP95S).toFixed(2)} × that floor`
      : `ours: the serial-write floor of the same orders is p95 ${f1(j.floorP95S)} s`;
  return `${head}. Of the ${f1(t.spanS)} s from the first order confirmed to the end of the last run: Ongoing order writes ${share(t.ongoingWritesS)}, its order-number and article lookups ${share(t.ongoingOtherS)}, BaseLinker reads ${share(t.baselinkerS)}, state and CPU (real time in the runs) ${share(t.realS)}, idle while orders waited ${share(t.idleWithWorkS)} (${j.continuations} of ${j.runs} runs were continuations of a run stopped at its deadline)`;
}

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
        name: `stock ${r.stock.articles} articles, ${s.label}: BaseLinker calls / minimum`,
        value: `${s.blCalls} / ${s.minimumBlCalls}${s.minimumBlCalls ? ` = ${s.ratio.toFixed(3)}` : ''}`,
        limit: s.minimumBlCalls ? `≤ ${MAX_RATIO}` : '0 calls',
        pass: s.ratio <= MAX_RATIO,
      });
      if (s.fullSweep) {
        t.push({
          name: `stock ${r.stock.articles} articles, ${s.label}: drift check, getInventoryProductsStock pages / minimum`,
          value: `${s.stockPages} / ${s.minimumStockPages} = ${s.stockPagesRatio.toFixed(3)}`,
          limit: `≤ ${MAX_RATIO}`,
          pass: s.stockPagesRatio <= MAX_RATIO,
        });
      }
      if (s.handEdits > 0) {
        t.push({
          name: `stock ${r.stock.articles} articles, ${s.label}: hand edits corrected by the full sweep`,
          value: `${s.corrected} of ${s.handEdits}`,
          limit: 'all',
          pass: s.corrected >= s.handEdits,
        });
      }
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
  for (const j of r.journal ?? []) {
    const at = `journal mode ${j.ordersPerMinute} new orders/min`;
    t.push({
      name: `${at}: BaseLinker calls / minimum (${j.runs} runs)`,
      value: `${j.blCalls} / ${j.minimumBlCalls} = ${j.ratio.toFixed(3)}`,
      limit: `≤ ${MAX_RATIO}`,
      pass: j.ratio <= MAX_RATIO,
      why: j.ratio > MAX_RATIO && j.partialRuns > 0 ? `${j.partialRuns} runs stopped at their deadline; the next run reads again the order page it stopped in` : undefined,
    });
    t.push({
      name: `${at}: order confirmed -> in Ongoing, p95 (simulated)`,
      value: `${f1(j.lagP95S)} s (p50 ${f1(j.lagP50S)} s, max ${f1(j.lagMaxS)} s; ${j.transferred}/${j.orders} orders; serial-write floor p95 ${f1(j.floorP95S)} s)`,
      limit: `≤ ${MAX_LAG_S} s`,
      pass: j.lagP95S <= MAX_LAG_S && j.transferred === j.orders,
      why: j.lagP95S > MAX_LAG_S ? journalLagWhy(j) : undefined,
    });
  }
  for (const p of r.peak ?? []) {
    const at = `peak hour, journal ${p.journal ? 'on' : 'off'}`;
    const lagLimit = p.journal ? MAX_LAG_S : p.ordersIntervalMinutes * 60 + 60;
    t.push({
      name: `${at}: order confirmed -> in Ongoing, p95 (simulated)`,
      value: `${f1(p.lagP95S)} s (p50 ${f1(p.lagP50S)} s, max ${f1(p.lagMaxS)} s; ${p.transferred}/${p.orders} orders)`,
      limit: `≤ ${lagLimit} s${p.journal ? '' : ` (one ${p.ordersIntervalMinutes}-minute interval + 1 min)`}`,
      pass: p.lagP95S <= lagLimit && p.transferred === p.orders,
    });
    t.push({
      name: `${at}: Send -> label attached, p95 (simulated, courier delay ${p.courierDelayMs} ms)`,
      value: `${f1(p.sendP95Ms)} ms (p50 ${f1(p.sendP50Ms)} ms; ${p.sendsOk}/${p.sends} ok)`,
      limit: `≤ ${p.courierDelayMs + 1000} ms`,
      pass: p.sendP95Ms <= p.courierDelayMs + 1000 && p.sendsOk === p.sends,
      why:
        p.sendP95Ms > p.courierDelayMs + 1000
          ? `${f1((p.spend.find((x) => x.flow === 'send')?.calls ?? 0) / p.sends)} BaseLinker calls per Send, waiting ${f1(p.spend.find((x) => x.flow === 'send')?.waitedS ?? 0)} s for tokens in all; this clock adds every request's latency one after another (a Send's requests overlapping in time count as serial)`
          : undefined,
    });
    t.push({
      name: `${at}: BaseLinker token blocks (most requests in any rolling 60 s)`,
      value: `${p.tokenBlocks} (${p.maxInAnyMinute})`,
      limit: '0 (≤ 100)',
      pass: p.tokenBlocks === 0,
    });
  }
  if (r.tenants) tenantTargets(r.tenants, t);
  if (r.shipment) {
    const s = r.shipment;
    const limit = s.courierDelayMs + MAX_SEND_OVER_COURIER_MS;
    t.push({
      name: `shipment: Send -> label attached, p95 (courier delay ${s.courierDelayMs} ms)`,
      value: `${f1(s.p95Ms)} ms (p50 ${f1(s.p50Ms)} ms; ${s.ok}/${s.sends} ok)`,
      limit: `≤ courier delay + ${MAX_SEND_OVER_COURIER_MS} ms = ${limit} ms`,
      pass: s.p95Ms <= limit && s.ok === s.sends,
    });
    const ratio = s.blCallsPerSend / s.minimumBlCallsPerSend;
    const extra = Object.entries(s.blCallsByMethod).filter(([m]) => !['getOrders', 'createPackage', 'getLabel', 'setOrderStatus'].includes(m));
    t.push({
      name: 'shipment: BaseLinker calls per Send (average)',
      value: `${s.blCallsPerSend.toFixed(2)} / minimum ${s.minimumBlCallsPerSend} = ${ratio.toFixed(3)} (${Object.entries(s.blCallsByMethod).map(([m, n]) => `${m} ${n.toFixed(2)}`).join(', ')})`,
      limit: `≤ ${MAX_BL_CALLS_PER_SEND}`,
      pass: s.blCallsPerSend <= MAX_BL_CALLS_PER_SEND,
      why:
        s.blCallsPerSend > MAX_BL_CALLS_PER_SEND && extra.length > 0
          ? `beyond the minimum: ${extra.map(([m, n]) => `${m} ${n.toFixed(2)}`).join(', ')} (getOrderPackages: the tracking link while the courier's link pattern is being learned, two bookings per courier and process; getCourierFields: once a day per courier and process; a short run pays both over few Sends)`
          : undefined,
    });
  }
  if (r.bundles) {
    const { floor, s3Floor } = r.bundles;
    for (const b of r.bundles.functions) {
      const above = b.bytes - floor.bytes;
      // A function that stores labels carries the S3 client: how it compares with a floor that holds S3 too.
      const againstS3Floor =
        b.s3Bytes > 0 ? `; the S3 client and what it brings are ${kib(s3Floor.bytes - floor.bytes)} (the floor with S3, ${kib(s3Floor.bytes)}): against that floor it is ${kib(b.bytes - s3Floor.bytes)} above` : '';
      t.push({
        name: `bundle ${b.name}: size above the floor (minified, map not counted)`,
        // A module bundled apart is not loaded at start; its size is shown beside, never hidden.
        value: `${kib(b.bytes)} - ${kib(floor.bytes)} = ${kib(above)}${b.apart ? ` (+ ${b.apart.map((a) => kib(a.bytes)).join(' + ')} apart, loaded on first use)` : ''}`,
        limit: `≤ ${kib(MAX_BUNDLE_ABOVE_FLOOR)}`,
        pass: above <= MAX_BUNDLE_ABOVE_FLOOR,
        why: above > MAX_BUNDLE_ABOVE_FLOOR ? `largest parts: ${b.top.map((x) => `${x.module} ${kib(x.bytes)}`).join(', ')}${againstS3Floor}` : undefined,
      });
      const ratio = b.initMs / floor.initMs;
      t.push({
        name: `bundle ${b.name}: module initialisation / floor's (CPU, ${r.bundles.nodeOptions || 'no NODE_OPTIONS'})`,
        value: `${f1(b.initMs)} / ${f1(floor.initMs)} ms = ${ratio.toFixed(2)}`,
        limit: `≤ ${MAX_INIT_RATIO}`,
        pass: ratio <= MAX_INIT_RATIO,
        why:
          ratio > MAX_INIT_RATIO
            ? `compiling the larger file (the most of it, CPU profile of the orders worker), the tenant settings schemas built at load, the SDK clients' and our own modules${b.s3Bytes > 0 ? `; against the floor with S3 (${f1(s3Floor.initMs)} ms) ${(b.initMs / s3Floor.initMs).toFixed(2)}` : ''}`
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
      'The shipment figures are real time with real sleeps. Lambda budgets as deployed: articles/stock 10 min, orders 5 min, minus a sixth kept back (10 to 30 s).',
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
    h(`Stock (Ongoing -> BaseLinker), ${r.stock.articles} articles (${r.stock.mainProducts} main products), ${r.stock.ordersHoldingStock} orders holding stock`);
    const rows = [['run', 'BL calls', 'minimum', 'ratio', 'stock pages / minimum', 'levels written', 'corrected', 'Ongoing reads', 'sim time']];
    for (const st of [r.stock.initial, ...r.stock.steps]) {
      const pages = st.fullSweep ? `${st.stockPages} / ${st.minimumStockPages}` : '-';
      rows.push([st.label, String(st.blCalls), String(st.minimumBlCalls), st.minimumBlCalls ? st.ratio.toFixed(3) : '-', pages, String(st.levelsWritten), String(st.corrected), String(st.ongoingRequests), `${f1(st.simSeconds)} s`]);
    }
    out.push(table(rows, markdown));
  }
  if (r.orders.length || r.journal?.length) {
    h('Orders (BaseLinker -> Ongoing)');
    const rows = [['new orders per cycle', 'runs', 'BL calls', 'minimum', 'ratio', 'Ongoing writes', 'sim wall time']];
    for (const o of r.orders) rows.push([String(o.newOrders), String(o.runs), String(o.blCalls), String(o.minimumBlCalls), o.ratio.toFixed(3), String(o.ongoingOrderWrites), `${f1(o.simMinutes)} min`]);
    out.push(table(rows, markdown));
    if (r.journal?.length) {
      out.push(
        '',
        'Journal mode as deployed (a dispatcher tick every minute, the SQS worker under the run lease, a run stopped at its deadline continued at once), orders confirmed at random times; ' +
          'minimum per run: the journal pages for the events it read, a page under 100 ending it, plus one order page per 100 orders it took in. ' +
          "Floor: the same orders through an ideal single writer, one Ongoing write at a time in confirmation order, none before its order was confirmed plus one journal and one order read:",
        '',
      );
      const jr = [['new orders/min', 'minutes', 'runs (partial, continued)', 'BL calls', 'minimum', 'ratio', 'lag p50', 'lag p95', 'lag max', 'floor p50', 'floor p95', 'p95 / floor p95', 'calls by method']];
      for (const j of r.journal) {
        jr.push([
          String(j.ordersPerMinute),
          String(j.minutes),
          `${j.runs} (${j.partialRuns}, ${j.continuations})`,
          String(j.blCalls),
          String(j.minimumBlCalls),
          j.ratio.toFixed(3),
          `${f1(j.lagP50S)} s`,
          `${f1(j.lagP95S)} s`,
          `${f1(j.lagMaxS)} s`,
          `${f1(j.floorP50S)} s`,
          `${f1(j.floorP95S)} s`,
          (j.lagP95S / j.floorP95S).toFixed(2),
          Object.entries(j.blByMethod).map(([m, n]) => `${m} ${n}`).join(', '),
        ]);
      }
      out.push(table(jr, markdown), '', 'Where the simulated time went, from the first order confirmed to the end of the last run (scan runs: the runs that also made the safety-net status scan, their time counted in the other columns too):', '');
      const tr = [['new orders/min', 'span', 'Ongoing order writes', 'Ongoing lookups', 'BaseLinker reads', 'state, CPU (real)', 'idle, orders waiting', 'in scan runs']];
      for (const j of r.journal) {
        const t = j.time;
        const share = (x: number) => `${f1(x)} s (${((100 * x) / t.spanS).toFixed(0)} %)`;
        tr.push([String(j.ordersPerMinute), `${f1(t.spanS)} s`, share(t.ongoingWritesS), share(t.ongoingOtherS), share(t.baselinkerS), share(t.realS), share(t.idleWithWorkS), share(t.scanRunsS)]);
      }
      out.push(table(tr, markdown));
    }
  }
  for (const p of r.peak ?? []) {
    h(`Peak hour on one token, journal ${p.journal ? 'on' : 'off'} (${p.minutes} simulated min, budget ${p.requestsPerMinute}/min)`);
    out.push(
      `${p.ordersPerMinute} orders confirmed a minute (an orders run every ${p.ordersIntervalMinutes} min), ${p.sends} Sends, the stock push every 15 min, the catalog walk all the time (${p.catalogPasses} passes); ` +
        `confirmed -> in Ongoing p50 ${f1(p.lagP50S)} s, p95 ${f1(p.lagP95S)} s; Send p95 ${f1(p.sendP95Ms)} ms; token blocks ${p.tokenBlocks}, most in any rolling 60 s ${p.maxInAnyMinute}; real time ${f1(p.realSeconds)} s.`,
      '',
    );
    const rows = [['flow', 'priority', 'BL calls', 'share', 'waited for tokens']];
    const total = p.spend.reduce((a, x) => a + x.calls, 0);
    for (const x of p.spend) rows.push([x.flow, x.priority, String(x.calls), `${((100 * x.calls) / total).toFixed(1)} %`, `${f1(x.waitedS)} s`]);
    out.push(table(rows, markdown));
  }
  if (r.shipment) {
    const sh = r.shipment;
    h('Shipment (Send -> label attached, real time)');
    out.push(
      table(
        [
          ['sends', 'ok', 'courier delay', 'p50', 'p95', 'max', 'BL calls / send', 'minimum', 'ratio', 'Ongoing calls / send'],
          [String(sh.sends), String(sh.ok), `${sh.courierDelayMs} ms`, `${f1(sh.p50Ms)} ms`, `${f1(sh.p95Ms)} ms`, `${f1(sh.maxMs)} ms`, sh.blCallsPerSend.toFixed(2), String(sh.minimumBlCallsPerSend), (sh.blCallsPerSend / sh.minimumBlCallsPerSend).toFixed(3), f1(sh.ongoingCallsPerSend)],
        ],
        markdown,
      ),
    );
    out.push(`BaseLinker calls per Send by method: ${Object.entries(sh.blCallsByMethod).map(([m, n]) => `${m} ${n.toFixed(2)}`).join(', ')}.`);
  }
  if (r.bundles) {
    const { floor, functions, levers, nodeOptions, repeats } = r.bundles;
    h(`Lambda bundles against the floor (DynamoDB client + handler), esbuild as deployed (infra/cdk/bundling.ts); init = the least CPU ms of require in a fresh node over ${repeats} interleaved runs (median beside it)`);
    const rows = [['bundle', 'size', 'above floor', 'source map', `init (${nodeOptions || 'none'})`, 'init / floor', 'init median', 'init without maps', 'wall (noisy)', 'size', 'init']];
    const aparts = new Set(functions.flatMap((f) => f.apart ?? []));
    for (const b of [floor, r.bundles.s3Floor, ...functions.flatMap((f) => [f, ...(f.apart ?? [])])]) {
      const isFloor = b === floor;
      // The floor with S3 is there to compare with, not a function with a target; a module bundled apart is what
      // its function loads on first use, shown under it with its own cost.
      const judged = !isFloor && b !== r.bundles.s3Floor && !aparts.has(b);
      const above = b.bytes - floor.bytes;
      const ratio = b.initMs / floor.initMs;
      rows.push([
        b === r.bundles.s3Floor ? `${b.name} (to compare)` : b.name,
        kib(b.bytes),
        isFloor || aparts.has(b) ? '-' : kib(above),
        kib(b.mapBytes),
        `${f1(b.initMs)} ms`,
        isFloor ? '1.00' : aparts.has(b) ? '-' : ratio.toFixed(2),
        `${f1(b.initMedianMs)} ms`,
        Number.isNaN(b.initNoMapsMs) ? '-' : `${f1(b.initNoMapsMs)} ms`,
        `${f1(b.initWallMs)} ms`,
        !judged ? '-' : above <= MAX_BUNDLE_ABOVE_FLOOR ? 'PASS' : 'MISS',
        !judged ? '-' : ratio <= MAX_INIT_RATIO ? 'PASS' : 'MISS',
      ]);
    }
    out.push(table(rows, markdown));
    h('What each bundle lever buys (the function rebuilt with the lever undone, same run)');
    const leverRows = [['lever', 'function', 'bytes saved', 'init CPU saved', 'note']];
    for (const l of levers) leverRows.push([l.lever, l.function, kib(l.savedBytes), `${f1(l.savedInitMs)} ms`, l.note]);
    out.push(table(leverRows, markdown));
  }
  if (r.tenants) renderTenants(r.tenants, h, out, markdown);
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

// ---- many tenants (lane tenants) ---------------------------------------------------------------------------

function tenantTargets(r: TenantsResult, t: Target[]): void {
  for (const tick of r.ticks.filter((k) => k.runs > 0)) {
    const interval = tick.flow === 'orders' ? 60 : 900;
    t.push({
      name: `${r.tenants} tenants, ${tick.flow} tick at minute ${tick.simMinute}: last due tenant's run starts after (workerConcurrency ${r.workerConcurrency})`,
      value: `${f1(tick.lastStartS)} s (${tick.runs} runs, ${f1(tick.meanRunMs)} ms each; ${tick.minConcurrency} workers needed)`,
      limit: `≤ ${interval} s`,
      pass: tick.lastStartS <= interval,
      why: tick.lastStartS > interval ? `at ${r.workerConcurrency} workers the queue drains in ${f1(tick.lastStartS)} s; workerConcurrency ${tick.minConcurrency} starts every run within the interval` : undefined,
    });
    t.push({ name: `${r.tenants} tenants, ${tick.flow} tick at minute ${tick.simMinute}: failed tenant-runs`, value: String(tick.failed), limit: '0', pass: tick.failed === 0 });
  }
  if (r.workerPeakRssMb !== undefined) {
    t.push({ name: 'one orders worker run: peak RSS of its process', value: `${f1(r.workerPeakRssMb)} MB`, limit: `≤ ${MAX_RSS_MB} MB`, pass: r.workerPeakRssMb <= MAX_RSS_MB });
  }
}

function renderTenants(r: TenantsResult, h: (s: string) => void, out: string[], markdown: boolean): void {
  h(`Many tenants: ${r.tenants} in the registry, fan-out over SQS (fauxqs), one tenant-run per message`);
  const rows = [['tick', 'due / sent', 'dispatch', 'dispatch requests (Query pages, BatchGets, SQS batches)', 'runs', 'failed', 'mean run', `last start at ${r.workerConcurrency} workers`, 'workers needed', 'per run: BL / Ongoing requests', 'per run: DynamoDB reads / writes, SQS']];
  for (const k of r.ticks) {
    rows.push([
      `${k.flow} @ min ${k.simMinute}`,
      `${k.dispatch.sent} of ${k.dispatch.tenants}`,
      `${k.dispatch.ms} ms`,
      `${k.dispatch.requests.dynamoQueryPages}, ${k.dispatch.requests.dynamoBatchGets}, ${k.dispatch.requests.sqsBatches}`,
      String(k.runs),
      String(k.failed),
      `${f1(k.meanRunMs)} ms`,
      `${f1(k.lastStartS)} s`,
      String(k.minConcurrency),
      `${f1(k.blRequests)} / ${f1(k.ongoingRequests)}`,
      `${f1(k.perRun.dynamoReads)} / ${f1(k.perRun.dynamoWrites)}, ${f1(k.perRun.sqsRequests)}`,
    ]);
  }
  out.push(table(rows, markdown));
  out.push('', 'Run durations are modeled from the requests (BaseLinker and Ongoing at the latencies above, DynamoDB 10 ms, 50 ms per invocation): the runs share this machine\'s CPU, a Lambda has its own.');
  out.push('', `Monthly AWS cost per tenant (on-demand, us-east-1; 1,000 orders and 5,000 articles a month; orders every minute, articles every 15 min; 512 MB ARM functions):`);
  const names = Object.keys(r.cost[0]?.parts ?? {});
  const costRows = [['', ...r.cost.map((c) => `${c.tenants} tenants`)]];
  for (const name of names) costRows.push([name, ...r.cost.map((c) => `$${c.parts[name].toFixed(4)}`)]);
  costRows.push(['total per tenant', ...r.cost.map((c) => `$${c.perTenantMonthUsd.toFixed(3)}`)]);
  costRows.push(['total deployment', ...r.cost.map((c) => `$${(c.perTenantMonthUsd * c.tenants).toFixed(2)}`)]);
  out.push(table(costRows, markdown));
  out.push('', 'Not in these figures: CloudWatch (custom metrics carry a tenant dimension, priced per metric; logs), stock/reconcile/tracking runs, storage, data transfer.');
}
