import { articlesFlow } from '../../shared/flows/articles';
import { SetAsideShelf, Tally, deadlineAt } from '../../shared/flows/context';
import { ordersFlow } from '../../shared/flows/orders';
import { reconcileFlow } from '../../shared/flows/reconcile';
import { shipOrder } from '../../shared/flows/shipment';
import { stockFlow } from '../../shared/flows/stock';
import { trackingFlow } from '../../shared/flows/tracking';
import type { SetAsideInbox } from '../../shared/flows/ports';
import { flowLogger } from '../../shared/log/logger';
import { MemoryState } from '../../shared/state/memory';
import { DEMO_GOODS_OWNER } from '../../infra/simulators/ongoing';
import { nextId } from '../../infra/simulators/ongoing/state';
import { startWorld, type World } from '../support/world';
import { ongoingTwin } from '../support/ongoing-twin';

/**
 * The flows on the memory ports: no DynamoDB, no S3, only the simulators in this process. The memory ports pass
 * the same contract suite as the DynamoDB ones (test/support/state-contract.ts), so these say what a run on
 * DynamoDB would do.
 */

const CHOSEN = 5501;
const CANCELLED = 5505;
const INVENTORY = 1;

const ongoingNumbers = (world: World) => [...world.ongoing.state.orders.values()].map((o) => o.orderNumber).sort();

describe('the flows on the memory ports', () => {
  let world: World;
  afterEach(() => world?.close());

  it('orders: each chosen order reaches Ongoing once, a malformed one is set aside, a cancelled one never goes', async () => {
    world = await startWorld({ state: 'memory', tenant: { baselinker: { orderStatusIds: [CHOSEN], cancelledStatusIds: [CANCELLED] } } });
    expect(() => world.store).toThrow(/memory world has no DynamoDB table/);
    await world.services().ongoing.putArticle({ articleNumber: 'SKU-A', articleName: 'Article A' });
    const line = [{ sku: 'SKU-A', quantity: 1, price_brutto: 10 }];
    const a = world.bl.addOrder({ order_status_id: CHOSEN, products: line });
    const b = world.bl.addOrder({ order_status_id: CHOSEN, products: line });
    const bad = world.bl.addOrder({ order_status_id: CHOSEN, products: [] });
    const gone = world.bl.addOrder({ order_status_id: CANCELLED, products: line });

    const first = await world.run('orders', ordersFlow);
    expect(first).toMatchObject({ outcome: 'ok', result: { written: 2, setAside: 1 } });
    expect(ongoingNumbers(world)).toEqual([String(a.order_id), String(b.order_id)].sort());
    const { state } = world.services();
    expect(await state.orders.get(a.order_id)).toMatchObject({ status: 'done' });
    expect(await state.inbox.get('order', String(bad.order_id))).toMatchObject({ state: 'open', count: 1 });
    expect(await state.orders.get(gone.order_id)).toBeUndefined();

    const second = await world.run('orders', ordersFlow);
    expect(second.result).toMatchObject({ written: 0, setAside: 0, counts: expect.objectContaining({ stillSetAside: 1 }) });
    expect(world.ongoing.calls('PUT /orders')).toBe(2);
    expect((await state.runs.all()).map((r) => [r.flow, r.outcome])).toEqual([['orders', 'ok']]);
  });

  it('reconcile: an order recorded as sent but missing in Ongoing is sent again', async () => {
    world = await startWorld({ state: 'memory', tenant: { baselinker: { orderStatusIds: [CHOSEN] } } });
    await world.services().ongoing.putArticle({ articleNumber: 'SKU-A', articleName: 'Article A' });
    const order = world.bl.addOrder({ order_status_id: CHOSEN, products: [{ sku: 'SKU-A', quantity: 1, price_brutto: 1 }] });
    await world.run('orders', ordersFlow);
    for (const [id, o] of world.ongoing.state.orders) if (o.orderNumber === String(order.order_id)) world.ongoing.state.orders.delete(id);

    const report = await world.run('reconcile', reconcileFlow);
    expect(report.result!.counts).toMatchObject({ reopened: 1, healed: 1 });
    expect(ongoingNumbers(world)).toEqual([String(order.order_id)]);
    expect(await world.services().state.orders.get(order.order_id)).toMatchObject({ status: 'done' });
  });

  it('articles: writes new articles once, and an unchanged catalog costs no Ongoing write', async () => {
    world = await startWorld({ state: 'memory' });
    world.bl.addInventory({ inventory_id: INVENTORY });
    world.bl.addProduct(INVENTORY, { name: 'Mug', sku: 'MUG', weight: 0.3 });
    world.bl.addProduct(INVENTORY, { name: 'Cup', sku: 'CUP', weight: 0.2 });
    expect((await world.run('articles', articlesFlow)).result).toMatchObject({ written: 2, complete: true });
    expect([...(await world.services().state.articleHashes.all()).keys()].sort()).toEqual(['CUP', 'MUG']);
    world.ongoing.resetCalls();
    expect((await world.run('articles', articlesFlow)).result).toMatchObject({ written: 0, counts: expect.objectContaining({ unchanged: 2 }) });
    expect(world.ongoing.calls('PUT /articles')).toBe(0);
  });

  it('stock: pushes a changed level once and remembers it', async () => {
    world = await startWorld({ state: 'memory', tenant: { stock: { enabled: true, warehouseKey: 'bl_5' } } });
    world.bl.addInventory({ inventory_id: INVENTORY });
    world.bl.addWarehouse({ warehouse_id: 5, inventoryId: INVENTORY });
    const product = world.bl.addProduct(INVENTORY, { name: 'Mug', sku: 'MUG' });
    const now = new Date();
    const articleSystemId = nextId(world.ongoing.state, 'article');
    world.ongoing.state.articles.set(articleSystemId, {
      articleSystemId,
      goodsOwnerId: DEMO_GOODS_OWNER.id,
      articleNumber: 'MUG',
      data: { articleName: 'Mug' },
      numberOfItems: 7,
      numberOfBookedItems: 0,
      lockedForSaleNumberOfItems: 0,
      createdAt: now,
      dataUpdatedAt: now,
      stockChangedAt: now,
    });
    expect((await world.run('stock', stockFlow)).result).toMatchObject({ written: 1 });
    expect(world.bl.state.products.get(product.id)?.stock.bl_5).toBe(7);
    expect((await world.services().state.stockLevels.all()).get('MUG')).toMatchObject({ level: 7 });
    expect((await world.run('stock', stockFlow)).result).toMatchObject({ written: 0 });
  });

  it('shipment and tracking: one package, the label stored, tracking filled in later', async () => {
    world = await startWorld({ state: 'memory', tenant: { shipment: { courierCode: 'dpd' } } });
    const services = world.services();
    await services.ongoing.putArticle({ articleNumber: 'MUG', articleName: 'Mug', weight: 0.4 });
    const bl = world.bl.addOrder({ delivery_fullname: 'Jan Kowalski' });
    const orderId = await ongoingTwin(services.ongoing, world.ongoing, bl.order_id, {
      deliveryDate: '2025-03-04T00:00:00Z',
      consignee: { name: 'Jan Kowalski', address1: 'ul. Krótka 2', postCode: '30-001', city: 'Kraków', countryCode: 'PL' },
      orderLines: [{ rowNumber: '1', articleNumber: 'MUG', numberOfItems: 1 }],
      status: 450,
    });
    world.bl.config.trackingNumberLater = {};
    const deps = { tenant: world.tenant, ...services, ...services.state, log: flowLogger({ tenant: 'test', flow: 'shipment' }), now: Date.now };

    const sent = await shipOrder(deps, orderId, { owner: 'press-1', leaseMs: 60_000 });
    expect(sent).toMatchObject({ kind: 'pending-tracking', record: { status: 'pending-tracking', labelKey: expect.any(String) } });
    expect(await services.labels.exists(sent.kind === 'pending-tracking' ? sent.record.labelKey! : '')).toBe(true);
    expect(await shipOrder(deps, orderId, { owner: 'press-2', leaseMs: 60_000 })).toMatchObject({ kind: 'pending-tracking' });
    expect([...world.bl.state.packages.values()].filter((p) => p.order_id === bl.order_id)).toHaveLength(1);

    const early = await world.run('tracking', trackingFlow);
    expect(early.result).toMatchObject({ seen: 1, written: 0, counts: { waitingForTracking: 1 } });
    const [pkg] = [...world.bl.state.packages.values()].filter((p) => p.order_id === bl.order_id);
    world.bl.fillTrackingNumber(pkg!.package_id);
    const tracking = await world.run('tracking', trackingFlow);
    expect(tracking.result).toMatchObject({ seen: 1, written: 1 });
    expect(await services.state.shipments.get(orderId)).toMatchObject({ status: 'done', trackingNumber: expect.any(String) });
  });
});

describe('the run kit', () => {
  it('the deadline has passed from its instant on, and says how much time is left', () => {
    let clock = 1_000;
    const deadline = deadlineAt(1_500, () => clock);
    expect([deadline.passed(), deadline.leftMs()]).toEqual([false, 500]);
    clock = 1_500;
    expect([deadline.passed(), deadline.leftMs()]).toEqual([true, 0]);
    clock = 9_000;
    expect(deadline.leftMs()).toBe(0);
  });

  it('the tally becomes the run result', () => {
    const tally = new Tally();
    tally.seen += 3;
    tally.written++;
    tally.count('unchanged', 2);
    tally.count('unchanged');
    expect(tally.result({ message: 'm' })).toEqual({ seen: 3, written: 1, setAside: 0, complete: true, counts: { unchanged: 3 }, message: 'm' });
  });

  it('the set-aside shelf reads each kind once per run and keeps its index current', async () => {
    const inbox = new MemoryState().ports('t').inbox;
    await inbox.put({ kind: 'order', sourceId: '1', reason: 'old' });
    let lists = 0;
    const counting: SetAsideInbox = { ...inbox, list: (filter) => (lists++, inbox.list(filter)) };
    const shelf = new SetAsideShelf(counting);
    const orders = await shelf.index('order');
    expect([...orders.keys()]).toEqual(['1']);
    await shelf.put({ kind: 'order', sourceId: '2', reason: 'new' });
    await shelf.clear('order', '1');
    expect([...(await shelf.index('order')).keys()]).toEqual(['2']);
    expect(lists).toBe(1);
    await shelf.put({ kind: 'stock', sourceId: 'S', reason: 'r' });
    expect([...(await shelf.index('stock')).keys()]).toEqual(['S']);
    expect(lists).toBe(2);
    expect(await inbox.get('order', '1')).toBeUndefined();
  });
});
