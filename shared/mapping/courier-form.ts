import type { CourierFields, Order } from '../baselinker/schemas';

/**
 * What createPackage gets from the courier's own form (getCourierFields), never from a guessed spelling:
 * the parcel keys (`size_length` at one courier, `length` at another: sources disagree, only the courier's
 * list is authoritative), and the form fields that carry cash on delivery and insurance. Pure functions.
 */

export type Dimension = 'length' | 'width' | 'height';

export interface CourierForm {
  /** Every form field id (createPackage's `fields`). */
  fieldIds: string[];
  /** The field that takes the amount to collect on delivery; undefined when the form has none. */
  codFieldId?: string;
  /** The field that takes the declared (insured) value; undefined when the form has none. */
  insuranceFieldId?: string;
  /** Parcel keys from `package_fields`: the weight's and each size's, when the courier has one. */
  parcelKeys: { weight?: string } & Partial<Record<Dimension, string>>;
}

type FormField = CourierFields['fields'][number];

/** An exact id first (the docs' sample calls them `cod` and `insurance`), then the field's own name. */
function findField(fields: readonly FormField[], ids: readonly string[], name: RegExp): string | undefined {
  const byId = fields.find((f) => ids.includes(f.id.toLowerCase()));
  if (byId) return byId.id;
  // Only a field that takes a value: a COD checkbox with no amount cannot carry what the buyer owes.
  return fields.find((f) => name.test(`${f.id} ${f.name}`) && (f.type === 'text' || f.type === ''))?.id;
}

export function readCourierForm(form: CourierFields): CourierForm {
  const packageIds = form.package_fields.map((f) => f.id);
  const parcelKey = (candidates: string[]) => candidates.find((c) => packageIds.includes(c));
  return {
    fieldIds: form.fields.map((f) => f.id),
    codFieldId: findField(form.fields, ['cod', 'cod_amount', 'cod_value'], /\bcod\b|cash on delivery|pobrani/i),
    insuranceFieldId: findField(form.fields, ['insurance', 'insurance_amount', 'declared_value'], /insur|declared value|ubezpiecz/i),
    parcelKeys: {
      weight: parcelKey(['weight']),
      length: parcelKey(['size_length', 'length']),
      width: parcelKey(['size_width', 'width']),
      height: parcelKey(['size_height', 'height']),
    },
  };
}

export interface Parcel {
  weight: number;
  length?: number;
  width?: number;
  height?: number;
}

/** createPackage's `packages`: each parcel under the courier's own keys; a size the courier has no key for is left out. */
export function packageEntries(parcels: readonly Parcel[], form: CourierForm): Array<Record<string, number>> | { problem: string } {
  const weightKey = form.parcelKeys.weight;
  if (!weightKey) return { problem: "the courier's form (getCourierFields package_fields) has no weight field" };
  return parcels.map((parcel) => {
    const entry: Record<string, number> = { [weightKey]: parcel.weight };
    for (const dim of ['length', 'width', 'height'] as const) {
      const key = form.parcelKeys[dim];
      if (key && parcel[dim] !== undefined) entry[key] = parcel[dim]!;
    }
    return entry;
  });
}

const cents = (n: number) => Math.round(n * 100) / 100;

/** The products' gross value: gross unit price × quantity over the lines, in the order's currency; NaN when a line has no readable price. */
export function productsGross(order: Pick<Order, 'products'>): number {
  return cents(order.products.reduce((sum, line) => sum + Number(line.price_brutto) * Number(line.quantity), 0));
}

export type CodAmount = { collect: false } | { collect: true; amount: number; currency: string } | { problem: string };

/**
 * What the buyer still owes on a cash-on-delivery order: the products' gross prices × quantities plus the
 * delivery price minus what was paid already (`payment_done`), in the order's currency. A problem (never a
 * guess) when the order does not say whether it is COD, or the amount cannot be computed.
 */
export function codAmount(order: Pick<Order, 'order_id' | 'payment_method_cod' | 'products' | 'delivery_price' | 'payment_done' | 'currency'>): CodAmount {
  if (order.payment_method_cod === undefined) return { problem: `BaseLinker order ${order.order_id} does not say whether it is cash on delivery (payment_method_cod)` };
  if (!order.payment_method_cod) return { collect: false };
  const products = productsGross(order);
  const owed = cents(products + order.delivery_price - order.payment_done);
  const currency = order.currency.trim().toUpperCase();
  if (!Number.isFinite(owed)) {
    return { problem: `cash-on-delivery amount of BaseLinker order ${order.order_id} cannot be computed (a line price, the delivery price or payment_done is not a number)` };
  }
  if (!/^[A-Z]{3}$/.test(currency)) return { problem: `cash-on-delivery order ${order.order_id} has no currency` };
  if (owed < 0) return { problem: `cash-on-delivery order ${order.order_id} is paid ${order.payment_done} ${currency}, more than its total ${cents(products + order.delivery_price)}` };
  if (owed === 0) return { collect: false };
  return { collect: true, amount: owed, currency };
}

export interface FormFieldsInput {
  /** The tenant's fixed fields for this courier (settings): they win where they set a field themselves. */
  fixed: ReadonlyArray<{ id: string; value: string }>;
  cod: CodAmount;
  /** Declared value to insure; undefined when insurance is off. */
  insureFor?: number;
}

/**
 * createPackage's `fields`: the tenant's fixed fields, plus the COD amount and the insured value in the
 * courier's fields for them. A COD order whose courier has no COD field (and whose settings do not set it)
 * is a problem: it is never shipped without collecting.
 */
export function formFields(form: CourierForm, input: FormFieldsInput): Array<{ id: string; value: string }> | { problem: string } {
  if ('problem' in input.cod) return { problem: input.cod.problem };
  const fields = input.fixed.map((f) => ({ ...f }));
  const setByTenant = (id: string) => fields.some((f) => f.id === id);
  if (input.cod.collect) {
    const id = form.codFieldId;
    if (!id && !fields.some((f) => /^cod/i.test(f.id))) {
      return { problem: `cash-on-delivery order (${input.cod.amount} ${input.cod.currency} to collect), but the courier's form (getCourierFields) has no cash-on-delivery field: choose a courier that collects, or set its field in the courier settings` };
    }
    if (id && !setByTenant(id)) fields.push({ id, value: input.cod.amount.toFixed(2) });
  }
  if (input.insureFor !== undefined && form.insuranceFieldId && !setByTenant(form.insuranceFieldId) && Number.isFinite(input.insureFor) && input.insureFor > 0) {
    fields.push({ id: form.insuranceFieldId, value: input.insureFor.toFixed(2) });
  }
  return fields;
}
