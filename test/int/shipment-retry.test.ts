import { randomUUID } from 'node:crypto';
import { shipOrder } from '../../shared/flows/shipment';
import { trackingFlow } from '../../shared/flows/tracking';
import { flowLogger } from '../../shared/log/logger';
import { OngoingClient } from '../../shared/ongoing/client';
import { demoClientSettings } from '../../infra/simulators/ongoing';
import { describeOnEachState, startWorld, type World } from '../support/world';
import { ongoingTwin } from '../support/ongoing-twin';

/** A refused shipment a person fixed and put back with `retry`: the next tracking run ships it, once. */

describeOnEachState('Send retried after a refusal', (adapter) => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ state: adapter, tenant: { shipment: { courierCode: 'dpd' } } });
    await new OngoingClient(demoClientSettings(world.ongoing.baseUrl)).putArticle({ articleNumber: 'MUG', articleName: 'Kubek', weight: 0.4 });
  });
  afterAll(() => world.close());

  it('ships a refused order on the next tracking run after a person asks for a retry, and not before', async () => {
    const ongoing = new OngoingClient(demoClientSettings(world.ongoing.baseUrl));
    const bl = world.bl.addOrder({ delivery_fullname: 'Jan Nowak', delivery_postcode: '00-00X', delivery_city: 'Gdańsk' });
    const orderId = await ongoingTwin(ongoing, world.ongoing, bl.order_id, {
      deliveryDate: '2026-11-27',
      consignee: { name: 'Jan Nowak', address1: 'ul. Morska 1', postCode: '00-00X', city: 'Gdańsk', countryCode: 'PL' },
      orderLines: [{ rowNumber: '1', articleNumber: 'MUG', numberOfItems: 1 }],
      status: 450,
    });
    world.bl.refusePackages('Nieprawidłowy kod pocztowy', bl.order_id);

    const services = world.services();
    const deps = { tenant: world.tenant, ...services, ...services.state, log: flowLogger({ tenant: 'test', flow: 'shipment' }), now: Date.now };
    expect((await shipOrder(deps, orderId, { owner: randomUUID(), leaseMs: 60_000 })).kind).toBe('refused');

    // The address is fixed in BaseLinker; nothing happens until a person says so.
    world.bl.clearPackageRefusals();
    expect((await world.run('tracking', trackingFlow)).result?.seen).toBe(0);
    expect(world.bl.calls('createPackage')).toBe(1);

    await services.state.inbox.markForRetry('shipment', String(orderId));
    const run = await world.run('tracking', trackingFlow);
    expect(run.result).toMatchObject({ seen: 1, written: 1 });
    expect(await services.state.shipments.get(orderId)).toMatchObject({ status: 'done' });
    expect(await services.state.inbox.get('shipment', String(orderId))).toBeUndefined();
    expect([...world.bl.state.packages.values()].filter((p) => p.order_id === bl.order_id)).toHaveLength(1);

    // Done is done: the next run has nothing to do.
    expect((await world.run('tracking', trackingFlow)).result?.seen).toBe(0);
  });
});
