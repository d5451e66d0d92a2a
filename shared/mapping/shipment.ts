import type { CreatePackageParams } from '../baselinker/client';
import type { Order, OrderPackage } from '../baselinker/schemas';
import type { CourierChoice, ShipmentSettings } from '../config';
import type { GetArticle, GetOrder, PrintingInfo } from '../ongoing/schemas';
import type { LengthUnit } from './article';
import { codAmount, formFields, packageEntries, productsGross, type CourierForm, type Parcel } from './courier-form';

/**
 * Shipment mapping (spec "Shipment"): pure functions from the Ongoing order, the BaseLinker order and the
 * tenant's shipment settings to what the shipment flow asks and writes: the BaseLinker order id, whether the
 * order may ship, the courier, parcels and createPackage's request, the package an order already has, label
 * file names and types, printing information and the tracking write. A case that cannot be shipped comes back
 * as `{ problem }` (the flow refuses it), never as a guess.
 */

export type { Parcel } from './courier-form';

/** The BaseLinker order id the orders flow wrote on the Ongoing order: goodsOwnerOrderId, else orderNumber. */
export function baselinkerOrderIdOf(order: GetOrder): number | undefined {
  return baselinkerOrderIdFrom(order.orderInfo.goodsOwnerOrderId, order.orderInfo.orderNumber);
}

/** The first of the candidates that is a BaseLinker order id (digits only). */
export function baselinkerOrderIdFrom(...candidates: Array<string | null | undefined>): number | undefined {
  for (const candidate of candidates) {
    const text = candidate?.trim();
    if (text && /^\d{1,15}$/.test(text)) return Number(text);
  }
  return undefined;
}

/** Ongoing's first status that may ship: at or above the tenant's setting, below Cancelled (1000). */
export function mayShip(status: number, shipStatusFrom: number): boolean {
  return status >= shipStatusFrom && status < 1000;
}

/**
 * The seller cancelled the order in BaseLinker after it reached the warehouse (the cancel reaches Ongoing only
 * while the warehouse has not started it): no new package, and never the "sent" status, which would erase the
 * cancellation. The reason a person reads, or undefined when the order is not cancelled.
 */
export function cancelledProblem(blOrder: Pick<Order, 'order_id' | 'order_status_id'>, cancelledStatusIds: readonly number[]): string | undefined {
  const status = blOrder.order_status_id;
  if (!cancelledStatusIds.includes(status)) return undefined;
  return `BaseLinker order ${blOrder.order_id} is cancelled (status ${status}); no package was booked. Stop the order in the warehouse, or move it out of the cancelled status in BaseLinker and press Send again`;
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
export function chooseCourier(settings: ShipmentSettings, order: GetOrder): CourierSelection | { problem: string } {
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
    return {
      problem: `no courier configured: set shipment.courierCode, or add ${codes.length ? `"${codes.join('" or "')}"` : "the order's way-of-delivery code"} to shipment.byWayOfDelivery`,
    };
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

/** The article numbers whose weights `parcelsFor` needs when the order's own parcels carry none. */
export function articleNumbersOf(order: GetOrder): string[] {
  return [...new Set((order.orderLines ?? []).map((l) => l.article.articleNumber))];
}

/**
 * What createPackage gets: the parcels under the courier's own keys (its form from getCourierFields), the
 * tenant's fixed fields, and the COD and insurance fields filled from the BaseLinker order.
 */
export function packageParams(
  courier: CourierSelection,
  blOrder: Order,
  parcels: readonly Parcel[],
  form: CourierForm,
  options: { insurance: boolean },
): CreatePackageParams | { problem: string } {
  const packages = packageEntries(parcels, form);
  if ('problem' in packages) return { problem: `courier ${courier.courierCode}: ${packages.problem}` };
  const insureFor = options.insurance ? productsGross(blOrder) : undefined;
  const fields = formFields(form, { fixed: courier.fields, cod: codAmount(blOrder), insureFor });
  if ('problem' in fields) return { problem: `courier ${courier.courierCode}: ${fields.problem}` };
  return {
    order_id: blOrder.order_id,
    courier_code: courier.courierCode,
    ...(courier.accountId !== undefined && { account_id: courier.accountId }),
    fields,
    packages,
  };
}

/** getOrderPackages package_type: 0 standard and 2 sent from a point (drop-off) go out; 1 and 3 are returns. */
const OUTGOING_PACKAGE_TYPES: ReadonlySet<number> = new Set([0, 2]);

export interface PackageRef {
  packageId: number;
  courierCode: string;
  trackingNumber: string;
  trackingUrl: string;
  /** Found on the order rather than booked by this attempt. */
  reused: boolean;
}

/** The order's outgoing package: the one we know by id, else one of this courier, else any outgoing one. */
export function outgoingPackage(packages: readonly OrderPackage[], courierCode: string, knownPackageId: number | string | undefined): PackageRef | undefined {
  const outgoing = packages.filter((p) => OUTGOING_PACKAGE_TYPES.has(Number(p.package_type ?? 0)) && !p.is_return);
  const match =
    (knownPackageId !== undefined && outgoing.find((p) => String(p.package_id) === String(knownPackageId))) ||
    outgoing.find((p) => p.courier_code === courierCode) ||
    outgoing[0];
  if (!match) return undefined;
  return {
    packageId: Number(match.package_id),
    courierCode: match.courier_code || courierCode,
    trackingNumber: match.courier_package_nr ?? '',
    trackingUrl: match.tracking_url ?? '',
    reused: true,
  };
}

export interface ListedTracking {
  found: boolean;
  trackingNumber: string;
  trackingUrl: string;
  /** The carrier that really carries it when booked through a broker courier (`courier_other_name`), else ''. */
  carrier: string;
}

/** The package's tracking number and link as getOrderPackages lists them (the link is only listed there). */
export function listedTracking(packages: readonly OrderPackage[], packageId: number | string | undefined): ListedTracking {
  const pkg = packages.find((p) => String(p.package_id) === String(packageId));
  return { found: Boolean(pkg), trackingNumber: pkg?.courier_package_nr ?? '', trackingUrl: pkg?.tracking_url ?? '', carrier: pkg?.courier_other_name?.trim() ?? '' };
}

export interface EarlierWork {
  /** The package id our shipment record holds, if any. */
  packageId?: number | string;
  /** This is not the first claim of the order: an earlier attempt may have booked before it stopped. */
  retried: boolean;
}

/**
 * Whether the order may have a package already, so its packages must be looked at before booking. The
 * BaseLinker order names the courier and number of a created shipment (`delivery_package_module` /
 * `delivery_package_nr`), whoever created it (us, the seller, BaseLinker's automatic actions); our record
 * knows a package, or an earlier attempt of ours may have booked (its answer lost).
 */
export function packageMayExist(blOrder: Pick<Order, 'delivery_package_module' | 'delivery_package_nr'>, earlier: EarlierWork): boolean {
  const shown = blOrder.delivery_package_module.trim() !== '' || blOrder.delivery_package_nr.trim() !== '';
  return shown || earlier.packageId !== undefined || earlier.retried;
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

/**
 * How the tracking goes on the Ongoing order: with a link, PUT orderTracking (its `trackingUrl` must not be
 * empty); without one, PATCH waybill. Ongoing takes a waybill of up to 50 characters.
 */
export function ongoingTracking(trackingNumber: string, trackingUrl: string): { waybill: string; trackingUrl?: string } {
  const waybill = trackingNumber.trim().slice(0, 50);
  const url = trackingUrl.trim();
  return url ? { waybill, trackingUrl: url } : { waybill };
}

/**
 * How a courier's tracking links are made, read off one link BaseLinker listed: the text around the tracking
 * number ('around-number'), or no link at all ('none': the courier has none in BaseLinker).
 */
export type LinkPattern = { kind: 'none' } | { kind: 'around-number'; prefix: string; suffix: string };

/** A tracking number a link carries as it is: six or more letters, digits, dots, dashes or underscores. */
const LINKABLE_NUMBER = /^[A-Za-z0-9._-]{6,50}$/;

/**
 * The pattern of `trackingUrl`, when the rest of it holds nothing of this one package: the number (at least six
 * characters a link carries unencoded) appears exactly once, and the text around it names none of `others` (the delivery postcode, the
 * package id: what a courier's page may also want). Undefined when the link cannot be made from the number alone.
 */
export function linkPatternOf(trackingNumber: string, trackingUrl: string, others: ReadonlyArray<string | number>): LinkPattern | undefined {
  const number = trackingNumber.trim();
  const url = trackingUrl.trim();
  if (!LINKABLE_NUMBER.test(number)) return undefined;
  if (!url) return { kind: 'none' };
  const at = url.indexOf(number);
  if (at < 0 || url.indexOf(number, at + 1) >= 0) return undefined;
  const prefix = url.slice(0, at);
  const suffix = url.slice(at + number.length);
  const around = `${prefix}\n${suffix}`.toLowerCase();
  const spellings = others.flatMap((o) => {
    const text = String(o).trim().toLowerCase();
    return [text, text.replace(/[\s-]/g, ''), encodeURIComponent(text)];
  });
  if (spellings.some((text) => text.length >= 3 && around.includes(text))) return undefined;
  return { kind: 'around-number', prefix, suffix };
}

export function samePattern(a: LinkPattern, b: LinkPattern): boolean {
  if (a.kind === 'none' || b.kind === 'none') return a.kind === b.kind;
  return a.prefix === b.prefix && a.suffix === b.suffix;
}

/**
 * The link for `trackingNumber` by the pattern ('' for a courier without links); undefined for a number the
 * pattern cannot carry as it is (short, or with characters a link would have to encode).
 */
export function linkFrom(pattern: LinkPattern, trackingNumber: string): string | undefined {
  const number = trackingNumber.trim();
  if (!LINKABLE_NUMBER.test(number)) return undefined;
  return pattern.kind === 'none' ? '' : `${pattern.prefix}${number}${pattern.suffix}`;
}

/**
 * What the lookup right after a booking shows of the courier's links. Undefined (learn nothing, forget what was
 * known) when BaseLinker lists another number than createPackage answered (at this courier that number is not
 * final), or when a broker courier handed the package to a carrier of its choice (`courier_other_name`: the next
 * package may go with another carrier and its links): then the links are always looked up.
 */
export function linkPatternAfterBooking(createdNumber: string, listed: ListedTracking, others: ReadonlyArray<string | number>): LinkPattern | undefined {
  if (!listed.found || listed.carrier !== '' || listed.trackingNumber.trim() !== createdNumber.trim()) return undefined;
  return linkPatternOf(listed.trackingNumber, listed.trackingUrl, others);
}

/**
 * Which bookings share one link pattern: the same courier, account and fixed form fields (a service field may
 * choose the carrier or the product, and with it the tracking page).
 */
export function linkPatternKey(courier: Pick<CourierSelection, 'courierCode' | 'accountId' | 'fields'>): string {
  const fields = [...courier.fields].map((f) => `${f.id}=${f.value}`).sort();
  return JSON.stringify([courier.courierCode, courier.accountId ?? null, fields]);
}
