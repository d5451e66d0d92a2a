import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { InMemoryBudget } from '../../shared/baselinker/budget';
import { BaseLinkerClient, BaseLinkerClientOptions } from '../../shared/baselinker/client';
import {
  AccountBlockedError,
  BadTokenError,
  BaseLinkerApiError,
  BaseLinkerResponseError,
  BaseLinkerTransportError,
} from '../../shared/baselinker/errors';
import {
  BaseLinkerSimulator,
  DemoCatalog,
  seedDemoCatalog,
  seedDemoOrders,
  startBaseLinkerSimulator,
} from '../../infra/simulators/baselinker';

const TOKEN = 'client-test-token-7f3a9c';
const fastRetry = { attempts: 4, baseDelayMs: 5, maxDelayMs: 20 };

let sim: BaseLinkerSimulator;
let catalog: DemoCatalog;
let orderIds: number[];

function client(over: Partial<BaseLinkerClientOptions> = {}): BaseLinkerClient {
  return new BaseLinkerClient({
    url: sim.url,
    token: TOKEN,
    budget: new InMemoryBudget({ requestsPerMinute: 100_000, burst: 1_000 }),
    retry: fastRetry,
    timeoutMs: 2_000,
    ...over,
  });
}

beforeEach(async () => {
  sim = await startBaseLinkerSimulator({ tokens: [TOKEN], rateLimit: { requestsPerWindow: 10_000 } });
  catalog = seedDemoCatalog(sim);
  orderIds = seedDemoOrders(sim, catalog);
});

afterEach(async () => {
  await sim.close();
});

describe('BaseLinkerClient against the simulator: catalog', () => {
  it('lists inventories and warehouses with their keys', async () => {
    const bl = client();
    const inventories = await bl.getInventories();
    expect(inventories).toEqual([expect.objectContaining({ inventory_id: catalog.inventoryId, warehouses: [catalog.warehouseKey, catalog.shopWarehouseKey] })]);
    const warehouses = await bl.getInventoryWarehouses();
    expect(warehouses.map((w) => w.key)).toEqual([catalog.warehouseKey, catalog.shopWarehouseKey]);
    expect(warehouses[1]).toMatchObject({ warehouse_type: 'shop', stock_edition: false });
  });

  it('reads a product list page with main products only, ids and [] stock maps parsed', async () => {
    const page = await client().getInventoryProductsList({ inventory_id: catalog.inventoryId, page: 1 });
    expect(page.map((p) => p.sku)).toEqual(['KOSZ-ZUBR', 'KUB-GES', 'SWI-LAS', 'ZESZ-A5', 'TORBA-LEN']);
    const tee = page.find((p) => p.sku === 'KOSZ-ZUBR');
    expect(tee).toMatchObject({ id: catalog.ids['KOSZ-ZUBR'], parent_id: 0, stock: {}, prices: { '7': 79.99 } });
  });

  it('passes list filters through', async () => {
    const bl = client();
    expect((await bl.getInventoryProductsList({ inventory_id: catalog.inventoryId, filter_sku: 'KUB-GES' })).map((p) => p.sku)).toEqual(['KUB-GES']);
    const withVariants = await bl.getInventoryProductsList({ inventory_id: catalog.inventoryId, include_variants: true });
    expect(withVariants.filter((p) => p.parent_id !== 0)).toHaveLength(5);
  });

  it('reads product data with variants nested, text fields and string category ids', async () => {
    const [tee] = await client().getInventoryProductsData({ inventory_id: catalog.inventoryId, products: [catalog.ids['KOSZ-ZUBR']!] });
    expect(tee).toMatchObject({ id: catalog.ids['KOSZ-ZUBR'], sku: 'KOSZ-ZUBR', weight: 0.2, length: 30, category_id: 3 });
    expect(tee?.text_fields.name).toBe('Koszulka bawełniana „Żubr”');
    expect(tee?.text_fields.description).toContain('bawełny');
    // The demo seeds 20 of M; its confirmed order for 2 took them off, as BaseLinker does.
    expect(tee?.variants.map((v) => [v.id, v.sku, v.stock[catalog.warehouseKey]])).toEqual([
      [catalog.ids['KOSZ-ZUBR-S'], 'KOSZ-ZUBR-S', 12],
      [catalog.ids['KOSZ-ZUBR-M'], 'KOSZ-ZUBR-M', 18],
      [catalog.ids['KOSZ-ZUBR-L'], 'KOSZ-ZUBR-L', 7],
    ]);
    const [mug] = await client().getInventoryProductsData({ inventory_id: catalog.inventoryId, products: [catalog.ids['KUB-GES']!] });
    expect(mug?.variants).toEqual([]);
    expect(mug?.locations).toEqual({});
  });

  it('reads stock pages with variant stock nested under the parent', async () => {
    const page = await client().getInventoryProductsStock({ inventory_id: catalog.inventoryId, page: 1 });
    const bag = page.find((p) => p.id === catalog.ids['TORBA-LEN']);
    expect(bag?.stock).toEqual({});
    // 25 seeded, one on a confirmed demo order.
    expect(bag?.variants).toEqual({
      [String(catalog.ids['TORBA-LEN-NAT'])]: { [catalog.warehouseKey]: 24 },
      [String(catalog.ids['TORBA-LEN-CZA'])]: { [catalog.warehouseKey]: 3 },
    });
    expect(page.find((p) => p.id === catalog.ids['KUB-GES'])?.variants).toEqual({});
  });

  it('writes stock to bl_ warehouses and reports refused products as warnings', async () => {
    const bl = client();
    const result = await bl.updateInventoryProductsStock(catalog.inventoryId, {
      [catalog.ids['KUB-GES']!]: { [catalog.warehouseKey]: 5 },
      [catalog.ids['TORBA-LEN-CZA']!]: { [catalog.warehouseKey]: 9 },
      [catalog.ids['ZESZ-A5']!]: { [catalog.shopWarehouseKey]: 1 },
      '999999': { [catalog.warehouseKey]: 1 },
    });
    expect(result.counter).toBe(2);
    expect(Object.keys(result.warnings).sort()).toEqual([String(catalog.ids['ZESZ-A5']), '999999'].sort());
    expect(sim.state.products.get(catalog.ids['KUB-GES']!)?.stock[catalog.warehouseKey]).toBe(5);
    expect(sim.state.products.get(catalog.ids['TORBA-LEN-CZA']!)?.stock[catalog.warehouseKey]).toBe(9);
    expect(sim.state.products.get(catalog.ids['ZESZ-A5']!)?.stock[catalog.shopWarehouseKey]).toBe(150);
  });

  it('answers "warnings": "" as no warnings', async () => {
    const result = await client().updateInventoryProductsStock(catalog.inventoryId, { [catalog.ids['KUB-GES']!]: { [catalog.warehouseKey]: 1 } });
    expect(result).toEqual({ counter: 1, warnings: {} });
  });
});

describe('BaseLinkerClient against the simulator: orders', () => {
  it('reads confirmed orders with PHP-style flags and ids normalised', async () => {
    const { orders, rejected, received } = await client().getOrders({ date_confirmed_from: 0 });
    expect(rejected).toEqual([]);
    expect(received).toBe(4);
    expect(orders.map((o) => o.order_id)).not.toContain(orderIds[3]);
    const first = orders.find((o) => o.order_id === orderIds[0])!;
    expect(first).toMatchObject({ payment_method_cod: false, want_invoice: false, payment_done: 199.87, delivery_city: 'Kraków', confirmed: true });
    expect(first.products[0]).toMatchObject({ sku: 'KOSZ-ZUBR-M', variant_id: String(catalog.ids['KOSZ-ZUBR-M']), product_id: String(catalog.ids['KOSZ-ZUBR']), quantity: 2 });
    expect(first.products[1]).toMatchObject({ sku: 'KUB-GES', variant_id: '' });
    const invoiced = orders.find((o) => o.order_id === orderIds[2])!;
    expect(invoiced).toMatchObject({ want_invoice: true, invoice_nip: '5842751234', delivery_company: 'Pracownia Ćma Sp. z o.o.' });
  });

  it('sets a malformed order aside and still returns the rest of the page', async () => {
    (sim.state.orders.get(orderIds[1]!) as unknown as Record<string, unknown>).order_status_id = 'W realizacji';
    const { orders, rejected, received } = await client().getOrders({ date_confirmed_from: 0 });
    expect(received).toBe(4);
    expect(orders).toHaveLength(3);
    expect(rejected).toEqual([expect.objectContaining({ orderId: orderIds[1], fieldPath: expect.stringMatching(/^orders\.\d+\.order_status_id$/) })]);
  });

  it('passes the unconfirmed and status filters through', async () => {
    const bl = client();
    const all = await bl.getOrders({ get_unconfirmed_orders: true });
    expect(all.orders.map((o) => o.order_id)).toContain(orderIds[3]);
    const toFulfil = await bl.getOrders({ status_id: 5502 });
    expect(toFulfil.orders.map((o) => o.order_id).sort()).toEqual([orderIds[0], orderIds[1]].sort());
  });

  it('lists statuses, changes status and fields, and reads the journal', async () => {
    const bl = client();
    expect((await bl.getOrderStatusList()).map((s) => s.name)).toContain('Do realizacji');
    const before = (await bl.getJournalList({ last_log_id: 0, logs_types: [18] })).length;
    await bl.setOrderStatus(orderIds[0]!, 5503);
    await bl.setOrderFields(orderIds[0]!, { admin_comments: 'Przekazano do Ongoing', extra_field_1: 'ONG-1' });
    const order = sim.state.orders.get(orderIds[0]!)!;
    expect(order).toMatchObject({ order_status_id: 5503, admin_comments: 'Przekazano do Ongoing', extra_field_1: 'ONG-1', delivery_city: 'Kraków' });
    const events = await bl.getJournalList({ last_log_id: 0, logs_types: [18] });
    expect(events).toHaveLength(before + 1);
    expect(events.at(-1)).toMatchObject({ order_id: orderIds[0], log_type: 18, object_id: 5503 });
  });
});

describe('BaseLinkerClient against the simulator: shipping', () => {
  it('creates a package, downloads a PDF label, tracks and deletes it', async () => {
    const bl = client();
    expect((await bl.getCouriersList()).map((c) => c.code)).toContain('dpd');
    const accounts = await bl.getCourierAccounts('dpd');
    expect(accounts[0]).toMatchObject({ id: 61 });
    const fields = await bl.getCourierFields('dpd');
    expect(fields.multi_packages).toBe(true);
    expect(fields.package_fields.map((f) => f.id)).toContain('size_length');

    const created = await bl.createPackage({
      order_id: orderIds[0]!,
      courier_code: 'dpd',
      account_id: 61,
      fields: [{ id: 'package_description', value: 'Odzież' }],
      packages: [{ weight: 0.6, size_length: 30, size_width: 25, size_height: 5 }],
    });
    expect(created.package_id).toBeGreaterThan(0);
    expect(created.package_number).toMatch(/^\d{14}$/);

    const label = await bl.getLabel({ courier_code: 'dpd', package_id: created.package_id });
    expect(label.extension).toBe('pdf');
    expect(label.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(label.bytes.toString('latin1').trimEnd().endsWith('%%EOF')).toBe(true);

    const packages = await bl.getOrderPackages(orderIds[0]!);
    expect(packages).toEqual([
      expect.objectContaining({ package_id: created.package_id, courier_package_nr: created.package_number, account_id: 61, tracking_status: 1, courier_code: 'dpd' }),
    ]);
    expect(packages[0]?.tracking_url).toContain(created.package_number);

    await bl.deleteCourierPackage({ courier_code: 'dpd', package_id: created.package_id });
    expect(await bl.getOrderPackages(orderIds[0]!)).toEqual([]);
  });

  it('surfaces a courier refusal verbatim as an API error', async () => {
    sim.refusePackages('Nieprawidłowy kod pocztowy odbiorcy: 31-14', orderIds[0]!);
    const error = await client()
      .createPackage({ order_id: orderIds[0]!, courier_code: 'dpd', packages: [{ weight: 1 }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BaseLinkerApiError);
    expect((error as BaseLinkerApiError).blMessage).toBe('Nieprawidłowy kod pocztowy odbiorcy: 31-14');
  });

  it('reads a getLabel answer by package number', async () => {
    const created = await client().createPackage({ order_id: orderIds[1]!, courier_code: 'paczkomaty', packages: [{ weight: 1 }] });
    const label = await client().getLabel({ courier_code: 'paczkomaty', package_number: created.package_number });
    expect(label.bytes.length).toBeGreaterThan(200);
  });

  it('offers other methods through callRaw', async () => {
    const raw = await client().callRaw('getOrderStatusList', {}, { idempotent: true });
    expect(raw.status).toBe('SUCCESS');
    expect(Array.isArray(raw.statuses)).toBe(true);
  });
});

describe('BaseLinkerClient failures', () => {
  it('retries an HTTP 500 and then succeeds', async () => {
    sim.injectFault({ method: 'getOrderStatusList', kind: 'http500', times: 2 });
    const bl = client();
    await expect(bl.getOrderStatusList()).resolves.toHaveLength(5);
    expect(sim.calls('getOrderStatusList')).toBe(3);
    expect(bl.requestCount).toBe(3);
    expect(bl.requestsByMethod.getOrderStatusList).toBe(3);
  });

  it('retries a timeout and then succeeds', async () => {
    sim.injectFault({ method: 'getInventories', kind: 'timeout' });
    const bl = client({ timeoutMs: 300 });
    await expect(bl.getInventories()).resolves.toHaveLength(1);
    expect(sim.calls('getInventories')).toBe(2);
  });

  it('retries a body that is not JSON and then succeeds', async () => {
    sim.injectFault({ method: 'getOrders', kind: 'malformed-json' });
    const result = await client().getOrders({ date_confirmed_from: 0 });
    expect(result.orders).toHaveLength(4);
    expect(sim.calls('getOrders')).toBe(2);
  });

  it('gives up with a transport error once the attempts are spent', async () => {
    sim.injectFault({ kind: 'http500', times: 10 });
    const error = await client().getInventories().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BaseLinkerTransportError);
    expect((error as BaseLinkerTransportError).httpStatus).toBe(500);
    expect(sim.calls('getInventories')).toBe(fastRetry.attempts);
  });

  it('never retries an ERROR envelope', async () => {
    const bl = client();
    const error = await bl.setOrderStatus(123, 5502).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BaseLinkerApiError);
    expect((error as BaseLinkerApiError).code).toBe('ERROR_ORDER_NOT_FOUND');
    expect((error as BaseLinkerApiError).method).toBe('setOrderStatus');
    expect(sim.calls('setOrderStatus')).toBe(1);
    expect(bl.requestCount).toBe(1);
  });

  it('does not repeat createPackage after a timeout, which may have booked a shipment', async () => {
    sim.injectFault({ method: 'createPackage', kind: 'timeout' });
    const error = await client({ timeoutMs: 300 })
      .createPackage({ order_id: orderIds[0]!, courier_code: 'dpd', packages: [{ weight: 1 }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BaseLinkerTransportError);
    expect((error as BaseLinkerTransportError).failure).toBe('timeout');
    expect(sim.calls('createPackage')).toBe(1);
  });

  it('repeats even createPackage when the connection was refused, as nothing was sent', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const sent: string[] = [];
    const error = await client({ url: `http://127.0.0.1:${port}/connector.php`, onRequest: (m) => sent.push(m) })
      .createPackage({ order_id: 1, courier_code: 'dpd', packages: [{ weight: 1 }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BaseLinkerTransportError);
    expect((error as BaseLinkerTransportError).notSent).toBe(true);
    expect(sent).toEqual(Array(fastRetry.attempts).fill('createPackage'));
  });

  it('reports a bad token without the token in the message', async () => {
    const secret = 'wrong-token-5b1e2d9f';
    const error = await client({ token: secret }).getInventories().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadTokenError);
    expect(String((error as Error).message)).not.toContain(secret);
    expect(JSON.stringify(error)).not.toContain(secret);
    expect(sim.calls('getInventories')).toBe(1);
  });

  it('keeps the token out of transport error messages too', async () => {
    sim.injectFault({ kind: 'http500', times: 10 });
    const error = await client().getInventories().catch((e: unknown) => e);
    expect(`${(error as Error).message} ${(error as Error).stack} ${JSON.stringify(error)}`).not.toContain(TOKEN);
  });

  it('blocks the budget on ERROR_USER_ACCOUNT_BLOCKED and stops', async () => {
    const server = http.createServer((_req, res) =>
      res.end(JSON.stringify({ status: 'ERROR', error_code: 'ERROR_USER_ACCOUNT_BLOCKED', error_message: 'Account blocked' })),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const budget = new InMemoryBudget({ requestsPerMinute: 1000 });
      const bl = client({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/connector.php`, budget });
      await expect(bl.getInventories()).rejects.toBeInstanceOf(AccountBlockedError);
      expect((await budget.inspect(bl.budgetKey)).blockedUntil).toBeInstanceOf(Date);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('names the method and field when a SUCCESS answer lacks a field the logic needs', async () => {
    sim.state.couriers[0]!.accounts[0] = { id: 'konto' as unknown as number, name: 'x' };
    const error = await client().getCourierAccounts('dpd').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BaseLinkerResponseError);
    expect((error as BaseLinkerResponseError).fieldPath).toBe('accounts.0.id');
    expect((error as Error).message).toContain('getCourierAccounts');
  });
});
