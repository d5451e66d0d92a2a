import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import type { BuildOptions, Metafile } from 'esbuild';
import { LAMBDA_BUNDLING, apartFile, bundleLambda, entryOutput, lambdaEsbuildOptions } from '../../infra/cdk/bundling';
import { CATALOGUE, FLOW_NAMES, type FlowName } from '../../shared/flows/catalogue';
import { mulberry32 } from '../chaos/prng';

/** One bundle as deployed: bytes of the minified file, of its source map, and its module initialisation. */
export interface BundleResult {
  name: string;
  bytes: number;
  mapBytes: number;
  /**
   * CPU time (user + system) of `require` in a fresh node with the function's NODE_OPTIONS, the least of the
   * repeats: what another process on the machine does only ever adds to it, so the least is the steadiest
   * reading of the bundle's own cost (medians moved the floor itself by 10 ms between runs here).
   */
  initMs: number;
  /** The median of the same repeats, for comparison. */
  initMedianMs: number;
  /** The same (least) without --enable-source-maps: what the source maps cost at start. */
  initNoMapsMs: number;
  /** Median wall time of the same require (noisy on a shared machine; CPU time is what the target reads). */
  initWallMs: number;
  /** The biggest contributors to the minified bundle: npm package (or 'own code') and bytes. */
  top: Array<{ module: string; bytes: number }>;
  /** Bytes of the S3 client in the bundle (0 for a function that stores no labels). */
  s3Bytes: number;
  /**
   * The modules the function requires on first use, bundled apart beside it (infra/cdk/bundling.ts, bundledApart):
   * not loaded at start, so not in the figures above; the init of each is its own require in a fresh node.
   */
  apart?: BundleResult[];
}

/** What one lever bought: the function built without it, against the function as deployed. */
export interface LeverResult {
  lever: string;
  function: string;
  /** Bytes and init CPU ms the lever saves (positive = the lever helps). */
  savedBytes: number;
  savedInitMs: number;
  note: string;
}

export interface BundlesResult {
  floor: BundleResult;
  /** For comparison only: the floor with the S3 client and a PutObject too, what a function storing labels needs at least. */
  s3Floor: BundleResult;
  functions: BundleResult[];
  levers: LeverResult[];
  nodeOptions: string;
  repeats: number;
}

const REPO = resolve(__dirname, '..', '..');

/**
 * The floor: the DynamoDB client and a handler, nothing else, built with the same settings. Every function
 * needs at least this; what a bundle holds above it is ours to justify (infra/cdk/bundling.ts).
 */
const FLOOR_SOURCE = `import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
const client = new DynamoDBClient({});
export const handler = async (event: { key: string }) =>
  client.send(new GetItemCommand({ TableName: process.env.TABLE_NAME, Key: { pk: { S: event.key } } }));
`;

/** The floor plus the S3 client sending the command the label store sends most. */
const S3_FLOOR_SOURCE = `${FLOOR_SOURCE}import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
const s3 = new S3Client({});
export const store = (key: string, body: Uint8Array) => s3.send(new PutObjectCommand({ Bucket: process.env.LABELS_BUCKET, Key: key, Body: body }));
`;

interface Built {
  bytes: number;
  mapBytes: number;
  top: BundleResult['top'];
  s3Bytes: number;
  /** The modules bundled apart beside it: the file and the same figures. */
  apart: Array<{ suffix: string; outfile: string } & Omit<Built, 'apart'>>;
}

async function build(entry: string, outfile: string, overrides: BuildOptions = {}): Promise<Built> {
  const metafile = await bundleLambda(entry, outfile, overrides);
  const figures = (output: Metafile['outputs'][string], file: string): Omit<Built, 'apart'> => {
    const byModule = new Map<string, number>();
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const module = m ? m[1]! : 'own code';
      byModule.set(module, (byModule.get(module) ?? 0) + bytesInOutput);
    }
    const top = [...byModule].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([module, bytes]) => ({ module, bytes }));
    const map = statSync(`${file}.map`, { throwIfNoEntry: false });
    return { bytes: statSync(file).size, mapBytes: map?.size ?? 0, top, s3Bytes: byModule.get('@aws-sdk/client-s3') ?? 0 };
  };
  const apart = Object.entries(LAMBDA_BUNDLING.bundledApart)
    .filter(([path]) => Object.values(metafile.outputs).some((o) => o.entryPoint === path))
    .map(([path, suffix]) => ({ suffix, outfile: apartFile(outfile, suffix), ...figures(entryOutput(metafile, join(REPO, path)), apartFile(outfile, suffix)) }));
  return { ...figures(entryOutput(metafile, entry), outfile), apart };
}

/** CPU and wall milliseconds of one `require` of the bundle in a fresh node. */
function timeRequire(target: string, nodeOptions: string): { cpu: number; wall: number } {
  const script = `const c=process.cpuUsage(),t=performance.now();require(${JSON.stringify(target)});const u=process.cpuUsage(c);process.stdout.write(JSON.stringify({cpu:(u.user+u.system)/1000,wall:performance.now()-t}))`;
  const out = execFileSync(process.execPath, ['-e', script], {
    cwd: REPO,
    env: { ...process.env, NODE_OPTIONS: nodeOptions, LOG_LEVEL: 'SILENT', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    encoding: 'utf8',
  });
  return JSON.parse(out.trim().split('\n').at(-1)!) as { cpu: number; wall: number };
}

/** 0 … n-1 in an order fixed by `seed` (Fisher-Yates on mulberry32). */
function shuffled(n: number, seed: number): number[] {
  const next = mulberry32(seed);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

function least(values: number[]): number {
  return Math.min(...values);
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

interface Candidate {
  name: string;
  entry: string;
  overrides?: BuildOptions;
  /** Only the deployed functions and the floor are timed without source maps too. */
  withoutMaps: boolean;
}

/**
 * Builds the floor and every Lambda entry with the stack's own settings (infra/cdk/bundling.ts, read by
 * FlowFunction too), source maps included as deployed, and times module initialisation in fresh node processes
 * with the functions' NODE_OPTIONS, interleaved so a noisy neighbour hits every bundle alike. Then rebuilds a
 * function with one lever undone at a time, to show what each lever buys.
 */
export async function bundlesScenario(outDir: string, repeats: number): Promise<BundlesResult> {
  mkdirSync(outDir, { recursive: true });
  const functionsDir = join(REPO, 'functions');
  // Every function the stack deploys: per scheduled flow its dispatcher and its worker (which does the work), and
  // the shipment webhook. From the flow catalogue, as the stack reads it, plus any other functions/<name>/handler.ts.
  const deployed: { name: string; entry: string }[] = [];
  for (const name of FLOW_NAMES) {
    deployed.push({ name: `${name} worker`, entry: join(REPO, CATALOGUE[name].worker) }, { name: `${name} dispatcher`, entry: join(REPO, CATALOGUE[name].handler) });
  }
  for (const d of readdirSync(functionsDir)) {
    const entry = join(functionsDir, d, 'handler.ts');
    if (!deployed.some((f) => f.entry === entry) && statSync(entry, { throwIfNoEntry: false })?.isFile()) deployed.push({ name: d, entry });
  }
  const names = deployed.map((f) => f.name);
  const workerOf = (flow: FlowName) => join(REPO, CATALOGUE[flow].worker).replace(/\.ts$/, '');
  const floorEntry = join(outDir, 'floor-handler.ts');
  writeFileSync(floorEntry, FLOOR_SOURCE);
  const s3FloorEntry = join(outDir, 's3-floor-handler.ts');
  writeFileSync(s3FloorEntry, S3_FLOOR_SOURCE);
  /** The deployed settings with one of infra/cdk/bundling.ts's esbuild plugins left out. */
  const withoutPlugin = (name: string): BuildOptions => ({ plugins: lambdaEsbuildOptions().plugins.filter((p) => p.name !== name) });
  // Levers undone: an entry that does at load what the function does on first use, or the shims left out.
  const fromRepo = (...path: string[]) => relative(outDir, join(REPO, ...path)).replace(/\\/g, '/');
  /** A worker (or another entry, without .ts) with one statement run at load: what a lever moved to first use, put back. */
  const atLoad = (worker: FlowName | string, name: string, statement: string): string => {
    const base = FLOW_NAMES.includes(worker as FlowName) ? workerOf(worker as FlowName) : worker;
    const file = join(outDir, `${basename(base)}-at-load-${name}.ts`);
    const from = relative(outDir, base).replace(/\\/g, '/');
    writeFileSync(file, `export * from '${from.startsWith('.') ? from : `./${from}`}';\n${statement}\n`);
    return file;
  };
  // The tracking worker as it was until its label store was bundled apart: the S3 client in its own bundle.
  const trackingTogether = join(outDir, 'tracking-worker-labels-in-bundle');
  writeFileSync(
    `${trackingTogether}.ts`,
    `import { workerHandler } from '${fromRepo('shared', 'lambda', 'worker')}';\nimport { s3Labels } from '${fromRepo('shared', 'lambda', 'wiring')}';\nimport { trackingFlow } from '${fromRepo('shared', 'flows', 'tracking')}';\nexport const handler = workerHandler('tracking', trackingFlow, { labels: s3Labels });\n`,
  );
  // The articles worker as it was until its queue was bundled apart: the SQS client imported statically.
  const articlesQueueTogether = join(outDir, 'articles-worker-queue-in-bundle');
  writeFileSync(
    `${articlesQueueTogether}.ts`,
    `import { workerHandler } from '${fromRepo('shared', 'lambda', 'worker')}';\nimport { openSqsRunQueue } from '${fromRepo('shared', 'fanout', 'run-queue')}';\nimport { articlesFlow } from '${fromRepo('shared', 'flows', 'articles')}';\nexport const handler = workerHandler('articles', articlesFlow, { queue: (queueUrl) => openSqsRunQueue(queueUrl) });\n`,
  );
  const candidates: Candidate[] = [
    { name: 'floor', entry: floorEntry, withoutMaps: true },
    { name: 'floor with S3', entry: s3FloorEntry, withoutMaps: true },
    ...deployed.map((f) => ({ ...f, withoutMaps: true })),
    { name: 'articles worker without the axios shims', entry: `${workerOf('articles')}.ts`, overrides: { alias: {}, ...withoutPlugin('axios-for-lambda') }, withoutMaps: false },
    { name: 'articles worker with whole SDK package.json files', entry: `${workerOf('articles')}.ts`, overrides: withoutPlugin('sdk-package-version-only'), withoutMaps: false },
    { name: 'articles worker with zod/mini as published', entry: `${workerOf('articles')}.ts`, overrides: withoutPlugin('zod-direct-util'), withoutMaps: false },
    { name: 'shipment with the SDK schemas as published', entry: join(functionsDir, 'shipment', 'handler.ts'), overrides: withoutPlugin('sdk-schema-literal-keys'), withoutMaps: false },
    { name: 'articles worker with the Warsaw zone loaded at start', entry: atLoad('articles', 'warsaw', `import { formatWarsawTime } from '${fromRepo('shared', 'baselinker', 'warsaw-time')}';\nformatWarsawTime(new Date(0));`), withoutMaps: false },
    // Every BaseLinker and Ongoing schema the clients build on first use (each a memo) built at load, as until this run.
    { name: 'articles worker with every client schema built at start', entry: atLoad('articles', 'schemas', `import { orderSchema, responses } from '${fromRepo('shared', 'baselinker', 'schemas')}';\nimport * as ongoing from '${fromRepo('shared', 'ongoing', 'schemas')}';\nfor (const schema of [...Object.values(responses), orderSchema, ...Object.values(ongoing)]) if (typeof schema === 'function') schema();`), withoutMaps: false },
    { name: 'tracking worker with its label store in its bundle', entry: `${trackingTogether}.ts`, withoutMaps: false },
    { name: 'articles worker with its queue in its bundle', entry: `${articlesQueueTogether}.ts`, withoutMaps: false },
    { name: 'tracking worker with the S3 client in its bundle, made at start', entry: atLoad(trackingTogether, 's3-client', `import { s3Client } from '${fromRepo('shared', 'aws', 's3')}';\ns3Client();`), withoutMaps: false },
    // What the S3 label store and the secrets reader did before: import() them on first use.
    { name: 'tracking worker with S3 and Secrets Manager behind import()', entry: atLoad(trackingTogether, 'import', `export const __later = () => Promise.all([import('${fromRepo('shared', 'aws', 's3')}'), import('@aws-sdk/client-secrets-manager')]);`), withoutMaps: false },
  ];
  const built: Array<Candidate & Omit<Built, 'apart'> & { outfile: string; apartOf?: string }> = [];
  for (const [i, c] of candidates.entries()) {
    const { apart, ...figures } = await build(c.entry, join(outDir, `b${i}.js`), c.overrides);
    built.push({ ...c, outfile: join(outDir, `b${i}.js`), ...figures });
    // A deployed function's modules bundled apart are timed too (their own require), beside the function.
    if (names.includes(c.name)) for (const a of apart) built.push({ name: `${c.name}: ${a.suffix} apart, loaded on first use`, entry: c.entry, withoutMaps: false, apartOf: c.name, ...a });
  }
  const nodeOptions = LAMBDA_BUNDLING.nodeOptions;
  const samples = built.map(() => ({ cpu: [] as number[], wall: [] as number[], noMaps: [] as number[] }));
  for (const b of built) timeRequire(b.outfile, nodeOptions); // warm the file cache once
  for (let r = 0; r < repeats; r++) {
    // Each round in its own order (a seeded shuffle, the same every run): in one fixed order a disturbance that
    // came at the same point of each round hit the same bundles every time (the last ones read up to 30 % slower,
    // identical dispatchers 89 against 116 ms).
    for (const i of shuffled(built.length, r + 1)) {
      const b = built[i]!;
      const t = timeRequire(b.outfile, nodeOptions);
      samples[i]!.cpu.push(t.cpu);
      samples[i]!.wall.push(t.wall);
      if (b.withoutMaps) samples[i]!.noMaps.push(timeRequire(b.outfile, '').cpu);
    }
  }
  const results = built.map((b, i): BundleResult => ({
    name: b.name,
    bytes: b.bytes,
    mapBytes: b.mapBytes,
    initMs: least(samples[i]!.cpu),
    initMedianMs: median(samples[i]!.cpu),
    initNoMapsMs: b.withoutMaps ? least(samples[i]!.noMaps) : NaN,
    initWallMs: median(samples[i]!.wall),
    top: b.top,
    s3Bytes: b.s3Bytes,
  }));
  const byName = new Map(results.map((r) => [r.name, r]));
  const lever = (leverName: string, fn: string, undone: string, note: string): LeverResult => {
    const deployed = byName.get(fn)!;
    const without = byName.get(undone)!;
    return { lever: leverName, function: fn, savedBytes: without.bytes - deployed.bytes, savedInitMs: without.initMs - deployed.initMs, note };
  };
  const levers: LeverResult[] = [
    lever('axios without form-data, follow-redirects, https-proxy-agent, its fetch and xhr adapters, with http2 on first use (infra/cdk/shims)', 'articles worker', 'articles worker without the axios shims', 'same in every function that calls BaseLinker or Ongoing; Node\'s undici and http2 are no longer loaded at start'),
    lever('@aws-sdk package.json files reduced to their version (the user agent reads nothing else)', 'articles worker', 'articles worker with whole SDK package.json files', 'SQS and Secrets Manager beyond the floor\'s DynamoDB; every function alike'),
    lever('zod/mini\'s z.catch reads util directly, not through core.util (all of util.js kept)', 'articles worker', 'articles worker with zod/mini as published', 'every function alike'),
    lever('SDK schemas with literal keys, so unused operations\' schemas drop (aws-sdk-js-v3 issue 7607)', 'shipment', 'shipment with the SDK schemas as published', 'the tracking worker\'s label store apart alike (S3); a few KiB in the others (SQS, Secrets Manager)'),
    lever('Warsaw time zone rules loaded on first use', 'articles worker', 'articles worker with the Warsaw zone loaded at start', 'saved wherever no BaseLinker time is read: every worker but a run that meets a token block'),
    lever('BaseLinker and Ongoing schemas built on first use (shared/util/memo.ts)', 'articles worker', 'articles worker with every client schema built at start', 'each function builds the schemas of the methods it calls; the articles worker no order, package or file schema'),
    lever('S3 label store bundled apart, required by the first label (infra/cdk/bundling.ts, bundledApart)', 'tracking worker', 'tracking worker with its label store in its bundle', 'only a run that resumes a half-done shipment loads it (its own row in the table); the webhook keeps S3 in its bundle: every Send stores a label'),
    lever('SQS client bundled apart, required when a worker first sends to its queue (infra/cdk/bundling.ts, bundledApart)', 'articles worker', 'articles worker with its queue in its bundle', 'every worker alike; only a run that continues or delays a failed one loads it (its own row in the table); the dispatchers keep SQS: every tick queues tenants'),
    lever('S3 client made on the first label', 'tracking worker with its label store in its bundle', 'tracking worker with the S3 client in its bundle, made at start', 'shipment alike; a run that stores a label pays it then'),
    lever('no import(): S3 and Secrets Manager imported statically, their clients made on first use', 'tracking worker with its label store in its bundle', 'tracking worker with S3 and Secrets Manager behind import()', 'esbuild wraps every module an import() reaches, the SDK core DynamoDB shares included; every worker has the secrets reader'),
  ];
  const functions = results
    .filter((r) => names.includes(r.name))
    .map((f) => {
      const apart = results.filter((_, i) => built[i]!.apartOf === f.name);
      return apart.length > 0 ? { ...f, apart } : f;
    });
  for (const f of functions) {
    levers.push({
      lever: 'source maps (--enable-source-maps)',
      function: f.name,
      savedBytes: -f.mapBytes,
      savedInitMs: f.initNoMapsMs - f.initMs,
      note: 'negative: their cost, kept for readable stack traces',
    });
  }
  return { floor: byName.get('floor')!, s3Floor: byName.get('floor with S3')!, functions, levers, nodeOptions, repeats };
}
