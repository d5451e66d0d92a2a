import { createHash } from 'node:crypto';
import type { Order, OrderProduct } from '../baselinker/schemas';
import type { OrderInput } from '../ongoing/client';
import type { InvoiceAddress, PostConsignee, PostOrderLine } from '../ongoing/schemas';

/**
 * BaseLinker order -> Ongoing `PUT /orders` body: the spec's order mapping table, as one pure function.
 *
 * Decisions for what REST cannot carry one to one (ongoing-api.md §6.5):
 * - Names. The consignee (and the invoice address) has a single `name` and no company field. It holds the
 *   person's full name and, when the order names a company, the company after it ("Anna Berg, Acme AB");
 *   with only a company, the company. The address rows of the spec hold literally: `address1` is always
 *   the delivery (invoice) address, so a company never pushes the street down a line.
 * - E-mail and phones. REST has no plain fields: they go in the `value` of the notification objects, both
 *   on the order and in `consignee.advanced` (which of the two Ongoing prints is unverified), and in
 *   `invoiceAddress.advanced`. `toBeNotified` is false: buyer notifications are BaseLinker's job (its
 *   automatic actions); Ongoing gets the contacts only. BaseLinker has one `phone`: it fills both the
 *   mobile (sms) and the telephone slot.
 * - Order line product code (variant id, or product id). No REST field: it goes in the line's
 *   `externalId`, and the article itself carries the same value as its `productCode` (articles flow).
 * - External order line code (order_product_id) is REST's line key `rowNumber`: stable across updates.
 * - Customer line price is BaseLinker's unit gross price (`prices.customerLinePrice`); the line total
 *   customs value is unit price × quantity, in the order currency (`customsInfo.customsValueCurrencyCode`).
 * - Marketplace order number: the shop order id when the shop gave one, else the marketplace's own order
 *   id (`external_order_id`, e.g. Allegro); `marketPlace.marketPlace` is the BaseLinker order source.
 * - Delivery date: `date_confirmed` (unix seconds) as an ISO date-time in UTC, without milliseconds.
 * - Remark: user comments, then admin comments, on separate lines, within Ongoing's 500 characters. When
 *   too long, the buyer's comment is cut with a visible marker so the seller's note survives whole.
 * - Customer state. BaseLinker's `delivery_state` / `invoice_state` is free text ("mazowieckie", "California",
 *   "CA"); Ongoing's `countryStateCode` is a code (a US state such as "MN"). A value that is a code (up to
 *   three capitals or digits, also as "US-CA"), or a US, Canadian or Australian state name we know the code
 *   of, goes to `countryStateCode`; any other text goes to `address3`, where a person still reads it.
 * - Goods owner order number and id, and the customer number, are the BaseLinker order id, unless the
 *   tenant gives an order number prefix (then the number and customer number carry it; the id stays bare).
 */

export const ORDER_REMARK_MAX = 500;

/**
 * ISO 3166-2 subdivision codes (without the country prefix) by lower-case name, for the countries whose
 * carriers ask for a state: the United States, Canada and Australia.
 */
const STATE_CODES: Record<string, Record<string, string>> = {
  US: {
    alabama: 'AL', alaska: 'AK', arizona: 'AZ', arkansas: 'AR', california: 'CA', colorado: 'CO', connecticut: 'CT',
    delaware: 'DE', 'district of columbia': 'DC', 'washington dc': 'DC', florida: 'FL', georgia: 'GA', hawaii: 'HI',
    idaho: 'ID', illinois: 'IL', indiana: 'IN', iowa: 'IA', kansas: 'KS', kentucky: 'KY', louisiana: 'LA', maine: 'ME',
    maryland: 'MD', massachusetts: 'MA', michigan: 'MI', minnesota: 'MN', mississippi: 'MS', missouri: 'MO',
    montana: 'MT', nebraska: 'NE', nevada: 'NV', 'new hampshire': 'NH', 'new jersey': 'NJ', 'new mexico': 'NM',
    'new york': 'NY', 'north carolina': 'NC', 'north dakota': 'ND', ohio: 'OH', oklahoma: 'OK', oregon: 'OR',
    pennsylvania: 'PA', 'rhode island': 'RI', 'south carolina': 'SC', 'south dakota': 'SD', tennessee: 'TN',
    texas: 'TX', utah: 'UT', vermont: 'VT', virginia: 'VA', washington: 'WA', 'west virginia': 'WV',
    wisconsin: 'WI', wyoming: 'WY', 'puerto rico': 'PR', guam: 'GU', 'american samoa': 'AS',
    'northern mariana islands': 'MP', 'virgin islands': 'VI', 'us virgin islands': 'VI',
  },
  CA: {
    alberta: 'AB', 'british columbia': 'BC', manitoba: 'MB', 'new brunswick': 'NB', 'newfoundland and labrador': 'NL',
    'nova scotia': 'NS', ontario: 'ON', 'prince edward island': 'PE', quebec: 'QC', québec: 'QC', saskatchewan: 'SK',
    'northwest territories': 'NT', nunavut: 'NU', yukon: 'YT',
  },
  AU: {
    'new south wales': 'NSW', victoria: 'VIC', queensland: 'QLD', 'south australia': 'SA', 'western australia': 'WA',
    tasmania: 'TAS', 'northern territory': 'NT', 'australian capital territory': 'ACT',
  },
};
export const CUT_MARKER = '… [cut]';
const ORDER_NUMBER_MAX = 50;
const SERVICE_POINT_MAX = 50;
const COUNTRY_CODE = /^[A-Z]{2}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface OrderMappingOptions {
  /** Put before the BaseLinker order id in the Ongoing order number (e.g. "BL-"). Default: none. */
  orderNumberPrefix?: string;
}

export type OrderMapping =
  | {
      ok: true;
      order: OrderInput;
      /** The article numbers (SKUs) the lines need in Ongoing, each once. */
      articleNumbers: string[];
      /** Data left out, e.g. a malformed e-mail address; the order still goes. */
      warnings: string[];
    }
  | { ok: false; problems: string[] };

/** The Ongoing order number for a BaseLinker order: deterministic, the upsert key. */
export function ongoingOrderNumber(blOrderId: number | string, prefix = ''): string {
  return `${prefix}${blOrderId}`;
}

/** The BaseLinker order id an Ongoing order number stands for, or undefined when it is not one of ours. */
export function blOrderIdOf(orderNumber: string, prefix = ''): number | undefined {
  if (!orderNumber.startsWith(prefix)) return undefined;
  const rest = orderNumber.slice(prefix.length);
  return /^[1-9]\d{0,15}$/.test(rest) ? Number(rest) : undefined;
}

/** Unix seconds -> "2026-01-01T06:48:40Z" (UTC). */
export function ongoingDate(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** User comments + admin comments within `max` characters; the user part is cut first, with a marker. */
export function orderRemark(userComments: string, adminComments: string, max = ORDER_REMARK_MAX): string | undefined {
  const user = userComments.trim();
  const admin = adminComments.trim();
  const joined = [user, admin].filter(Boolean).join('\n');
  if (!joined) return undefined;
  if (joined.length <= max) return joined;
  const cut = (text: string, room: number) => (room > CUT_MARKER.length ? text.slice(0, room - CUT_MARKER.length).trimEnd() + CUT_MARKER : CUT_MARKER.slice(0, room));
  if (!admin || admin.length + 1 + CUT_MARKER.length >= max) return cut(joined, max);
  return `${cut(user, max - admin.length - 1)}\n${admin}`;
}

/**
 * A fingerprint of the order's content, ignoring status moves: a set-aside order whose fingerprint
 * changed has been edited in BaseLinker and is worth another try.
 */
export function orderFingerprint(order: unknown): string {
  const content = order && typeof order === 'object' ? { ...(order as Record<string, unknown>) } : { value: order };
  delete (content as Record<string, unknown>).order_status_id;
  delete (content as Record<string, unknown>).date_in_status;
  return createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 16);
}

const clean = (value: string): string => value.replace(/\s+/g, ' ').trim();
const orUndefined = (value: string): string | undefined => (value ? value : undefined);
const money = (value: number): number => Math.round(value * 100) / 100;

function contact(value: string | undefined) {
  return value ? { toBeNotified: false, value } : undefined;
}

function valueOnly(value: string | undefined) {
  return value ? { value } : undefined;
}

/** The one `name` of an address: the person, then the company (see the decision above). */
export function addressName(fullName: string, company: string): string | undefined {
  if (fullName && company && fullName.toLowerCase() !== company.toLowerCase()) return `${fullName}, ${company}`;
  return orUndefined(fullName || company);
}

/** A code as Ongoing's countryStateCode takes it, or the free text for `address3` (see the decision above). */
export function stateFields(state: string, countryCode: string): { countryStateCode?: string; address3?: string } {
  const text = clean(state);
  if (!text) return {};
  const known = STATE_CODES[countryCode];
  const prefixed = /^([A-Za-z]{2})-([A-Za-z0-9]{1,3})$/.exec(text);
  if (prefixed && prefixed[1].toUpperCase() === countryCode) return { countryStateCode: prefixed[2].toUpperCase() };
  if (/^[A-Z0-9]{1,3}$/.test(text)) return { countryStateCode: text };
  const upper = text.toUpperCase();
  if (known && Object.values(known).includes(upper)) return { countryStateCode: upper };
  const named = known?.[text.toLowerCase().replace(/[.]/g, '')];
  return named ? { countryStateCode: named } : { address3: text };
}

function mapLine(line: OrderProduct, currency: string | undefined, at: string, problems: string[]): PostOrderLine | undefined {
  const sku = clean(line.sku);
  const quantity = line.quantity;
  let bad = false;
  if (!sku) {
    problems.push(`${at} ("${clean(line.name) || 'no name'}") has no SKU`);
    bad = true;
  }
  if (!(quantity > 0)) {
    problems.push(`${at} (${sku || 'no SKU'}) has quantity ${quantity}; it must be more than 0`);
    bad = true;
  }
  if (!Number.isFinite(line.price_brutto) || line.price_brutto < 0) {
    problems.push(`${at} (${sku || 'no SKU'}) has an invalid price ${line.price_brutto}`);
    bad = true;
  }
  if (bad) return undefined;
  const productCode = line.variant_id || line.product_id;
  return {
    rowNumber: String(line.order_product_id),
    articleNumber: sku,
    numberOfItems: quantity,
    externalId: orUndefined(productCode),
    prices: { customerLinePrice: line.price_brutto, currencyCode: currency },
    lineTotalCustomsValue: money(line.price_brutto * quantity),
  };
}

/** Maps one BaseLinker order; a malformed order comes back as `ok: false` with readable problems. */
export function mapOrder(bl: Order, options: OrderMappingOptions = {}): OrderMapping {
  const problems: string[] = [];
  const warnings: string[] = [];
  const orderNumber = ongoingOrderNumber(bl.order_id, options.orderNumberPrefix);
  if (orderNumber.length > ORDER_NUMBER_MAX) problems.push(`order number "${orderNumber}" is longer than ${ORDER_NUMBER_MAX} characters`);
  if (!bl.date_confirmed) problems.push('the order is not confirmed (date_confirmed is 0)');

  // Delivery address.
  const fullName = clean(bl.delivery_fullname);
  const company = clean(bl.delivery_company);
  const street = clean(bl.delivery_address);
  const postCode = clean(bl.delivery_postcode);
  const city = clean(bl.delivery_city);
  const countryCode = clean(bl.delivery_country_code).toUpperCase();
  if (!fullName && !company) problems.push('no delivery name (delivery_fullname and delivery_company are empty)');
  if (!street) problems.push('no delivery address (delivery_address is empty)');
  if (!postCode) problems.push('no delivery postcode');
  if (!city) problems.push('no delivery city');
  if (!COUNTRY_CODE.test(countryCode)) {
    problems.push(`invalid delivery country code ${JSON.stringify(bl.delivery_country_code)} (expected two letters, e.g. "PL")`);
  }
  const servicePoint = clean(bl.delivery_point_id);
  if (servicePoint.length > SERVICE_POINT_MAX) problems.push(`delivery point id "${servicePoint}" is longer than ${SERVICE_POINT_MAX} characters`);

  // Contacts.
  let email = clean(bl.email);
  if (email && !EMAIL.test(email)) {
    warnings.push(`e-mail address ${JSON.stringify(bl.email)} is not well-formed; left out`);
    email = '';
  }
  const phone = clean(bl.phone);
  const contacts = {
    emailNotification: contact(email),
    smsNotification: contact(phone),
    telephoneNotification: contact(phone),
  };
  const hasContacts = Boolean(email || phone);

  // Invoice address: only when the order has one.
  const invoiceName = clean(bl.invoice_fullname);
  const invoiceCompany = clean(bl.invoice_company);
  const invoiceStreet = clean(bl.invoice_address);
  const invoiceCountry = clean(bl.invoice_country_code).toUpperCase();
  let invoiceAddress: InvoiceAddress | undefined;
  if (invoiceName || invoiceCompany || invoiceStreet) {
    if (invoiceCountry && !COUNTRY_CODE.test(invoiceCountry)) {
      problems.push(`invalid invoice country code ${JSON.stringify(bl.invoice_country_code)} (expected two letters, e.g. "PL")`);
    }
    invoiceAddress = {
      name: addressName(invoiceName, invoiceCompany),
      address1: orUndefined(invoiceStreet),
      ...stateFields(bl.invoice_state, invoiceCountry),
      postCode: orUndefined(clean(bl.invoice_postcode)),
      city: orUndefined(clean(bl.invoice_city)),
      countryCode: orUndefined(invoiceCountry),
      // Ongoing's invoice-address notifications take only {value} (no toBeNotified).
      advanced: hasContacts
        ? { emailNotification: valueOnly(email), smsNotification: valueOnly(phone), telephoneNotification: valueOnly(phone) }
        : undefined,
    };
  }

  // Lines.
  const currency = orUndefined(clean(bl.currency).toUpperCase());
  if (bl.products.length === 0) problems.push('the order has no lines');
  const lines: PostOrderLine[] = [];
  const rows = new Set<string>();
  bl.products.forEach((product, i) => {
    const line = mapLine(product, currency, `line ${i + 1}`, problems);
    if (!line) return;
    if (rows.has(line.rowNumber)) problems.push(`line ${i + 1}: order_product_id ${line.rowNumber} appears twice`);
    rows.add(line.rowNumber);
    lines.push(line);
  });

  if (problems.length) return { ok: false, problems };

  const customerNumber = orderNumber;
  const marketPlaceNumber = bl.shop_order_id > 0 ? String(bl.shop_order_id) : clean(bl.external_order_id);
  const consignee: PostConsignee = {
    customerNumber,
    name: addressName(fullName, company),
    address1: street,
    ...stateFields(bl.delivery_state, countryCode),
    postCode,
    city,
    countryCode,
    vatNumber: orUndefined(clean(bl.invoice_nip)),
    advanced: hasContacts ? contacts : undefined,
    invoiceAddress,
  };
  const order: OrderInput = {
    orderNumber,
    goodsOwnerOrderId: String(bl.order_id),
    deliveryDate: ongoingDate(bl.date_confirmed),
    orderRemark: orderRemark(bl.user_comments, bl.admin_comments),
    servicePointCode: orUndefined(servicePoint),
    marketPlace: marketPlaceNumber ? { marketPlace: orUndefined(clean(bl.order_source)), marketPlaceOrderNumber: marketPlaceNumber } : undefined,
    customsInfo: currency ? { customsValueCurrencyCode: currency } : undefined,
    consignee,
    ...(hasContacts ? contacts : {}),
    orderLines: lines,
  };
  return { ok: true, order: dropUndefined(order), articleNumbers: [...new Set(lines.map((l) => l.articleNumber))], warnings };
}

/** Leaves undefined keys out of the body (so the JSON sent and the test expectations stay small). */
function dropUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map(dropUndefined) as T;
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, dropUndefined(v)]),
  ) as T;
}
