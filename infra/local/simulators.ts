/**
 * `npm run simulators`: the BaseLinker and Ongoing simulators on their own, seeded with the demo shop, for
 * trying `npm run sync -- <flow>` or the CLI by hand. Prints the environment that points the integration at them.
 */
import './local-env';
import { DEFAULT_SIM_TOKEN, seedDemoCatalog, seedDemoOrders, startBaseLinkerSimulator } from '../simulators/baselinker';
import { DEMO_API_USER, DEMO_GOODS_OWNER, demoSimulatorOptions, startOngoingSimulator } from '../simulators/ongoing';

async function main(): Promise<void> {
  const blPort = Number(process.env.BL_SIM_PORT ?? 0);
  const ongoingPort = Number(process.env.ONGOING_SIM_PORT ?? 0);
  const baselinker = await startBaseLinkerSimulator({ port: blPort });
  const ongoing = await startOngoingSimulator(demoSimulatorOptions({ port: ongoingPort }));
  const catalog = seedDemoCatalog(baselinker);
  seedDemoOrders(baselinker, catalog);
  const toFulfil = baselinker.state.statuses[1].id;
  console.log(`BaseLinker simulator: ${baselinker.url}
Ongoing simulator:    ${ongoing.baseUrl}

Point the integration at them (placeholders, not real credentials):
export BASELINKER_URL=${baselinker.url}
export BASELINKER_TOKEN=${DEFAULT_SIM_TOKEN}
export BASELINKER_INVENTORY_ID=${catalog.inventoryId}
export BASELINKER_ORDER_STATUS_IDS=${toFulfil}
export BASELINKER_STOCK_WAREHOUSE=${catalog.warehouseKey}
export ONGOING_URL=${ongoing.baseUrl}
export ONGOING_USER=${DEMO_API_USER.user}
export ONGOING_PASSWORD=${DEMO_API_USER.password}
export ONGOING_GOODS_OWNER_ID=${DEMO_GOODS_OWNER.id}
export BASELINKER_COURIER_CODE=dpd
export WEBHOOK_SECRET=local-webhook-secret-placeholder

Then: npm run sync -- articles, npm run sync -- orders, npm run cli -- status. Ctrl-C stops the simulators.`);
  const stop = () => Promise.all([baselinker.close(), ongoing.close()]).then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
