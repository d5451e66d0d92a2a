import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { createOrdersFlow, ordersFlow } from '../../shared/flows/orders';
import { createReconcileFlow, reconcileFlow } from '../../shared/flows/reconcile';
import { FLOWS } from '../../shared/flows/registry';
import { keys, StateStore } from '../../shared/state';
import { testDocumentClient } from '../support/emulators';
import { CANCELLED, CHOSEN, orderWorld } from '../support/orders';
import { startWorld, type World } from '../support/world';


function addOrders(world: World, n: number): number[] {
  return Array.from({ length: n }, () => world.bl.addOrder({ order_status_id: CHOSEN, products: [{ sku: 'SKU-A', quantity: 1, price_brutto: 10 }] }).order_id);
}

function ongoingByNumber(world: World, number: string) {
  return [...world.ongoing.state.orders.values()].filter((o) => o.orderNumber === number);
}

async function forgetRecord(world: World, blOrderId: number): Promise<void> {
  await testDocumentClient().send(new DeleteCommand({ TableName: world.tableName, Key: keys.order('test', String(blOrderId)) }));
}

describe('reconciliation', () => {
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

  it('notices orders deleted in BaseLinker (no journal) and cancels them in Ongoing, a capped number per run', async () => {
    const ids = addOrders(world, 3);
    await world.run('orders', createOrdersFlow());
    // Moved on in BaseLinker (out of the scanned statuses), then deleted there.
    ids.forEach((id) => world.bl.changeOrderStatus(id, 5503));
    ids.slice(0, 2).forEach((id) => world.bl.deleteOrder(id));
    world.bl.resetCounters();

    const flow = createReconcileFlow({ deletionChecksPerRun: 2 });
    const first = await world.run('reconcile', flow);
    expect(first.result!.counts).toMatchObject({ deletionChecks: 2, cancelledInOngoing: 2 });
    const second = await world.run('reconcile', flow);
    // The third order still exists: checked, not cancelled; the next run starts over.
    expect(second.result!.counts).toMatchObject({ deletionChecks: 1 });
    expect(second.result!.counts!.cancelledInOngoing).toBeUndefined();
    const statuses = ids.map((id) => ongoingByNumber(world, String(id))[0].status);
    expect(statuses).toEqual([1000, 1000, 200]);
    const third = await world.run('reconcile', flow);
    expect(third.result!.counts).toMatchObject({ deletionChecks: 1 });
  });

  it('is available to npm run sync as "reconcile", next to "orders"', () => {
    expect(FLOWS.reconcile).toBe(reconcileFlow);
    expect(FLOWS.orders).toBe(ordersFlow);
  });
});

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
