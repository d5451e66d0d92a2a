import type { BaseLinkerClient } from '../baselinker/client';
import { readCourierForm, type CourierForm } from '../mapping/courier-form';
import { samePattern, type LinkPattern } from '../mapping/shipment';

/**
 * What a courier keeps from one order to the next, per BaseLinker token and courier, so a Send costs no call
 * for it:
 * - its form (getCourierFields) changes when the seller edits the courier's settings, not per order: kept
 *   for a day. A form that cannot be read fails the shipment (retried), never books with guessed keys.
 * - how its tracking links are made from the tracking number, as BaseLinker listed them after earlier
 *   bookings with the same account and fixed fields (`linkPatternKey`): trusted once two packages agreed, for an hour after the latest lookup that agreed; any lookup
 *   that disagrees (or shows createPackage's number was not final) forgets it. While trusted, a Send whose
 *   createPackage answered a number writes the link without asking getOrderPackages.
 */

const FORM_TTL_MS = 24 * 3600_000;
const forms = new Map<string, { form: CourierForm; until: number }>();

const LINK_AGREEMENTS = 2;
const LINK_TRUST_MS = 3600_000;
const links = new Map<string, { pattern: LinkPattern; agreed: number; confirmedAt: number }>();

const keyOf = (baselinker: BaseLinkerClient, courierCode: string) => `${baselinker.budgetKey}#${courierCode}`;

export async function courierForm(baselinker: BaseLinkerClient, courierCode: string, now: number): Promise<CourierForm> {
  const key = keyOf(baselinker, courierCode);
  const cached = forms.get(key);
  if (cached && cached.until > now) return cached.form;
  const form = readCourierForm(await baselinker.getCourierFields(courierCode));
  forms.set(key, { form, until: now + FORM_TTL_MS });
  return form;
}

/** The link pattern of bookings under `patternKey` while it is trusted; undefined means: look the link up. */
export function trustedLinkPattern(baselinker: BaseLinkerClient, patternKey: string, now: number): LinkPattern | undefined {
  const known = links.get(keyOf(baselinker, patternKey));
  return known && known.agreed >= LINK_AGREEMENTS && now - known.confirmedAt < LINK_TRUST_MS ? known.pattern : undefined;
}

/** What a lookup after a booking showed: the pattern of the listed link, or undefined when it has none we can use. */
export function noteLinkPattern(baselinker: BaseLinkerClient, patternKey: string, seen: LinkPattern | undefined, now: number): void {
  const key = keyOf(baselinker, patternKey);
  if (!seen) {
    links.delete(key);
    return;
  }
  const known = links.get(key);
  if (known && samePattern(known.pattern, seen)) {
    known.agreed++;
    known.confirmedAt = now;
  } else {
    links.set(key, { pattern: seen, agreed: 1, confirmedAt: now });
  }
}

/** Tests start from empty caches. */
export function forgetCourierForms(): void {
  forms.clear();
  links.clear();
}
