import { InMemoryBudget } from '../../shared/baselinker/budget';
import { BaseLinkerClient } from '../../shared/baselinker/client';
import { BaseLinkerApiError, BaseLinkerTransportError } from '../../shared/baselinker/errors';
import { BaseLinkerSimulator, BaseLinkerSimulatorOptions, startBaseLinkerSimulator } from '../../infra/simulators/baselinker';

const TOKEN = 'simulator-test-token-e6a0';
const T0 = 1_767_250_000;

let sim: BaseLinkerSimulator;
let clock: number;

async function start(options: BaseLinkerSimulatorOptions = {}): Promise<void> {
  sim = await startBaseLinkerSimulator({ tokens: [TOKEN], rateLimit: { requestsPerWindow: 10_000 }, now: () => clock, ...options });
}

function client(): BaseLinkerClient {
  return new BaseLinkerClient({
    url: sim.url,
    token: TOKEN,
    budget: new InMemoryBudget({ requestsPerMinute: 100_000, burst: 1_000 }),
    retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
  });
}

/** A raw form POST, as any BaseLinker client would send it. */
async function post(form: Record<string, string>, headers: Record<string, string> = { 'X-BLToken': TOKEN }) {
  const response = await fetch(sim.url, { method: 'POST', headers, body: new URLSearchParams(form) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

beforeEach(async () => {
  clock = (T0 + 10 * 86_400) * 1000;
  await start();
});

afterEach(async () => {
  await sim.close();
});

describe('BaseLinker simulator: wire format', () => {
  it('accepts the legacy token form field', async () => {
    const { status, body } = await post({ token: TOKEN, method: 'getOrderStatusList', parameters: '[]' }, {});
    expect(status).toBe(200);
    expect(body.status).toBe('SUCCESS');
  });

  it('answers a bad token, an unknown method and malformed parameters with HTTP 200 and ERROR', async () => {
    const badToken = await post({ method: 'getOrders', parameters: '{}' }, { 'X-BLToken': 'nope' });
    expect(badToken).toEqual({ status: 200, body: expect.objectContaining({ status: 'ERROR', error_code: 'ERROR_BAD_TOKEN' }) });
    const unknown = await post({ method: 'getEverything', parameters: '{}' });
    expect(unknown).toEqual({ status: 200, body: expect.objectContaining({ status: 'ERROR', error_code: 'ERROR_UNKNOWN_METHOD' }) });
    const malformed = await post({ method: 'getOrders', parameters: '{"date_from":' });
    expect(malformed.status).toBe(200);
    expect(malformed.body.status).toBe('ERROR');
  });

  it('takes numeric strings in parameters, as the real API does', async () => {
    const inv = sim.addInventory();
    const { body } = await post({ method: 'getInventoryProductsList', parameters: JSON.stringify({ inventory_id: String(inv.inventory_id) }) });
    expect(body).toEqual({ status: 'SUCCESS', products: [] });
  });

  it('delays answers by the configured latency, so a client with a shorter timeout gives up', async () => {
    sim.config.latencyMs = 400;
    const impatient = new BaseLinkerClient({
      url: sim.url,
      token: TOKEN,
      budget: new InMemoryBudget({ requestsPerMinute: 100_000, burst: 1_000 }),
      retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
      timeoutMs: 100,
    });
    const error = await impatient.getOrderStatusList().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BaseLinkerTransportError);
    expect((error as BaseLinkerTransportError).failure).toBe('timeout');
    await expect(client().getOrderStatusList()).resolves.toHaveLength(5);
  });

  it('counts calls per method, faulted ones included', async () => {
    sim.injectFault({ method: 'getOrders', kind: 'http500' });
    await post({ method: 'getOrders', parameters: '{}' }).catch(() => undefined);
    await post({ method: 'getOrders', parameters: '{}' });
    await post({ method: 'getOrderStatusList', parameters: '[]' });
    expect(sim.calls('getOrders')).toBe(2);
    expect(sim.calls()).toBe(3);
    expect(sim.requests.map((r) => r.outcome)).toEqual(['fault:http500', 'SUCCESS', 'SUCCESS']);
  });
});

describe('BaseLinker simulator: orders', () => {
  it('returns confirmed orders only by default, ascending by confirmation time then id', async () => {
    const late = sim.addOrder({}, { confirmedAt: T0 + 20 });
    const b = sim.addOrder({}, { confirmedAt: T0 + 10 });
    const a = sim.addOrder({ order_id: b.order_id - 100 }, { confirmedAt: T0 + 10 });
    const open = sim.addOrder({}, { confirmedAt: null });
    const { orders } = await client().getOrders({ date_confirmed_from: T0 });
    expect(orders.map((o) => o.order_id)).toEqual([a.order_id, b.order_id, late.order_id]);
    const withOpen = await client().getOrders({ get_unconfirmed_orders: true });
    expect(withOpen.orders.map((o) => o.order_id)).toContain(open.order_id);
    expect(withOpen.orders.find((o) => o.order_id === open.order_id)).toMatchObject({ confirmed: false, date_confirmed: 0 });
  });

  it('treats date_confirmed_from as inclusive', async () => {
    const at = sim.addOrder({}, { confirmedAt: T0 + 5 });
    sim.addOrder({}, { confirmedAt: T0 + 4 });
    const { orders } = await client().getOrders({ date_confirmed_from: T0 + 5 });
    expect(orders.map((o) => o.order_id)).toEqual([at.order_id]);
  });

  it('returns at most 100 orders per call', async () => {
    for (let i = 0; i < 130; i++) sim.addOrder({}, { confirmedAt: T0 + i });
    const first = await client().getOrders({ date_confirmed_from: T0 });
    expect(first.received).toBe(100);
    const last = first.orders.at(-1)!;
    const second = await client().getOrders({ date_confirmed_from: last.date_confirmed });
    expect(second.received).toBe(31);
    expect(second.orders[0]?.order_id).toBe(last.order_id);
  });

  it('shows an order confirmed later with its later confirmation time', async () => {
    const order = sim.addOrder({}, { createdAt: T0, confirmedAt: null });
    expect((await client().getOrders({ date_confirmed_from: T0 })).orders).toEqual([]);
    sim.confirmOrder(order.order_id, T0 + 3600);
    const { orders } = await client().getOrders({ date_confirmed_from: T0 });
    expect(orders).toEqual([expect.objectContaining({ order_id: order.order_id, date_confirmed: T0 + 3600, confirmed: true })]);
  });

  it('finds an order moved into a status later, with its old confirmation time', async () => {
    const order = sim.addOrder({ order_status_id: 5501 }, { confirmedAt: T0 });
    expect((await client().getOrders({ status_id: 5502 })).orders).toEqual([]);
    sim.changeOrderStatus(order.order_id, 5502, T0 + 7200);
    const { orders } = await client().getOrders({ status_id: 5502, date_confirmed_from: T0 - 86_400 });
    expect(orders).toEqual([expect.objectContaining({ order_id: order.order_id, date_confirmed: T0, order_status_id: 5502 })]);
  });

  it('applies order_id, id_from, date_from and source filters together', async () => {
    const shop = sim.addOrder({ order_source: 'shop' }, { createdAt: T0, confirmedAt: T0 });
    const allegro1 = sim.addOrder({ order_source: 'allegro', order_source_id: 8801 }, { createdAt: T0 + 10, confirmedAt: T0 + 10 });
    const allegro2 = sim.addOrder({ order_source: 'allegro', order_source_id: 8802 }, { createdAt: T0 + 20, confirmedAt: T0 + 20 });
    const bl = client();
    expect((await bl.getOrders({ order_id: allegro1.order_id })).orders.map((o) => o.order_id)).toEqual([allegro1.order_id]);
    expect((await bl.getOrders({ id_from: allegro1.order_id })).orders.map((o) => o.order_id)).toEqual([allegro1.order_id, allegro2.order_id]);
    expect((await bl.getOrders({ date_from: T0 + 5 })).orders.map((o) => o.order_id)).toEqual([allegro1.order_id, allegro2.order_id]);
    expect((await bl.getOrders({ filter_order_source: 'shop' })).orders.map((o) => o.order_id)).toEqual([shop.order_id]);
    expect((await bl.getOrders({ filter_order_source: 'allegro', filter_order_source_id: 8802 })).orders.map((o) => o.order_id)).toEqual([allegro2.order_id]);
  });

  it('forgets a deleted order', async () => {
    const order = sim.addOrder({}, { confirmedAt: T0 });
    sim.deleteOrder(order.order_id);
    expect((await client().getOrders({ order_id: order.order_id })).orders).toEqual([]);
  });
});

describe('BaseLinker simulator: stock taken by orders', () => {
  function catalog() {
    const inv = sim.addInventory({ inventory_id: 7 });
    const key = sim.addWarehouse({ warehouse_id: 40, inventoryId: inv.inventory_id });
    const other = sim.addWarehouse({ warehouse_id: 41, inventoryId: inv.inventory_id });
    const mug = sim.addProduct(7, { sku: 'MUG', stock: { [key]: 10, [other]: 10 } });
    const shirt = sim.addProduct(7, { sku: 'SHIRT' });
    const m = sim.addVariant(shirt.id, { sku: 'SHIRT-M', stock: { [key]: 5 } });
    return { key, other, mug, m };
  }

  it('takes a confirmed order off the stock of its catalog products and variants, once, as getInventoryProductsStock shows', async () => {
    const { key, other, mug, m } = catalog();
    const lines = [
      { product_id: String(mug.id), quantity: 3 },
      { product_id: String(m.parent_id), variant_id: String(m.id), quantity: 2 },
      { product_id: String(mug.id), quantity: 1, warehouse_id: 41 },
      { product_id: '', sku: 'MUG', quantity: 4 },
      { storage: 'shop' as const, product_id: String(mug.id), quantity: 5 },
    ];
    const unconfirmed = sim.addOrder({ products: lines }, { confirmedAt: null });
    expect([mug.stock[key], m.stock[key]]).toEqual([10, 5]);
    sim.confirmOrder(unconfirmed.order_id);
    sim.confirmOrder(unconfirmed.order_id);
    const [entry] = await client().getInventoryProductsStock({ inventory_id: 7 });
    expect(entry).toMatchObject({ id: mug.id, stock: { [key]: 7, [other]: 9 } });
    const [, shirtEntry] = await client().getInventoryProductsStock({ inventory_id: 7 });
    expect(shirtEntry.variants[String(m.id)]).toEqual({ [key]: 3 });
  });

  it('takes stock from an order confirmed when added, never below 0, and not at all when switched off', async () => {
    const { key, mug } = catalog();
    sim.addOrder({ products: [{ product_id: String(mug.id), quantity: 12 }] });
    expect(mug.stock[key]).toBe(0);
    sim.config.ordersTakeStock = false;
    mug.stock[key] = 6;
    sim.addOrder({ products: [{ product_id: String(mug.id), quantity: 2 }] });
    expect(mug.stock[key]).toBe(6);
  });

  it("logs its stock history: each level written with what the product showed before, and each order's take in its place among the writes", async () => {
    const { key, mug } = catalog();
    await client().updateInventoryProductsStock(7, { [mug.id]: { [key]: 8 } });
    const order = sim.addOrder({ products: [{ product_id: String(mug.id), quantity: 3 }] });
    await client().updateInventoryProductsStock(7, { [mug.id]: { [key]: 8 } });
    expect(sim.stockWrites.map((w) => [w.level, w.before])).toEqual([
      [8, 10],
      [8, 5],
    ]);
    expect(sim.stockTakes).toEqual([expect.objectContaining({ productId: mug.id, warehouse: key, orderId: order.order_id, before: 8, after: 5, writesBefore: 1 })]);
  });
});

describe('BaseLinker simulator: journal', () => {
  it('lists events after last_log_id, of the requested types, with log_id', async () => {
    const nowS = clock / 1000;
    const order = sim.addOrder({}, { createdAt: nowS - 60, confirmedAt: null });
    sim.confirmOrder(order.order_id, nowS - 30);
    sim.changeOrderStatus(order.order_id, 5502, nowS - 10);
    const bl = client();
    const all = await bl.getJournalList({ last_log_id: 0, logs_types: [1, 2, 18] });
    expect(all.map((e) => e.log_type)).toEqual([1, 2, 18]);
    expect(all[2]).toMatchObject({ order_id: order.order_id, object_id: 5502 });
    const after = await bl.getJournalList({ last_log_id: all[0]!.log_id, logs_types: [1, 2, 18] });
    expect(after.map((e) => e.log_id)).toEqual([all[1]!.log_id, all[2]!.log_id]);
    expect((await bl.getJournalList({ last_log_id: 0, logs_types: [18] })).map((e) => e.log_type)).toEqual([18]);
  });

  it('keeps only the last 3 days', async () => {
    const nowS = clock / 1000;
    sim.addOrder({}, { createdAt: nowS - 4 * 86_400, confirmedAt: nowS - 4 * 86_400 });
    const recent = sim.addOrder({}, { createdAt: nowS - 2 * 86_400, confirmedAt: nowS - 2 * 86_400 });
    const events = await client().getJournalList({ last_log_id: 0, logs_types: [1] });
    expect(events.map((e) => e.order_id)).toEqual([recent.order_id]);
  });

  it('answers an empty list when the journal is switched off', async () => {
    sim.addOrder({}, { createdAt: clock / 1000 });
    sim.config.journalEnabled = false;
    expect(await client().getJournalList({ last_log_id: 0, logs_types: [1, 2] })).toEqual([]);
  });
});

describe('BaseLinker simulator: shipping', () => {
  it('books a new package with a new number on every createPackage call', async () => {
    const order = sim.addOrder();
    const bl = client();
    const one = await bl.createPackage({ order_id: order.order_id, courier_code: 'dpd', packages: [{ weight: 1 }] });
    const two = await bl.createPackage({ order_id: order.order_id, courier_code: 'dpd', packages: [{ weight: 1 }] });
    expect(two.package_id).not.toBe(one.package_id);
    expect(two.package_number).not.toBe(one.package_number);
    expect(await bl.getOrderPackages(order.order_id)).toHaveLength(2);
  });

  it('refuses packages for every order when configured globally', async () => {
    const order = sim.addOrder();
    sim.refusePackages('Kurier chwilowo niedostępny');
    const error = await client().createPackage({ order_id: order.order_id, courier_code: 'dpd', packages: [{ weight: 1 }] }).catch((e: unknown) => e);
    expect((error as BaseLinkerApiError).blMessage).toBe('Kurier chwilowo niedostępny');
    sim.clearPackageRefusals();
    await expect(client().createPackage({ order_id: order.order_id, courier_code: 'dpd', packages: [{ weight: 1 }] })).resolves.toMatchObject({
      package_id: expect.any(Number),
    });
  });

  it('refuses a package without weight and an unknown courier', async () => {
    const order = sim.addOrder();
    await expect(client().createPackage({ order_id: order.order_id, courier_code: 'dpd', packages: [{ size_length: 10 }] })).rejects.toBeInstanceOf(BaseLinkerApiError);
    await expect(client().createPackage({ order_id: order.order_id, courier_code: 'ups', packages: [{ weight: 1 }] })).rejects.toBeInstanceOf(BaseLinkerApiError);
  });

  it('fills the tracking number after a number of getOrderPackages calls in tracking-later mode', async () => {
    sim.config.trackingNumberLater = { afterPolls: 2 };
    const order = sim.addOrder();
    const bl = client();
    const created = await bl.createPackage({ order_id: order.order_id, courier_code: 'dpd', packages: [{ weight: 1 }] });
    expect(created.package_number).toBe('');
    const first = await bl.getOrderPackages(order.order_id);
    expect(first[0]).toMatchObject({ courier_package_nr: '', tracking_url: '' });
    const second = await bl.getOrderPackages(order.order_id);
    expect(second[0]?.courier_package_nr).toMatch(/^\d{14}$/);
    expect(second[0]?.tracking_url).toContain(second[0]!.courier_package_nr);
  });

  it("names a created shipment on the order (getOrders' delivery_package_module / _nr), whoever booked it, until the package is deleted", async () => {
    const order = sim.addOrder();
    const bl = client();
    const read = async () => (await bl.getOrders({ order_id: order.order_id, get_unconfirmed_orders: true })).orders[0]!;
    expect(await read()).toMatchObject({ delivery_package_module: '', delivery_package_nr: '' });
    const created = await bl.createPackage({ order_id: order.order_id, courier_code: 'dpd', packages: [{ weight: 1 }] });
    expect(await read()).toMatchObject({ delivery_package_module: 'dpd', delivery_package_nr: created.package_number });
    sim.deletePackage(created.package_id);
    expect(await read()).toMatchObject({ delivery_package_module: '', delivery_package_nr: '' });
    const outside = sim.bookPackageOutside(order.order_id, { courier_code: 'gls' });
    expect(await read()).toMatchObject({ delivery_package_module: 'gls', delivery_package_nr: outside.package_number });
  });

  it("lists each package's tracking link in its courier's own shape, e.g. a page that wants the delivery postcode beside the number", async () => {
    sim.state.couriers.find((c) => c.code === 'gls')!.tracking_link = 'https://track.example.invalid/gls?match={number}&zip={postcode}';
    const order = sim.addOrder({ delivery_postcode: '00-950' });
    const bl = client();
    const gls = await bl.createPackage({ order_id: order.order_id, courier_code: 'gls', packages: [{ weight: 1 }] });
    const dpd = await bl.createPackage({ order_id: order.order_id, courier_code: 'dpd', packages: [{ weight: 1 }] });
    const listed = await bl.getOrderPackages(order.order_id);
    expect(listed.find((p) => p.package_id === gls.package_id)?.tracking_url).toBe(`https://track.example.invalid/gls?match=${gls.package_number}&zip=00-950`);
    expect(listed.find((p) => p.package_id === dpd.package_id)?.tracking_url).toBe(`https://tracking.example.invalid/dpd/${dpd.package_number}`);
  });

  it("lists the carrier a broker courier booked with as courier_other_name, '' for a courier of its own", async () => {
    sim.state.couriers.find((c) => c.code === 'gls')!.carrier_name = 'DPD';
    const order = sim.addOrder();
    const bl = client();
    await bl.createPackage({ order_id: order.order_id, courier_code: 'gls', packages: [{ weight: 1 }] });
    await bl.createPackage({ order_id: order.order_id, courier_code: 'dpd', packages: [{ weight: 1 }] });
    expect((await bl.getOrderPackages(order.order_id)).map((p) => [p.courier_code, p.courier_other_name])).toEqual([
      ['gls', 'DPD'],
      ['dpd', ''],
    ]);
  });

  it('fills the tracking number through the hook', async () => {
    await sim.close();
    await start({ trackingNumberLater: {} });
    const order = sim.addOrder();
    const created = await client().createPackage({ order_id: order.order_id, courier_code: 'dpd', packages: [{ weight: 1 }] });
    expect((await client().getOrderPackages(order.order_id))[0]?.courier_package_nr).toBe('');
    sim.fillTrackingNumber(created.package_id, 'PL123456789');
    expect((await client().getOrderPackages(order.order_id))[0]?.courier_package_nr).toBe('PL123456789');
  });

  it('hands out ZPL labels when configured', async () => {
    sim.config.labelFormat = 'zpl';
    const order = sim.addOrder();
    const created = await client().createPackage({ order_id: order.order_id, courier_code: 'dpd', packages: [{ weight: 1 }] });
    const label = await client().getLabel({ courier_code: 'dpd', package_id: created.package_id });
    expect(label.extension).toBe('zpl');
    expect(label.bytes.toString('utf8')).toMatch(/^\^XA[\s\S]*\^XZ\s*$/);
  });

  it('writes PDF labels whose cross-reference offsets point at their objects', async () => {
    const order = sim.addOrder({ delivery_fullname: 'Zofia Wójcik' });
    const created = await client().createPackage({ order_id: order.order_id, courier_code: 'dpd', packages: [{ weight: 1 }] });
    const pdf = (await client().getLabel({ courier_code: 'dpd', package_id: created.package_id })).bytes.toString('latin1');
    const startxref = Number(/startxref\n(\d+)/.exec(pdf)?.[1]);
    expect(pdf.slice(startxref, startxref + 4)).toBe('xref');
    const offsets = [...pdf.slice(startxref).matchAll(/^(\d{10}) 00000 n $/gm)].map((m) => Number(m[1]));
    expect(offsets).toHaveLength(5);
    offsets.forEach((offset, i) => expect(pdf.slice(offset, offset + 8)).toBe(`${i + 1} 0 obj\n`));
  });

  it('fails to label or delete a package that does not exist', async () => {
    await expect(client().getLabel({ courier_code: 'dpd', package_id: 1 })).rejects.toBeInstanceOf(BaseLinkerApiError);
    await expect(client().deleteCourierPackage({ courier_code: 'dpd', package_id: 1 })).rejects.toBeInstanceOf(BaseLinkerApiError);
  });
});
