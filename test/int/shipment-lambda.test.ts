import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiGateway, type LocalApiGateway } from '../../infra/local/api-gateway';
import { demoClientSettings } from '../../infra/simulators/ongoing';
import { OngoingClient } from '../../shared/ongoing/client';
import { startWorld, TEST_WEBHOOK_SECRET, type World } from '../support/world';

// DynamoDB only (the flow suites run on both state adapters: describeOnEachState): the deployed entry point wires
// DynamoDB and S3 from the environment as on AWS.

/**
 * The deployed entry point itself (functions/shipment/handler.ts), configured only through the environment
 * as on AWS: TENANTS_FILE, TABLE_NAME, LABELS_BUCKET, and the SDK's endpoint variables the test setup points
 * at the emulators.
 */

const ENV_KEYS = ['TENANTS_FILE', 'TABLE_NAME', 'LABELS_BUCKET'] as const;

describe('shipment Lambda entry point', () => {
  let world: World;
  let gateway: LocalApiGateway;
  let dir: string;
  const savedEnv: Partial<Record<(typeof ENV_KEYS)[number], string>> = {};

  beforeAll(async () => {
    world = await startWorld({ tenant: { shipment: { courierCode: 'dpd' } } });
    dir = await mkdtemp(join(tmpdir(), 'shipment-lambda-'));
    const tenantsFile = join(dir, 'tenants.json');
    await writeFile(tenantsFile, JSON.stringify([world.tenant]));
    for (const key of ENV_KEYS) savedEnv[key] = process.env[key];
    Object.assign(process.env, { TENANTS_FILE: tenantsFile, TABLE_NAME: world.tableName, LABELS_BUCKET: world.labelsBucket });
    const { handler } = await import('../../functions/shipment/handler');
    gateway = await startApiGateway({ routes: [{ method: 'POST', resource: '/webhook/ongoing', handler, functionName: 'shipment' }] });
  });

  afterAll(async () => {
    for (const key of ENV_KEYS) {
      if (savedEnv[key] === undefined) delete process.env[key];
      else process.env[key] = savedEnv[key];
    }
    await gateway?.close();
    await world?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('ships an order pressed in Ongoing, and refuses a caller without the secret', async () => {
    const ongoing = new OngoingClient(demoClientSettings(world.ongoing.baseUrl));
    await ongoing.putArticle({ articleNumber: 'BOX', weight: 2 });
    const bl = world.bl.addOrder({ delivery_fullname: 'Ewa Zielińska' });
    const { orderId } = await ongoing.putOrder({
      orderNumber: String(bl.order_id),
      goodsOwnerOrderId: String(bl.order_id),
      deliveryDate: '2025-03-04T00:00:00Z',
      consignee: { name: 'Ewa Zielińska', address1: 'ul. Polna 3', postCode: '80-001', city: 'Gdańsk', countryCode: 'PL' },
      orderLines: [{ rowNumber: '1', articleNumber: 'BOX', numberOfItems: 1 }],
    });

    world.ongoing.settings.webhook = { url: `${gateway.url}/webhook/ongoing`, headerName: 'X-Webhook-Secret', headerValue: 'guess' };
    expect(await world.ongoing.pressSend(orderId)).toBe(401);
    expect(world.bl.calls()).toBe(0);

    world.ongoing.settings.webhook = { url: `${gateway.url}/webhook/ongoing`, headerName: 'X-Webhook-Secret', headerValue: TEST_WEBHOOK_SECRET };
    expect(await world.ongoing.pressSend(orderId)).toBe(200);
    expect(world.bl.calls('createPackage')).toBe(1);
    const order = await ongoing.getOrder(orderId);
    expect(order?.orderInfo.wayBill).toBe([...world.bl.state.packages.values()][0]!.package_number);
    expect(world.ongoing.state.files.size).toBe(1);
  });
});
