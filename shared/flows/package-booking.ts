import type { BaseLinkerClient, CreatePackageParams } from '../baselinker/client';
import { BaseLinkerTransportError } from '../baselinker/errors';
import type { Order, OrderPackage } from '../baselinker/schemas';

/**
 * Booking the courier package: never a second one for an order. Looks at what the order already has right
 * before booking, sends createPackage only while the caller's guard holds (its claim re-checked at the last
 * moment), and after an answer that never came looks whether the package was booked after all.
 */

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

export interface EarlierWork {
  /** The package id our shipment record holds, if any. */
  packageId?: number | string;
  /** This is not the first claim of the order: an earlier attempt may have booked before it stopped. */
  retried: boolean;
}

/**
 * The package the order already has, if any. The BaseLinker order (read right before booking) names the
 * courier and number of a created shipment (`delivery_package_module` / `delivery_package_nr`), whoever
 * created it (us, the seller, BaseLinker's automatic actions); getOrderPackages is asked when it names one,
 * or when an earlier attempt of ours may have booked.
 */
export async function packageOnOrder(baselinker: BaseLinkerClient, blOrder: Order, courierCode: string, earlier: EarlierWork): Promise<PackageRef | undefined> {
  const shown = blOrder.delivery_package_module.trim() !== '' || blOrder.delivery_package_nr.trim() !== '';
  if (!shown && earlier.packageId === undefined && !earlier.retried) return undefined;
  return outgoingPackage(await baselinker.getOrderPackages(blOrder.order_id), courierCode, earlier.packageId);
}

/** createPackage went out and no answer came back: the package may exist. The claim is kept until its lease lapses. */
export class BookingUnconfirmedError extends Error {
  constructor(override readonly cause: unknown) {
    super(`createPackage got no answer (${cause instanceof Error ? cause.message : String(cause)}); the package may exist, so nobody books again before this claim lapses`);
    this.name = 'BookingUnconfirmedError';
  }
}

/**
 * Books one package. `guard` runs immediately before the request leaves (after any budget wait) and throws
 * to stop it. An answer lost on the way back is healed by looking at the order's packages at once.
 */
export async function bookPackage(baselinker: BaseLinkerClient, params: CreatePackageParams, guard: () => Promise<void>): Promise<PackageRef> {
  try {
    const created = await baselinker.createPackage(params, { beforeSend: guard });
    return { packageId: created.package_id, courierCode: params.courier_code, trackingNumber: created.package_number ?? '', trackingUrl: '', reused: false };
  } catch (err) {
    if (!(err instanceof BaseLinkerTransportError) || err.notSent) throw err;
    const booked = await baselinker
      .getOrderPackages(params.order_id)
      .then((packages) => outgoingPackage(packages, params.courier_code, undefined))
      .catch(() => undefined);
    if (booked) return { ...booked, reused: false };
    throw new BookingUnconfirmedError(err);
  }
}
