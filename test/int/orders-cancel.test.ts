import { ordersFlow } from '../../shared/flows/orders';
import { CANCELLED, CHOSEN, orderWorldOn } from '../support/orders';
import { describeOnEachState, type World } from '../support/world';


function addOrder(world: World, sku = 'SKU-A') {
  return world.bl.addOrder({ order_status_id: CHOSEN, products: [{ sku, quantity: 1, price_brutto: 10 }] });
}

async function transferred(world: World, blOrderId: number): Promise<number> {
  await world.run('orders', ordersFlow);
  const record = await world.services().state.orders.get(blOrderId);
  expect(record?.status).toBe('done');
  return Number(record!.ongoingOrderId);
}

describeOnEachState('orders flow: cancellations', (adapter) => {
  let world: World;
  beforeEach(async () => {
    world = await orderWorldOn(adapter, {}, ['SKU-A']);
  });
  afterEach(() => world.close());

  it('cancels the Ongoing order when the BaseLinker order moves to a cancelled status before picking', async () => {
    const order = addOrder(world);
    const ongoingId = await transferred(world, order.order_id);
    world.bl.changeOrderStatus(order.order_id, CANCELLED);

    const report = await world.run('orders', ordersFlow);
    expect(report.result!.counts).toMatchObject({ cancelledInOngoing: 1 });
    expect(world.ongoing.state.orders.get(ongoingId)!.status).toBe(1000);
    expect(await world.services().state.orders.get(order.order_id)).toMatchObject({
      status: 'cancelled',
      ongoingOrderId: ongoingId,
      note: `moved to the cancelled status ${CANCELLED} in BaseLinker; cancelled in Ongoing`,
    });
    await world.run('orders', ordersFlow);
    expect(world.ongoing.calls('DELETE /orders/{orderId}')).toBe(1);
  });

  it('records a cancel after picking as an exception for a person, and does not retry it run after run', async () => {
    const order = addOrder(world);
    const ongoingId = await transferred(world, order.order_id);
    world.ongoing.setOrderStatus(ongoingId, 400);
    world.bl.changeOrderStatus(order.order_id, CANCELLED);

    const first = await world.run('orders', ordersFlow);
    expect(first.result).toMatchObject({ setAside: 1 });
    expect(first.result!.counts).toMatchObject({ cancelRefused: 1 });
    for (let i = 0; i < 3; i++) {
      const later = await world.run('orders', ordersFlow);
      expect(later.result!.counts).toMatchObject({ cancelAwaitingPerson: 1 });
    }
    expect(world.ongoing.calls('DELETE /orders/{orderId}')).toBe(1);
    expect(world.ongoing.state.orders.get(ongoingId)!.status).toBe(400);

    const [item] = await world.services().state.inbox.list({ kind: 'cancel' });
    expect(item).toMatchObject({ sourceId: String(order.order_id), state: 'open', ids: { ongoingOrderId: String(ongoingId), orderNumber: String(order.order_id) } });
    expect(item.reason).toMatch(/^moved to the cancelled status 5505 in BaseLinker, but Ongoing refused to cancel its order \d+ .*: Order \d+ can not be cancelled since the order has status 400/);
    // The Ongoing order still exists and is still being worked on: the record says so.
    expect(await world.services().state.orders.get(order.order_id)).toMatchObject({ status: 'done' });

    // A person asks for another try after the warehouse put the order back: it goes through.
    world.ongoing.setOrderStatus(ongoingId, 200);
    await world.services().state.inbox.markForRetry('cancel', String(order.order_id));
    const retried = await world.run('orders', ordersFlow);
    expect(retried.result!.counts).toMatchObject({ cancelledInOngoing: 1 });
    expect(world.ongoing.calls('DELETE /orders/{orderId}')).toBe(2);
    expect(await world.services().state.inbox.get('cancel', String(order.order_id))).toBeUndefined();
  });

  it('never sends an order cancelled in BaseLinker while it waited for its articles', async () => {
    const order = addOrder(world, 'SKU-LATER');
    await world.run('orders', ordersFlow);
    expect(await world.services().state.orders.get(order.order_id)).toMatchObject({ status: 'pending' });
    world.bl.changeOrderStatus(order.order_id, CANCELLED);
    const report = await world.run('orders', ordersFlow);
    expect(report.result!.counts).toMatchObject({ cancelledBeforeTransfer: 1 });

    // Even if it comes back into a chosen status with its article present, the cancellation stands.
    await world.services().ongoing.putArticle({ articleNumber: 'SKU-LATER', articleName: 'Later' });
    world.bl.changeOrderStatus(order.order_id, CHOSEN);
    await world.run('orders', ordersFlow);
    expect(world.ongoing.calls('PUT /orders')).toBe(0);
    expect(world.ongoing.calls('DELETE /orders/{orderId}')).toBe(0);
  });

  it('takes an order already cancelled in Ongoing as cancelled', async () => {
    const order = addOrder(world);
    const ongoingId = await transferred(world, order.order_id);
    world.ongoing.setOrderStatus(ongoingId, 1000);
    world.bl.changeOrderStatus(order.order_id, CANCELLED);
    const report = await world.run('orders', ordersFlow);
    expect(report.result).toMatchObject({ setAside: 0 });
    expect(await world.services().state.orders.get(order.order_id)).toMatchObject({ status: 'cancelled', note: expect.stringContaining('already cancelled in Ongoing') });
  });
});
