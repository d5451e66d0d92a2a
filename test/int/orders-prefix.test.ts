import { ordersFlow } from '../../shared/flows/orders';
import { reconcileFlow } from '../../shared/flows/reconcile';
import { describeOnEachState, startWorld, type World } from '../support/world';

/** A tenant's order number prefix: set once in the settings, used by every flow that names an Ongoing order. */

describeOnEachState('order number prefix', (adapter) => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ state: adapter, tenant: { baselinker: { orderStatusIds: [5501] }, ongoing: { orderNumberPrefix: 'BL-' } } });
    await world.services().ongoing.putArticle({ articleNumber: 'SKU-A', articleName: 'Article A' });
  });
  afterAll(() => world.close());

  it('writes the Ongoing order number with the prefix, keeps the bare id as goods owner order id, and reconciles by it', async () => {
    const order = world.bl.addOrder({ order_status_id: 5501, products: [{ sku: 'SKU-A', quantity: 1, price_brutto: 10 }] });
    expect((await world.run('orders', ordersFlow)).result).toMatchObject({ written: 1 });
    const [created] = [...world.ongoing.state.orders.values()];
    expect(created.orderNumber).toBe(`BL-${order.order_id}`);
    expect(created.data.goodsOwnerOrderId).toBe(String(order.order_id));

    const reconcile = await world.run('reconcile', reconcileFlow);
    expect(reconcile.outcome).toBe('ok');
    expect(world.ongoing.state.orders.size).toBe(1);
    expect(world.ongoing.calls('PUT /orders')).toBe(1);
  });
});
