import { createOrdersFlow } from '../../shared/flows/orders';
import { describeOnEachState, startWorld, type World } from '../support/world';

/**
 * Regression: a run created the order in Ongoing and died before recording it (its record stays 'pending').
 * When the seller then cancels the order in BaseLinker, "pending" must not be read as "never reached
 * Ongoing": the order is there, and must be cancelled there.
 */

const CHOSEN = 5501;
const CANCELLED = 5505;
describeOnEachState('orders: a cancellation after a crashed run', (adapter) => {
  let world: World;

  beforeAll(async () => {
    world = await startWorld({ state: adapter, tenant: { baselinker: { orderStatusIds: [CHOSEN], cancelledStatusIds: [CANCELLED] } } });
    await world.services().ongoing.putArticle({ articleNumber: 'SKU-A', articleName: 'Article A' });
  });
  afterAll(() => world?.close());

  it('cancels in Ongoing an order whose creating run died before recording it', async () => {
    const flow = createOrdersFlow({ claimLeaseMs: 200 });
    const order = world.bl.addOrder({ order_status_id: CHOSEN, products: [{ sku: 'SKU-A', quantity: 1, price_brutto: 10 }] });
    // The process dies at the write that records the order as done.
    const crashed = await world.run('orders', flow, {
      services: (t, _runtime, o) => {
        const services = world.services(t, o);
        services.state.orders.complete = () => Promise.reject(new Error('process stopped before recording the order'));
        return services;
      },
    });
    expect(crashed.outcome).toBe('failed');
    const [inOngoing] = [...world.ongoing.state.orders.values()].filter((o) => o.orderNumber === String(order.order_id));
    expect(inOngoing).toBeDefined();
    expect(await world.services().state.orders.get(order.order_id)).toMatchObject({ status: 'pending' });

    world.bl.changeOrderStatus(order.order_id, CANCELLED);
    await new Promise((r) => setTimeout(r, 250));
    const report = await world.run('orders', flow);

    expect(report.outcome).toBe('ok');
    expect(world.ongoing.state.orders.get(inOngoing!.orderId)?.status).toBe(1000);
    expect(await world.services().state.orders.get(order.order_id)).toMatchObject({ status: 'cancelled' });
  });
});
