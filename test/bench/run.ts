// `npm run bench [-- --quick] [--markdown] [--in-process] [--only=articles,stock,orders,journal,peak,shipment,bundles,tenants]
//   [--bl-latency=150] [--ongoing-latency=100] [--courier-delay=500]`; env BENCH_BL_LATENCY_MS,
//   BENCH_ONGOING_LATENCY_MS, BENCH_COURIER_DELAY_MS do the same. Results: .bench/results.json and a table.
import './env.bench';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { startAwsEmulators } from '../../infra/emulators';
import { articlesScenario } from './articles.bench';
import { bundlesScenario } from './bundles.bench';
import { childExecutor, DEFAULT_SETTINGS, inProcessExecutor, type BenchSettings, type RunExecutor } from './harness.bench';
import { journalScenario, ordersScenario } from './orders.bench';
import { peakScenario } from './peak.bench';
import { evaluateTargets, renderReport, type BenchResults } from './report.bench';
import { shipmentScenario } from './shipment.bench';
import { stockScenario } from './stock.bench';
import { tenantsScenario } from './tenants.bench';

const REPO = resolve(__dirname, '..', '..');
const OUT = join(REPO, '.bench');
/** The heap limit of a run's process: the memory target, so a run over it fails loudly. */
const MAX_OLD_SPACE_MB = 256;

const SIZES = {
  full: { articles: [1_000, 10_000, 50_000], stock: { articles: 10_000, changes: [0, 100, 5_000] }, orders: [100, 1_000, 5_000], journal: { minutes: 8, perMinute: [10, 250, 1_000] }, peak: { minutes: 60, ordersPerMinute: 60, sendsPerMinute: 2 }, sends: 20, bundleRepeats: 15, tenants: 500 },
  quick: { articles: [300], stock: { articles: 300, changes: [0, 10, 100] }, orders: [50, 250], journal: { minutes: 3, perMinute: [5, 50] }, peak: { minutes: 5, ordersPerMinute: 10, sendsPerMinute: 2 }, sends: 3, bundleRepeats: 0, tenants: 20 },
};
const ALL = ['articles', 'stock', 'orders', 'journal', 'peak', 'shipment', 'bundles', 'tenants'] as const;

function flag(name: string): string | undefined {
  const arg = process.argv.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (!arg) return undefined;
  return arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : '';
}

function numberSetting(flagName: string, envName: string, fallback: number): number {
  const raw = flag(flagName) ?? process.env[envName];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${flagName} / ${envName} must be a number of milliseconds ≥ 0, not ${JSON.stringify(raw)}`);
  return n;
}

function bundleChild(): string {
  mkdirSync(OUT, { recursive: true });
  const outfile = join(OUT, 'run-child.js');
  buildSync({ entryPoints: [join(__dirname, 'child.bench.ts')], outfile, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'silent' });
  return outfile;
}

const USAGE = `usage: npm run bench [-- options]
Runs the benchmarks against the simulators and the embedded stores (the full run takes several minutes) and
prints each figure as a ratio against the floor measured in the same run; results go to .bench/results.json.
  --quick                 small sizes only, for a quick look (figures less steady)
  --only=a,b              only these scenarios: ${ALL.join(', ')}
  --markdown              the table as markdown (for the README)
  --in-process            run each measurement in this process instead of a child process
  --bl-latency=MS         simulated BaseLinker latency per call (env BENCH_BL_LATENCY_MS, default ${DEFAULT_SETTINGS.blLatencyMs})
  --ongoing-latency=MS    simulated Ongoing latency per call (env BENCH_ONGOING_LATENCY_MS, default ${DEFAULT_SETTINGS.ongoingLatencyMs})
  --courier-delay=MS      simulated courier time in createPackage (env BENCH_COURIER_DELAY_MS, default ${DEFAULT_SETTINGS.courierDelayMs})
  --help                  this text`;

async function main(): Promise<void> {
  if (flag('help') !== undefined || process.argv.includes('-h')) {
    console.log(USAGE);
    return;
  }
  const quick = flag('quick') !== undefined;
  const markdown = flag('markdown') !== undefined;
  const inProcess = flag('in-process') !== undefined;
  const only = new Set(flag('only')?.split(',').map((s) => s.trim()).filter(Boolean) ?? ALL);
  for (const o of only) if (!(ALL as readonly string[]).includes(o)) throw new Error(`--only: unknown scenario ${o} (one of ${ALL.join(', ')})`);
  const settings: BenchSettings = {
    blLatencyMs: numberSetting('bl-latency', 'BENCH_BL_LATENCY_MS', DEFAULT_SETTINGS.blLatencyMs),
    ongoingLatencyMs: numberSetting('ongoing-latency', 'BENCH_ONGOING_LATENCY_MS', DEFAULT_SETTINGS.ongoingLatencyMs),
    courierDelayMs: numberSetting('courier-delay', 'BENCH_COURIER_DELAY_MS', DEFAULT_SETTINGS.courierDelayMs),
    quick,
  };
  const sizes = quick ? SIZES.quick : SIZES.full;
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const started = Date.now();
  const progress = (line: string) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0)} s] ${line}\n`);

  const emulators = await startAwsEmulators();
  Object.assign(process.env, emulators.env);
  const exec: RunExecutor = inProcess ? inProcessExecutor : childExecutor(bundleChild(), MAX_OLD_SPACE_MB);
  const results: Omit<BenchResults, 'targets'> = {
    startedAt: new Date(started).toISOString(),
    mode: quick ? 'quick' : 'full',
    command,
    settings,
    executor: inProcess ? 'in-process' : 'child',
    articles: [],
    orders: [],
    journal: [],
    peak: [],
    realSeconds: 0,
  };
  try {
    if (only.has('articles')) {
      for (const n of sizes.articles) {
        progress(`articles: ${n} variants`);
        results.articles.push(await articlesScenario(exec, settings, n));
      }
    }
    if (only.has('stock')) {
      progress(`stock: ${sizes.stock.articles} articles, ${sizes.stock.changes.join(' / ')} changed`);
      results.stock = await stockScenario(exec, settings, sizes.stock.articles, sizes.stock.changes);
    }
    if (only.has('orders')) {
      for (const n of sizes.orders) {
        progress(`orders: ${n} new`);
        results.orders.push(await ordersScenario(exec, settings, n));
      }
    }
    if (only.has('journal')) {
      for (const perMinute of sizes.journal.perMinute) {
        progress(`orders, journal mode: ${perMinute} new orders a minute for ${sizes.journal.minutes} min`);
        results.journal.push(await journalScenario(exec, settings, sizes.journal.minutes, perMinute));
      }
    }
    if (only.has('peak')) {
      for (const journal of [true, false]) {
        progress(`peak hour on one token, journal ${journal ? 'on' : 'off'}: ${sizes.peak.minutes} simulated min`);
        results.peak.push(await peakScenario(settings, { journal, ...sizes.peak }));
      }
    }
    if (only.has('shipment')) {
      progress(`shipment: ${sizes.sends} sends`);
      results.shipment = await shipmentScenario(settings, sizes.sends);
    }
    if (only.has('tenants')) {
      progress(`tenants: ${sizes.tenants} in the registry, fan-out over SQS`);
      results.tenants = await tenantsScenario(exec, settings, sizes.tenants);
    }
    if (only.has('bundles') && sizes.bundleRepeats > 0) {
      progress('Lambda bundles');
      results.bundles = await bundlesScenario(join(OUT, 'bundles'), sizes.bundleRepeats);
    } else if (only.has('bundles')) {
      progress('Lambda bundles: skipped in --quick (a fresh node per measurement takes too long for a smoke run)');
    }
  } finally {
    await emulators.stop();
  }
  results.realSeconds = (Date.now() - started) / 1000;
  const full: BenchResults = { ...results, targets: evaluateTargets(results) };
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'results.json'), `${JSON.stringify(full, null, 2)}\n`);
  process.stdout.write(`${renderReport(full, markdown)}\n\nReal time ${full.realSeconds.toFixed(0)} s. JSON: .bench/results.json\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
