import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BuildOptions } from 'esbuild';
import { bundleLambda } from '../../infra/cdk/bundling';

const REPO = resolve(__dirname, '..', '..');

/** Where the tests put the bundles they build (beside the benchmark's, never committed). */
export function testBundlePath(file: string): string {
  const dir = join(REPO, '.bench', 'test-bundles');
  mkdirSync(dir, { recursive: true });
  return join(dir, file);
}

/**
 * A module as a Lambda bundle carries it, loaded into this process: `entry` is a file of the repository, or
 * `{ source }`, an entry written for the test. Bundled with the deployed settings (bundleLambda) and `overrides`.
 */
export async function bundled<T>(name: string, entry: string | { source: string }, overrides: BuildOptions = {}): Promise<T> {
  const file = typeof entry === 'string' ? entry : testBundlePath(`${name}.ts`);
  if (typeof entry !== 'string') writeFileSync(file, entry.source);
  const outfile = testBundlePath(`${name}.js`);
  await bundleLambda(file, outfile, overrides);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(outfile) as T;
}
