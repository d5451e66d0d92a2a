/**
 * `npm run sync -- <flow>`: one cycle of one flow for the configured tenants, with the embedded state under
 * DATA_DIR. Prints progress and a one-line summary per tenant; exits non-zero only when the cycle failed.
 */
import './local-env';
import { ConfigError, loadRuntime } from '../../shared/config';
import { loadLocalTenants } from './tenants';
import { FLOWS, FLOW_NAMES } from '../../shared/flows/registry';
import { runFlow } from '../../shared/flows/runner';
import { createTenantServices } from '../../shared/lambda/wiring';
import type { FlowName } from '../../shared/flows/catalogue';
import { openEmbeddedState } from './embedded';

const USAGE = `usage: npm run sync -- <flow> [--minutes N]
  flows: ${FLOW_NAMES.join(', ')}
  Configure a tenant with the single-tenant environment variables (see README) or TENANTS_FILE.
  --minutes N   time budget of the run (default 14); a flow that runs out checkpoints and the next run continues`;

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
  const flow = FLOWS[name as FlowName];
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

  let tenants;
  try {
    tenants = await loadLocalTenants(process.env, loadRuntime().dataDir);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 2;
    }
    throw err;
  }
  const runtime = loadRuntime();
  const state = await openEmbeddedState(runtime.dataDir, { tableName: runtime.tableName, labelsBucket: runtime.labelsBucket });
  console.log(`${name}: ${tenants.length} tenant(s); ${state.description}`);
  try {
    const reports = await runFlow(name as FlowName, flow, {
      services: createTenantServices,
      tenants,
      runtime: { tableName: state.tableName, labelsBucket: state.labelsBucket },
      deadline: Date.now() + minutes * 60_000,
      onProgress: (line) => console.log(line),
    });
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
