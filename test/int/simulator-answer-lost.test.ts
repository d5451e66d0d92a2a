import axios from 'axios';
import { BaseLinkerSimulator, startBaseLinkerSimulator } from '../../infra/simulators/baselinker';
import {
  DEMO_API_USER,
  DEMO_GOODS_OWNER,
  demoSimulatorOptions,
  type OngoingSimulator,
  startOngoingSimulator,
} from '../../infra/simulators/ongoing';

/**
 * The production fault both simulators must reproduce: a write that took effect but whose answer never
 * arrived (the connection dropped after the write). The client sees a network error; the service has the change.
 */

const TOKEN = 'answer-lost-test-token';

describe('Ongoing simulator: answer-lost fault', () => {
  let sim: OngoingSimulator;
  const http = () =>
    axios.create({
      baseURL: sim.baseUrl,
      auth: { username: DEMO_API_USER.user, password: DEMO_API_USER.password },
      validateStatus: () => true,
    });
  const GO = DEMO_GOODS_OWNER.id;

  beforeEach(async () => {
    sim = await startOngoingSimulator(demoSimulatorOptions());
    await http().put('/articles', { goodsOwnerId: GO, articleNumber: 'SKU-1', articleName: 'One' });
    sim.resetCalls();
  });
  afterEach(async () => {
    await sim.close();
  });

  const order = (orderNumber: string) => ({
    goodsOwnerId: GO,
    orderNumber,
    deliveryDate: '2026-12-01',
    consignee: { name: 'Anna Nowak', address1: 'ul. Prosta 1', postCode: '00-001', city: 'Warszawa', countryCode: 'PL' },
    orderLines: [{ rowNumber: '1', articleNumber: 'SKU-1', numberOfItems: 1 }],
  });

  it('applies PUT /orders, then drops the connection: a network error for a write that happened', async () => {
    sim.injectFault({ route: 'PUT /orders', kind: 'answer-lost' });
    const error = await http()
      .put('/orders', order('LOST-1'))
      .then(() => undefined, (e: unknown) => e);
    expect(axios.isAxiosError(error)).toBe(true);
    expect((error as { response?: unknown }).response).toBeUndefined();
    expect([...sim.state.orders.values()].map((o) => o.orderNumber)).toEqual(['LOST-1']);
    expect(sim.callLog.at(-1)).toMatchObject({ route: 'PUT /orders', status: 201, answerLost: true });

    // Spent: the next call is answered.
    const again = await http().put('/orders', order('LOST-1'));
    expect(again.status).toBe(200);
    expect(sim.state.orders.size).toBe(1);
  });

  it('without a route it lands on the next write, never on a read', async () => {
    sim.injectFault({ kind: 'answer-lost' });
    expect((await http().get('/orders/statuses')).status).toBe(200);
    const lost = await http()
      .put('/orders', order('LOST-2'))
      .then(() => undefined, (e: unknown) => e);
    expect(axios.isAxiosError(lost)).toBe(true);
    expect(sim.callLog.find((c) => c.route === 'PUT /orders')?.answerLost).toBe(true);
    expect([...sim.state.orders.values()].map((o) => o.orderNumber)).toEqual(['LOST-2']);
    expect((await http().get('/orders/statuses')).status).toBe(200);
  });

  it.each([
    ['PUT /orders/{orderId}/files', 'put', (id: number) => `/orders/${id}/files?fileName=label.pdf`],
    ['POST /orders/{orderId}/files', 'post', (id: number) => `/orders/${id}/files`],
    ['PUT /orders/{orderId}/orderTracking', 'put', (id: number) => `/orders/${id}/orderTracking`],
    ['PATCH /orders/{orderId}/waybill', 'patch', (id: number) => `/orders/${id}/waybill`],
    ['DELETE /orders/{orderId}', 'delete', (id: number) => `/orders/${id}`],
  ] as const)('applies %s and loses the answer', async (route, verb, path) => {
    const orderId = ((await http().put('/orders', order('LOST-3'))).data as { orderId: number }).orderId;
    sim.injectFault({ route, kind: 'answer-lost' });
    const body =
      route.includes('files') ? { fileName: 'label.pdf', mimeType: 'application/pdf', fileDataBase64: 'JVBERi0=' }
      : route.includes('Tracking') ? { waybill: 'W1', trackingUrl: 'https://t.example.invalid/W1', isReturnTracking: false }
      : route.includes('waybill') ? { waybill: 'W2' }
      : undefined;
    const error = await http()
      .request({ method: verb, url: path(orderId), data: body })
      .then(() => undefined, (e: unknown) => e);
    expect(axios.isAxiosError(error)).toBe(true);
    const o = sim.state.orders.get(orderId)!;
    if (route.includes('files')) expect([...sim.state.files.values()].filter((f) => f.orderId === orderId)).toHaveLength(1);
    if (route.includes('Tracking')) expect(o.tracking.map((t) => t.waybill)).toEqual(['W1']);
    if (route.includes('waybill')) expect(o.wayBill).toBe('W2');
    if (verb === 'delete') expect(o.status).toBe(1000);
  });
});

describe('BaseLinker simulator: answer-lost fault', () => {
  let sim: BaseLinkerSimulator;
  const call = (method: string, parameters: unknown) =>
    fetch(sim.url, { method: 'POST', headers: { 'X-BLToken': TOKEN }, body: new URLSearchParams({ method, parameters: JSON.stringify(parameters) }) }).then(
      async (r) => (await r.json()) as Record<string, unknown>,
    );

  beforeEach(async () => {
    sim = await startBaseLinkerSimulator({ tokens: [TOKEN] });
  });
  afterEach(async () => {
    await sim.close();
  });

  it('books createPackage, then drops the connection', async () => {
    const order = sim.addOrder();
    const courier = sim.state.couriers[0]!;
    sim.injectFault({ method: 'createPackage', kind: 'answer-lost' });
    const params = { order_id: order.order_id, courier_code: courier.code, packages: [{ weight: 1 }], fields: [] };
    await expect(call('createPackage', params)).rejects.toThrow();
    expect([...sim.state.packages.values()].filter((p) => p.order_id === order.order_id)).toHaveLength(1);
    expect(sim.requests.at(-1)).toMatchObject({ method: 'createPackage', outcome: 'fault:answer-lost', applied: 'SUCCESS' });
    const listed = await call('getOrderPackages', { order_id: order.order_id });
    expect(listed.packages).toHaveLength(1);
  });

  it('applies setOrderStatus and updateInventoryProductsStock, then loses the answers', async () => {
    const order = sim.addOrder();
    const status = sim.state.statuses[1]!.id;
    const inv = sim.addInventory();
    const wh = sim.addWarehouse({ inventoryId: inv.inventory_id });
    const product = sim.addProduct(inv.inventory_id);
    sim.injectFault({ method: 'setOrderStatus', kind: 'answer-lost' });
    sim.injectFault({ method: 'updateInventoryProductsStock', kind: 'answer-lost' });
    await expect(call('setOrderStatus', { order_id: order.order_id, status_id: status })).rejects.toThrow();
    await expect(call('updateInventoryProductsStock', { inventory_id: inv.inventory_id, products: { [product.id]: { [wh]: 7 } } })).rejects.toThrow();
    expect(sim.state.orders.get(order.order_id)!.order_status_id).toBe(status);
    expect(sim.state.products.get(product.id)!.stock[wh]).toBe(7);
  });

  it('without a method it skips reads and lands on the next write', async () => {
    const order = sim.addOrder();
    sim.injectFault({ kind: 'answer-lost' });
    const read = await call('getOrders', {});
    expect(read.status).toBe('SUCCESS');
    await expect(call('setOrderStatus', { order_id: order.order_id, status_id: sim.state.statuses[1]!.id })).rejects.toThrow();
    expect((await call('getOrderStatusList', {})).status).toBe('SUCCESS');
  });
});
