import { DEMO_API_USER, DEMO_GOODS_OWNER, demoSimulatorOptions } from './seed';
import { startOngoingSimulator } from './server';

/**
 * Runs the Ongoing simulator on its own: `npx tsx infra/simulators/ongoing/main.ts`.
 * Env: ONGOING_SIM_PORT (default 0 = any free port), ONGOING_SIM_WAREHOUSE (default demo),
 * ONGOING_SIM_WEBHOOK_URL / _HEADER / _VALUE to have "Send" POST the order webhook somewhere.
 */
async function main(): Promise<void> {
  const webhookUrl = process.env.ONGOING_SIM_WEBHOOK_URL;
  const sim = await startOngoingSimulator(
    demoSimulatorOptions({
      port: Number(process.env.ONGOING_SIM_PORT ?? 0),
      warehouse: process.env.ONGOING_SIM_WAREHOUSE || undefined,
      webhook: webhookUrl
        ? { url: webhookUrl, headerName: process.env.ONGOING_SIM_WEBHOOK_HEADER, headerValue: process.env.ONGOING_SIM_WEBHOOK_VALUE }
        : undefined,
    }),
  );
  process.stdout.write(
    [
      `Ongoing simulator listening`,
      `  base URL:       ${sim.baseUrl}`,
      `  API user:       ${DEMO_API_USER.user}`,
      `  password:       ${DEMO_API_USER.password}   (placeholder, accepted only by this simulator)`,
      `  goods owner id: ${DEMO_GOODS_OWNER.id}`,
      '',
    ].join('\n'),
  );
  const stop = () => {
    void sim.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void main();
