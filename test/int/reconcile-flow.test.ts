import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { createOrdersFlow, ordersFlow } from '../../shared/flows/orders';
import { createReconcileFlow, DELETION_SUSPECTS_CURSOR, reconcileFlow } from '../../shared/flows/reconcile';
import { FLOWS } from '../../shared/flows/registry';
import { keys, StateStore } from '../../shared/state';
import { testDocumentClient } from '../support/emulators';
import { CANCELLED, CHOSEN, orderWorld, orderWorldOn } from '../support/orders';
import { describeOnEachState, savedCursor, startWorld, type World } from '../support/world';


function addOrders(world: World, n: number): number[] {
  return Array.from({ length: n }, () => world.bl.addOrder({ order_status_id: CHOSEN, products: [{ sku: 'SKU-A', quantity: 1, price_brutto: 10 }] }).order_id);
}

function ongoingByNumber(world: World, number: string) {
  return [...world.ongoing.state.orders.values()].filter((o) => o.orderNumber === number);
}

async function forgetRecord(world: World, blOrderId: number): Promise<void> {
  await testDocumentClient().send(new DeleteCommand({ TableName: world.tableName, Key: keys.order('test', String(blOrderId)) }));
}

describeOnEachState('reconciliation', (adapter) => {
  let world: World;
  beforeEach(async () => {
    world = await orderWorldOn(adapter, {}, ['SKU-A']);
  });
  afterEach(() => world.close());

  it('sends again an order the state calls sent but Ongoing does not have', async () => {
    const [a] = addOrders(world, 1);
    await world.run('orders', ordersFlow);
    const before = ongoingByNumber(world, String(a))[0];
    world.ongoing.state.orders.delete(before.orderId);

    const report = await world.run('reconcile', reconcileFlow);
    expect(report.result!.counts).toMatchObject({ reopened: 1, healed: 1 });
    const after = ongoingByNumber(world, String(a));
    expect(after).toHaveLength(1);
    expect(await world.services().state.orders.get(a)).toMatchObject({ status: 'done', ongoingOrderId: after[0].orderId });
  });

  it('leaves cancelled orders cancelled', async () => {
    const [a] = addOrders(world, 1);
    await world.run('orders', ordersFlow);
    world.bl.changeOrderStatus(a, CANCELLED);
    const report = await world.run('reconcile', reconcileFlow);
    expect(report.result!.counts).toMatchObject({ cancelledInOngoing: 1 });
    world.bl.changeOrderStatus(a, CHOSEN);
    world.ongoing.resetCalls();
    const again = await world.run('reconcile', reconcileFlow);
    expect(again.result!.counts!.healed).toBe(0);
    expect(world.ongoing.calls('PUT /orders')).toBe(0);
  });

  it('cancels orders deleted in BaseLinker (no journal) once a second look confirms it, a capped number of fetches per run', async () => {
    const ids = addOrders(world, 3);
    await world.run('orders', createOrdersFlow());
    // Moved on in BaseLinker (out of the scanned statuses), then deleted there.
    ids.forEach((id) => world.bl.changeOrderStatus(id, 5503));
    ids.slice(0, 2).forEach((id) => world.bl.deleteOrder(id));
    const statuses = () => ids.map((id) => ongoingByNumber(world, String(id))[0].status);

    const flow = createReconcileFlow({ deletionChecksPerRun: 2, confirmDeletionAfterMs: 0 });
    const first = await world.run('reconcile', flow);
    // One empty answer each: suspects, nothing cancelled yet.
    expect(first.result!.counts).toMatchObject({ deletionChecks: 2, deletionSuspected: 2 });
    expect(first.result!.counts!.cancelledInOngoing).toBeUndefined();
    expect(statuses()).toEqual([200, 200, 200]);

    const second = await world.run('reconcile', flow);
    // The second looks come first and use up the cap; still gone, so cancelled.
    expect(second.result!.counts).toMatchObject({ deletionChecks: 2, deletionConfirmed: 2, cancelledInOngoing: 2 });
    expect(statuses()).toEqual([1000, 1000, 200]);

    const third = await world.run('reconcile', flow);
    // The third order still exists: checked, not cancelled; the next run starts over.
    expect(third.result!.counts).toMatchObject({ deletionChecks: 1 });
    expect(third.result!.counts!.cancelledInOngoing).toBeUndefined();
    expect(statuses()).toEqual([1000, 1000, 200]);
  });

  it('does not cancel an order because one getOrders answered empty: the second look finds it', async () => {
    const [id] = addOrders(world, 1);
    await world.run('orders', createOrdersFlow());
    world.bl.changeOrderStatus(id, 5503);
    const order = world.bl.state.orders.get(id)!;
    world.bl.state.orders.delete(id); // BaseLinker answers empty once (no journal event: not a deletion)

    const first = await world.run('reconcile', createReconcileFlow());
    expect(first.result!.counts).toMatchObject({ deletionChecks: 1, deletionSuspected: 1 });
    world.bl.state.orders.set(id, order);
    // Too soon for the second look (default: 10 minutes later): the suspect waits, nothing is fetched for it.
    const soon = await world.run('reconcile', createReconcileFlow());
    expect(soon.result!.counts).toMatchObject({ deletionChecks: 0 });

    const later = await world.run('reconcile', createReconcileFlow({ confirmDeletionAfterMs: 0 }));
    expect(later.result!.counts).toMatchObject({ deletionChecks: 1 });
    expect(later.result!.counts!.deletionConfirmed).toBeUndefined();
    expect(ongoingByNumber(world, String(id))[0].status).toBe(200);
    expect(await savedCursor(world, DELETION_SUSPECTS_CURSOR)).toEqual({});
    // Back among the open orders to check, as any other.
    const after = await world.run('reconcile', createReconcileFlow({ confirmDeletionAfterMs: 0 }));
    expect(after.result!.counts).toMatchObject({ deletionChecks: 1 });
    expect(ongoingByNumber(world, String(id))[0].status).toBe(200);
  });

  it('with the journal on, its removal event confirms an empty answer in the same run', async () => {
    await world.close();
    world = await orderWorldOn(adapter, { journal: true }, ['SKU-A']);
    const [gone, glitch] = addOrders(world, 2);
    await world.run('orders', createOrdersFlow());
    // Not through the orders flow's journal poll: reconciliation alone must decide.
    [gone, glitch].forEach((id) => world.bl.changeOrderStatus(id, 5503));
    world.bl.deleteOrder(gone);
    world.bl.state.orders.delete(glitch);

    const report = await world.run('reconcile', createReconcileFlow());

    expect(report.result!.counts).toMatchObject({ deletionChecks: 2, deletionConfirmed: 1, deletionSuspected: 1, cancelledInOngoing: 1 });
    expect(ongoingByNumber(world, String(gone))[0].status).toBe(1000);
    expect(ongoingByNumber(world, String(glitch))[0].status).toBe(200);
  });
});

// DynamoDB only: the state "forgets" an order by deleting its item from the table under the flow; the ports
// have no way to lose a record, as the flows never delete one.
describe('reconciliation of records lost from the state table (DynamoDB)', () => {
  let world: World;
  beforeEach(async () => {
    world = await orderWorld({}, ['SKU-A']);
  });
  afterEach(() => world.close());

  it('finds and heals an order deleted from the flow state and missing in Ongoing', async () => {
    const [a, b, c] = addOrders(world, 3);
    await world.run('orders', ordersFlow);
    const lost = ongoingByNumber(world, String(b))[0];
    world.ongoing.state.orders.delete(lost.orderId);
    await forgetRecord(world, b);
    world.ongoing.resetCalls();

    const report = await world.run('reconcile', reconcileFlow);
    expect(report.outcome).toBe('ok');
    expect(report.result).toMatchObject({ seen: 3, written: 1 });
    expect(report.result!.counts).toMatchObject({ inOngoing: 2, missingInOngoing: 1, healed: 1 });
    expect(report.result!.message).toBe(`healed 1 order(s) missing in Ongoing or in the state: ${b}`);
    expect(ongoingByNumber(world, String(b))).toHaveLength(1);
    expect(await world.services().state.orders.get(b)).toMatchObject({ status: 'done', ongoingOrderId: ongoingByNumber(world, String(b))[0].orderId });
    // Ongoing: one GET for the batch of three order numbers, one listing the open orders (deletion check), one PUT.
    expect(world.ongoing.calls('GET /orders')).toBe(2);
    expect(world.ongoing.calls('PUT /orders')).toBe(1);
    expect([a, c].every((id) => ongoingByNumber(world, String(id)).length === 1)).toBe(true);

    const clean = await world.run('reconcile', reconcileFlow);
    expect(clean.result!.message).toBe('every order in the chosen statuses is in Ongoing');
  });

  it('records an order Ongoing has but the state forgot, without sending it again', async () => {
    const [a] = addOrders(world, 1);
    await world.run('orders', ordersFlow);
    await forgetRecord(world, a);
    world.ongoing.resetCalls();

    const report = await world.run('reconcile', reconcileFlow);
    expect(report.result!.counts).toMatchObject({ recordedFromOngoing: 1, healed: 1 });
    expect(world.ongoing.calls('PUT /orders')).toBe(0);
    expect(await world.services().state.orders.get(a)).toMatchObject({ status: 'done' });
  });
});

it('reconcile is available to npm run sync as "reconcile", next to "orders"', () => {
  expect(FLOWS.reconcile).toBe(reconcileFlow);
  expect(FLOWS.orders).toBe(ordersFlow);
});

// DynamoDB only: the StateStore primitive under the orders ledger's reopen.
describe('StateStore.reopenOrder', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(() => world.close());

  it('makes a done order claimable again and leaves pending or cancelled ones alone', async () => {
    const state = new StateStore(testDocumentClient(), world.tableName);
    expect(await state.claimOrder('t', 1, 'run-1', 60_000)).toBe('claimed');
    expect(await state.reopenOrder('t', 1, 'missing')).toBe(false);
    await state.completeOrder('t', 1, 'run-1', { ongoingOrderId: 70, orderNumber: '1' });
    expect(await state.claimOrder('t', 1, 'run-2', 60_000)).toBe('done');

    expect(await state.reopenOrder('t', 1, 'missing in Ongoing')).toBe(true);
    const reopened = await state.getOrderRecord('t', 1);
    expect(reopened).toMatchObject({ status: 'pending', lastError: 'missing in Ongoing' });
    expect(reopened?.ongoingOrderId).toBeUndefined();
    expect(await state.claimOrder('t', 1, 'run-2', 60_000)).toBe('claimed');

    await state.markOrderCancelled('t', 2);
    expect(await state.reopenOrder('t', 2, 'x')).toBe(false);
    expect(await state.reopenOrder('t', 3, 'x')).toBe(false);
    expect(await state.getOrderRecord('t', 3)).toBeUndefined();
  });
});
