import type { LengthUnit } from '../mapping/article';
import { AccountBlockedError, BadTokenError, BaseLinkerApiError, TokenBlockedError } from '../baselinker/errors';
import type { BaseLinkerClient } from '../baselinker/client';
import { scrubText } from '../log/redact';
import type { CourierChoice, ShipmentSettings } from '../config';
import type { GetArticle, GetOrder, PrintingInfo } from '../ongoing/schemas';
import type { Needs, RunBasics } from './context';
import type { ShipmentRecord } from './ports';

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

const DEFAULT_MAX_ATTEMPTS = 8;
const OUTBOUND_PARCEL_TYPE = 0;

// ---------------------------------------------------------------------------------------------------------
// Pure helpers (exported for unit tests)

/** The BaseLinker order id the orders flow wrote on the Ongoing order: goodsOwnerOrderId, else orderNumber. */
export function baselinkerOrderIdOf(order: GetOrder): number | undefined {
  for (const candidate of [order.orderInfo.goodsOwnerOrderId, order.orderInfo.orderNumber]) {
    const text = candidate?.trim();
    if (text && /^\d{1,15}$/.test(text)) return Number(text);
  }
  return undefined;
}

export interface CourierSelection {
  courierCode: string;
  accountId?: number;
  fields: Array<{ id: string; value: string }>;
  /** Which setting chose it, for messages: 'default' or the matching way-of-delivery / transporter code. */
  chosenBy: string;
}

function codesOf(order: GetOrder): string[] {
  const raw = order as unknown as { transporter?: { transporterCode?: string | null } | null; orderInfo: { transporter?: { transporterCode?: string | null } | null } };
  const transporter = raw.orderInfo.transporter ?? raw.transporter;
  return [order.orderInfo.wayOfDelivery?.code, transporter?.transporterCode].filter((c): c is string => typeof c === 'string' && c.trim() !== '').map((c) => c.trim());
}

/**
 * The courier for this order: the first of the order's way-of-delivery code and transporter code that
 * `shipment.byWayOfDelivery` names, else the tenant's default courier. A mapped courier without its own
 * account or fields borrows the default's only when it is the same courier (another courier's form fields
 * would be wrong). `shipment.service` goes to the default courier as the field "service" unless the fields
 * already carry one.
 */
export function chooseCourier(settings: ShipmentSettings, order: GetOrder): CourierSelection {
  for (const code of codesOf(order)) {
    const choice: CourierChoice | undefined = settings.byWayOfDelivery[code];
    if (!choice) continue;
    const sameAsDefault = choice.courierCode === settings.courierCode;
    return {
      courierCode: choice.courierCode,
      accountId: choice.accountId ?? (sameAsDefault ? settings.courierAccountId : undefined),
      fields: withService(choice.fields ?? (sameAsDefault ? settings.courierFields : []), sameAsDefault ? settings.service : undefined),
      chosenBy: code,
    };
  }
  if (!settings.courierCode) {
    const codes = codesOf(order);
    throw new ShipmentRefusedError(
      `no courier configured: set shipment.courierCode, or add ${codes.length ? `"${codes.join('" or "')}"` : "the order's way-of-delivery code"} to shipment.byWayOfDelivery`,
    );
  }
  return {
    courierCode: settings.courierCode,
    accountId: settings.courierAccountId,
    fields: withService(settings.courierFields, settings.service),
    chosenBy: 'default',
  };
}

function withService(fields: ReadonlyArray<{ id: string; value: string }>, service: string | undefined): Array<{ id: string; value: string }> {
  const out = fields.map((f) => ({ ...f }));
  if (service && !out.some((f) => f.id === 'service')) out.push({ id: 'service', value: service });
  return out;
}

export interface Parcel {
  weight: number;
  length?: number;
  width?: number;
  height?: number;
}

const positive = (v: unknown): number | undefined => {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : undefined;
};

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * The parcels to book. Ongoing's own parcels win when they carry a weight (one BaseLinker package entry per
 * outbound parcel, sizes where Ongoing has them). Otherwise one parcel weighing the sum over the order lines
 * of items × article weight (picked items when anything was picked, else ordered), with no sizes: Ongoing
 * keeps no size for a whole order. Weights are kg in both systems. Ongoing's sizes are in the tenant's
 * `articles.lengthUnit` (the same unit the articles flow writes), BaseLinker's couriers take cm, so sizes are
 * converted. An empty list means nothing gives a weight (the caller refuses the shipment).
 */
export function parcelsFor(order: GetOrder, articles: ReadonlyMap<string, Pick<GetArticle, 'weight'>>, lengthUnit: LengthUnit = 'm'): Parcel[] {
  const toCm = lengthUnit === 'm' ? 100 : lengthUnit === 'mm' ? 0.1 : 1;
  const fromOngoing: Parcel[] = [];
  for (const parcel of order.parcels ?? []) {
    if (parcel.isReturnParcel) continue;
    const raw = parcel as Record<string, unknown>;
    const advanced = (raw.advanced ?? {}) as Record<string, unknown>;
    const weight = positive(raw.weight) ?? positive(advanced.weight);
    if (weight === undefined) continue;
    const sized: Parcel = { weight: round(weight, 3) };
    for (const dim of ['length', 'width', 'height'] as const) {
      const value = positive(raw[dim]) ?? positive(advanced[dim]);
      if (value !== undefined) sized[dim] = round(value * toCm, 1);
    }
    fromOngoing.push(sized);
  }
  if (fromOngoing.length > 0) return fromOngoing;

  let total = 0;
  for (const line of order.orderLines ?? []) {
    const items = positive(line.pickedNumberOfItems) ?? positive(line.orderedNumberOfItems) ?? 0;
    total += items * (positive(articles.get(line.article.articleNumber)?.weight) ?? 0);
  }
  return total > 0 ? [{ weight: round(total, 3) }] : [];
}

/**
 * createPackage's per-parcel keys: the ids the courier's `package_fields` use. BaseLinker's parameter table
 * says `size_length` etc., its sample sends `length` etc.; we follow the courier's own list and fall back to
 * the `size_*` spelling when the courier does not say. Sizes a courier has no field for are left out.
 */
export function packageEntries(parcels: readonly Parcel[], packageFieldIds: readonly string[] | undefined): Array<Record<string, number>> {
  const known = packageFieldIds && packageFieldIds.length > 0 ? new Set(packageFieldIds) : undefined;
  const keyFor = (dim: 'length' | 'width' | 'height'): string | undefined => {
    if (!known) return `size_${dim}`;
    if (known.has(`size_${dim}`)) return `size_${dim}`;
    if (known.has(dim)) return dim;
    return undefined;
  };
  return parcels.map((parcel) => {
    const entry: Record<string, number> = { weight: parcel.weight };
    for (const dim of ['length', 'width', 'height'] as const) {
      const key = keyFor(dim);
      if (key && parcel[dim] !== undefined) entry[key] = parcel[dim]!;
    }
    return entry;
  });
}

export interface LabelFileType {
  extension: string;
  mimeType: string;
}

/**
 * File extension and MIME type for each label format getLabel returns. ZPL, EPL and DPL are printer
 * languages (plain text for Zebra, Eltron and Datamax printers) with no registered MIME type; the x- types
 * below are the customary ones. Anything unknown is kept as bytes under its own (sanitised) extension.
 */
const LABEL_TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  zpl: 'application/x-zpl',
  epl: 'application/x-epl',
  dpl: 'application/x-dpl',
  html: 'text/html',
  htm: 'text/html',
  gif: 'image/gif',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
};

export function labelFileType(extension: string): LabelFileType {
  const ext = extension.trim().replace(/^\./, '').toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 8) || 'bin';
  return { extension: ext, mimeType: LABEL_TYPES[ext] ?? 'application/octet-stream' };
}

/** The label's file name on the Ongoing order; stable per package so a retried upload replaces it. */
export function labelFileName(orderNumber: string, packageId: number | string, extension: string): string {
  const safeNumber = orderNumber.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 120) || 'order';
  return `label-${safeNumber}-${packageId}.${extension}`;
}

/** Ongoing's printingInfo from the tenant's printing settings; undefined when none is configured. */
export function printingInfoFor(printing: ShipmentSettings['printing']): PrintingInfo | undefined {
  if (!printing) return undefined;
  const info: PrintingInfo = {
    ...(printing.reportId !== undefined && { reportId: printing.reportId }),
    ...(printing.userId !== undefined && { printAsUser: { userId: printing.userId } }),
    ...(printing.workstationId !== undefined && { printAsWorkstation: { workstationId: printing.workstationId } }),
  };
  return Object.keys(info).length > 0 ? info : undefined;
}

/** Ongoing's first status that may ship: at or above the tenant's setting, below Cancelled (1000). */
export function mayShip(status: number, shipStatusFrom: number): boolean {
  return status >= shipStatusFrom && status < 1000;
}

// ---------------------------------------------------------------------------------------------------------
// The flow

/** Courier package_fields ids, per BaseLinker account and courier, for the life of the process. */
const packageFieldCache = new Map<string, { ids: string[]; until: number }>();
const PACKAGE_FIELDS_TTL_MS = 60 * 60_000;

async function packageFieldIds(deps: ShipmentDeps, courierCode: string): Promise<string[] | undefined> {
  const key = `${deps.tenant.id}#${deps.tenant.baselinker.url}#${courierCode}`;
  const cached = packageFieldCache.get(key);
  if (cached && cached.until > deps.now()) return cached.ids;
  try {
    const fields = await deps.baselinker.getCourierFields(courierCode);
    const ids = fields.package_fields.map((f) => String(f.id ?? '')).filter(Boolean);
    packageFieldCache.set(key, { ids, until: deps.now() + PACKAGE_FIELDS_TTL_MS });
    return ids;
  } catch (err) {
    // Unknown courier, or BaseLinker busy: book with the documented spelling and let createPackage decide.
    if (err instanceof BaseLinkerApiError && !(err instanceof TokenBlockedError)) return undefined;
    throw err;
  }
}

async function articleWeights(deps: ShipmentDeps, order: GetOrder): Promise<Map<string, GetArticle>> {
  const numbers = [...new Set((order.orderLines ?? []).map((l) => l.article.articleNumber))];
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

interface PackageRef {
  packageId: number;
  courierCode: string;
  trackingNumber: string;
  trackingUrl: string;
  reused: boolean;
}

/** An outbound package of this courier already booked for the order (by us earlier, or by hand). */
async function existingPackage(
  baselinker: BaseLinkerClient,
  blOrderId: number,
  courierCode: string,
  knownPackageId: ShipmentRecord['packageId'],
): Promise<PackageRef | undefined> {
  const packages = await baselinker.getOrderPackages(blOrderId);
  const outbound = packages.filter((p) => !p.is_return && (p.package_type ?? OUTBOUND_PARCEL_TYPE) === OUTBOUND_PARCEL_TYPE);
  const match =
    (knownPackageId !== undefined && outbound.find((p) => String(p.package_id) === String(knownPackageId))) ||
    outbound.find((p) => p.courier_code === courierCode);
  if (!match) return undefined;
  return {
    packageId: Number(match.package_id),
    courierCode: match.courier_code || courierCode,
    trackingNumber: match.courier_package_nr ?? '',
    trackingUrl: match.tracking_url ?? '',
    reused: true,
  };
}

/** The package's tracking number and link as BaseLinker lists them now (the link is only listed there). */
export async function packageTracking(
  baselinker: BaseLinkerClient,
  blOrderId: number,
  packageId: ShipmentRecord['packageId'],
): Promise<{ found: boolean; trackingNumber: string; trackingUrl: string }> {
  const packages = await baselinker.getOrderPackages(blOrderId);
  const pkg = packages.find((p) => String(p.package_id) === String(packageId));
  return { found: Boolean(pkg), trackingNumber: pkg?.courier_package_nr ?? '', trackingUrl: pkg?.tracking_url ?? '' };
}

/** Puts the tracking number (and link, when there is one) on the Ongoing order. */
export async function writeTracking(deps: Pick<ShipmentDeps, 'ongoing'>, ongoingOrderId: number, trackingNumber: string, trackingUrl: string): Promise<void> {
  const waybill = trackingNumber.trim().slice(0, 50);
  const url = trackingUrl.trim();
  if (url) await deps.ongoing.putOrderTracking(ongoingOrderId, { waybill, trackingUrl: url, isReturnTracking: false });
  else await deps.ongoing.patchWaybill(ongoingOrderId, waybill);
}

/** Moves the BaseLinker order to the tenant's "sent" status, unless it is there already (no repeat of the seller's automations). */
async function moveToSentStatus(deps: ShipmentDeps, blOrderId: number): Promise<string | undefined> {
  const target = deps.tenant.baselinker.statusAfterShipment;
  if (target === undefined) return undefined;
  try {
    const { orders } = await deps.baselinker.getOrders({ order_id: blOrderId, get_unconfirmed_orders: true });
    if (orders[0]?.order_status_id === target) return undefined;
    if (orders[0] && deps.tenant.baselinker.cancelledStatusIds.includes(orders[0].order_status_id)) {
      deps.log.warn('the BaseLinker order was cancelled while its package was booked; its status is left as it is', { blOrderId, status: orders[0].order_status_id });
      return `BaseLinker order ${blOrderId} was cancelled (status ${orders[0].order_status_id}) while its package was booked; its status was left as it is`;
    }
    await deps.baselinker.setOrderStatus(blOrderId, target);
    return undefined;
  } catch (err) {
    // The shipment itself is done; a status that did not move is worth a note, not a failed shipment.
    deps.log.warn('could not move the BaseLinker order to the status after shipment', { blOrderId, status: target, error: messageOf(err) });
    return `could not move BaseLinker order ${blOrderId} to status ${target}: ${messageOf(err)}`;
  }
}

/**
 * The seller cancelled the order in BaseLinker after it reached the warehouse (the cancel reaches Ongoing
 * only while the warehouse has not started it): book nothing, and never move it on to the "sent" status,
 * which would erase the cancellation. A person decides (set aside with the reason).
 */
async function refuseIfCancelled(deps: ShipmentDeps, blOrderId: number): Promise<void> {
  const { orders } = await deps.baselinker.getOrders({ order_id: blOrderId, get_unconfirmed_orders: true });
  const status = orders[0]?.order_status_id;
  if (status !== undefined && deps.tenant.baselinker.cancelledStatusIds.includes(status)) {
    throw new ShipmentRefusedError(
      `BaseLinker order ${blOrderId} is cancelled (status ${status}); no package was booked. Stop the order in the warehouse, or move it out of the cancelled status in BaseLinker and press Send again`,
    );
  }
}

/**
 * Ships one Ongoing order (the whole of the flow above). Never throws for a business outcome: every result
 * is a `ShipmentOutcome`, and the shipment record in state shows it too.
 */
export async function shipOrder(deps: ShipmentDeps, ongoingOrderId: number, options: ShipOptions): Promise<ShipmentOutcome> {
  const { tenant, shipments, inbox, log } = deps;
  const settled = await shipments.get(ongoingOrderId);
  if (settled?.status === 'done') return { kind: 'done', record: settled, reusedPackage: false, alreadyDone: true };

  // 1. The order, and whether it is ours to ship.
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
  const claim = await shipments.claim(ongoingOrderId, options.owner, options.leaseMs);
  if (claim.result === 'done') return { kind: 'done', record: claim.record, reusedPackage: false, alreadyDone: true };
  if (claim.result === 'busy') return { kind: 'in-progress', record: claim.record };

  let record = await shipments.update(ongoingOrderId, options.owner, {
    status: 'pending',
    ...(blOrderId !== undefined && { blOrderId: String(blOrderId) }),
  });
  let pkg: PackageRef | undefined;
  try {
    if (blOrderId === undefined) {
      throw new ShipmentRefusedError(
        `order ${ongoingOrderId} (${order.orderInfo.orderNumber}) carries no BaseLinker order id: neither goodsOwnerOrderId nor orderNumber is a number`,
      );
    }
    const courier = chooseCourier(tenant.shipment, order);

    // 3. Reuse a package booked earlier (heals a crash between createPackage and our write), else book one.
    pkg = await existingPackage(deps.baselinker, blOrderId, courier.courierCode, record.packageId);
    if (!pkg) {
      // A package booked before the cancel is finished (label, tracking); a new one is not booked.
      await refuseIfCancelled(deps, blOrderId);
      const parcels = parcelsFor(order, await articleWeights(deps, order), deps.tenant.articles.lengthUnit);
      if (parcels.length === 0) {
        throw new ShipmentRefusedError(`order ${ongoingOrderId} has no parcel weight: Ongoing gives no parcel weights and its articles no weights`);
      }
      const packages = packageEntries(parcels, await packageFieldIds(deps, courier.courierCode));
      if (!(await shipments.renew(ongoingOrderId, options.owner, options.leaseMs))) throw new ClaimTakenOverError();
      let created;
      try {
        created = await deps.baselinker.createPackage({
          order_id: blOrderId,
          courier_code: courier.courierCode,
          ...(courier.accountId !== undefined && { account_id: courier.accountId }),
          fields: courier.fields,
          packages,
        });
      } catch (err) {
        if (isCourierRefusal(err)) throw new ShipmentRefusedError(`the courier refused the package: ${err.blMessage || err.code}`, err.blMessage || err.code);
        throw err;
      }
      pkg = { packageId: created.package_id, courierCode: courier.courierCode, trackingNumber: created.package_number ?? '', trackingUrl: '', reused: false };
      log.info('package created', { ongoingOrderId, blOrderId, packageId: pkg.packageId, courierCode: pkg.courierCode, chosenBy: courier.chosenBy });
    } else {
      log.info('reusing the package BaseLinker already has for the order', { ongoingOrderId, blOrderId, packageId: pkg.packageId });
    }
    record = await shipments.update(ongoingOrderId, options.owner, { packageId: pkg.packageId, courierCode: pkg.courierCode });

    // 4. The label: S3 first (our copy), then the Ongoing order, replaced by file name on a retry.
    const label = await deps.baselinker.getLabel({ courier_code: pkg.courierCode, package_id: pkg.packageId });
    const type = labelFileType(label.extension);
    const key = deps.labels.labelKey(tenant.id, ongoingOrderId, pkg.packageId, type.extension);
    await deps.labels.put(key, label.bytes, type.mimeType);
    const printingInfo = printingInfoFor(tenant.shipment.printing);
    await deps.ongoing.putOrderFile(ongoingOrderId, labelFileName(order.orderInfo.orderNumber, pkg.packageId, type.extension), {
      mimeType: type.mimeType,
      dataBase64: label.bytes.toString('base64'),
      ...(printingInfo && { printingInfo }),
    });
    record = await shipments.update(ongoingOrderId, options.owner, { labelKey: key });

    // 5. Tracking: the link is only in getOrderPackages, which may also have a number createPackage lacked.
    if (!pkg.reused || !pkg.trackingNumber) {
      const listed = await packageTracking(deps.baselinker, blOrderId, pkg.packageId);
      pkg.trackingNumber = listed.trackingNumber || pkg.trackingNumber;
      pkg.trackingUrl = listed.trackingUrl || pkg.trackingUrl;
    }
    // 6. The seller's "sent" status, once the package exists.
    const statusNote = await moveToSentStatus(deps, blOrderId);

    if (!pkg.trackingNumber) {
      const released = await shipments.release(ongoingOrderId, options.owner, { status: 'pending-tracking', lastError: statusNote ?? '' });
      await inbox.clear('shipment', String(ongoingOrderId));
      record = released ?? (await shipments.get(ongoingOrderId))!;
      log.info('shipment booked; tracking number not known yet', { ongoingOrderId, packageId: pkg.packageId });
      return { kind: 'pending-tracking', record, reusedPackage: pkg.reused };
    }
    await writeTracking(deps, ongoingOrderId, pkg.trackingNumber, pkg.trackingUrl);
    record = await shipments.complete(ongoingOrderId, options.owner, {
      trackingNumber: pkg.trackingNumber,
      ...(pkg.trackingUrl && { trackingUrl: pkg.trackingUrl }),
      lastError: statusNote ?? '',
    });
    await inbox.clear('shipment', String(ongoingOrderId));
    log.info('shipment done', { ongoingOrderId, packageId: pkg.packageId, trackingNumber: pkg.trackingNumber });
    return { kind: 'done', record, reusedPackage: pkg.reused };
  } catch (err) {
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
    log.warn('another worker took the shipment over; this one stops', { ongoingOrderId });
    return { kind: 'in-progress', record: await shipments.get(ongoingOrderId) };
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
