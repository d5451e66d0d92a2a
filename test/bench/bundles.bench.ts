import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { lambdaEsbuildOptions } from '../../infra/cdk/bundling';

export interface BundleResult {
  name: string;
  bytes: number;
  /** Median over the runs: require of the bundle in a fresh node, timed inside the child. */
  initMs: number;
  /** Same, for the TypeScript source through tsx (no bundle). */
  unbundledInitMs: number;
  ratio: number;
  /** The biggest contributors to the minified bundle: npm package (or 'own code') and bytes. */
  top: Array<{ module: string; bytes: number }>;
}

const REPO = resolve(__dirname, '..', '..');

/**
 * Bundles each Lambda entry with the CDK stack's own settings (infra/cdk/bundling.ts, read by FlowFunction too:
 * minify, node22, cjs, ESM builds first, the SDK inside; the source map is left out of the size) and times its
 * module initialisation in a fresh `node`.
 */
export function buildBundle(entry: string, outfile: string): { bytes: number; top: Array<{ module: string; bytes: number }> } {
  const result = buildSync({ ...lambdaEsbuildOptions(), entryPoints: [entry], outfile, sourcemap: false, metafile: true, logLevel: 'silent' });
  const byModule = new Map<string, number>();
  for (const output of Object.values(result.metafile!.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const module = m ? m[1]! : 'own code';
      byModule.set(module, (byModule.get(module) ?? 0) + bytesInOutput);
    }
  }
  const top = [...byModule].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([module, bytes]) => ({ module, bytes }));
  return { bytes: statSync(outfile).size, top };
}

function timeRequire(target: string, nodeArgs: string[]): number {
  const script = `const t=performance.now();require(${JSON.stringify(target)});process.stdout.write(String(performance.now()-t))`;
  const out = execFileSync(process.execPath, [...nodeArgs, '-e', script], {
    cwd: REPO,
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    encoding: 'utf8',
  });
  return Number(out.trim().split('\n').at(-1));
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export function bundlesScenario(outDir: string, repeats: number): BundleResult[] {
  mkdirSync(outDir, { recursive: true });
  const functionsDir = join(REPO, 'functions');
  const names = readdirSync(functionsDir).filter((d) => statSync(join(functionsDir, d, 'handler.ts'), { throwIfNoEntry: false })?.isFile());
  return names.map((name) => {
    const entry = join(functionsDir, name, 'handler.ts');
    const outfile = resolve(outDir, `${name}.js`);
    const { bytes, top } = buildBundle(entry, outfile);
    // One untimed warm-up each: the OS file cache and tsx's transform cache, as a warm disk would be.
    timeRequire(outfile, []);
    timeRequire(entry, ['--require', 'tsx/cjs']);
    const bundled: number[] = [];
    const unbundled: number[] = [];
    for (let i = 0; i < repeats; i++) {
      bundled.push(timeRequire(outfile, []));
      unbundled.push(timeRequire(entry, ['--require', 'tsx/cjs']));
    }
    const initMs = median(bundled);
    const unbundledInitMs = median(unbundled);
    return { name, bytes, initMs, unbundledInitMs, ratio: initMs / unbundledInitMs, top };
  });
}
