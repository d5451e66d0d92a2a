import { AccountBlockedError, BadTokenError, BaseLinkerApiError, TokenBlockedError } from '../baselinker/errors';
import type { BaseLinkerClient, CreatePackageParams } from '../baselinker/client';
import type { Order } from '../baselinker/schemas';
import { scrubText } from '../log/redact';
import {
  articleNumbersOf,
  baselinkerOrderIdOf,
  cancelledProblem,
  chooseCourier,
  labelFileName,
  labelFileType,
  linkFrom,
  linkPatternAfterBooking,
  linkPatternKey,
  listedTracking,
  mayShip,
  ongoingTracking,
  packageParams,
  parcelsFor,
  printingInfoFor,
  type CourierSelection,
  type ListedTracking,
  type PackageRef,
  type Parcel,
} from '../mapping/shipment';
import type { GetArticle, GetFile, GetOrder } from '../ongoing/schemas';
import type { Needs, RunBasics } from './context';
import type { ShipmentRecord } from './ports';
import { courierForm, noteLinkPattern, trustedLinkPattern } from './courier-forms';
import { attachLabel } from './label-upload';
import { BookingUnconfirmedError, bookPackage, packageOnOrder } from './package-booking';

/**
 * The shipment flow: the warehouse pressed Send on an Ongoing order, so book a courier package for the
 * matching BaseLinker order, put its label in S3 and on the Ongoing order (to be printed), and write the
 * tracking number back. Run by the webhook (synchronously, within a time budget) and resumed by the
 * scheduled tracking run for anything that did not finish.
 *
 * Never two packages for one order: one worker at a time holds the order's claim in DynamoDB, and it
 * looks at BaseLinker's packages of the order before booking one, reusing a package of the same courier.
 * That also heals a crash between createPackage and our own state write.
 */

/** What shipping one order touches: the shipments ledger, the set-aside inbox and the label storage. */
export type ShipmentDeps = Pick<RunBasics, 'tenant' | 'baselinker' | 'ongoing' | 'log' | 'now'> & Pick<Needs, 'shipments' | 'inbox' | 'labels'>;

export interface ShipOptions {
  /** Who holds the claim while working: the webhook request or the tracking run. */
  owner: string;
  /** How long the claim blocks other workers; a crashed worker's claim is free again after it. */
  leaseMs: number;
  /** After this many claims of one order that ended in an error, it is set aside instead of retried. */
  maxAttempts?: number;
  /**
   * Aborted when the caller stopped waiting (the webhook answered 202): the work stops at its next step and
   * never sends createPackage, instead of resuming on a thawed Lambda minutes later with a stale claim.
   */
  signal?: AbortSignal;
  /**
   * What the caller already knows from the webhook payload (the BaseLinker order id the orders flow wrote as
   * goodsOwnerOrderId, the Ongoing status): BaseLinker is asked for that order while Ongoing is read. Checked
   * against the Ongoing order before use.
   */
  hint?: { blOrderId?: number; status?: number };
}

export type ShipmentOutcome =
  /** Package, label and tracking are all on the Ongoing order. `alreadyDone`: an earlier press did it. */
  | { kind: 'done'; record: ShipmentRecord; reusedPackage: boolean; alreadyDone?: boolean }
  /** Package and label are done; BaseLinker has no tracking number yet (the tracking run fills it in). */
  | { kind: 'pending-tracking'; record: ShipmentRecord; reusedPackage: boolean }
  /** Another worker holds the order's claim right now. */
  | { kind: 'in-progress'; record?: ShipmentRecord }
  | { kind: 'order-not-found'; message: string }
  | { kind: 'not-shippable'; message: string; status?: number }
  /** The courier (through BaseLinker) or our own checks refused the package; set aside, may be sent again. */
  | { kind: 'refused'; message: string; courierMessage: string; record?: ShipmentRecord }
  /** Anything else (a system down, a timeout); the claim is given back and the work is retried. */
  | { kind: 'failed'; message: string; record?: ShipmentRecord };

/** A package that cannot be booked until a person fixes something (settings, address, weights). */
export class ShipmentRefusedError extends Error {
  constructor(
    message: string,
    /** What the courier said, verbatim, when it was the courier that refused. */
    readonly courierMessage: string = message,
  ) {
    // A courier's reason may quote the address: the message (logs, set-aside reason) goes without it.
    super(scrubText(message));
    this.name = 'ShipmentRefusedError';
  }
}

/** Another worker took the order over while this one was paused (its lease had lapsed). */
class ClaimTakenOverError extends Error {}

/** The caller stopped waiting (options.signal): stop cleanly, the claim goes back for the tracking run. */
class ShipmentCancelledError extends Error {}

const DEFAULT_MAX_ATTEMPTS = 8;


export async function articleWeights(deps: Pick<ShipmentDeps, 'ongoing'>, order: GetOrder): Promise<Map<string, GetArticle>> {
  const numbers = articleNumbersOf(order);
  const out = new Map<string, GetArticle>();
  if (numbers.length === 0) return out;
  for await (const article of deps.ongoing.listArticles({ articleNumbers: numbers })) out.set(article.articleNumber, article);
  return out;
}

function isCourierRefusal(err: unknown): err is BaseLinkerApiError {
  return err instanceof BaseLinkerApiError && !(err instanceof TokenBlockedError || err instanceof AccountBlockedError || err instanceof BadTokenError);
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The package's tracking number and link as BaseLinker lists them now (the link is only listed there). */
export async function packageTracking(
  baselinker: BaseLinkerClient,
  blOrderId: number,
  packageId: ShipmentRecord['packageId'],
): Promise<ListedTracking> {
  return listedTracking(await baselinker.getOrderPackages(blOrderId), packageId);
}

/** Puts the tracking number (and link, when there is one) on the Ongoing order. */
export async function writeTracking(deps: Pick<ShipmentDeps, 'ongoing'>, ongoingOrderId: number, trackingNumber: string, trackingUrl: string): Promise<void> {
  const { waybill, trackingUrl: url } = ongoingTracking(trackingNumber, trackingUrl);
  if (url) await deps.ongoing.putOrderTracking(ongoingOrderId, { waybill, trackingUrl: url, isReturnTracking: false });
  else await deps.ongoing.patchWaybill(ongoingOrderId, waybill);
}

/** The BaseLinker order the shipment is for: whether it is cancelled, what the buyer owes, whether it has a shipment. */
export async function readBaseLinkerOrder(baselinker: BaseLinkerClient, blOrderId: number): Promise<Order> {
  const { orders, rejected } = await baselinker.getOrders({ order_id: blOrderId, get_unconfirmed_orders: true });
  const order = orders.find((o) => o.order_id === blOrderId);
  if (order) return order;
  if (rejected.length > 0) throw new ShipmentRefusedError(`BaseLinker order ${blOrderId} could not be read (${rejected[0]!.fieldPath}: ${rejected[0]!.problem}); no package was booked`);
  throw new ShipmentRefusedError(`BaseLinker has no order ${blOrderId} (deleted?); no package was booked`);
}

/**
 * Moves the BaseLinker order to the tenant's "sent" status, unless it is there already (no repeat of the
 * seller's automations) or was cancelled. `blOrder` is the read made before booking: no second getOrders.
 */
async function moveToSentStatus(deps: ShipmentDeps, blOrder: Order): Promise<string | undefined> {
  const target = deps.tenant.baselinker.statusAfterShipment;
  const blOrderId = blOrder.order_id;
  if (target === undefined || blOrder.order_status_id === target) return undefined;
  if (deps.tenant.baselinker.cancelledStatusIds.includes(blOrder.order_status_id)) {
    deps.log.warn('the BaseLinker order was cancelled while its package was booked; its status is left as it is', { blOrderId, status: blOrder.order_status_id });
    return `BaseLinker order ${blOrderId} was cancelled (status ${blOrder.order_status_id}) while its package was booked; its status was left as it is`;
  }
  try {
    await deps.baselinker.setOrderStatus(blOrderId, target);
    return undefined;
  } catch (err) {
    // The shipment itself is done; a status that did not move is worth a note, not a failed shipment.
    deps.log.warn('could not move the BaseLinker order to the status after shipment', { blOrderId, status: target, error: messageOf(err) });
    return `could not move BaseLinker order ${blOrderId} to status ${target}: ${messageOf(err)}`;
  }
}

/** A cancelled BaseLinker order gets no new package: refused, a person decides (set aside with the reason). */
export function refuseIfCancelled(deps: Pick<ShipmentDeps, 'tenant'>, blOrder: Order): void {
  const problem = cancelledProblem(blOrder, deps.tenant.baselinker.cancelledStatusIds);
  if (problem) throw new ShipmentRefusedError(problem);
}

/** What createPackage gets (`packageParams`), with the courier's form read through its cache. */
export async function packageRequest(deps: Pick<ShipmentDeps, 'tenant' | 'baselinker' | 'log' | 'now'>, courier: CourierSelection, blOrder: Order, parcels: Parcel[]): Promise<CreatePackageParams> {
  const form = await courierForm(deps.baselinker, courier.courierCode, deps.now());
  const insurance = deps.tenant.shipment.insurance;
  if (insurance && !form.insuranceFieldId) deps.log.warn('insurance is on but the courier form has no insurance field; booked without', { courierCode: courier.courierCode });
  const params = packageParams(courier, blOrder, parcels, form, { insurance });
  if ('problem' in params) throw new ShipmentRefusedError(params.problem);
  return params;
}

/** The courier `chooseCourier` picks; refused when the settings name none. */
export function courierFor(deps: Pick<ShipmentDeps, 'tenant'>, order: GetOrder): CourierSelection {
  const courier = chooseCourier(deps.tenant.shipment, order);
  if ('problem' in courier) throw new ShipmentRefusedError(courier.problem);
  return courier;
}

/**
 * The order's claim as this worker holds it: re-checked immediately before createPackage leaves, because a
 * budget wait or a frozen Lambda can outlast the lease while another worker takes the order over.
 */
function claimGuard(deps: ShipmentDeps, ongoingOrderId: number, options: ShipOptions, claimedAt: number) {
  let leaseUntil = claimedAt + options.leaseMs;
  return {
    checkpoint(): void {
      if (options.signal?.aborted) throw new ShipmentCancelledError('the caller stopped waiting for this shipment');
    },
    /** Still ours and not expired, then renewed for the request about to leave. */
    async beforeBooking(): Promise<void> {
      this.checkpoint();
      if (deps.now() >= leaseUntil) throw new ClaimTakenOverError(`the claim lapsed at ${new Date(leaseUntil).toISOString()}`);
      if (!(await deps.shipments.renew(ongoingOrderId, options.owner, options.leaseMs))) throw new ClaimTakenOverError('another worker holds the claim');
      leaseUntil = deps.now() + options.leaseMs;
    },
  };
}

/**
 * Ships one Ongoing order (the whole of the flow above). Never throws for a business outcome: every result
 * is a `ShipmentOutcome`, and the shipment record in state shows it too.
 */
export async function shipOrder(deps: ShipmentDeps, ongoingOrderId: number, options: ShipOptions): Promise<ShipmentOutcome> {
  const { tenant, shipments, inbox, log } = deps;
  const settled = await shipments.get(ongoingOrderId);
  if (settled?.status === 'done') return { kind: 'done', record: settled, reusedPackage: false, alreadyDone: true };

  // 1. The order, and whether it is ours to ship; BaseLinker is asked for its order meanwhile when the caller
  //    knows which one it is and that it may ship.
  const hinted = options.hint?.blOrderId;
  const early =
    hinted !== undefined && (options.hint?.status === undefined || mayShip(options.hint.status, tenant.shipment.shipStatusFrom))
      ? readBaseLinkerOrder(deps.baselinker, hinted)
      : undefined;
  early?.catch(() => undefined); // awaited (and its error met) below when used
  const order = await deps.ongoing.getOrder(ongoingOrderId);
  if (!order) return { kind: 'order-not-found', message: `Ongoing has no order ${ongoingOrderId} for goods owner ${tenant.ongoing.goodsOwnerId}` };
  if (order.goodsOwner.id !== tenant.ongoing.goodsOwnerId) {
    return { kind: 'order-not-found', message: `order ${ongoingOrderId} belongs to goods owner ${order.goodsOwner.id}, not ${tenant.ongoing.goodsOwnerId}` };
  }
  const status = order.orderInfo.orderStatus.number;
  if (!mayShip(status, tenant.shipment.shipStatusFrom)) {
    return {
      kind: 'not-shippable',
      status,
      message: `order ${ongoingOrderId} is in Ongoing status ${status}; it may ship from ${tenant.shipment.shipStatusFrom} and below 1000 (cancelled)`,
    };
  }
  const blOrderId = baselinkerOrderIdOf(order);

  // 2. The order's claim: one worker at a time, and never again once done.
  const claimedAt = deps.now();
  const claim = await shipments.claim(ongoingOrderId, options.owner, options.leaseMs);
  if (claim.result === 'done') return { kind: 'done', record: claim.record, reusedPackage: false, alreadyDone: true };
  if (claim.result === 'busy') return { kind: 'in-progress', record: claim.record };
  const guard = claimGuard(deps, ongoingOrderId, options, claimedAt);

  const recording = shipments.update(ongoingOrderId, options.owner, {
    status: 'pending',
    ...(blOrderId !== undefined && { blOrderId: String(blOrderId) }),
  });
  let record: ShipmentRecord;
  let pkg: PackageRef | undefined;
  try {
    if (blOrderId === undefined) {
      record = await recording;
      throw new ShipmentRefusedError(
        `order ${ongoingOrderId} (${order.orderInfo.orderNumber}) carries no BaseLinker order id: neither goodsOwnerOrderId nor orderNumber is a number`,
      );
    }
    const courier = courierFor(deps, order);
    guard.checkpoint();

    // 3. Read at once: the BaseLinker order (cancelled? cash on delivery? a shipment already?) while Ongoing is
    //    asked for the article weights (only when its parcels carry none) and, to print, the order's files.
    const printingInfo = printingInfoFor(tenant.shipment.printing);
    const lengthUnit = deps.tenant.articles.lengthUnit;
    const ownParcels = parcelsFor(order, new Map(), lengthUnit);
    const [stored, blOrder, articles, files] = await Promise.all([
      recording,
      early && hinted === blOrderId ? early : readBaseLinkerOrder(deps.baselinker, blOrderId),
      ownParcels.length > 0 ? Promise.resolve(undefined) : articleWeights(deps, order),
      printingInfo ? deps.ongoing.getOrderFiles(ongoingOrderId) : Promise.resolve(undefined as GetFile[] | undefined),
    ]);

    record = stored;

    // 4. The package the order has (booked by us earlier, by hand, or by BaseLinker's automatic actions), else book one.
    pkg = await packageOnOrder(deps.baselinker, blOrder, courier.courierCode, { packageId: record.packageId, retried: record.attempts > 1 });
    if (!pkg) {
      // A package booked before the cancel is finished (label, tracking); a new one is not booked.
      refuseIfCancelled(deps, blOrder);
      const parcels = articles ? parcelsFor(order, articles, lengthUnit) : ownParcels;
      if (parcels.length === 0) {
        throw new ShipmentRefusedError(`order ${ongoingOrderId} has no parcel weight: Ongoing gives no parcel weights and its articles no weights`);
      }
      const request = await packageRequest(deps, courier, blOrder, parcels);
      try {
        pkg = await bookPackage(deps.baselinker, request, () => guard.beforeBooking());
      } catch (err) {
        if (isCourierRefusal(err)) throw new ShipmentRefusedError(`the courier refused the package: ${err.blMessage || err.code}`, err.blMessage || err.code);
        throw err;
      }
      log.info('package created', { ongoingOrderId, blOrderId, packageId: pkg.packageId, courierCode: pkg.courierCode, chosenBy: courier.chosenBy });
    } else {
      log.info('reusing the package BaseLinker already has for the order', { ongoingOrderId, blOrderId, packageId: pkg.packageId });
    }
    // 5. Recorded, while the label is fetched. The tracking link is only listed by getOrderPackages (which
    //    may also have a number createPackage lacked): asked for unless the package came with its link, or
    //    createPackage answered a number and the courier's link pattern, learned from earlier lookups, is trusted.
    const booked = pkg;
    const createdNumber = booked.reused ? '' : booked.trackingNumber;
    const patternKey = linkPatternKey(courier);
    const pattern = createdNumber && !booked.trackingUrl ? trustedLinkPattern(deps.baselinker, patternKey, deps.now()) : undefined;
    const patternLink = pattern && linkFrom(pattern, createdNumber);
    if (patternLink !== undefined) booked.trackingUrl = patternLink;
    const lookUp = !booked.trackingNumber || (!booked.reused && !booked.trackingUrl && patternLink === undefined);
    const [stillOurs, label, listed] = await Promise.all([
      shipments.update(ongoingOrderId, options.owner, { packageId: booked.packageId, courierCode: booked.courierCode }),
      deps.baselinker.getLabel({ courier_code: booked.courierCode, package_id: booked.packageId }),
      lookUp ? packageTracking(deps.baselinker, blOrderId, booked.packageId) : Promise.resolve(undefined),
    ]);
    record = stillOurs;
    guard.checkpoint();
    if (listed) {
      if (createdNumber) {
        const seen = linkPatternAfterBooking(createdNumber, listed, [blOrder.delivery_postcode, booked.packageId, blOrder.order_id]);
        noteLinkPattern(deps.baselinker, patternKey, seen, deps.now());
      }
      booked.trackingNumber = listed.trackingNumber || booked.trackingNumber;
      booked.trackingUrl = listed.trackingUrl || booked.trackingUrl;
    }

    // 6. At once: our copy of the label in S3; on the Ongoing order the label (one file per package, printed
    //    where configured) and then the tracking; the seller's "sent" status in BaseLinker.
    const type = labelFileType(label.extension);
    const key = deps.labels.labelKey(tenant.id, ongoingOrderId, booked.packageId, type.extension);
    const [, , statusNote] = await Promise.all([
      deps.labels.put(key, label.bytes, type.mimeType),
      (async () => {
        await attachLabel(
          deps.ongoing,
          ongoingOrderId,
          {
            fileName: labelFileName(order.orderInfo.orderNumber, booked.packageId, type.extension),
            mimeType: type.mimeType,
            dataBase64: label.bytes.toString('base64'),
            ...(printingInfo && { printingInfo }),
          },
          files,
        );
        if (booked.trackingNumber) await writeTracking(deps, ongoingOrderId, booked.trackingNumber, booked.trackingUrl);
      })(),
      moveToSentStatus(deps, blOrder),
    ]);

    if (!booked.trackingNumber) {
      const [released] = await Promise.all([
        shipments.release(ongoingOrderId, options.owner, { status: 'pending-tracking', labelKey: key, lastError: statusNote ?? '' }),
        inbox.clear('shipment', String(ongoingOrderId)),
      ]);
      record = released ?? (await shipments.get(ongoingOrderId))!;
      log.info('shipment booked; tracking number not known yet', { ongoingOrderId, packageId: booked.packageId });
      return { kind: 'pending-tracking', record, reusedPackage: booked.reused };
    }
    [record] = await Promise.all([
      shipments.complete(ongoingOrderId, options.owner, {
        labelKey: key,
        trackingNumber: booked.trackingNumber,
        ...(booked.trackingUrl && { trackingUrl: booked.trackingUrl }),
        lastError: statusNote ?? '',
      }),
      inbox.clear('shipment', String(ongoingOrderId)),
    ]);
    log.info('shipment done', { ongoingOrderId, packageId: booked.packageId, trackingNumber: booked.trackingNumber });
    return { kind: 'done', record, reusedPackage: booked.reused };
  } catch (err) {
    // The 'pending' write may still be on its way: let it land before the failure is recorded over it.
    await recording.catch(() => undefined);
    return handleFailure(deps, ongoingOrderId, order, blOrderId, options, err, pkg);
  }
}

async function handleFailure(
  deps: ShipmentDeps,
  ongoingOrderId: number,
  order: GetOrder,
  blOrderId: number | undefined,
  options: ShipOptions,
  err: unknown,
  pkg: PackageRef | undefined,
): Promise<ShipmentOutcome> {
  const { shipments, inbox, log } = deps;
  const ids: Record<string, string> = {
    ongoingOrderId: String(ongoingOrderId),
    orderNumber: order.orderInfo.orderNumber,
    ...(blOrderId !== undefined && { blOrderId: String(blOrderId) }),
    ...(pkg && { packageId: String(pkg.packageId), courierCode: pkg.courierCode }),
  };
  if (err instanceof ClaimTakenOverError) {
    log.warn('another worker took the shipment over, or this one\'s claim lapsed; it stops before booking', { ongoingOrderId, reason: err.message });
    return { kind: 'in-progress', record: await shipments.get(ongoingOrderId) };
  }
  if (err instanceof ShipmentCancelledError) {
    // The webhook answered 202 and stopped waiting: hand the claim back for the tracking run (what is done stays recorded).
    await shipments
      .release(ongoingOrderId, options.owner, { status: 'pending', lastError: 'stopped after the webhook answered; the tracking run finishes it' })
      .catch(() => undefined);
    log.info('shipment stopped after the webhook answered; the tracking run finishes it', { ongoingOrderId });
    return { kind: 'in-progress', record: await shipments.get(ongoingOrderId) };
  }
  if (err instanceof BookingUnconfirmedError) {
    // Keep the claim: its lease keeps every other worker from booking until BaseLinker has surely finished;
    // after that the tracking run looks at the order's packages and finishes or books.
    await shipments.update(ongoingOrderId, options.owner, { lastError: err.message }).catch(() => undefined);
    log.error('createPackage got no answer; the claim is kept until it lapses', { ongoingOrderId });
    return { kind: 'failed', message: err.message, record: await shipments.get(ongoingOrderId) };
  }
  if (err instanceof ShipmentRefusedError) {
    // Nothing half-made stays behind: no package exists, the claim is free, the order may be sent again.
    const released = await shipments.release(ongoingOrderId, options.owner, { status: 'failed', lastError: err.message });
    await inbox.put({ kind: 'shipment', sourceId: String(ongoingOrderId), reason: err.message, ids });
    log.warn('shipment refused', { ongoingOrderId, reason: err.message });
    return { kind: 'refused', message: err.message, courierMessage: err.courierMessage, record: released ?? (await shipments.get(ongoingOrderId)) };
  }
  const message = messageOf(err);
  const current = await shipments.get(ongoingOrderId);
  const attempts = current?.attempts ?? 1;
  const giveUp = attempts >= (options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
  // A package that exists stays 'pending' (the tracking run finishes label and tracking); without one,
  // 'pending' as well, so the tracking run retries, until the attempts run out.
  const releasedRecord = await shipments
    .release(ongoingOrderId, options.owner, { status: giveUp ? 'failed' : 'pending', lastError: message })
    .catch((releaseErr) => {
      log.warn('could not release the shipment claim; it lapses by itself', { ongoingOrderId, error: messageOf(releaseErr) });
      return undefined;
    });
  const released = releasedRecord !== undefined;
  if (giveUp) {
    await inbox.put({ kind: 'shipment', sourceId: String(ongoingOrderId), reason: `gave up after ${attempts} attempts: ${message}`, ids });
  }
  log.error('shipment failed', { ongoingOrderId, error: message, errorName: err instanceof Error ? err.name : typeof err, attempts, released, gaveUp: giveUp });
  return { kind: 'failed', message, record: await shipments.get(ongoingOrderId) };
}
