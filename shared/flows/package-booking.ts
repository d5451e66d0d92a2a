import type { BaseLinkerClient, CreatePackageParams } from '../baselinker/client';
import { BaseLinkerTransportError } from '../baselinker/errors';
import type { Order } from '../baselinker/schemas';
import { outgoingPackage, packageMayExist, type EarlierWork, type PackageRef } from '../mapping/shipment';

/**
 * Booking the courier package: never a second one for an order. Looks at what the order already has right
 * before booking, sends createPackage only while the caller's guard holds (its claim re-checked at the last
 * moment), and after an answer that never came looks whether the package was booked after all.
 */

/**
 * The package the order already has, if any: its packages are asked for only when one may exist
 * (`packageMayExist`: the BaseLinker order shows a shipment, or an earlier attempt of ours may have booked).
 */
export async function packageOnOrder(baselinker: BaseLinkerClient, blOrder: Order, courierCode: string, earlier: EarlierWork): Promise<PackageRef | undefined> {
  if (!packageMayExist(blOrder, earlier)) return undefined;
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
