import type { OngoingClient, OrderInput } from '../../shared/ongoing/client';
import type { OngoingSimulator } from '../../infra/simulators/ongoing';

/** A placeholder consignee (no real person). */
export const TEST_CONSIGNEE: OrderInput['consignee'] = { name: 'Anna Nowak', address1: 'ul. Prosta 1', postCode: '00-001', city: 'Warszawa', countryCode: 'PL' };

/**
 * The Ongoing order the orders flow would have written for BaseLinker order `blOrderId` (order number and
 * goodsOwnerOrderId the BaseLinker id), put in `status` in the simulator: 400 picked and waiting for Send, 450 sent.
 * Returns the Ongoing order id.
 */
export async function ongoingTwin(
  ongoing: Pick<OngoingClient, 'putOrder'>,
  simulator: Pick<OngoingSimulator, 'setOrderStatus'>,
  blOrderId: number,
  order: { orderLines: OrderInput['orderLines']; status: number; consignee?: OrderInput['consignee']; deliveryDate?: string },
): Promise<number> {
  const orderNumber = String(blOrderId);
  const { orderId } = await ongoing.putOrder({
    orderNumber,
    goodsOwnerOrderId: orderNumber,
    deliveryDate: order.deliveryDate ?? '2025-03-04T00:00:00Z',
    consignee: order.consignee ?? TEST_CONSIGNEE,
    orderLines: order.orderLines,
  });
  simulator.setOrderStatus(orderId, order.status);
  return orderId;
}
