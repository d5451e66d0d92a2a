import { readFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { build, type BuildOptions, type Metafile, type OnLoadResult, type Plugin } from 'esbuild';

/**
 * How every Lambda function is bundled by esbuild. The CDK stack (constructs/flow-function.ts) and the bundle
 * benchmark (test/bench/bundles.bench.ts) both bundle with `bundleLambda`, so the benchmark measures what deploys.
 * No aws-cdk-lib import: the benchmark loads this without the CDK.
 */
/** The aliases below are relative to it. */
const REPO_ROOT = join(__dirname, '..', '..');

export const LAMBDA_BUNDLING = {
  /** The Lambda runtime the stack deploys (Runtime.NODEJS_22_X). */
  target: 'node22',
  format: 'cjs',
  minify: true,
  /**
   * ESM builds first: esbuild drops the unused exports of the SDK clients, @smithy/core and the rest only from
   * ES modules (module,main instead of main: about -300 KB per function, measured).
   */
  mainFields: ['module', 'main'],
  /** Names are not needed: errors are told apart by `name` properties and `instanceof`, never by class names. */
  keepNames: false,
  /** Licence banners only add bytes to a file nobody reads; the packages' licences stay in node_modules. */
  legalComments: 'none',
  /** Source maps for readable stack traces (NODE_OPTIONS=--enable-source-maps), without the sources inside. */
  sourceMap: true,
  sourcesContent: false,
  /**
   * Nothing is left to the Lambda runtime: the SDK versions inside are the ones the tests ran against
   * (toolchain reference: "Lambda may not run the SDK version you tested"). Leaving `@aws-sdk/*` and `@smithy/*`
   * to the runtime would save about 360 KB per function but run an SDK version no test saw.
   */
  externalModules: [] as string[],
  /**
   * Packages axios's Node build imports but this integration never runs, swapped for small shims (each says why
   * it is safe): form-data (with mime-types and the 137 KB mime-db) for multipart bodies we never send;
   * follow-redirects, unused at maxRedirects: 0; https-proxy-agent (with agent-base, debug, supports-color and
   * ms) for an HTTPS proxy, which a Lambda function does not sit behind; proxy-from-env, which finds none there
   * (and refuses one the environment names). axios itself stays, http adapter
   * included. Only the Lambda bundles use these; `npm start` and the tests run the real packages. Paths are
   * relative to the repository root, esbuild's working directory here.
   */
  alias: {
    'form-data': './infra/cdk/shims/form-data.js',
    'follow-redirects': './infra/cdk/shims/follow-redirects.js',
    'https-proxy-agent': './infra/cdk/shims/https-proxy-agent.js',
    'proxy-from-env': './infra/cdk/shims/proxy-from-env.js',
  } as Record<string, string>,
  /**
   * axios's own adapters that cannot run here, each replaced by a module saying so (axiosForLambda below). The
   * fetch adapter probes `Request` and builds a test request when it loads, which loads Node's undici; the xhr
   * adapter needs a browser. The clients use the http adapter: axios's first choice in Node.
   */
  unusedAxiosAdapters: ['fetch', 'xhr'],
  /**
   * axios helpers reached only by features the clients never ask for, each replaced by a module that fails
   * naming them (infra/cdk/shims/axios-feature-unavailable.js): data: URLs, FormData bodies, progress events and
   * rate limits, and the NO_PROXY check, which axios runs only for a proxy the environment names (none:
   * infra/cdk/shims/proxy-from-env.js).
   */
  unusedAxiosHelpers: ['fromDataURI', 'estimateDataURLDecodedBytes', 'formDataToStream', 'formDataToJSON', 'AxiosTransformStream', 'shouldBypassProxy'],
  /** What the functions run with (FlowFunction sets it; the benchmark times module initialisation with it). */
  nodeOptions: '--enable-source-maps',
  /**
   * Modules a function may load with require() when it first needs them, each bundled apart into a file beside the
   * function's own (index.js -> index.labels-s3.js): the function starts without their code. The tracking worker's
   * label store, with the S3 client, for a run that resumes a half-done shipment; every worker's queue, with the
   * SQS client, for a run that continues or a failed one delayed. Repository path -> the file's suffix. A static
   * import of the same module bundles it as usual (the webhook's label store, the dispatchers' SQS). Not an
   * import(): esbuild wraps every module an import() reaches in the one bundle, the SDK core included.
   */
  bundledApart: { 'shared/labels/s3-store.ts': 'labels-s3', 'shared/fanout/run-queue.ts': 'sqs' } as Record<string, string>,
} as const;

const shim = (file: string) => join(REPO_ROOT, 'infra', 'cdk', 'shims', file);

/**
 * A package file with one line replaced, for the plugins below. The build stops, naming the file and the constant
 * to check, if an update of the package no longer has the line (or a line the replacement relies on).
 */
export async function patched(path: string, constant: string, line: string, replacement: string, ...alsoNeeded: string[]): Promise<OnLoadResult> {
  const source = await readFile(path, 'utf8');
  if (![line, ...alsoNeeded].every((text) => source.includes(text))) {
    throw new Error(`${path} no longer has what infra/cdk/bundling.ts replaces: check ${constant} against this version of the package`);
  }
  return { contents: source.replace(line, replacement), loader: 'js' };
}

/**
 * The line of axios's utils.js that reads the global FormData when axios loads. Reading it loads Node's undici
 * (about 12 ms of a cold start, measured), and axios keeps it only to tell a FormData body by `instanceof`,
 * which this integration never sends; without it axios tells one by its `append` and `[object FormData]`.
 */
const AXIOS_FORM_DATA_PROBE = "const FormDataCtor = typeof G.FormData !== 'undefined' ? G.FormData : undefined;";

/**
 * axios as a Lambda function of this integration runs it: the fetch and xhr adapters resolve to
 * infra/cdk/shims/axios-adapter-unavailable.js (they are imported by relative path, which an alias cannot
 * reach), utils.js no longer reads the global FormData, and axios's `http2` is infra/cdk/shims/http2-on-first-use.js
 * (node:http2 loaded by the first HTTP/2 request, which neither client sends; an alias would reach the SDK's own
 * http2 import too). The first two stop the build, naming the file, if an axios update no longer has what they
 * replace.
 */
const axiosForLambda: Plugin = {
  name: 'axios-for-lambda',
  setup(build) {
    const names = LAMBDA_BUNDLING.unusedAxiosAdapters.join('|');
    build.onResolve({ filter: new RegExp(`^\\./(${names})\\.js$`) }, (args) =>
      /[\\/]node_modules[\\/]axios[\\/]lib[\\/]adapters$/.test(args.resolveDir)
        ? { path: shim('axios-adapter-unavailable.js') }
        : undefined,
    );
    const helpers = LAMBDA_BUNDLING.unusedAxiosHelpers.join('|');
    build.onResolve({ filter: new RegExp(`^\\.\\.?/helpers/(${helpers})\\.js$`) }, (args) =>
      /[\\/]node_modules[\\/]axios[\\/]lib([\\/]\w+)?$/.test(args.resolveDir)
        ? { path: shim('axios-feature-unavailable.js') }
        : undefined,
    );
    build.onResolve({ filter: /^http2$/ }, (args) =>
      /[\\/]node_modules[\\/]axios[\\/]lib[\\/]/.test(args.importer) ? { path: shim('http2-on-first-use.js') } : undefined,
    );
    build.onLoad({ filter: /[\\/]node_modules[\\/]axios[\\/]lib[\\/]utils\.js$/ }, (args) =>
      patched(args.path, 'AXIOS_FORM_DATA_PROBE', AXIOS_FORM_DATA_PROBE, 'const FormDataCtor = undefined;'),
    );
  },
};

/**
 * Each SDK client's package.json reduced to its version. The clients import their whole package.json (2–2.5 KB
 * minified each: scripts, dependencies, keywords) to read `packageInfo.version` for the user agent, the only
 * field the SDK reads (checked in @aws-sdk's dist-es when this was written). A build that finds no `version`
 * stops, naming the file.
 */
const sdkPackageVersionOnly: Plugin = {
  name: 'sdk-package-version-only',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/]@aws-sdk[\\/][^\\/]+[\\/]package\.json$/ }, async (args) => {
      const { version } = JSON.parse(await readFile(args.path, 'utf8')) as { version?: unknown };
      if (typeof version !== 'string') throw new Error(`${args.path} has no version, which infra/cdk/bundling.ts keeps for the SDK's user agent`);
      return { contents: JSON.stringify({ version }), loader: 'json' };
    });
  },
};

/**
 * The SDK clients' generated schemas with literal object keys. They are written `{ [_xN]: _T }`, `_xN` a module
 * constant ("xmlName"), and esbuild keeps every statement with a computed key (reading the key might have
 * effects), so a client carries the schemas of all its operations: 60 KB of the S3 client's, where the
 * functions send five. aws-sdk-js-v3 issue 7607 (open) and smithy-typescript pull request 1889 (the same change
 * in the code generator) describe it; with the keys written out, esbuild drops the schemas no command reaches.
 * Only a key that names a constant string of the same file is written out; the value is the same string.
 */
const sdkSchemaLiteralKeys: Plugin = {
  name: 'sdk-schema-literal-keys',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/]@aws-sdk[\\/].+[\\/]dist-es[\\/](.+[\\/])?schemas[\\/]schemas_\d+\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const strings = new Map<string, string>();
      for (const [, name, literal] of source.matchAll(/^const (_\w+) = ("[^"\\\n]*");$/gm)) strings.set(name!, literal!);
      const contents = source.replace(/([{,]\s*)\[(_\w+)\]:/g, (key: string, before: string, name: string) => {
        const literal = strings.get(name);
        return literal === undefined ? key : `${before}${literal}:`;
      });
      return { contents, loader: 'js' };
    });
  },
};

/**
 * The one line of zod/mini that reaches zod's util module through a second namespace (`core.util.constantCatch`,
 * in `z.catch`). esbuild resolves a namespace import one level deep only, so that line made it keep all of
 * util.js (13 KB) in every function; `util` is the same module, imported directly by that file. The build stops,
 * naming the file, if a zod update no longer has the line.
 */
const ZOD_CATCH_UTIL = 'core.util.constantCatch(catchValue)';

const zodDirectUtil: Plugin = {
  name: 'zod-direct-util',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/]zod[\\/]v4[\\/]mini[\\/]schemas\.js$/ }, (args) =>
      patched(args.path, 'ZOD_CATCH_UTIL', ZOD_CATCH_UTIL, 'util.constantCatch(catchValue)', 'import * as util from "../core/util.js";'),
    );
  },
};

/** The file a module of LAMBDA_BUNDLING.bundledApart is bundled into, beside `outfile`. */
export function apartFile(outfile: string, suffix: string): string {
  return join(dirname(outfile), `${basename(outfile, '.js')}.${suffix}.js`);
}

/** How the bundle at `outfile` requires that file (the plugin writes it, bundleLambda looks for it). */
const apartRequire = (outfile: string, suffix: string) => `./${basename(apartFile(outfile, suffix))}`;

/**
 * A require() of a module of LAMBDA_BUNDLING.bundledApart becomes a require of its own bundle beside this one
 * (bundleLambda builds it): the module and what only it imports (the S3 or SQS client) stay out of this bundle.
 */
const bundledApart: Plugin = {
  name: 'bundled-apart',
  setup(build) {
    const outfile = build.initialOptions.outfile;
    const modules = Object.entries(LAMBDA_BUNDLING.bundledApart).map(([path, suffix]) => ({ source: join(REPO_ROOT, path).replace(/\.ts$/, ''), suffix }));
    const names = modules.map((m) => basename(m.source)).join('|');
    build.onResolve({ filter: new RegExp(`[\\/](${names})(\\.ts)?$`) }, (args) => {
      if (args.kind !== 'require-call' || !outfile) return undefined;
      const wanted = join(args.resolveDir, args.path).replace(/\.ts$/, '');
      const module = modules.find((m) => m.source === wanted);
      return module ? { path: apartRequire(outfile, module.suffix), external: true } : undefined;
    });
  },
};

/** The same settings as esbuild API options (the stack's bundling, the benchmark, tests that read a metafile). */
export function lambdaEsbuildOptions(): BuildOptions & { absWorkingDir: string; plugins: Plugin[] } {
  const b = LAMBDA_BUNDLING;
  return {
    bundle: true,
    platform: 'node',
    target: b.target,
    format: b.format,
    minify: b.minify,
    mainFields: [...b.mainFields],
    keepNames: b.keepNames,
    legalComments: b.legalComments,
    external: [...b.externalModules],
    alias: { ...b.alias },
    plugins: [axiosForLambda, sdkPackageVersionOnly, sdkSchemaLiteralKeys, zodDirectUtil, bundledApart],
    absWorkingDir: REPO_ROOT,
  };
}

/**
 * Bundles one Lambda entry as deployed: `outfile` and, with the source map, `outfile.map`; and each module of
 * LAMBDA_BUNDLING.bundledApart it loads with require(), with the same settings, beside it (apartFile). The
 * metafile holds every output; the entry's is the one whose `entryPoint` is `entry`. The stack runs this
 * through infra/cdk/bundle-function.ts (CDK bundling is synchronous and esbuild's plugins are not); the
 * benchmark and the bundle tests call it directly.
 */
export async function bundleLambda(entry: string, outfile: string, overrides: BuildOptions = {}): Promise<Metafile> {
  const once = async (entryPoint: string, file: string): Promise<Metafile> =>
    (
      await build({
        ...lambdaEsbuildOptions(),
        sourcemap: LAMBDA_BUNDLING.sourceMap,
        sourcesContent: LAMBDA_BUNDLING.sourcesContent,
        ...overrides,
        entryPoints: [entryPoint],
        outfile: file,
        metafile: true,
        logLevel: 'silent',
      })
    ).metafile;
  const metafile = await once(entry, outfile);
  const required = new Set(Object.values(metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path)));
  for (const [path, suffix] of Object.entries(LAMBDA_BUNDLING.bundledApart)) {
    if (!required.has(apartRequire(outfile, suffix))) continue;
    const apart = await once(join(REPO_ROOT, path), apartFile(outfile, suffix));
    Object.assign(metafile.inputs, apart.inputs);
    Object.assign(metafile.outputs, apart.outputs);
  }
  return metafile;
}

/** The entry's own output in a metafile of bundleLambda (the modules bundled apart have their own). */
export function entryOutput(metafile: Metafile, entry: string): Metafile['outputs'][string] {
  const wanted = relative(REPO_ROOT, entry).replace(/\\/g, '/');
  const output = Object.values(metafile.outputs).find((o) => o.entryPoint === wanted);
  if (!output) throw new Error(`no output for ${wanted} in the metafile`);
  return output;
}
