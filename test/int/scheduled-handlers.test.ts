import type { ScheduledEvent } from 'aws-lambda';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DEFAULT_SIM_TOKEN, seedDemoCatalog, seedDemoOrders } from '../../infra/simulators/baselinker';
import { DEMO_API_USER } from '../../infra/simulators/ongoing';
import { uniqueName } from '../support/emulators';
import { startWorld, TEST_WEBHOOK_SECRET, type World } from '../support/world';

/**
 * The deployed scheduled entry points themselves (functions/<flow>/handler.ts), configured exactly as the
 * CDK stack configures them: TENANTS (settings + secretName), secrets read from Secrets Manager (the fake one
 * the test setup runs), TABLE_NAME and LABELS_BUCKET; invoked with an EventBridge scheduled event.
 */

const event: ScheduledEvent = {
  version: '0',
  id: 'test-event',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '000000000000',
  time: new Date().toISOString(),
  region: 'eu-north-1',
  resources: ['arn:aws:events:eu-north-1:000000000000:rule/test'],
  detail: {},
};
const context = { getRemainingTimeInMillis: () => 120_000 };

let world: World;
const saved = { ...process.env };

beforeAll(async () => {
  world = await startWorld();
  const catalog = seedDemoCatalog(world.bl);
  seedDemoOrders(world.bl, catalog);
  const secretName = uniqueName('tenant-secret');
  const sm = new SecretsManagerClient({});
  await sm.send(
    new CreateSecretCommand({
      Name: secretName,
      SecretString: JSON.stringify({ baselinkerToken: DEFAULT_SIM_TOKEN, ongoingUser: DEMO_API_USER.user, ongoingPassword: DEMO_API_USER.password, webhookSecret: TEST_WEBHOOK_SECRET }),
    }),
  );
  sm.destroy();
  const toFulfil = world.bl.state.statuses[1].id;
  Object.assign(process.env, {
    TENANTS: JSON.stringify([
      {
        id: 'deployed',
        secretName,
        baselinker: { url: world.bl.url, inventoryId: catalog.inventoryId, orderStatusIds: [toFulfil], requestsPerMinute: 100 },
        ongoing: { url: world.ongoing.baseUrl, goodsOwnerId: 42 },
        stock: { enabled: true, warehouseKey: catalog.warehouseKey },
        shipment: { courierCode: 'dpd' },
      },
    ]),
    TABLE_NAME: world.tableName,
    LABELS_BUCKET: world.labelsBucket,
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
});

afterAll(async () => {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  await world.close();
});

it.each([
  ['articles', () => import('../../functions/articles/handler')],
  ['orders', () => import('../../functions/orders/handler')],
  ['stock', () => import('../../functions/stock/handler')],
  ['reconcile', () => import('../../functions/reconcile/handler')],
  ['tracking', () => import('../../functions/tracking/handler')],
] as const)('the %s Lambda runs its flow for the configured tenant from a scheduled event', async (flow, load) => {
  const { handler } = await load();
  const reports = await handler(event, context);
  expect(reports).toHaveLength(1);
  expect(reports[0]).toMatchObject({ flow, tenant: 'deployed', outcome: 'ok' });
  if (flow === 'articles') expect(world.ongoing.state.articles.size).toBe(8);
  if (flow === 'orders') expect(world.ongoing.state.orders.size).toBeGreaterThanOrEqual(2);
  if (flow === 'stock') expect(reports[0].baselinkerRequests).toBeGreaterThan(0);
});

it('skips a tenant whose own interval has not passed since its last run (one rule serves every tenant)', async () => {
  const { handler } = await import('../../functions/orders/handler');
  const [report] = await handler(event, context);
  expect(report).toMatchObject({ outcome: 'skipped', error: expect.stringContaining('runs orders every 15 min'), baselinkerRequests: 0 });
});

it('fails the invocation when a tenant run fails, so the function error alarm and failure destination see it', async () => {
  const { handler } = await import('../../functions/orders/handler');
  // The last orders run was long ago: this tick is due.
  await world.store.putRunSummary('deployed', 'orders', { startedAt: new Date(Date.now() - 3_600_000).toISOString(), outcome: 'ok' });
  world.bl.injectFault({ method: 'getOrders', kind: 'http500', times: 20 });
  await expect(handler(event, context)).rejects.toThrow(/deployed: .*getOrders/);
  world.bl.clearFaults();
});
