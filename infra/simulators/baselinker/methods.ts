import { labelPdf, labelZpl } from './label';
import type { RequestRecord, SimConfig, StockWriteRecord } from './records';
import type { SimOrder, SimPackage, SimProduct, SimState } from './state';

/**
 * The API methods the simulator answers. Each returns the payload fields next to `status`, or throws
 * SimApiError for an `ERROR` envelope. Only ERROR_BLOCKED_TOKEN's wording is confirmed; the other codes
 * here are our own names (BaseLinker publishes no code table), kept in the ERROR_* style.
 */

export class SimApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export type Params = Record<string, unknown>;

/** What a method may use of the simulator (BaseLinkerSimulator has it all): the account, the settings, the logs. */
export interface SimulatorCore {
  readonly state: SimState;
  readonly config: SimConfig;
  readonly now: () => number;
  readonly stockWrites: StockWriteRecord[];
  /** The request being answered. */
  readonly processing: RequestRecord | undefined;
  changeOrderStatus(orderId: number, statusId: number, atSeconds?: number): SimOrder;
  journal(orderId: number, type: number, objectId: number, date?: number): void;
  addPackage(input: Pick<SimPackage, 'order_id' | 'courier_code' | 'account_id'> & Partial<SimPackage>): SimPackage;
  trackingLinkOf(pkg: SimPackage): string;
  fillTrackingNumber(packageId: number, number?: string): SimPackage;
  deletePackage(packageId: number): void;
}

export type Handler = (sim: SimulatorCore, params: Params) => Record<string, unknown>;

export const PAGE_SIZE = 1000;
export const ORDERS_PAGE = 100;
export const STOCK_UPDATE_MAX = 1000;
const JOURNAL_RETENTION_S = 3 * 24 * 3600;

// ---------- PHP-style output ----------

/** PHP's json_encode writes an empty associative array as []. */
function phpMap<T>(map: Record<string, T>): Record<string, T> | [] {
  return Object.keys(map).length === 0 ? [] : map;
}
const phpFlag = (b: boolean): '0' | '1' => (b ? '1' : '0');

// ---------- lenient input, like the real API ----------

const bad = (name: string) => new SimApiError('ERROR_BAD_PARAMETER', `Invalid or missing parameter: ${name}`);

function optInt(p: Params, name: string): number | undefined {
  const v = p[name];
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n)) throw bad(name);
  return n;
}
function reqInt(p: Params, name: string): number {
  const n = optInt(p, name);
  if (n === undefined) throw bad(name);
  return n;
}
function optStr(p: Params, name: string): string | undefined {
  const v = p[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  throw bad(name);
}
function reqStr(p: Params, name: string): string {
  const s = optStr(p, name);
  if (!s) throw bad(name);
  return s;
}
function optBool(p: Params, name: string): boolean | undefined {
  const v = p[name];
  if (v === undefined || v === null) return undefined;
  if (v === true || v === 1 || v === '1' || v === 'true') return true;
  if (v === false || v === 0 || v === '0' || v === 'false' || v === '') return false;
  throw bad(name);
}
/** A list of ids; PHP clients sometimes send a map, so its values count too. */
function idList(p: Params, name: string): number[] {
  const v = p[name];
  const items = Array.isArray(v) ? v : v && typeof v === 'object' ? Object.values(v) : undefined;
  if (!items) throw bad(name);
  return items.map((x) => {
    const n = typeof x === 'number' ? x : Number(x);
    if (!Number.isInteger(n)) throw bad(name);
    return n;
  });
}

function inventoryOf(sim: SimulatorCore, p: Params) {
  const id = reqInt(p, 'inventory_id');
  const inv = sim.state.inventories.find((i) => i.inventory_id === id);
  if (!inv) throw new SimApiError('ERROR_INVENTORY_NOT_FOUND', `Inventory ${id} not found`);
  return inv;
}

function orderOf(sim: SimulatorCore, id: number): SimOrder {
  const order = sim.state.orders.get(id);
  if (!order) throw new SimApiError('ERROR_ORDER_NOT_FOUND', `Order ${id} not found`);
  return order;
}

function productsOf(sim: SimulatorCore, inventoryId: number): SimProduct[] {
  return [...sim.state.products.values()].filter((p) => p.inventory_id === inventoryId).sort((a, b) => a.id - b.id);
}

function variantsOf(sim: SimulatorCore, parentId: number): SimProduct[] {
  return [...sim.state.products.values()].filter((p) => p.parent_id === parentId).sort((a, b) => a.id - b.id);
}

function page<T>(items: T[], p: Params, size: number): T[] {
  const n = Math.max(1, optInt(p, 'page') ?? 1);
  return items.slice((n - 1) * size, n * size);
}

// ---------- catalog ----------

const getInventories: Handler = (sim) => ({ inventories: sim.state.inventories.map((i) => ({ ...i })) });

const getInventoryWarehouses: Handler = (sim) => ({ warehouses: sim.state.warehouses.map((w) => ({ ...w })) });

const getInventoryProductsList: Handler = (sim, p) => {
  const inv = inventoryOf(sim, p);
  const includeVariants = optBool(p, 'include_variants') ?? false;
  const f = {
    id: optInt(p, 'filter_id'),
    category: optInt(p, 'filter_category_id'),
    sku: optStr(p, 'filter_sku'),
    ean: optStr(p, 'filter_ean'),
    name: optStr(p, 'filter_name')?.toLowerCase(),
  };
  let items = productsOf(sim, inv.inventory_id).filter(
    (x) =>
      (includeVariants || x.parent_id === 0) &&
      (f.id === undefined || x.id === f.id) &&
      (f.category === undefined || x.category_id === f.category) &&
      (f.sku === undefined || x.sku === f.sku) &&
      (f.ean === undefined || x.ean === f.ean) &&
      (f.name === undefined || x.name.toLowerCase().includes(f.name)),
  );
  const sort = optStr(p, 'filter_sort') ?? 'id ASC';
  if (/desc/i.test(sort)) items = items.reverse();
  const products: Record<string, unknown> = {};
  for (const x of page(items, p, PAGE_SIZE)) {
    products[String(x.id)] = {
      id: x.id,
      parent_id: x.parent_id,
      sku: x.sku,
      ean: x.ean,
      asin: x.asin,
      name: x.name,
      prices: phpMap(x.prices),
      stock: phpMap(x.stock),
    };
  }
  return { products: phpMap(products) };
};

const getInventoryProductsData: Handler = (sim, p) => {
  const inv = inventoryOf(sim, p);
  const ids = idList(p, 'products');
  if (ids.length > sim.config.productsDataCap) {
    throw new SimApiError('ERROR_PRODUCTS_LIMIT', `Too many products requested: ${ids.length}, the limit is ${sim.config.productsDataCap}`);
  }
  const products: Record<string, unknown> = {};
  for (const id of ids) {
    const x = sim.state.products.get(id);
    if (!x || x.inventory_id !== inv.inventory_id) continue;
    const variants: Record<string, unknown> = {};
    for (const v of variantsOf(sim, x.id)) {
      variants[String(v.id)] = { name: v.name, sku: v.sku, ean: v.ean, asin: v.asin, prices: phpMap(v.prices), stock: phpMap(v.stock), locations: phpMap(v.locations) };
    }
    products[String(x.id)] = {
      is_bundle: false,
      parent_id: x.parent_id,
      sku: x.sku,
      ean: x.ean,
      asin: x.asin,
      tags: x.tags,
      tax_rate: x.tax_rate,
      weight: x.weight,
      height: x.height,
      width: x.width,
      length: x.length,
      star: 0,
      // One docs sample has these two as strings.
      category_id: String(x.category_id),
      manufacturer_id: String(x.manufacturer_id),
      prices: phpMap(x.prices),
      stock: phpMap(x.stock),
      locations: phpMap(x.locations),
      text_fields: phpMap(x.parent_id === 0 ? { name: x.name, ...x.text_fields } : {}),
      average_cost: 0,
      average_landed_cost: 0,
      images: phpMap(x.images),
      links: [],
      variants: phpMap(variants),
    };
  }
  return { products: phpMap(products) };
};

const getInventoryProductsStock: Handler = (sim, p) => {
  const inv = inventoryOf(sim, p);
  const mains = productsOf(sim, inv.inventory_id).filter((x) => x.parent_id === 0);
  const products: Record<string, unknown> = {};
  for (const x of page(mains, p, PAGE_SIZE)) {
    const variants: Record<string, unknown> = {};
    for (const v of variantsOf(sim, x.id)) variants[String(v.id)] = phpMap(v.stock);
    products[String(x.id)] = {
      product_id: x.id,
      stock: phpMap(x.stock),
      ...(inv.reservations ? { reservations: [] } : {}),
      variants: phpMap(variants),
    };
  }
  return { products: phpMap(products) };
};

const updateInventoryProductsStock: Handler = (sim, p) => {
  const inv = inventoryOf(sim, p);
  const raw = p.products;
  const entries = Array.isArray(raw) && raw.length === 0 ? [] : raw && typeof raw === 'object' && !Array.isArray(raw) ? Object.entries(raw) : undefined;
  if (!entries) throw bad('products');
  if (entries.length > STOCK_UPDATE_MAX) {
    throw new SimApiError('ERROR_PRODUCTS_LIMIT', `Too many products: ${entries.length}, the limit is ${STOCK_UPDATE_MAX}`);
  }
  const warnings: Record<string, string> = {};
  let counter = 0;
  for (const [id, levels] of entries) {
    const product = sim.state.products.get(Number(id));
    if (!product || product.inventory_id !== inv.inventory_id) {
      warnings[id] = `Product ${id} does not exist in inventory ${inv.inventory_id}`;
      continue;
    }
    if (!levels || typeof levels !== 'object' || Array.isArray(levels)) {
      warnings[id] = 'Invalid stock data';
      continue;
    }
    // All keys of a product are applied, or none: a half-written product would be worse than none.
    const problems: string[] = [];
    for (const [key, qty] of Object.entries(levels as Record<string, unknown>)) {
      if (!key.startsWith('bl_')) problems.push(`Warehouse ${key} is read-only; only bl_ warehouses can be written`);
      else if (!inv.warehouses.includes(key)) problems.push(`Warehouse ${key} is not assigned to this inventory`);
      const n = typeof qty === 'number' ? qty : Number(qty);
      if (!Number.isInteger(n) || n < 0) problems.push(`Invalid quantity for ${key}`);
    }
    if (problems.length > 0) {
      warnings[id] = problems.join('; ');
      continue;
    }
    for (const [key, qty] of Object.entries(levels as Record<string, unknown>)) {
      const before = product.stock[key];
      product.stock[key] = Number(qty);
      sim.stockWrites.push({ productId: product.id, warehouse: key, level: Number(qty), before, at: sim.now(), request: sim.processing });
    }
    counter++;
  }
  // The docs' sample: "warnings": "" when nothing failed.
  return { counter, warnings: Object.keys(warnings).length === 0 ? '' : warnings };
};

// ---------- orders ----------

function emitOrder(o: SimOrder, withExtraFields: boolean): Record<string, unknown> {
  const { custom_extra_fields, products, ...rest } = o;
  return {
    ...rest,
    order_source_info: '-',
    payment_method_cod: phpFlag(o.payment_method_cod),
    // Seen as a string in the docs sample.
    payment_done: String(o.payment_done),
    want_invoice: phpFlag(o.want_invoice),
    ...(withExtraFields ? { custom_extra_fields: phpMap(custom_extra_fields) } : {}),
    // A test may put a malformed value here on purpose; it is sent as it is.
    products: Array.isArray(products) ? products.map((l) => ({ ...l })) : products,
  };
}

const getOrders: Handler = (sim, p) => {
  const f = {
    orderId: optInt(p, 'order_id'),
    confirmedFrom: optInt(p, 'date_confirmed_from'),
    dateFrom: optInt(p, 'date_from'),
    idFrom: optInt(p, 'id_from'),
    unconfirmed: optBool(p, 'get_unconfirmed_orders') ?? false,
    status: optInt(p, 'status_id'),
    email: optStr(p, 'filter_email'),
    source: optStr(p, 'filter_order_source'),
    sourceId: optInt(p, 'filter_order_source_id'),
    shopOrderId: optInt(p, 'filter_shop_order_id'),
    externalId: optStr(p, 'filter_external_order_id'),
  };
  if (f.sourceId !== undefined && f.source === undefined) throw bad('filter_order_source');
  const orders = [...sim.state.orders.values()]
    .filter(
      (o) =>
        (f.unconfirmed || o.confirmed) &&
        (f.orderId === undefined || o.order_id === f.orderId) &&
        (f.confirmedFrom === undefined || o.date_confirmed >= f.confirmedFrom) &&
        (f.dateFrom === undefined || o.date_add >= f.dateFrom) &&
        (f.idFrom === undefined || o.order_id >= f.idFrom) &&
        (f.status === undefined || o.order_status_id === f.status) &&
        (f.email === undefined || o.email === f.email) &&
        (f.source === undefined || o.order_source === f.source) &&
        (f.sourceId === undefined || o.order_source_id === f.sourceId) &&
        (f.shopOrderId === undefined || o.shop_order_id === f.shopOrderId) &&
        (f.externalId === undefined || o.external_order_id === f.externalId),
    )
    .sort((a, b) => a.date_confirmed - b.date_confirmed || a.order_id - b.order_id)
    .slice(0, ORDERS_PAGE);
  const withExtra = optBool(p, 'include_custom_extra_fields') ?? false;
  return { orders: orders.map((o) => emitOrder(o, withExtra)) };
};

const getOrderStatusList: Handler = (sim) => ({ statuses: sim.state.statuses.map((s) => ({ ...s })) });

const getJournalList: Handler = (sim, p) => {
  if (!sim.config.journalEnabled) return { logs: [] };
  const lastLogId = optInt(p, 'last_log_id') ?? 0;
  const types = p.logs_types === undefined ? [] : idList(p, 'logs_types');
  const orderId = optInt(p, 'order_id');
  const oldest = Math.floor(sim.now() / 1000) - JOURNAL_RETENTION_S;
  const logs = sim.state.journal
    .filter(
      (e) =>
        e.log_id > lastLogId &&
        e.date >= oldest &&
        (types.length === 0 || types.includes(e.log_type)) &&
        (orderId === undefined || e.order_id === orderId),
    )
    .sort((a, b) => a.log_id - b.log_id)
    .slice(0, sim.config.journalPageSize);
  return { logs: logs.map((e) => ({ ...e })) };
};

const setOrderStatus: Handler = (sim, p) => {
  const order = orderOf(sim, reqInt(p, 'order_id'));
  const statusId = reqInt(p, 'status_id');
  if (!sim.state.statuses.some((s) => s.id === statusId)) throw new SimApiError('ERROR_STATUS_NOT_FOUND', `Status ${statusId} does not exist`);
  // Like BaseLinker, every call is an event (and would fire the seller's automatic actions), even a repeat.
  sim.changeOrderStatus(order.order_id, statusId);
  return {};
};

const SETTABLE_TEXT = [
  'admin_comments', 'user_comments', 'payment_method', 'email', 'phone', 'user_login', 'delivery_method',
  'delivery_fullname', 'delivery_company', 'delivery_address', 'delivery_postcode', 'delivery_city', 'delivery_state',
  'delivery_country_code', 'delivery_point_id', 'delivery_point_name', 'delivery_point_address',
  'delivery_point_postcode', 'delivery_point_city', 'invoice_fullname', 'invoice_company', 'invoice_nip',
  'invoice_address', 'invoice_postcode', 'invoice_city', 'invoice_state', 'invoice_country_code', 'extra_field_1',
  'extra_field_2',
] as const;

const setOrderFields: Handler = (sim, p) => {
  const order = orderOf(sim, reqInt(p, 'order_id'));
  for (const key of SETTABLE_TEXT) {
    const v = optStr(p, key);
    if (v !== undefined) order[key] = v;
  }
  const cod = optBool(p, 'payment_method_cod');
  if (cod !== undefined) order.payment_method_cod = cod;
  const invoice = optBool(p, 'want_invoice');
  if (invoice !== undefined) order.want_invoice = invoice;
  const price = p.delivery_price;
  if (price !== undefined) {
    const n = Number(price);
    if (!Number.isFinite(n)) throw bad('delivery_price');
    order.delivery_price = n;
  }
  for (const key of ['pick_state', 'pack_state'] as const) {
    const n = optInt(p, key);
    if (n !== undefined) order[key] = n;
  }
  const extra = p.custom_extra_fields;
  if (extra && typeof extra === 'object' && !Array.isArray(extra)) {
    for (const [k, v] of Object.entries(extra)) {
      if (v === '') delete order.custom_extra_fields[k];
      else order.custom_extra_fields[k] = v;
    }
  }
  sim.journal(order.order_id, 16, 0);
  return {};
};

// ---------- shipping ----------

function courierOf(sim: SimulatorCore, p: Params) {
  const code = reqStr(p, 'courier_code');
  const courier = sim.state.couriers.find((c) => c.code === code);
  if (!courier) throw new SimApiError('ERROR_COURIER_NOT_FOUND', `Courier ${code} is not available on this account`);
  return courier;
}

function packageOf(sim: SimulatorCore, p: Params): SimPackage {
  const courier = courierOf(sim, p);
  const id = optInt(p, 'package_id');
  const number = optStr(p, 'package_number');
  if (id === undefined && !number) throw bad('package_id');
  const pkg = id !== undefined ? sim.state.packages.get(id) : [...sim.state.packages.values()].find((x) => x.package_number === number);
  if (!pkg || pkg.courier_code !== courier.code) throw new SimApiError('ERROR_PACKAGE_NOT_FOUND', `Package ${id ?? number} not found`);
  return pkg;
}

const getCouriersList: Handler = (sim) => ({ couriers: sim.state.couriers.map((c) => ({ code: c.code, name: c.name })) });

const getCourierAccounts: Handler = (sim, p) => ({ accounts: courierOf(sim, p).accounts.map((a) => ({ ...a })) });

const getCourierFields: Handler = (sim, p) => {
  const c = courierOf(sim, p);
  return {
    multi_packages: c.multi_packages ? 1 : 0,
    fields: c.fields.map((f) => ({ desc: '', ...f, ...(f.options ? { options: phpMap(f.options) } : {}) })),
    package_fields: c.package_fields.map((f) => ({ ...f })),
  };
};

const createPackage: Handler = (sim, p) => {
  const order = orderOf(sim, reqInt(p, 'order_id'));
  const courier = courierOf(sim, p);
  const accountId = optInt(p, 'account_id') ?? courier.accounts[0]?.id;
  if (accountId === undefined || !courier.accounts.some((a) => a.id === accountId)) {
    throw new SimApiError('ERROR_COURIER_ACCOUNT', `Courier account ${accountId ?? '(none)'} not found`);
  }
  const parcels = Array.isArray(p.packages) ? (p.packages as Array<Record<string, unknown>>) : [];
  if (parcels.length === 0) throw bad('packages');
  if (!parcels.some((x) => x && Number(x.weight) > 0)) throw new SimApiError('ERROR_COURIER', 'Package weight is required');
  const refusal = sim.config.packageRefusals.get(order.order_id) ?? sim.config.packageRefusals.get('*');
  if (refusal) throw new SimApiError('ERROR_COURIER', refusal);
  const fields = Array.isArray(p.fields) ? (p.fields as Array<{ id: string; value: string }>) : [];
  // What the courier's form does not have is ignored, as the courier's API would: a size under a key the
  // courier does not know is a size never booked.
  const parcelKeys = new Set(courier.package_fields.map((f) => f.id));
  const formKeys = new Set(courier.fields.map((f) => f.id));
  const ignored = new Set<string>();
  const kept = parcels.map((x) => Object.fromEntries(Object.entries(x ?? {}).filter(([k]) => parcelKeys.has(k) || (ignored.add(`packages.${k}`), false))));
  const keptFields = fields.filter((f) => formKeys.has(f.id) || (ignored.add(`fields.${f.id}`), false));
  const pkg = sim.addPackage({
    order_id: order.order_id,
    courier_code: courier.code,
    account_id: accountId,
    packages: kept,
    fields: keptFields,
    ...(ignored.size > 0 && { ignored: [...ignored] }),
  });
  return { package_id: pkg.package_id, package_number: pkg.package_number, courier_inner_number: pkg.courier_inner_number };
};

const getLabel: Handler = (sim, p) => {
  const pkg = packageOf(sim, p);
  const order = sim.state.orders.get(pkg.order_id);
  const lines = [
    `${pkg.courier_code.toUpperCase()}  ${pkg.package_number || 'numer w przygotowaniu'}`,
    `Paczka ${pkg.package_id}, zamowienie ${pkg.order_id}`,
    order?.delivery_fullname ?? '',
    order?.delivery_address ?? '',
    `${order?.delivery_postcode ?? ''} ${order?.delivery_city ?? ''}`,
  ];
  const zpl = sim.config.labelFormat === 'zpl';
  return { extension: zpl ? 'zpl' : 'pdf', label: (zpl ? labelZpl(lines) : labelPdf(lines)).toString('base64') };
};

const getOrderPackages: Handler = (sim, p) => {
  const order = orderOf(sim, reqInt(p, 'order_id'));
  const packages = [...sim.state.packages.values()].filter((x) => x.order_id === order.order_id).sort((a, b) => a.package_id - b.package_id);
  return {
    packages: packages.map((x) => {
      x.polls++;
      const after = sim.config.trackingNumberLater?.afterPolls;
      if (!x.package_number && after !== undefined && x.polls >= after) sim.fillTrackingNumber(x.package_id);
      return {
        package_id: x.package_id,
        courier_package_nr: x.package_number,
        courier_inner_number: x.courier_inner_number,
        courier_code: x.courier_code,
        courier_other_name: sim.state.couriers.find((c) => c.code === x.courier_code)?.carrier_name ?? '',
        // The C# client models these as strings; some answers have them so.
        account_id: String(x.account_id),
        tracking_status_date: x.tracking_status_date,
        tracking_delivery_days: '0',
        tracking_status: x.tracking_status,
        package_type: x.package_type,
        tracking_url: sim.trackingLinkOf(x),
        is_return: x.package_type === 1 || x.package_type === 3,
      };
    }),
  };
};

const deleteCourierPackage: Handler = (sim, p) => {
  const pkg = packageOf(sim, p);
  sim.deletePackage(pkg.package_id);
  return {};
};

/** Methods that change the account: where an `answer-lost` fault without a method lands. */
export const WRITE_METHODS: ReadonlySet<string> = new Set([
  'updateInventoryProductsStock',
  'setOrderStatus',
  'setOrderFields',
  'createPackage',
  'deleteCourierPackage',
]);

export const handlers: Record<string, Handler> = {
  getInventories,
  getInventoryWarehouses,
  getInventoryProductsList,
  getInventoryProductsData,
  getInventoryProductsStock,
  updateInventoryProductsStock,
  getOrders,
  getOrderStatusList,
  getJournalList,
  setOrderStatus,
  setOrderFields,
  getCouriersList,
  getCourierAccounts,
  getCourierFields,
  createPackage,
  getLabel,
  getOrderPackages,
  deleteCourierPackage,
};
