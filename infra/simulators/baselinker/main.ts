import { DEFAULT_SIM_TOKEN, startBaseLinkerSimulator } from './simulator';
import { seedDemoCatalog, seedDemoOrders } from './seed';

/**
 * Standalone BaseLinker simulator with the demo shop:
 *   npx tsx infra/simulators/baselinker/main.ts
 * Env: BL_SIM_PORT (default: a free port), BL_SIM_TOKEN (default: a placeholder), BL_SIM_EMPTY=1 (no demo data).
 */
async function main(): Promise<void> {
  const token = process.env.BL_SIM_TOKEN || DEFAULT_SIM_TOKEN;
  const sim = await startBaseLinkerSimulator({ port: Number(process.env.BL_SIM_PORT ?? 0), tokens: [token] });
  if (process.env.BL_SIM_EMPTY !== '1') seedDemoOrders(sim, seedDemoCatalog(sim));
  process.stdout.write(`BaseLinker simulator listening\n  url:   ${sim.url}\n  token: ${token}\n`);
  const stop = () => {
    void sim.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
