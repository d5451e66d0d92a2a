/**
 * `npm run sync -- <flow>`: one cycle of one flow for the configured tenants, with the embedded state under
 * DATA_DIR. Prints progress and a one-line summary per tenant; exits non-zero only when the cycle failed.
 */
import './local-env';
import { ConfigError, loadRuntime, loadTenants } from '../../shared/config';
import { loadServedTenants } from './tenants';
import { FLOWS, FLOW_NAMES } from '../../shared/flows/registry';
import { runFlow } from '../../shared/flows/runner';
import { createTenantServices } from '../../shared/lambda/wiring';
import type { FlowName, NeedsOf } from '../../shared/flows/catalogue';
import type { Flow } from '../../shared/flows/context';
import { createStockFlow } from '../../shared/flows/stock';
import { openEmbeddedState } from './embedded';

const USAGE = `usage: npm run sync -- <flow> [--minutes N] [--full]
  flows: ${FLOW_NAMES.join(', ')}
  Tenants: the registry (npm run cli -- tenants put <file.json>), or TENANTS_FILE, or the single-tenant
  environment variables (see README).
  --minutes N   time budget of the run (default 14); a flow that runs out checkpoints and the next run continues
  --full        stock only: compare every level with BaseLinker's actual stock now and correct each difference`;

/** The flow a command line runs: `stock --full` is the full sweep, whenever the last one was. */
export function flowForArgs<F extends FlowName>(name: F, args: readonly string[]): Flow<NeedsOf<F>> | undefined {
  if (name === 'stock' && args.includes('--full')) return createStockFlow({ full: true }) as Flow<NeedsOf<F>>;
  return FLOWS[name];
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    console.log(USAGE);
    return name ? 0 : 2;
  }
  if (!FLOW_NAMES.includes(name as FlowName)) {
    console.error(`unknown flow "${name}"\n${USAGE}`);
    return 2;
  }
  const flow = flowForArgs(name as FlowName, rest);
  if (!flow) {
    console.error(`the ${name} flow is not available in this build`);
    return 2;
  }
  const minutesArg = rest.indexOf('--minutes');
  const minutes = minutesArg >= 0 ? Number(rest[minutesArg + 1]) : 14;
  if (!Number.isFinite(minutes) || minutes <= 0) {
    console.error('--minutes takes a positive number');
    return 2;
  }

  const runtime = loadRuntime();
  const state = await openEmbeddedState(runtime.dataDir, { tableName: runtime.tableName, labelsBucket: runtime.labelsBucket });
  try {
    let served;
    try {
      // Only what this flow needs is asked for: an articles-only tenant gives no order statuses.
      served = await loadServedTenants(process.env, runtime.dataDir, { dynamo: state.dynamo, tableName: state.tableName, mode: 'local' }, [name]);
      if (served.source === 'none') await loadTenants({ env: process.env, flows: [name] }); // throws, naming every configuration source
    } catch (err) {
      if (err instanceof ConfigError) {
        console.error(err.message);
        return 2;
      }
      throw err;
    }
    const { tenants, failures } = served;
    console.log(`${name}: ${tenants.length} tenant(s) from the ${served.source}; ${state.description}`);
    // A tenant that cannot load fails alone: the others run.
    for (const failure of failures) console.log(`${name} [${failure.id}]: failed: ${failure.problem}`);
    const reports = await runFlow(name as FlowName, flow, {
      services: createTenantServices,
      tenants,
      runtime: { tableName: state.tableName, labelsBucket: state.labelsBucket },
      deadline: Date.now() + minutes * 60_000,
      onProgress: (line) => console.log(line),
    });
    if (failures.length > 0) return 1;
    return reports.some((r) => r.outcome === 'failed') ? 1 : 0;
  } finally {
    await state.stop();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
