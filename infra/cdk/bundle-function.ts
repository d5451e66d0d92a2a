import { join, resolve } from 'node:path';
import { bundleLambda } from './bundling';

/**
 * `tsx infra/cdk/bundle-function.ts <entry> <outDir>`: bundles one Lambda entry into outDir/index.js (and its
 * map) with the deployed settings. FlowFunction runs it from the CDK's local bundling, which must finish
 * synchronously, while esbuild runs plugins only in its asynchronous API.
 */
async function main(): Promise<void> {
  const [entry, outDir] = process.argv.slice(2);
  if (!entry || !outDir) throw new Error('usage: tsx infra/cdk/bundle-function.ts <entry> <outDir>');
  await bundleLambda(resolve(entry), join(resolve(outDir), 'index.js'));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
