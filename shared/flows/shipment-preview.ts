import type { CreatePackageParams } from '../baselinker/client';
import { packageOnOrder } from './package-booking';
import type { ShipmentRecord } from './ports';
import { baselinkerOrderIdOf, mayShip, parcelsFor, type CourierSelection, type Parcel } from '../mapping/shipment';
import { articleWeights, courierFor, packageRequest, readBaseLinkerOrder, refuseIfCancelled, ShipmentRefusedError, type ShipmentDeps } from './shipment';

/**
 * What a Send would do for one order: the same reads and the same planning (packageRequest: the courier form, COD and insurance) as the
 * shipment flow, without its claim and without any write (`npm run cli -- send <id> --dry-run`). Nothing is
 * booked, stored or changed in BaseLinker, Ongoing or the state.
 */

export type SendPreview =
  | { kind: 'already-shipped'; record: ShipmentRecord }
  | { kind: 'order-not-found'; message: string }
  | { kind: 'would-refuse'; reason: string; blOrderId?: number; notShippableNow?: string }
  | { kind: 'would-reuse'; blOrderId: number; package: { packageId: number; courierCode: string; trackingNumber: string }; courier: CourierSelection; notShippableNow?: string }
  | { kind: 'would-book'; blOrderId: number; request: CreatePackageParams; courier: CourierSelection; parcels: Parcel[]; notShippableNow?: string };

/** Only reads: the shipments ledger is looked at, never claimed. */
export type PreviewDeps = Pick<ShipmentDeps, 'tenant' | 'baselinker' | 'ongoing' | 'log' | 'now'> & { shipments: Pick<ShipmentDeps['shipments'], 'get'> };

export async function previewSend(deps: PreviewDeps, ongoingOrderId: number): Promise<SendPreview> {
  const { tenant } = deps;
  const record = await deps.shipments.get(ongoingOrderId);
  if (record?.status === 'done') return { kind: 'already-shipped', record };

  const order = await deps.ongoing.getOrder(ongoingOrderId);
  if (!order) return { kind: 'order-not-found', message: `Ongoing has no order ${ongoingOrderId} for goods owner ${tenant.ongoing.goodsOwnerId}` };
  if (order.goodsOwner.id !== tenant.ongoing.goodsOwnerId) {
    return { kind: 'order-not-found', message: `order ${ongoingOrderId} belongs to goods owner ${order.goodsOwner.id}, not ${tenant.ongoing.goodsOwnerId}` };
  }
  const status = order.orderInfo.orderStatus.number;
  // Most useful before the warehouse presses Send: say that a Send now would not be taken, and plan anyway.
  const notShippableNow = mayShip(status, tenant.shipment.shipStatusFrom)
    ? undefined
    : `the order is in Ongoing status ${status}; a Send is taken from status ${tenant.shipment.shipStatusFrom} (below 1000, cancelled)`;
  const blOrderId = baselinkerOrderIdOf(order);
  if (blOrderId === undefined) {
    return { kind: 'would-refuse', reason: `order ${ongoingOrderId} (${order.orderInfo.orderNumber}) carries no BaseLinker order id`, notShippableNow };
  }
  try {
    const courier = courierFor(deps, order);
    const blOrder = await readBaseLinkerOrder(deps.baselinker, blOrderId);
    const existing = await packageOnOrder(deps.baselinker, blOrder, courier.courierCode, { packageId: record?.packageId, retried: record !== undefined });
    if (existing) return { kind: 'would-reuse', blOrderId, package: existing, courier, notShippableNow };
    refuseIfCancelled(deps, blOrder);
    const parcels = parcelsFor(order, await articleWeights(deps, order), tenant.articles.lengthUnit);
    if (parcels.length === 0) {
      return { kind: 'would-refuse', blOrderId, reason: `order ${ongoingOrderId} has no parcel weight: Ongoing gives no parcel weights and its articles no weights`, notShippableNow };
    }
    const request = await packageRequest(deps, courier, blOrder, parcels);
    return { kind: 'would-book', blOrderId, request, courier, parcels, notShippableNow };
  } catch (err) {
    if (err instanceof ShipmentRefusedError) return { kind: 'would-refuse', blOrderId, reason: err.message, notShippableNow };
    throw err;
  }
}
