import { randomUUID } from 'node:crypto';
import { runKit, type FlowContext } from '../../shared/flows/context';
import { scanOrders } from '../../shared/baselinker/order-pages';
import { createOrdersFlow, ordersFlow } from '../../shared/flows/orders';
import { flowLogger } from '../../shared/log/logger';
import { OngoingClient, type OrderInput } from '../../shared/ongoing/client';
import { OngoingRefusedError } from '../../shared/ongoing/errors';
import { demoClientSettings } from '../../infra/simulators/ongoing';
import { dynamoStatePorts, StateStore, type ExternalId, type OrderRecord } from '../../shared/state';
import { testDocumentClient } from '../support/emulators';
import { CANCELLED, CHOSEN, orderWorld, orderWorldOn } from '../support/orders';
import { describeOnEachState, type World } from '../support/world';

const OTHER = 5502;
const AFTER_IMPORT = 5503;
const HOUR_MS = 3_600_000;

type SimOrderInput = Parameters<World['bl']['addOrder']>[0];

function addOrder(world: World, input: SimOrderInput = {}, options: { confirmedAt?: number | null } = {}) {
  return world.bl.addOrder({ order_status_id: CHOSEN, products: [{ sku: 'SKU-A', quantity: 1, price_brutto: 10 }], ...input }, options);
}

function ongoingOrders(world: World) {
  return [...world.ongoing.state.orders.values()];
}

function ongoingNumbers(world: World): string[] {
  return ongoingOrders(world)
    .map((o) => o.orderNumber)
    .sort();
}

const nowS = () => Math.floor(Date.now() / 1000);

describeOnEachState('orders flow: which orders, and exactly once', (adapter) => {
  let world: World;
  afterEach(() => world?.close());

  it('transfers the orders in the chosen statuses only, and a second run writes nothing', async () => {
    world = await orderWorldOn(adapter);
    const a = addOrder(world);
    const b = addOrder(world, { products: [{ sku: 'SKU-B', quantity: 3, price_brutto: 5 }] });
    addOrder(world, { order_status_id: OTHER });

    const first = await world.run('orders', ordersFlow);
    expect(first.outcome).toBe('ok');
    expect(first.result).toMatchObject({ seen: 2, written: 2, setAside: 0 });
    expect(ongoingNumbers(world)).toEqual([String(a.order_id), String(b.order_id)].sort());
    const record = await world.services().state.orders.get(b.order_id);
    expect(record).toMatchObject({ status: 'done', orderNumber: String(b.order_id) });
    expect(world.ongoing.state.orders.get(Number(record!.ongoingOrderId))!.lines.map((l) => [l.articleNumber, l.numberOfItems])).toEqual([['SKU-B', 3]]);

    const second = await world.run('orders', ordersFlow);
    expect(second.result).toMatchObject({ seen: 2, written: 0 });
    expect(second.result!.counts).toMatchObject({ alreadyInOngoing: 2 });
    expect(world.ongoing.calls('PUT /orders')).toBe(2);
  });

  it('transfers all 250 orders that share one confirmation second, each once', async () => {
    world = await orderWorldOn(adapter);
    const second = nowS() - 600;
    const ids = Array.from({ length: 250 }, () => addOrder(world, {}, { confirmedAt: second }).order_id);
    world.bl.resetCounters();

    const report = await world.run('orders', ordersFlow);
    expect(report.result).toMatchObject({ seen: 250, written: 250, complete: true });
    expect(ongoingNumbers(world)).toEqual(ids.map(String).sort());
    expect(world.ongoing.calls('PUT /orders')).toBe(250);
    // The chosen status: three pages inside the shared second (the 2nd and 3rd by id_from), then one from the
    // next second on, which is empty. The cancelled status: one empty page.
    expect(world.bl.calls('getOrders')).toBe(4 + 1);
  });

  it('pages a shared second by id without losing orders confirmed later that have lower ids', async () => {
    world = await orderWorldOn(adapter);
    const second = nowS() - 600;
    // Created first, confirmed last: lower ids, later second.
    const late = Array.from({ length: 50 }, () => addOrder(world, {}, { confirmedAt: null }).order_id);
    const shared = Array.from({ length: 150 }, () => addOrder(world, {}, { confirmedAt: second }).order_id);
    late.forEach((id) => world.bl.confirmOrder(id, second + 10));
    const ids = new Set<number>();
    for await (const page of scanOrders(world.services().baselinker, CHOSEN, second - 60)) page.orders.forEach((o) => ids.add(o.order_id));
    expect([...ids].sort()).toEqual([...late, ...shared].sort());
  });

  it('asks BaseLinker Σ over statuses of floor(count/100)+1 pages in a scan', async () => {
    world = await orderWorldOn(adapter, { orderStatusIds: [CHOSEN, OTHER] }, []);
    const base = nowS() - 5000;
    // Distinct seconds, so no page boundary falls inside a shared second. SKUs are not in Ongoing: nothing is written.
    for (let i = 0; i < 150; i++) addOrder(world, {}, { confirmedAt: base + i });
    for (let i = 0; i < 250; i++) addOrder(world, { order_status_id: CANCELLED }, { confirmedAt: base + i });
    world.bl.resetCounters();

    const report = await world.run('orders', ordersFlow);
    const expected = [150, 0, 250].reduce((sum, count) => sum + Math.floor(count / 100) + 1, 0);
    expect(world.bl.calls('getOrders')).toBe(expected);
    expect(report.baselinkerRequests).toBe(expected);
    expect(report.result!.counts).toMatchObject({ waitingForArticles: 150 });
  });

  it('transfers an order moved into a chosen status after the previous run', async () => {
    world = await orderWorldOn(adapter);
    const order = addOrder(world, { order_status_id: OTHER }, { confirmedAt: nowS() - 2 * 3600 });
    expect((await world.run('orders', ordersFlow)).result!.written).toBe(0);

    world.bl.changeOrderStatus(order.order_id, CHOSEN);
    const next = await world.run('orders', ordersFlow);
    expect(next.result!.written).toBe(1);
    expect(ongoingNumbers(world)).toEqual([String(order.order_id)]);
  });

  it('on the first run takes the waiting orders confirmed within lookbackDays, not older ones', async () => {
    world = await orderWorldOn(adapter, { lookbackDays: 30 });
    const recent = addOrder(world, {}, { confirmedAt: nowS() - 10 * 86_400 });
    addOrder(world, {}, { confirmedAt: nowS() - 40 * 86_400 });
    const report = await world.run('orders', ordersFlow);
    expect(report.result!.counts).toMatchObject({ firstRun: 1 });
    expect(ongoingNumbers(world)).toEqual([String(recent.order_id)]);
  });

  it('with lookbackDays 0 takes only orders confirmed after the first run', async () => {
    world = await orderWorldOn(adapter, { lookbackDays: 0 });
    const waiting = addOrder(world, {}, { confirmedAt: nowS() - 3600 });
    expect((await world.run('orders', ordersFlow)).result!.written).toBe(0);

    const fresh = addOrder(world, {}, { confirmedAt: nowS() + 1 });
    expect((await world.run('orders', ordersFlow)).result!.written).toBe(1);
    expect(ongoingNumbers(world)).toEqual([String(fresh.order_id)]);
    expect(await world.services().state.orders.get(waiting.order_id)).toBeUndefined();
  });

  it('gives each order to one of two runs going at once', async () => {
    world = await orderWorldOn(adapter);
    const ids = Array.from({ length: 60 }, () => addOrder(world).order_id);
    const context = (runId: string): FlowContext<'orders' | 'cursors' | 'checkpoints'> => {
      const services = world.services();
      return {
        tenant: world.tenant,
        ...services,
        ...services.state,
        log: flowLogger({ tenant: 'test', flow: 'orders', runId }),
        runId,
        now: Date.now,
        metric: () => undefined,
        run: runKit(services.state.inbox, Date.now() + 60_000, Date.now),
      };
    };
    // Straight to the flow, past the runner's lease, so only the order claims keep the runs apart.
    const results = await Promise.all([ordersFlow(context(randomUUID())), ordersFlow(context(randomUUID()))]);
    expect(results[0].written + results[1].written).toBe(60);
    expect(world.ongoing.calls('PUT /orders')).toBe(60);
    expect(ongoingNumbers(world)).toEqual(ids.map(String).sort());
  });

  it('moves the BaseLinker order to the status after import, once', async () => {
    world = await orderWorldOn(adapter, { statusAfterImport: AFTER_IMPORT });
    const order = addOrder(world);
    world.bl.resetCounters();
    const report = await world.run('orders', ordersFlow);
    expect(report.result!.counts).toMatchObject({ statusSet: 1 });
    expect(world.bl.state.orders.get(order.order_id)!.order_status_id).toBe(AFTER_IMPORT);
    await world.run('orders', ordersFlow);
    expect(world.bl.calls('setOrderStatus')).toBe(1);
  });

  it('stops at its deadline with the run marked partial, and the next run finishes the job', async () => {
    world = await orderWorldOn(adapter);
    const ids = Array.from({ length: 5 }, () => addOrder(world).order_id);
    const early = await world.run('orders', createOrdersFlow({ batchSize: 2 }), { deadline: Date.now() - 1 });
    expect(early.outcome).toBe('partial');
    expect(ongoingOrders(world)).toHaveLength(0);
    await world.run('orders', ordersFlow);
    expect(ongoingNumbers(world)).toEqual(ids.map(String).sort());
  });
});

describeOnEachState('orders flow: orders that cannot go yet', (adapter) => {
  let world: World;
  afterEach(() => world?.close());

  it('sets malformed orders aside with readable reasons and transfers the rest in the same run', async () => {
    world = await orderWorldOn(adapter);
    const good1 = addOrder(world);
    const noLines = addOrder(world, { products: [] });
    const zero = addOrder(world, { products: [{ sku: 'SKU-A', quantity: 0 }] });
    const noAddress = addOrder(world, { delivery_address: '' });
    const badCountry = addOrder(world, { delivery_country_code: 'Polska' });
    const unreadable = addOrder(world);
    (world.bl.state.orders.get(unreadable.order_id)!.products[0] as unknown as Record<string, unknown>).quantity = 'many';
    const good2 = addOrder(world);

    const report = await world.run('orders', ordersFlow);
    expect(report.outcome).toBe('ok');
    expect(report.result).toMatchObject({ written: 2, setAside: 5 });
    expect(ongoingNumbers(world)).toEqual([String(good1.order_id), String(good2.order_id)].sort());

    const aside = await world.services().state.inbox.list({ kind: 'order' });
    const reasons = Object.fromEntries(aside.map((i) => [i.sourceId, i.reason]));
    expect(reasons).toEqual({
      [noLines.order_id]: 'malformed order: the order has no lines',
      [zero.order_id]: 'malformed order: line 1 (SKU-A) has quantity 0; it must be more than 0',
      [noAddress.order_id]: 'malformed order: no delivery address (delivery_address is empty)',
      [badCountry.order_id]: 'malformed order: invalid delivery country code "Polska" (expected two letters, e.g. "PL")',
      [unreadable.order_id]: expect.stringMatching(/^BaseLinker sent an order that cannot be read: orders\.\d+\.products\.0\.quantity: /),
    });
    expect(JSON.parse(aside.find((i) => i.sourceId === String(noLines.order_id))!.raw!)).toMatchObject({ order_id: noLines.order_id, products: [] });

    // Unchanged, they stay aside without being counted again; once fixed in BaseLinker, one goes through.
    const again = await world.run('orders', ordersFlow);
    expect(again.result).toMatchObject({ written: 0, setAside: 0 });
    expect(again.result!.counts).toMatchObject({ stillSetAside: 5 });
    world.bl.state.orders.get(noAddress.order_id)!.delivery_address = 'ul. Poprawiona 1';
    const fixed = await world.run('orders', ordersFlow);
    expect(fixed.result!.written).toBe(1);
    expect(await world.services().state.inbox.get('order', String(noAddress.order_id))).toBeUndefined();
  });

  it('retries an order whose SKU is not an Ongoing article yet, and sends it once the article exists', async () => {
    world = await orderWorldOn(adapter);
    const order = addOrder(world, { products: [{ sku: 'SKU-NEW', quantity: 1 }] });
    const first = await world.run('orders', ordersFlow);
    expect(first.result).toMatchObject({ written: 0, setAside: 0 });
    expect(first.result!.counts).toMatchObject({ waitingForArticles: 1 });
    expect(first.result!.message).toContain('1 order(s) wait for articles');
    expect(await world.services().state.orders.get(order.order_id)).toMatchObject({ status: 'pending', lastError: 'waiting for articles missing in Ongoing: SKU-NEW' });
    expect(world.ongoing.calls('PUT /orders')).toBe(0);

    await world.services().ongoing.putArticle({ articleNumber: 'SKU-NEW', articleName: 'New' });
    expect((await world.run('orders', ordersFlow)).result!.written).toBe(1);
  });

  it('sets an order aside after missingArticleRetryHours of waiting for its article', async () => {
    world = await orderWorldOn(adapter, { missingArticleRetryHours: 24 });
    const order = addOrder(world, { products: [{ sku: 'SKU-NEVER', quantity: 1 }] });
    await world.run('orders', ordersFlow);
    const dayLater = Date.now() + 25 * HOUR_MS;
    const late = await world.run('orders', ordersFlow, { now: () => Date.now() + 25 * HOUR_MS, deadline: dayLater + 60_000 });
    expect(late.result!.setAside).toBe(1);
    const item = await world.services().state.inbox.get('order', String(order.order_id));
    expect(item?.reason).toMatch(/^articles missing in Ongoing: SKU-NEVER \(waited 2[45]\.\d h, the limit is 24 h/);
    // Set aside: not retried until a person asks.
    const after = await world.run('orders', ordersFlow);
    expect(after.result!.counts).toMatchObject({ stillSetAside: 1 });
    await world.services().ongoing.putArticle({ articleNumber: 'SKU-NEVER', articleName: 'Finally' });
    await world.services().state.inbox.markForRetry('order', String(order.order_id));
    expect((await world.run('orders', ordersFlow)).result!.written).toBe(1);
  });

  it('sets aside an order Ongoing refuses, with what Ongoing said, and sends the others', async () => {
    world = await orderWorldOn(adapter);
    const refused = addOrder(world);
    const fine = addOrder(world);
    /** Ongoing refuses for a reason the mapping cannot foresee (its own business rules). */
    class RefusingOngoing extends OngoingClient {
      override async putOrder(order: OrderInput) {
        if (order.orderNumber === String(refused.order_id)) {
          throw new OngoingRefusedError({ method: 'PUT', path: '/orders' }, 400, 'Customer is blocked.', '{"message":"Customer is blocked."}');
        }
        return super.putOrder(order);
      }
    }
    const ongoing = new RefusingOngoing(demoClientSettings(world.ongoing.baseUrl));
    const report = await world.run('orders', ordersFlow, { services: (t) => ({ ...world.services(t), ongoing }) });
    expect(report.result).toMatchObject({ written: 1, setAside: 1 });
    expect(ongoingNumbers(world)).toEqual([String(fine.order_id)]);
    const item = await world.services().state.inbox.get('order', String(refused.order_id));
    expect(item?.reason).toBe('Ongoing refused the order: Customer is blocked.');
    expect(JSON.parse(item!.raw!)).toMatchObject({ sent: { orderNumber: String(refused.order_id) }, order: { order_id: refused.order_id } });
    expect(await world.services().state.orders.get(refused.order_id)).toMatchObject({ status: 'pending', lastError: 'Ongoing refused the order: Customer is blocked.' });
  });
});

// DynamoDB only: the killed process is a StateStore of its own that stops reaching the table, and the rerun is
// another client of the same table whose clock is 11 minutes on; the memory state has one clock for all.
describe('orders flow: a process killed mid-run (DynamoDB)', () => {
  let world: World;
  afterEach(() => world?.close());

  it('after a run killed between the Ongoing call and the state write, the rerun still leaves exactly one Ongoing order', async () => {
    world = await orderWorld();
    const order = addOrder(world);
    const doc = testDocumentClient();
    /** The process "dies" on its first completeOrder: from then on nothing reaches DynamoDB for the orders. */
    class DyingStore extends StateStore {
      dead = false;
      override async completeOrder(...args: Parameters<StateStore['completeOrder']>): Promise<OrderRecord> {
        if (!this.dead) {
          this.dead = true;
          throw new Error('process killed');
        }
        return super.completeOrder(...args);
      }
      override async releaseOrderRecord(tenant: string, id: ExternalId, owner: string, lastError?: string): Promise<OrderRecord | undefined> {
        if (this.dead) throw new Error('process killed');
        return super.releaseOrderRecord(tenant, id, owner, lastError);
      }
    }
    const dying = new DyingStore(doc, world.tableName);
    const killed = await world.run('orders', ordersFlow, { services: (t) => ({ ...world.services(t), state: dynamoStatePorts(dying, t.id) }) });
    expect(killed.outcome).toBe('failed');
    expect(world.ongoing.calls('PUT /orders')).toBe(1);
    expect(await world.services().state.orders.get(order.order_id)).toMatchObject({ status: 'pending' });

    // The next run comes after the dead run's claim has lapsed (its clock is 11 minutes on).
    const later = new StateStore(doc, world.tableName, { now: () => Date.now() + 11 * 60_000 });
    const rerun = await world.run('orders', ordersFlow, { services: (t) => ({ ...world.services(t), state: dynamoStatePorts(later, t.id) }) });
    expect(rerun.outcome).toBe('ok');
    expect(rerun.result!.counts).toMatchObject({ recordedFromOngoing: 1 });
    expect(world.ongoing.calls('PUT /orders')).toBe(1);
    expect(ongoingOrders(world)).toHaveLength(1);
    const record = await world.services().state.orders.get(order.order_id);
    expect(record).toMatchObject({ status: 'done', ongoingOrderId: ongoingOrders(world)[0].orderId });
  });
});
