import { ORDERS_CURSOR, ordersFlow, type OrdersCursor } from '../../shared/flows/orders';
import { describeOnEachState, savedCursor, startWorld, type StateKind, type World } from '../support/world';

const CHOSEN = 5501;
const OTHER = 5502;
const AFTER_IMPORT = 5503;
const CANCELLED = 5505;
const DAY_MS = 86_400_000;

async function journalWorld(state: StateKind, extra: Record<string, unknown> = {}): Promise<World> {
  const world = await startWorld({
    state,
    tenant: { baselinker: { orderStatusIds: [CHOSEN], cancelledStatusIds: [CANCELLED], journal: true, ...extra } },
  });
  await world.services().ongoing.putArticle({ articleNumber: 'SKU-A', articleName: 'Article A' });
  world.ongoing.resetCalls();
  return world;
}

function addOrder(world: World, status = CHOSEN) {
  return world.bl.addOrder({ order_status_id: status, products: [{ sku: 'SKU-A', quantity: 1, price_brutto: 10 }] });
}

const numbers = (world: World) => [...world.ongoing.state.orders.values()].map((o) => o.orderNumber).sort();

describeOnEachState('orders flow with the BaseLinker journal', (adapter) => {
  let world: World;
  afterEach(() => world.close());

  it('sends a new order on the next one-minute poll with one getJournalList and one getOrders call', async () => {
    world = await journalWorld(adapter);
    addOrder(world, OTHER); // journal history from before the first run
    const first = await world.run('orders', ordersFlow);
    expect(first.result!.counts).toMatchObject({ journalRestarted: 1, fullScan: 1 });

    const order = addOrder(world);
    world.bl.resetCounters();
    const poll = await world.run('orders', ordersFlow);
    expect(poll.result!.written).toBe(1);
    expect(poll.result!.counts!.fullScan).toBeUndefined();
    expect(numbers(world)).toEqual([String(order.order_id)]);
    expect(world.bl.calls('getJournalList')).toBe(1);
    expect(world.bl.calls('getOrders')).toBe(1);
    expect(world.bl.calls()).toBe(2);

    // Nothing new: one journal call and nothing else.
    world.bl.resetCounters();
    await world.run('orders', ordersFlow);
    expect(world.bl.calls()).toBe(1);
  });

  it('follows status moves: into a chosen status sends, into a cancelled status cancels, elsewhere costs no fetch', async () => {
    world = await journalWorld(adapter);
    const moved = addOrder(world, OTHER);
    const kept = addOrder(world);
    await world.run('orders', ordersFlow);
    expect(numbers(world)).toEqual([String(kept.order_id)]);

    world.bl.changeOrderStatus(moved.order_id, CHOSEN);
    world.bl.changeOrderStatus(kept.order_id, CANCELLED);
    const poll = await world.run('orders', ordersFlow);
    expect(poll.result).toMatchObject({ written: 1 });
    // Both orders come on one page (id_from = the lower of the two ids).
    expect(poll.result!.counts).toMatchObject({ cancelledInOngoing: 1, journalPages: 1 });

    world.bl.changeOrderStatus(moved.order_id, AFTER_IMPORT);
    world.bl.resetCounters();
    await world.run('orders', ordersFlow);
    expect(world.bl.calls('getOrders')).toBe(0);
  });

  it('cancels in Ongoing an order deleted in BaseLinker (journal type 4)', async () => {
    world = await journalWorld(adapter);
    const order = addOrder(world);
    await world.run('orders', ordersFlow);
    const ongoingId = Number((await world.services().state.orders.get(order.order_id))!.ongoingOrderId);

    world.bl.deleteOrder(order.order_id);
    const poll = await world.run('orders', ordersFlow);
    expect(poll.result!.counts).toMatchObject({ cancelledInOngoing: 1 });
    expect(world.ongoing.state.orders.get(ongoingId)!.status).toBe(1000);
    expect(await world.services().state.orders.get(order.order_id)).toMatchObject({ status: 'cancelled', note: 'deleted in BaseLinker; cancelled in Ongoing' });
  });

  it('still runs the full status scan as a safety net every fullScanInterval', async () => {
    world = await journalWorld(adapter);
    await world.run('orders', ordersFlow);
    // An order the journal does not mention (e.g. the account's journal lost it) is found by the scan.
    const quiet = addOrder(world);
    world.bl.state.journal.length = 0;
    const soon = await world.run('orders', ordersFlow);
    expect(soon.result!.written).toBe(0);
    const later = Date.now() + 16 * 60_000;
    const scan = await world.run('orders', ordersFlow, { now: () => Date.now() + 16 * 60_000, deadline: later + 60_000 });
    expect(scan.result!.counts).toMatchObject({ fullScan: 1 });
    expect(numbers(world)).toEqual([String(quiet.order_id)]);
  });

  it('restarts from the journal end and scans when the journal cursor is older than three days', async () => {
    world = await journalWorld(adapter);
    await world.run('orders', ordersFlow);
    const state = world.services().state;
    const cursor = (await savedCursor<OrdersCursor>(world, ORDERS_CURSOR))!;
    await state.cursors.write(ORDERS_CURSOR, { ...cursor, journal: { ...cursor.journal!, polledAt: Date.now() - 3 * DAY_MS } });
    const order = addOrder(world);
    const report = await world.run('orders', ordersFlow);
    expect(report.result!.counts).toMatchObject({ journalRestarted: 1, fullScan: 1 });
    expect(numbers(world)).toEqual([String(order.order_id)]);
    const after = (await savedCursor<OrdersCursor>(world, ORDERS_CURSOR))!;
    expect(after.journal!.lastLogId).toBe(Math.max(...world.bl.state.journal.map((e) => e.log_id)));
  });
});
