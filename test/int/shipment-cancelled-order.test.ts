import { shipOrder } from '../../shared/flows/shipment';
import { flowLogger } from '../../shared/log/logger';
import { describeOnEachState, startWorld, type World } from '../support/world';
import { ongoingTwin } from '../support/ongoing-twin';

/**
 * Regression (found by chaos seed 12): Send was pressed, the first attempt failed, the seller cancelled the
 * order in BaseLinker, and the retry booked a courier package for it and moved it from "cancelled" to "sent",
 * erasing the cancellation without telling anyone.
 */

const CANCELLED = 5505;
const SENT = 5504;
describeOnEachState('shipment of a cancelled order', (adapter) => {
  let world: World;

  beforeAll(async () => {
    world = await startWorld({
      state: adapter,
      tenant: { baselinker: { orderStatusIds: [5501], cancelledStatusIds: [CANCELLED], statusAfterShipment: SENT }, shipment: { courierCode: 'dpd' } },
    });
    await world.services().ongoing.putArticle({ articleNumber: 'MUG', articleName: 'Mug', weight: 0.4 });
  });
  afterAll(() => world?.close());

  async function sentOrder(): Promise<{ blOrderId: number; ongoingOrderId: number }> {
    const bl = world.bl.addOrder({ order_status_id: 5501 });
    const orderId = await ongoingTwin(world.services().ongoing, world.ongoing, bl.order_id, {
      deliveryDate: '2025-03-04T00:00:00Z',
      consignee: { name: 'Anna Nowak', address1: 'ul. Prosta 1', postCode: '00-001', city: 'Warszawa', countryCode: 'PL' },
      orderLines: [{ rowNumber: '1', articleNumber: 'MUG', numberOfItems: 1 }],
      status: 450,
    });
    return { blOrderId: bl.order_id, ongoingOrderId: orderId };
  }

  const deps = () => ({ tenant: world.tenant, ...world.services(), ...world.services().state, log: flowLogger({ tenant: 'test', flow: 'shipment', runId: 'test' }), now: Date.now });

  describe('shipment of an order cancelled in BaseLinker', () => {
    it('books no package, leaves the order in its cancelled status, and sets the shipment aside with the reason', async () => {
      const { blOrderId, ongoingOrderId } = await sentOrder();
      world.bl.changeOrderStatus(blOrderId, CANCELLED);

      const outcome = await shipOrder(deps(), ongoingOrderId, { owner: 'test', leaseMs: 60_000 });

      expect(outcome).toMatchObject({ kind: 'refused', message: expect.stringMatching(`BaseLinker order ${blOrderId} is cancelled \\(status ${CANCELLED}\\)`) });
      expect([...world.bl.state.packages.values()].filter((p) => p.order_id === blOrderId)).toEqual([]);
      expect(world.bl.state.orders.get(blOrderId)?.order_status_id).toBe(CANCELLED);
      const aside = await world.services().state.inbox.get('shipment', String(ongoingOrderId));
      expect(aside?.reason).toMatch(/is cancelled/);
    });

    it('finishes a package booked before the cancel (label, tracking) but leaves the order in its cancelled status', async () => {
      const { blOrderId, ongoingOrderId } = await sentOrder();
      const pkg = world.bl.addPackage({ order_id: blOrderId, courier_code: 'dpd', account_id: 61 });
      world.bl.changeOrderStatus(blOrderId, CANCELLED);

      const outcome = await shipOrder(deps(), ongoingOrderId, { owner: 'test', leaseMs: 60_000 });

      expect(outcome).toMatchObject({ kind: 'done', reusedPackage: true });
      expect([...world.bl.state.packages.values()].filter((p) => p.order_id === blOrderId)).toHaveLength(1);
      expect(world.ongoing.state.orders.get(ongoingOrderId)?.wayBill).toBe(pkg.package_number);
      expect(world.bl.state.orders.get(blOrderId)?.order_status_id).toBe(CANCELLED);
      expect((await world.services().state.shipments.get(ongoingOrderId))?.lastError).toMatch(/was cancelled \(status 5505\) while its package was booked/);
    });

    it('still ships an order in any other status, and moves it to the sent status', async () => {
      const { blOrderId, ongoingOrderId } = await sentOrder();

      const outcome = await shipOrder(deps(), ongoingOrderId, { owner: 'test', leaseMs: 60_000 });

      expect(outcome.kind).toBe('done');
      expect([...world.bl.state.packages.values()].filter((p) => p.order_id === blOrderId)).toHaveLength(1);
      expect(world.bl.state.orders.get(blOrderId)?.order_status_id).toBe(SENT);
    });
  });
});
