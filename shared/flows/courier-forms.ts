import type { BaseLinkerClient } from '../baselinker/client';
import { readCourierForm, type CourierForm } from '../mapping/courier-form';

/**
 * The courier's form (getCourierFields) changes when the seller edits the courier's settings, not per order:
 * kept for a day per BaseLinker token and courier, so a Send costs no call for it. A form that cannot be read
 * fails the shipment (retried), never books with guessed keys.
 */

const FORM_TTL_MS = 24 * 3600_000;
const forms = new Map<string, { form: CourierForm; until: number }>();

export async function courierForm(baselinker: BaseLinkerClient, courierCode: string, now: number): Promise<CourierForm> {
  const key = `${baselinker.budgetKey}#${courierCode}`;
  const cached = forms.get(key);
  if (cached && cached.until > now) return cached.form;
  const form = readCourierForm(await baselinker.getCourierFields(courierCode));
  forms.set(key, { form, until: now + FORM_TTL_MS });
  return form;
}

/** Tests start from an empty cache. */
export function forgetCourierForms(): void {
  forms.clear();
}
