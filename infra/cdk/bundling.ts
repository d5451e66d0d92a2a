import { join } from 'node:path';

/**
 * How every Lambda function is bundled by esbuild. The CDK stack (constructs/flow-function.ts) and the bundle
 * benchmark (test/bench/bundles.bench.ts) both read these, so the benchmark measures what deploys. Plain data:
 * no aws-cdk-lib import, the benchmark loads this without the CDK.
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
   * Packages axios's Node build imports but this integration never runs, swapped for Node's own (each shim says
   * why it is safe): form-data (with mime-types and the 137 KB mime-db) for multipart bodies we never send, and
   * follow-redirects, unused at maxRedirects: 0. axios itself stays, http adapter included. Only the Lambda
   * bundles use these; `npm start` and the tests run the real packages. Paths are relative to the repository
   * root: esbuild resolves an alias in its working directory, which the CDK sets to the project root.
   */
  alias: {
    'form-data': './infra/cdk/shims/form-data.js',
    'follow-redirects': './infra/cdk/shims/follow-redirects.js',
  } as Record<string, string>,
  /** What the functions run with (FlowFunction sets it; the benchmark times module initialisation with it). */
  nodeOptions: '--enable-source-maps',
} as const;

/** The same settings as esbuild API options (the benchmark, tests that inspect a bundle's metafile). */
export function lambdaEsbuildOptions(): {
  bundle: true;
  platform: 'node';
  target: string;
  format: 'cjs';
  minify: boolean;
  mainFields: string[];
  keepNames: boolean;
  legalComments: 'none';
  external: string[];
  alias: Record<string, string>;
  absWorkingDir: string;
} {
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
    absWorkingDir: REPO_ROOT,
  };
}
