import { main, type CliIo } from '../../infra/cli/main';
import { seedDemoCatalog, DEFAULT_SIM_TOKEN, type DemoCatalog } from '../../infra/simulators/baselinker';
import { DEMO_API_USER, DEMO_GOODS_OWNER } from '../../infra/simulators/ongoing';
import type { TenantConfig } from '../../shared/config';
import { freshTable, testDocumentClient } from '../support/emulators';
import { startWorld, type World } from '../support/world';
import type { DiscoveryReport } from '../../infra/cli/discover';

// DynamoDB only (the flow suites run on both state adapters: describeOnEachState): the operator CLI works on a
// DynamoDB table (the embedded one of `npm start` or a deployed stack's).

/** `npm run cli -- discover`: what the settings need, read from both accounts, and a check of the configured values. */

let world: World;
let catalog: DemoCatalog;

beforeAll(async () => {
  world = await startWorld();
  catalog = seedDemoCatalog(world.bl);
});
afterAll(() => world.close());

// Each test its own table: the BaseLinker budget of the token lives there, and the tests must not share it.
let tableName: string;
beforeEach(async () => {
  tableName = await freshTable();
});

function io(options: { tenants?: TenantConfig[]; env?: Record<string, string> } = {}): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    out: (t) => stdout.push(t),
    err: (t) => stderr.push(t),
    stdout,
    stderr,
    ...(options.tenants ? { tenants: options.tenants } : {}),
    env: options.env ?? {},
    state: { tableName, dynamo: testDocumentClient() },
  };
}

const tenant = (overrides: Parameters<World['tenantWith']>[0]) =>
  world.tenantWith({ baselinker: { requestsPerMinute: 100, burst: 100 }, ...overrides } as Parameters<World['tenantWith']>[0]);

it('lists inventories, statuses, writable warehouses, couriers and the Ongoing side, each with its setting, and checks the configured values', async () => {
  const good = tenant({
    baselinker: { inventoryId: catalog.inventoryId, orderStatusIds: [5502], cancelledStatusIds: [5505], statusAfterShipment: 5504 },
    stock: { enabled: true, warehouseKey: catalog.warehouseKey },
    shipment: { courierCode: 'dpd', courierAccountId: 61, courierFields: [{ id: 'package_description', value: 'x' }] },
  });
  const out = io({ tenants: [good] });
  expect(await main(['discover', '--json'], out)).toBe(0);
  expect(out.stdout).toHaveLength(1);
  const report = JSON.parse(out.stdout[0]) as DiscoveryReport;

  expect(report.baselinker.inventories).toContainEqual({ id: catalog.inventoryId, name: expect.any(String), usedBy: ['baselinker.inventoryId'] });
  expect(report.baselinker.orderStatuses.find((s) => s.id === 5502)?.usedBy).toEqual(['baselinker.orderStatusIds']);
  expect(report.baselinker.orderStatuses.find((s) => s.id === 5505)?.usedBy).toEqual(['baselinker.cancelledStatusIds']);
  // Only bl_ warehouses of the inventory: the shop_ mirror is read-only and is not offered.
  expect(report.baselinker.writableWarehouses.map((w) => w.key)).toEqual([catalog.warehouseKey]);
  const dpd = report.baselinker.couriers.find((c) => c.code === 'dpd')!;
  expect(dpd.accounts.map((a) => a.id)).toContain(61);
  expect(dpd.fields?.map((f) => f.id)).toEqual(expect.arrayContaining(['package_description', 'cod']));
  expect(dpd.packageFields).toContain('weight');

  expect(report.ongoing.goodsOwner).toMatchObject({ id: DEMO_GOODS_OWNER.id, reachable: true });
  expect(report.ongoing.orderStatuses.find((s) => s.number === 450)?.usedBy).toEqual(['shipment.shipStatusFrom']);
  expect(report.checks.length).toBeGreaterThan(5);
  expect(report.checks.filter((c) => !c.ok)).toEqual([]);
});

it('names each configured value that does not exist or does not fit, and exits 1', async () => {
  const bad = tenant({
    baselinker: { inventoryId: catalog.inventoryId, orderStatusIds: [9999], statusAfterImport: 8888 },
    stock: { enabled: true, warehouseKey: 'bl_999' },
    shipment: { courierCode: 'ups', byWayOfDelivery: { PLAB: { courierCode: 'dpd', accountId: 7 } } },
  });
  const out = io({ tenants: [bad] });
  expect(await main(['discover'], out)).toBe(1);
  const text = out.stdout.join('\n');
  expect(text).toMatch(/FAIL\s+baselinker\.orderStatusIds: status 9999 does not exist in BaseLinker/);
  expect(text).toMatch(/FAIL\s+baselinker\.statusAfterImport: status 8888 does not exist/);
  expect(text).toMatch(new RegExp(`FAIL\\s+stock\\.warehouseKey: bl_999 does not exist; writable: ${catalog.warehouseKey}`));
  expect(text).toMatch(/FAIL\s+shipment\.courierCode: courier "ups" is not connected in BaseLinker/);
  expect(text).toMatch(/FAIL\s+shipment\.byWayOfDelivery: "dpd" has no account 7; its accounts: 61/);
  expect(text).toMatch(/ok\s+baselinker\.inventoryId/);
});

it('says when the API user cannot reach the goods owner', async () => {
  const other = tenant({ baselinker: { inventoryId: catalog.inventoryId }, ongoing: { goodsOwnerId: 4242 } });
  const out = io({ tenants: [other] });
  expect(await main(['discover', '--json'], out)).toBe(1);
  const report = JSON.parse(out.stdout[0]) as DiscoveryReport;
  expect(report.ongoing.goodsOwner).toMatchObject({ id: 4242, reachable: false });
  expect(report.checks.find((c) => c.setting === 'ongoing.goodsOwnerId')).toMatchObject({ ok: false, message: expect.stringMatching(/cannot be reached: .*403/) });
});

it('works before the configuration is complete: the credentials alone list the values, named by env var, with what is still to set', async () => {
  const env = {
    BASELINKER_URL: world.bl.url,
    BASELINKER_TOKEN: DEFAULT_SIM_TOKEN,
    ONGOING_URL: world.ongoing.baseUrl,
    ONGOING_USER: DEMO_API_USER.user,
    ONGOING_PASSWORD: DEMO_API_USER.password,
    ONGOING_GOODS_OWNER_ID: String(DEMO_GOODS_OWNER.id),
  };
  const out = io({ env });
  expect(await main(['discover'], out)).toBe(0);
  const text = out.stdout.join('\n');
  expect(text).toContain(`Inventories, for BASELINKER_INVENTORY_ID:`);
  expect(text).toMatch(new RegExp(`${catalog.inventoryId}\\s+${world.bl.state.inventories[0].name}`));
  expect(text).toContain('Order statuses, for BASELINKER_ORDER_STATUS_IDS (sent to Ongoing)');
  expect(text).toMatch(/Goods owner 42 \(ONGOING_GOODS_OWNER_ID\): reachable/);
  expect(text).toContain('Still to set (the configuration says):');
  expect(text).toContain('BASELINKER_INVENTORY_ID: required');
  expect(text).toContain('BASELINKER_ORDER_STATUS_IDS: required');
  expect(text).not.toContain(DEFAULT_SIM_TOKEN);
});

it('needs at least the BaseLinker token, and says so (exit 2)', async () => {
  const out = io({ env: { ONGOING_URL: world.ongoing.baseUrl } });
  expect(await main(['discover'], out)).toBe(2);
  expect(out.stderr.join('\n')).toMatch(/discover needs at least BASELINKER_TOKEN/);
  expect(out.stdout).toEqual([]);
});
