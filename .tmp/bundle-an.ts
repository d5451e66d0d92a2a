import { buildSync } from 'esbuild';
import { lambdaEsbuildOptions } from '../infra/cdk/bundling';
const entry = process.argv[2];
const r = buildSync({ ...lambdaEsbuildOptions(), entryPoints: [entry], write: false, metafile: true, outfile: '/tmp/x.js', absWorkingDir: '/work/integ3' } as any);
const out = Object.values(r.metafile!.outputs).find((o: any) => o.entryPoint)! as any;
const by: Record<string, number> = {};
for (const [k, v] of Object.entries(out.inputs as Record<string, { bytesInOutput: number }>)) {
  const m = k.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  const key = m ? m[1] : k.replace(/\/[^/]+$/, '');
  by[key] = (by[key] ?? 0) + v.bytesInOutput;
}
console.log(entry, Math.round(out.bytes / 1024), 'KiB');
for (const [k, v] of Object.entries(by).sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(String(Math.round(v / 1024)).padStart(5), k);
