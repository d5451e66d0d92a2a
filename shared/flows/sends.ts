import type { ExternalId, SendInput, ShipmentRecord } from './ports';
import type { ShipmentOutcome } from './shipment';

/** Who sent, and when: the part of a Send known before its outcome. */
export interface SendStart {
  ongoingOrderId: ExternalId;
  via: SendInput['via'];
  /** When the Send arrived (ISO). */
  at: string;
  blOrderId?: string;
}

/** A Send that ended with `outcome`, with what the shipment record then held (package, label, tracking). */
export function sendEnded(start: SendStart, outcome: string, record?: ShipmentRecord, extra: Pick<SendInput, 'message' | 'reusedPackage' | 'alreadyDone'> = {}): SendInput {
  const blOrderId = start.blOrderId ?? record?.blOrderId;
  return {
    ongoingOrderId: start.ongoingOrderId,
    via: start.via,
    at: start.at,
    outcome,
    ...(blOrderId !== undefined && { blOrderId }),
    ...(extra.message !== undefined && { message: extra.message }),
    ...(record?.packageId !== undefined && { packageId: record.packageId }),
    ...(record?.courierCode !== undefined && { courierCode: record.courierCode }),
    ...(record?.labelKey && { labelKey: record.labelKey }),
    ...(record?.trackingNumber && { trackingNumber: record.trackingNumber }),
    ...(record?.trackingUrl && { trackingUrl: record.trackingUrl }),
    ...(extra.reusedPackage && { reusedPackage: true }),
    ...(extra.alreadyDone && { alreadyDone: true }),
  };
}

/** The Send of a shipment flow's outcome. */
export function sendOfOutcome(start: SendStart, outcome: ShipmentOutcome): SendInput {
  const record = 'record' in outcome ? outcome.record : undefined;
  const message = 'message' in outcome ? outcome.message : undefined;
  const reused = 'reusedPackage' in outcome ? outcome.reusedPackage : undefined;
  const alreadyDone = outcome.kind === 'done' ? outcome.alreadyDone : undefined;
  return sendEnded(start, outcome.kind, record, { message, reusedPackage: reused, alreadyDone });
}
