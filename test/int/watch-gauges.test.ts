import { ordersFlow } from '../../shared/flows/orders';
import { CHOSEN, orderWorldOn } from '../support/orders';
import { describeOnEachState, type World } from '../support/world';

/**
 * The gauges the stuck-item alarms read, written by every run from state: open set-aside items of the flow's
 * kind, and the age of the oldest order given back, still pending. Failed runs write them too, so they keep
 * rising while nothing succeeds.
 */

describeOnEachState('stuck-item gauges', (adapter) => {
  let world: World;
  beforeAll(async () => {
    world = await orderWorldOn(adapter);
  });
  afterAll(() => world.close());

  const gauge = (name: string) => world.metrics.points.filter((p) => p.name === name && p.flow === 'orders').map((p) => p.value);

  it('counts open set-aside orders and the oldest pending one, also on runs where nothing succeeds', async () => {
    // An order without lines is set aside for a person; one whose article Ongoing lacks waits, pending.
    world.bl.addOrder({ order_status_id: CHOSEN, products: [] });
    world.bl.addOrder({ order_status_id: CHOSEN, products: [{ sku: 'NOT-IN-ONGOING', quantity: 1, price_brutto: 10 }] });
    const first = await world.run('orders', ordersFlow);
    expect(first.outcome).toBe('ok');
    expect(gauge('SetAsideOpen').at(-1)).toBe(1);
    expect(gauge('OldestPendingSeconds').at(-1)).toBeGreaterThanOrEqual(0);

    // Ongoing is down: the runs fail.
    world.bl.addOrder({ order_status_id: CHOSEN, products: [{ sku: 'SKU-A', quantity: 1, price_brutto: 10 }] });
    world.ongoing.injectFault({ kind: 'http500', times: 100_000 });
    const down = await world.run('orders', ordersFlow);
    expect(down.outcome).not.toBe('ok');
    await new Promise((r) => setTimeout(r, 1100));
    const again = await world.run('orders', ordersFlow);
    expect(again.outcome).not.toBe('ok');
    // Written on the failed runs, and rising.
    const ages = gauge('OldestPendingSeconds');
    expect(ages.at(-1)).toBeGreaterThan(1);
    expect(ages.at(-1)!).toBeGreaterThan(ages.at(-2)!);
    expect(gauge('SetAsideOpen').at(-1)).toBeGreaterThanOrEqual(1);
  });
});
