import { ORDERS_CURSOR, ordersFlow, type OrdersCursor } from '../../shared/flows/orders';
import { CANCELLED, CHOSEN, orderWorldOn } from '../support/orders';
import { describeOnEachState, savedCursor, type StateKind, type World } from '../support/world';

/**
 * Journal mode fetches the orders the journal names in pages of 100 (getOrders with id_from under a
 * confirmation-date cursor), not one call per order. Calls are counted on the BaseLinker simulator.
 */

const OTHER = 5502;

function addOrder(world: World, status: number, confirmedAt: number) {
  return world.bl.addOrder({ order_status_id: status, products: [{ sku: 'SKU-A', quantity: 1, price_brutto: 10 }] }, { createdAt: confirmedAt - 30, confirmedAt });
}

const inOngoing = (world: World) => new Set([...world.ongoing.state.orders.values()].map((o) => Number(o.orderNumber)));

/** A journal-mode world past its first run (journal end found, first scan done). */
async function polledWorld(state: StateKind): Promise<World> {
  const world = await orderWorldOn(state, { journal: true, lookbackDays: 1 });
  const first = await world.run('orders', ordersFlow);
  expect(first.result!.counts).toMatchObject({ journalRestarted: 1, fullScan: 1 });
  world.bl.resetCounters();
  return world;
}

/** An orders run whose deadline passes (on its clock) once `written` orders are in Ongoing. */
function runStoppedAfter(world: World, written: number) {
  const base = Date.now();
  const deadline = base + 60_000;
  return world.run('orders', ordersFlow, { deadline, now: () => (world.ongoing.state.orders.size >= written ? deadline + 1 : base) });
}

describeOnEachState('journal mode fetches the named orders in pages', (adapter) => {
  let world: World;
  afterEach(() => world.close());

  it('fetches 250 new orders, spread over three pages and two statuses, with three getOrders calls', async () => {
    world = await polledWorld(adapter);
    const startS = Math.floor(Date.now() / 1000) - 120;
    const chosen: number[] = [];
    const other: number[] = [];
    for (let i = 0; i < 250; i++) {
      // Every fifth order lands in a status the tenant does not import: it takes room on the pages all the same.
      const order = addOrder(world, i % 5 === 4 ? OTHER : CHOSEN, startS + Math.floor(i / 3));
      (i % 5 === 4 ? other : chosen).push(order.order_id);
    }
    const poll = await world.run('orders', ordersFlow);
    expect(poll.result!.written).toBe(chosen.length);
    expect([...inOngoing(world)].sort()).toEqual([...chosen].sort());
    // 500 events (created + confirmed) are 5 full journal pages and an empty one; 250 orders are 3 order pages.
    expect(world.bl.calls('getJournalList')).toBe(6);
    expect(world.bl.calls('getOrders')).toBe(3);
    expect(poll.result!.counts).toMatchObject({ journalPages: 3, journalEvents: 500 });
  });

  it('reads a second split across two pages without reading its orders twice, and stops once every named order is found', async () => {
    world = await polledWorld(adapter);
    const atS = Math.floor(Date.now() / 1000) - 60;
    // 200 orders confirmed in the same second: the date cursor cannot move past it, the id floor does.
    const ids = Array.from({ length: 200 }, () => addOrder(world, CHOSEN, atS).order_id);
    const poll = await world.run('orders', ordersFlow);
    expect(poll.result!.written).toBe(200);
    expect(inOngoing(world)).toEqual(new Set(ids));
    // Exactly two full pages; no third call to learn that nothing follows.
    expect(world.bl.calls('getOrders')).toBe(2);
  });

  it('skips orders that moved out of the chosen statuses before the poll, and still sends one moved back in', async () => {
    world = await polledWorld(adapter);
    const startS = Math.floor(Date.now() / 1000) - 120;
    const orders = Array.from({ length: 120 }, (_, i) => addOrder(world, CHOSEN, startS + i));
    const movedOut = orders.filter((_, i) => i % 10 === 0).map((o) => o.order_id);
    for (const id of movedOut) world.bl.changeOrderStatus(id, OTHER);
    // Out and back in: its latest event puts it in a chosen status.
    const backIn = orders[1]!.order_id;
    world.bl.changeOrderStatus(backIn, OTHER);
    world.bl.changeOrderStatus(backIn, CHOSEN);
    // Moved out with no journal event to say so (its last event is "confirmed"): the page shows where it is now.
    const silentlyMoved = orders[2]!.order_id;
    world.bl.state.orders.get(silentlyMoved)!.order_status_id = OTHER;

    const poll = await world.run('orders', ordersFlow);
    const sent = inOngoing(world);
    for (const id of [...movedOut, silentlyMoved]) expect(sent.has(id)).toBe(false);
    expect(sent.has(backIn)).toBe(true);
    expect(poll.result!.written).toBe(120 - movedOut.length - 1);
    expect(world.bl.calls('getOrders')).toBe(2);
  });

  it('still cancels in Ongoing an order deleted in BaseLinker, and one moved to a cancelled status, among new ones', async () => {
    world = await polledWorld(adapter);
    const startS = Math.floor(Date.now() / 1000) - 300;
    const earlier = [addOrder(world, CHOSEN, startS), addOrder(world, CHOSEN, startS + 1)];
    await world.run('orders', ordersFlow);
    expect(inOngoing(world)).toEqual(new Set(earlier.map((o) => o.order_id)));

    const [toDelete, toCancel] = earlier.map((o) => o.order_id);
    world.bl.deleteOrder(toDelete!);
    world.bl.changeOrderStatus(toCancel!, CANCELLED);
    const fresh = Array.from({ length: 150 }, (_, i) => addOrder(world, CHOSEN, startS + 60 + i).order_id);
    // A type 4 event for an order never sent (e.g. an invoice removed elsewhere) costs nothing.
    world.bl.journal(999_999_999, 4, 0);
    world.bl.resetCounters();

    const poll = await world.run('orders', ordersFlow);
    expect(poll.result!.written).toBe(150);
    expect(poll.result!.counts).toMatchObject({ cancelledInOngoing: 2, journalDeletionChecks: 1 });
    const state = world.services().state;
    expect(await state.orders.get(toDelete!)).toMatchObject({ status: 'cancelled', note: 'deleted in BaseLinker; cancelled in Ongoing' });
    expect(await state.orders.get(toCancel!)).toMatchObject({ status: 'cancelled' });
    for (const id of fresh) expect(inOngoing(world).has(id)).toBe(true);
    // The cancelled order and the new ones share the pages; the deleted one is looked up by id.
    expect(world.bl.calls('getOrders')).toBe(2 + 1);
  });

  it('leaves what a run stopped before pending in the cursor: the next run neither reads the journal again nor the pages it handled', async () => {
    world = await polledWorld(adapter);
    const startS = Math.floor(Date.now() / 1000) - 120;
    const ids = Array.from({ length: 250 }, (_, i) => addOrder(world, CHOSEN, startS + Math.floor(i / 3)).order_id);
    // The deadline passes once the first page's 100 orders are in Ongoing.
    const stopped = await runStoppedAfter(world, 100);
    expect(stopped.result).toMatchObject({ written: 100, complete: false });
    expect(stopped.result!.counts).toMatchObject({ journalPages: 1, journalPendingLeft: 150 });
    const cursor = (await savedCursor<OrdersCursor>(world, ORDERS_CURSOR))!;
    expect(cursor.journal!.pending).toHaveLength(150);

    world.bl.resetCounters();
    const next = await world.run('orders', ordersFlow);
    expect(next.result).toMatchObject({ written: 150, complete: true });
    expect(world.bl.calls('getJournalList')).toBe(1);
    expect(world.bl.calls('getOrders')).toBe(2);
    expect(inOngoing(world)).toEqual(new Set(ids));
    expect(world.ongoing.calls('PUT /orders')).toBe(250);
    expect((await savedCursor<OrdersCursor>(world, ORDERS_CURSOR))!.journal!.pending ?? []).toEqual([]);
  });

  it('leaves pending only what it did not write of the page it stopped in: the next run does not take the written ones up again', async () => {
    world = await polledWorld(adapter);
    const startS = Math.floor(Date.now() / 1000) - 120;
    const ids = Array.from({ length: 150 }, (_, i) => addOrder(world, CHOSEN, startS + Math.floor(i / 3)).order_id);
    // The deadline passes in the middle of the first page, once 60 of its orders are in Ongoing.
    const stopped = await runStoppedAfter(world, 60);
    expect(stopped.result).toMatchObject({ written: 60, complete: false });
    const pending = (await savedCursor<OrdersCursor>(world, ORDERS_CURSOR))!.journal!.pending!;
    expect(pending).toHaveLength(90);
    expect(pending.filter((id) => inOngoing(world).has(id))).toEqual([]);

    const next = await world.run('orders', ordersFlow);
    expect(next.result).toMatchObject({ written: 90, complete: true });
    expect(next.result!.counts!.alreadyInOngoing).toBeUndefined();
    expect(inOngoing(world)).toEqual(new Set(ids));
    expect(world.ongoing.calls('PUT /orders')).toBe(150);
  });
});
