import { memo } from '../util/memo';
import * as z from '../util/zod';

/**
 * Response shapes of the BaseLinker methods we use. BaseLinker is PHP and its JSON shows it (reference
 * §1.4): empty maps come as `[]`, flags as "0"/"1", numbers sometimes as strings. So:
 * - fields our logic depends on (ids, SKUs, status ids, quantities, label data) are strict in meaning but
 *   lenient in spelling (a numeric string is a number);
 * - descriptive fields fall back to neutral values;
 * - objects are loose: fields BaseLinker adds later pass through untouched.
 *
 * The field types below are built at load (every schema uses them); each object and response schema is a
 * `memo`, built at the first parse that needs it, so a function builds only the schemas of the methods it
 * calls (`orderSchema().parse(…)`, `responses.getOrders()`).
 */

const NUMERIC_TEXT = /^\s*-?\d+(\.\d+)?\s*$/;

/** A number, or a string holding one ("50" => 50). */
export const numeric = z.union([z.number(), z.pipe(z.string().check(z.regex(NUMERIC_TEXT)), z.transform(Number))]);

/** A non-negative integer id, as a number or numeric string. */
export const intId = z.pipe(numeric, z.number().check(z.int(), z.nonnegative()));

/** true/false, 1/0 or "1"/"0" => boolean. */
export const flag = z.pipe(
  z.union([z.boolean(), z.literal(0), z.literal(1), z.literal('0'), z.literal('1')]),
  z.transform((v) => v === true || v === 1 || v === '1'),
);

/** Descriptive text: a string (numbers stringified); absent or null => "". Objects are still an error. */
export const text = z.pipe(
  z.nullish(z.union([z.string(), z.number()])),
  z.transform((v) => (v === null || v === undefined ? '' : String(v))),
);

/** A SKU or other identifying string: required, numbers stringified (PHP may emit a numeric SKU as a number). */
export const identText = z.pipe(z.union([z.string(), z.number()]), z.transform(String));

/** A physical measure or amount that may be absent: number, numeric string, "" or null => number (0 when empty). */
export const measure = z.pipe(
  z.nullish(z.union([z.number(), z.string().check(z.regex(NUMERIC_TEXT)), z.literal('')])),
  z.transform((v) => (v === '' || v === null || v === undefined ? 0 : Number(v))),
);

/** A number we only display: malformed => 0 rather than failing the response. */
const softNumber = z.catch(measure, 0);
const softFlag = z.catch(flag, false);
/** An amount money depends on (cash on delivery): malformed => NaN, so the caller refuses rather than guesses 0. */
const amount = z.catch(measure, Number.NaN);

/** PHP serializes an empty map as `[]`, and a map with keys 0..n-1 as a list. */
function listToMap(value: unknown): unknown {
  if (value === null || value === undefined) return {};
  if (Array.isArray(value)) return Object.fromEntries(value.map((v, i) => [String(i), v]));
  return value;
}

/** A JSON map (string keys) that may arrive as `[]`, a list, or null. */
export function mapOf<T extends z.ZodMiniType>(value: T) {
  return z.pipe(z.transform(listToMap), z.record(z.string(), value));
}

/** A map whose keys are numeric ids (products, variants), turned into an array carrying `id`. */
export function idMapToArray<T extends z.ZodMiniType>(value: T) {
  return z.pipe(
    z.pipe(z.transform(listToMap), z.record(z.string().check(z.regex(/^\d+$/, 'expected a numeric id as key')), value)),
    z.transform((map) =>
      Object.entries(map as Record<string, z.output<T>>).map(([key, entry]) => ({ ...(entry as object), id: Number(key) }) as z.output<T> & { id: number }),
    ),
  );
}

/** `warnings`: "" / [] / {} / null mean none; otherwise id => message (non-string messages are JSON-encoded). */
export const warnings = z.pipe(
  z.transform((v) => (v === '' ? {} : listToMap(v))),
  z.record(z.string(), z.pipe(z.unknown(), z.transform((m) => (typeof m === 'string' ? m : JSON.stringify(m))))),
);

/** Warehouse key => quantity (stock, reservations) or price group => price. */
export const numberMap = mapOf(numeric);

// ---------- catalog ----------

export const inventorySchema = memo(() => z.looseObject({
  inventory_id: intId,
  name: text,
  description: text,
  languages: z.catch(z.array(z.string()), []),
  default_language: text,
  price_groups: z.catch(z.array(numeric), []),
  default_price_group: softNumber,
  warehouses: z.array(z.string()),
  default_warehouse: text,
  reservations: softFlag,
  is_default: softFlag,
}));
export type Inventory = z.infer<ReturnType<typeof inventorySchema>>;

export const warehouseSchema = memo(() => z.pipe(
  z.looseObject({
    warehouse_type: z.string().check(z.minLength(1)),
    warehouse_id: intId,
    name: text,
    description: text,
    stock_edition: softFlag,
    is_default: softFlag,
  }),
  z.transform((w) => ({ ...w, key: `${w.warehouse_type}_${w.warehouse_id}` })),
));
export type Warehouse = z.infer<ReturnType<typeof warehouseSchema>>;

export const productListEntrySchema = memo(() => z.looseObject({
  parent_id: z.pipe(z.optional(intId), z.transform((v) => v ?? 0)),
  sku: identText,
  ean: text,
  asin: text,
  name: text,
  prices: z.catch(numberMap, {}),
  stock: numberMap,
}));
export type ProductListEntry = z.infer<ReturnType<typeof productListEntrySchema>> & { id: number };

export const variantDataSchema = memo(() => z.looseObject({
  name: text,
  sku: identText,
  ean: text,
  asin: text,
  prices: z.catch(numberMap, {}),
  stock: numberMap,
  locations: z.catch(mapOf(text), {}),
}));
export type VariantData = z.infer<ReturnType<typeof variantDataSchema>> & { id: number };

export const productDataSchema = memo(() => z.looseObject({
  is_bundle: softFlag,
  parent_id: z.pipe(z.optional(intId), z.transform((v) => v ?? 0)),
  sku: identText,
  ean: text,
  asin: text,
  tags: z.catch(z.array(z.unknown()), []),
  tax_rate: softNumber,
  weight: measure,
  height: measure,
  width: measure,
  length: measure,
  star: softNumber,
  category_id: softNumber,
  manufacturer_id: softNumber,
  prices: z.catch(numberMap, {}),
  stock: numberMap,
  locations: z.catch(mapOf(text), {}),
  /** Keys `field`, `field|lang`, `field|lang|source`; values are strings except `features` and file fields. */
  text_fields: mapOf(z.unknown()),
  average_cost: softNumber,
  images: z.catch(mapOf(z.unknown()), {}),
  links: z.catch(mapOf(z.unknown()), {}),
  variants: idMapToArray(variantDataSchema()),
}));
export type ProductData = z.infer<ReturnType<typeof productDataSchema>> & { id: number };

export const productStockEntrySchema = memo(() => z.looseObject({
  stock: numberMap,
  reservations: z.optional(numberMap),
  /** Variant id => (warehouse key => quantity); absent or [] when the product has no variants. */
  variants: z.pipe(z.optional(mapOf(numberMap)), z.transform((v) => v ?? {})),
}));
export type ProductStockEntry = z.infer<ReturnType<typeof productStockEntrySchema>> & { id: number };

// ---------- orders ----------

/** A product or variant id on an order line: a string; "", "0", 0 and null all mean "none" and become "". */
const lineRef = z.pipe(
  z.nullish(z.union([z.string(), z.number()])),
  z.transform((v) => (v === null || v === undefined || v === 0 || v === '0' ? '' : String(v))),
);

export const orderProductSchema = memo(() => z.looseObject({
  order_product_id: intId,
  storage: text,
  storage_id: softNumber,
  product_id: lineRef,
  variant_id: lineRef,
  name: text,
  attributes: text,
  sku: identText,
  ean: text,
  location: text,
  warehouse_id: softNumber,
  auction_id: text,
  /** Unit gross price. */
  price_brutto: numeric,
  tax_rate: softNumber,
  quantity: numeric,
  weight: measure,
  bundle_id: softNumber,
}));
export type OrderProduct = z.infer<ReturnType<typeof orderProductSchema>>;

export const orderSchema = memo(() => z.looseObject({
  order_id: intId,
  shop_order_id: softNumber,
  external_order_id: text,
  order_source: text,
  order_source_id: softNumber,
  order_status_id: intId,
  date_add: intId,
  /** 0 while unconfirmed. */
  date_confirmed: intId,
  date_in_status: softNumber,
  confirmed: flag,
  user_login: text,
  phone: text,
  email: text,
  user_comments: text,
  admin_comments: text,
  currency: text,
  payment_method: text,
  /** undefined when absent or unreadable: a shipment then refuses rather than ship a COD order without collecting. */
  payment_method_cod: z.catch(z.optional(flag), undefined),
  payment_done: amount,
  delivery_method_id: softNumber,
  delivery_method: text,
  delivery_price: amount,
  delivery_package_module: text,
  delivery_package_nr: text,
  delivery_fullname: text,
  delivery_company: text,
  delivery_address: text,
  delivery_postcode: text,
  delivery_city: text,
  delivery_state: text,
  delivery_country: text,
  delivery_country_code: text,
  delivery_point_id: text,
  delivery_point_name: text,
  delivery_point_address: text,
  delivery_point_postcode: text,
  delivery_point_city: text,
  invoice_fullname: text,
  invoice_company: text,
  invoice_nip: text,
  invoice_address: text,
  invoice_postcode: text,
  invoice_city: text,
  invoice_state: text,
  invoice_country: text,
  invoice_country_code: text,
  want_invoice: softFlag,
  extra_field_1: text,
  extra_field_2: text,
  custom_extra_fields: z.optional(mapOf(z.unknown())),
  order_page: text,
  pick_state: softNumber,
  pack_state: softNumber,
  products: z.array(orderProductSchema()),
}));
export type Order = z.infer<ReturnType<typeof orderSchema>>;

export const orderStatusSchema = memo(() => z.looseObject({
  id: intId,
  name: text,
  name_for_customer: text,
  color: text,
}));
export type OrderStatus = z.infer<ReturnType<typeof orderStatusSchema>>;

/** The docs' field table says `id`, their sample and every client read `log_id`: accept both. */
export const journalEntrySchema = memo(() => z.pipe(
  z.transform((v) => (v && typeof v === 'object' && !('log_id' in v) && 'id' in v ? { ...v, log_id: (v as { id: unknown }).id } : v)),
  z.looseObject({
    log_id: intId,
    order_id: intId,
    log_type: intId,
    object_id: softNumber,
    date: softNumber,
  }),
));
export type JournalEntry = z.infer<ReturnType<typeof journalEntrySchema>>;

// ---------- shipping ----------

export const courierSchema = memo(() => z.looseObject({ code: z.string().check(z.minLength(1)), name: text }));
export type Courier = z.infer<ReturnType<typeof courierSchema>>;

export const courierAccountSchema = memo(() => z.looseObject({ id: intId, name: text }));
export type CourierAccount = z.infer<ReturnType<typeof courierAccountSchema>>;

export const courierFieldSchema = memo(() => z.looseObject({
  id: identText,
  name: text,
  type: text,
  desc: text,
  options: z.optional(mapOf(z.unknown())),
  function: text,
}));
export const courierFieldsSchema = memo(() => z.looseObject({
  multi_packages: softFlag,
  fields: z.catch(z.array(courierFieldSchema()), []),
  package_fields: z.catch(z.array(courierFieldSchema()), []),
}));
export type CourierFields = z.infer<ReturnType<typeof courierFieldsSchema>>;

export const createdPackageSchema = memo(() => z.looseObject({
  package_id: intId,
  /** The tracking number; "" when the courier assigns it later (then poll getOrderPackages). */
  package_number: text,
  courier_inner_number: text,
}));
export type CreatedPackage = z.infer<ReturnType<typeof createdPackageSchema>>;

export const labelSchema = memo(() => z.looseObject({
  extension: z.string().check(z.minLength(1), z.maxLength(8)),
  label: z.string().check(z.minLength(1), z.regex(/^[A-Za-z0-9+/=\s]+$/, 'expected base64')),
}));

export const orderPackageSchema = memo(() => z.looseObject({
  package_id: intId,
  courier_package_nr: text,
  courier_inner_number: text,
  courier_code: text,
  courier_other_name: text,
  account_id: softNumber,
  tracking_status_date: softNumber,
  tracking_delivery_days: softNumber,
  tracking_status: softNumber,
  package_type: softNumber,
  tracking_url: text,
  is_return: softFlag,
}));
export type OrderPackage = z.infer<ReturnType<typeof orderPackageSchema>>;

// ---------- whole responses ----------

export const responses = {
  getInventories: memo(() => z.looseObject({ inventories: z.array(inventorySchema()) })),
  getInventoryWarehouses: memo(() => z.looseObject({ warehouses: z.array(warehouseSchema()) })),
  getInventoryProductsList: memo(() => z.looseObject({ products: idMapToArray(productListEntrySchema()) })),
  getInventoryProductsData: memo(() => z.looseObject({ products: idMapToArray(productDataSchema()) })),
  getInventoryProductsStock: memo(() => z.looseObject({ products: idMapToArray(productStockEntrySchema()) })),
  updateInventoryProductsStock: memo(() => z.looseObject({ counter: numeric, warnings: z.pipe(z.optional(warnings), z.transform((w) => w ?? {})) })),
  /** Orders are checked one by one in the client, so one malformed order is set aside, not the page. */
  getOrders: memo(() => z.looseObject({ orders: z.array(z.unknown()) })),
  getOrderStatusList: memo(() => z.looseObject({ statuses: z.array(orderStatusSchema()) })),
  getJournalList: memo(() => z.looseObject({ logs: z.pipe(z.transform((v) => (v === null || v === undefined ? [] : v)), z.array(journalEntrySchema())) })),
  getCouriersList: memo(() => z.looseObject({ couriers: z.array(courierSchema()) })),
  getCourierAccounts: memo(() => z.looseObject({ accounts: z.array(courierAccountSchema()) })),
  getCourierFields: courierFieldsSchema,
  createPackage: createdPackageSchema,
  getLabel: labelSchema,
  getOrderPackages: memo(() => z.looseObject({ packages: z.array(orderPackageSchema()) })),
  /** Methods that answer with `status` only. */
  statusOnly: memo(() => z.looseObject({})),
} as const;

/** "orders.3.order_id" from a zod issue path. */
export function issuePath(issue: z.core.$ZodIssue): string {
  return issue.path.map(String).join('.');
}
