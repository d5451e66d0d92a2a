import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main as syncMain } from '../../infra/local/sync';
import { loadServedTenants } from '../../infra/local/tenants';
import { DEFAULT_SIM_TOKEN } from '../../infra/simulators/baselinker';
import { DEMO_API_USER, DEMO_GOODS_OWNER } from '../../infra/simulators/ongoing';
import { articlesFlow } from '../../shared/flows/articles';
import { CATALOGUE } from '../../shared/flows/catalogue';
import { NO_ORDER_STATUSES, ordersFlow } from '../../shared/flows/orders';
import { reconcileFlow } from '../../shared/flows/reconcile';
import { stockFlow } from '../../shared/flows/stock';
import { DynamoTenantRegistry, LocalSecretsStore, putTenants } from '../../shared/tenants';
import { closeTestClients, freshTable, testDocumentClient } from '../support/emulators';
import { startWorld, type World } from '../support/world';

// DynamoDB only (the flow suites run on both state adapters: describeOnEachState): `npm run sync` and the entry
// points read the settings and wire their own state (embedded DynamoDB, the table).

/**
 * Issue 15: a flow that does not need a setting does not ask for it. An articles- or stock-only tenant gives no
 * order statuses; the orders and reconcile flows then have nothing to do and say so, and only a run of one of
 * them asks for the statuses, naming the variable.
 */

let world: World;
let dataDir: string;

beforeAll(async () => {
  world = await startWorld({ tenant: { baselinker: { orderStatusIds: [] } } });
  dataDir = mkdtempSync(join(tmpdir(), 'flow-settings-'));
});
afterAll(async () => {
  await world.close();
  rmSync(dataDir, { recursive: true, force: true });
  closeTestClients();
});

it('the orders and reconcile flows of a tenant without order statuses call neither system and say why; the dispatcher leaves it out', async () => {
  world.bl.addOrder({ order_status_id: world.bl.state.statuses[1].id });
  for (const [name, flow] of [
    ['orders', ordersFlow],
    ['reconcile', reconcileFlow],
  ] as const) {
    const report = await world.run(name, flow as never);
    expect(report).toMatchObject({ outcome: 'ok', baselinkerRequests: 0, ongoingRequests: 0, result: { seen: 0, written: 0, message: NO_ORDER_STATUSES } });
  }
  expect(world.ongoing.calls()).toBe(0);
  expect(CATALOGUE.orders.takesPart(world.tenant)).toBe(false);
  expect(CATALOGUE.reconcile.takesPart(world.tenant)).toBe(false);
  expect(CATALOGUE.articles.takesPart(world.tenant)).toBe(true);
  expect(CATALOGUE.orders.takesPart(world.tenantWith({ baselinker: { orderStatusIds: [5] } }))).toBe(true);
});

it('the articles and stock flows of a tenant without an inventory (orders only) call neither system and say why', async () => {
  const ordersOnly = { ...world.tenant, baselinker: { ...world.tenant.baselinker, inventoryId: undefined, orderStatusIds: [5] }, stock: { ...world.tenant.stock, enabled: true, warehouseKey: 'bl_1' } };
  for (const [name, flow] of [
    ['articles', articlesFlow],
    ['stock', stockFlow],
  ] as const) {
    const report = await world.run(name, flow as never, { tenant: ordersOnly });
    expect(report).toMatchObject({ outcome: 'ok', baselinkerRequests: 0, ongoingRequests: 0, result: { seen: 0, message: expect.stringMatching(/^no BaseLinker inventory chosen \(baselinker\.inventoryId\)/) } });
  }
  expect(CATALOGUE.articles.takesPart(ordersOnly)).toBe(false);
  expect(CATALOGUE.stock.takesPart(ordersOnly)).toBe(false);
  expect(CATALOGUE.orders.takesPart(ordersOnly)).toBe(true);
});

describe('npm run sync -- <flow> from the single-tenant variables of an articles-only or orders-only setup', () => {
  const saved = { ...process.env };
  const lines: string[] = [];
  beforeEach(() => {
    lines.length = 0;
    jest.spyOn(console, 'log').mockImplementation((m) => void lines.push(String(m)));
    jest.spyOn(console, 'error').mockImplementation((m) => void lines.push(String(m)));
    process.env = {
      PATH: saved.PATH,
      HOME: saved.HOME,
      DATA_DIR: join(dataDir, 'sync'),
      BASELINKER_URL: world.bl.url,
      BASELINKER_TOKEN: DEFAULT_SIM_TOKEN,
      BASELINKER_INVENTORY_ID: '1',
      ONGOING_URL: world.ongoing.baseUrl,
      ONGOING_USER: DEMO_API_USER.user,
      ONGOING_PASSWORD: DEMO_API_USER.password,
      ONGOING_GOODS_OWNER_ID: String(DEMO_GOODS_OWNER.id),
    };
  });
  afterEach(() => {
    process.env = saved;
    jest.restoreAllMocks();
  });

  it('runs the articles flow without BASELINKER_ORDER_STATUS_IDS', async () => {
    world.bl.addInventory({ inventory_id: 1 });
    world.bl.addProduct(1, { name: 'Mug', sku: 'MUG-1' });
    expect(await syncMain(['articles'])).toBe(0);
    expect(lines.join('\n')).toMatch(/^articles: 1 tenant\(s\) from the configuration/m);
    expect([...world.ongoing.state.articles.values()].map((a) => a.articleNumber)).toContain('MUG-1');
    expect(lines.join('\n')).not.toContain('BASELINKER_ORDER_STATUS_IDS');
  });

  it('an orders-only setup runs the orders flow without BASELINKER_INVENTORY_ID; the articles flow asks for it', async () => {
    delete process.env.BASELINKER_INVENTORY_ID;
    process.env.BASELINKER_ORDER_STATUS_IDS = String(world.bl.state.statuses[1].id);
    expect(await syncMain(['orders'])).toBe(0);
    expect(lines.join('\n')).toMatch(/^orders \[default\]: ok/m);
    lines.length = 0;
    expect(await syncMain(['articles'])).toBe(2);
    expect(lines.join('\n')).toContain('BASELINKER_INVENTORY_ID: required for the articles flow');
  });

  it('a run of the orders flow asks for it, with every other missing variable, and exits 2', async () => {
    delete process.env.ONGOING_GOODS_OWNER_ID;
    expect(await syncMain(['orders'])).toBe(2);
    const text = lines.join('\n');
    expect(text).toContain('BASELINKER_ORDER_STATUS_IDS: required for the orders flow');
    expect(text).toContain('ONGOING_GOODS_OWNER_ID: required');
    expect(text).not.toContain(DEMO_API_USER.password);
  });
});

it('a registry tenant without order statuses is served to the articles flow and left out of the orders flow, named', async () => {
  const tableName = await freshTable('flow-settings');
  const dynamo = testDocumentClient();
  const entry = (id: string, owner: number, statuses?: number[]) => ({
    id,
    baselinker: { url: world.bl.url, inventoryId: 1, ...(statuses && { orderStatusIds: statuses }) },
    ongoing: { url: world.ongoing.baseUrl, goodsOwnerId: owner },
    secrets: { baselinkerToken: DEFAULT_SIM_TOKEN, ongoingUser: 'u', ongoingPassword: 'p', webhookSecret: 'w'.repeat(32) },
  });
  const registryDir = join(dataDir, 'registry');
  await putTenants([entry('articles-only', 201), entry('full', 202, [5])], new DynamoTenantRegistry(dynamo, tableName), new LocalSecretsStore(registryDir), {
    source: 'test',
  });
  const access = { dynamo, tableName, mode: 'local' as const };

  const forArticles = await loadServedTenants({}, registryDir, access, ['articles']);
  expect(forArticles.tenants.map((t) => t.id).sort()).toEqual(['articles-only', 'full']);
  expect(forArticles.failures).toEqual([]);

  const forOrders = await loadServedTenants({}, registryDir, access, ['orders']);
  expect(forOrders.tenants.map((t) => t.id)).toEqual(['full']);
  expect(forOrders.failures).toEqual([{ id: 'articles-only', problem: 'baselinker.orderStatusIds: required for the orders flow' }]);
});
