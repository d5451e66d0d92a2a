import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatWarsawTime } from '../../../shared/baselinker/warsaw-time';
import { handlers, Params, SimApiError, WRITE_METHODS, type SimulatorCore } from './methods';
import type { RateLimitOptions, RequestRecord, SimConfig, StockWriteRecord } from './records';
import {
  defaultCouriers,
  defaultStatuses,
  emptyState,
  SimInventory,
  SimOrder,
  SimOrderProduct,
  SimPackage,
  SimProduct,
  SimState,
  SimWarehouse,
} from './state';

/**
 * A local BaseLinker: a real HTTP server speaking the connector's wire format (form POST, `method` +
 * JSON `parameters`, X-BLToken, HTTP 200 with a status envelope), with a per-token sliding-window rate
 * limit that blocks the token like the real one, injectable faults, and hooks to shape the account.
 */

export const DEFAULT_SIM_TOKEN = 'sim-token-placeholder';

export type { RateLimitOptions, RequestRecord, SimConfig, StockWriteRecord } from './records';

export interface BaseLinkerSimulatorOptions {
  tokens?: string[];
  rateLimit?: Partial<RateLimitOptions>;
  latencyMs?: number;
  /** Extra delay per method on top of latencyMs (live: `sim.config.methodLatencyMs`). */
  methodLatencyMs?: Record<string, number>;
  productsDataCap?: number;
  journalEnabled?: boolean;
  journalPageSize?: number;
  labelFormat?: 'pdf' | 'zpl';
  trackingNumberLater?: { afterPolls?: number };
  /** Default true: a confirmed order lowers the stock of the catalog products on its lines. */
  ordersTakeStock?: boolean;
  /** Clock for order/journal times and the 3-day journal retention (ms). Rate limiting uses it too. */
  now?: () => number;
  /** Default 0: a free port. */
  port?: number;
}

/**
 * `answer-lost`: the call is processed in full (a write takes effect), then the connection is dropped
 * before any answer, so the client sees a network error for a write that happened.
 */
export type FaultKind = 'http500' | 'timeout' | 'malformed-json' | 'blocked-token' | 'answer-lost';

export interface Fault {
  /** Only requests for this method; any method when absent (any write method for `answer-lost`). */
  method?: string;
  kind: FaultKind;
  /** How many requests it hits. Default 1. */
  times?: number;
}

/** One product's stock as BaseLinker itself moved it: a confirmed order taking its units (the other half of the stock history). */
export interface StockTakeRecord {
  productId: number;
  warehouse: string;
  orderId: number;
  before: number;
  after: number;
  /** How many stock writes had come before it (`stockWrites.length` then): its place among them, whatever the clock. */
  writesBefore: number;
  /** Simulator clock, ms. */
  at: number;
}

export type SimOrderInput = Partial<Omit<SimOrder, 'products'>> & { products?: Array<Partial<SimOrderProduct>> };

const REQUEST_LOG_CAP = 10_000;
const BODY_LIMIT = 32 * 1024 * 1024;

export class BaseLinkerSimulator implements SimulatorCore {
  readonly state: SimState = emptyState();
  readonly config: SimConfig;
  readonly now: () => number;
  /** Full connector URL, e.g. http://127.0.0.1:PORT/connector.php. */
  url = '';
  /** Times any token got blocked by the rate limit (injected blocks not included). */
  blockedCount = 0;
  /** Requests that arrived on a token while it was blocked. */
  rejectedWhileBlocked = 0;
  /** Every request received, oldest first (the last 10 000). */
  readonly requests: RequestRecord[] = [];
  /** Every stock level written, in order: what a seller sees in the product's stock history. */
  readonly stockWrites: StockWriteRecord[] = [];
  /** Every stock change BaseLinker made by itself (an order confirmed), in order. */
  readonly stockTakes: StockTakeRecord[] = [];
  /**
   * Test hook: called as each request arrives, before it is processed (a chaos test ends or pauses the
   * calling process there: the service still processes what reached it).
   */
  onRequest: ((record: RequestRecord) => void) | undefined;

  private readonly server: http.Server;
  private readonly counts = new Map<string, number>();
  private faults: Array<{ method?: string; kind: FaultKind; times: number }> = [];
  private readonly windows = new Map<string, number[]>();
  private readonly blocks = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Orders whose stock was taken already (a confirmation takes it once). */
  private readonly stockTaken = new Set<number>();

  constructor(options: BaseLinkerSimulatorOptions = {}) {
    this.now = options.now ?? Date.now;
    this.config = {
      tokens: new Set(options.tokens ?? [DEFAULT_SIM_TOKEN]),
      rateLimit: { requestsPerWindow: 100, windowMs: 60_000, blockMs: 5 * 60_000, ...options.rateLimit },
      latencyMs: options.latencyMs ?? 0,
      methodLatencyMs: { ...options.methodLatencyMs },
      productsDataCap: options.productsDataCap ?? 1000,
      journalEnabled: options.journalEnabled ?? true,
      journalPageSize: options.journalPageSize ?? 100,
      labelFormat: options.labelFormat ?? 'pdf',
      trackingNumberLater: options.trackingNumberLater,
      packageRefusals: new Map(),
      ordersTakeStock: options.ordersTakeStock ?? true,
    };
    this.state.statuses = defaultStatuses();
    this.state.couriers = defaultCouriers();
    this.server = http.createServer((req, res) => this.receive(req, res));
    this.server.keepAliveTimeout = 5_000;
  }

  async listen(port = 0): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    const address = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${address.port}/connector.php`;
    return this;
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  // ---------- counters and faults ----------

  /** Requests received for `method`, or for all methods. Faulted and rejected ones included. */
  calls(method?: string): number {
    if (method !== undefined) return this.counts.get(method) ?? 0;
    let total = 0;
    for (const n of this.counts.values()) total += n;
    return total;
  }

  resetCounters(): void {
    this.counts.clear();
    this.requests.length = 0;
    this.blockedCount = 0;
    this.rejectedWhileBlocked = 0;
  }

  injectFault(fault: Fault): void {
    this.faults.push({ method: fault.method, kind: fault.kind, times: fault.times ?? 1 });
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** When the token's block ends, if it is blocked now. */
  blockedUntil(token: string): Date | undefined {
    const until = this.blocks.get(token);
    return until !== undefined && until > this.now() ? new Date(until) : undefined;
  }

  // ---------- catalog hooks ----------

  addInventory(input: Partial<SimInventory> = {}): SimInventory {
    const inv: SimInventory = {
      inventory_id: input.inventory_id ?? this.state.nextId.inventory++,
      name: 'Katalog główny',
      description: '',
      languages: ['pl', 'en'],
      default_language: 'pl',
      price_groups: [7],
      default_price_group: 7,
      warehouses: [],
      default_warehouse: '',
      reservations: false,
      is_default: this.state.inventories.length === 0,
      ...input,
    };
    this.state.nextId.inventory = Math.max(this.state.nextId.inventory, inv.inventory_id + 1);
    this.state.inventories.push(inv);
    return inv;
  }

  /** Adds a warehouse; with `inventoryId` its key is also assigned to that inventory. Returns the key. */
  addWarehouse(input: Partial<SimWarehouse> & { inventoryId?: number } = {}): string {
    const { inventoryId, ...rest } = input;
    const wh: SimWarehouse = {
      warehouse_type: 'bl',
      warehouse_id: rest.warehouse_id ?? this.state.nextId.warehouse++,
      name: 'Magazyn główny',
      description: '',
      stock_edition: true,
      is_default: this.state.warehouses.length === 0,
      ...rest,
    };
    this.state.nextId.warehouse = Math.max(this.state.nextId.warehouse, wh.warehouse_id + 1);
    this.state.warehouses.push(wh);
    const key = `${wh.warehouse_type}_${wh.warehouse_id}`;
    if (inventoryId !== undefined) {
      const inv = this.state.inventories.find((i) => i.inventory_id === inventoryId);
      if (!inv) throw new Error(`no inventory ${inventoryId}`);
      inv.warehouses.push(key);
      if (!inv.default_warehouse) inv.default_warehouse = key;
    }
    return key;
  }

  addProduct(inventoryId: number, input: Partial<SimProduct> = {}): SimProduct {
    const id = input.id ?? this.state.nextId.product++;
    this.state.nextId.product = Math.max(this.state.nextId.product, id + 1);
    const product: SimProduct = {
      inventory_id: inventoryId,
      parent_id: 0,
      sku: `SKU-${id}`,
      ean: '',
      asin: '',
      name: `Produkt ${id}`,
      text_fields: {},
      prices: {},
      stock: {},
      locations: {},
      weight: 0,
      height: 0,
      width: 0,
      length: 0,
      tax_rate: 23,
      category_id: 0,
      manufacturer_id: 0,
      images: {},
      tags: [],
      ...input,
      id,
    };
    this.state.products.set(id, product);
    return product;
  }

  addVariant(parentId: number, input: Partial<SimProduct> = {}): SimProduct {
    const parent = this.state.products.get(parentId);
    if (!parent || parent.parent_id !== 0) throw new Error(`no main product ${parentId}`);
    return this.addProduct(parent.inventory_id, {
      weight: parent.weight,
      height: parent.height,
      width: parent.width,
      length: parent.length,
      tax_rate: parent.tax_rate,
      ...input,
      parent_id: parentId,
      text_fields: {},
    });
  }

  // ---------- order hooks ----------

  /**
   * Adds an order. `confirmedAt` (unix s): when it was confirmed; `null` leaves it unconfirmed; absent means
   * confirmed when created. Journal: "created" and, if confirmed, "confirmed".
   */
  addOrder(input: SimOrderInput = {}, options: { createdAt?: number; confirmedAt?: number | null } = {}): SimOrder {
    const nowS = Math.floor(this.now() / 1000);
    const createdAt = options.createdAt ?? input.date_add ?? nowS;
    const confirmedAt = options.confirmedAt === null ? 0 : (options.confirmedAt ?? createdAt);
    const orderId = input.order_id ?? this.state.nextId.order++;
    this.state.nextId.order = Math.max(this.state.nextId.order, orderId + 1);
    const { products, ...fields } = input;
    const order: SimOrder = {
      order_id: orderId,
      shop_order_id: 0,
      external_order_id: '',
      order_source: 'shop',
      order_source_id: 412,
      order_status_id: this.state.statuses[0]?.id ?? 0,
      date_add: createdAt,
      date_confirmed: confirmedAt,
      date_in_status: createdAt,
      confirmed: confirmedAt > 0,
      user_login: '',
      phone: '+48 600 100 200',
      email: 'kupujacy@example.invalid',
      user_comments: '',
      admin_comments: '',
      currency: 'PLN',
      payment_method: 'Przelewy24',
      payment_method_cod: false,
      payment_done: 0,
      delivery_method_id: 0,
      delivery_method: 'Kurier DPD',
      delivery_price: 14.99,
      delivery_package_module: '',
      delivery_package_nr: '',
      delivery_fullname: 'Zofia Wójcik',
      delivery_company: '',
      delivery_address: 'ul. Długa 5/3',
      delivery_postcode: '31-147',
      delivery_city: 'Kraków',
      delivery_state: '',
      delivery_country: 'Polska',
      delivery_country_code: 'PL',
      delivery_point_id: '',
      delivery_point_name: '',
      delivery_point_address: '',
      delivery_point_postcode: '',
      delivery_point_city: '',
      invoice_fullname: '',
      invoice_company: '',
      invoice_nip: '',
      invoice_address: '',
      invoice_postcode: '',
      invoice_city: '',
      invoice_state: '',
      invoice_country: '',
      invoice_country_code: '',
      want_invoice: false,
      extra_field_1: '',
      extra_field_2: '',
      custom_extra_fields: {},
      order_page: `https://shop.example.invalid/zamowienie/${orderId}`,
      pick_state: 0,
      pack_state: 0,
      ...fields,
      products: (products ?? [{}]).map((line) => this.orderLine(line)),
    };
    if (!order.confirmed) order.date_confirmed = 0;
    this.state.orders.set(orderId, order);
    this.journal(orderId, 1, 0, order.date_add);
    if (order.confirmed) {
      this.journal(orderId, 2, 0, order.date_confirmed);
      this.takeStock(order);
    }
    return order;
  }

  /**
   * A confirmed order's lines from this account's catalog (storage "db", a product id) leave the stock of that
   * product or variant, in the line's warehouse (its inventory's default when the line names none), once per
   * order. Stock does not go below 0 here (unverified for the real service: a line is rarely sold past 0).
   */
  private takeStock(order: SimOrder): void {
    if (!this.config.ordersTakeStock || this.stockTaken.has(order.order_id) || !Array.isArray(order.products)) return;
    this.stockTaken.add(order.order_id);
    for (const line of order.products) {
      if (line.storage !== 'db' || !line.product_id) continue;
      const variant = line.variant_id && line.variant_id !== '0' ? Number(line.variant_id) : 0;
      const product = this.state.products.get(variant || Number(line.product_id));
      if (!product) continue;
      const inventory = this.state.inventories.find((i) => i.inventory_id === product.inventory_id);
      const key = line.warehouse_id > 0 ? `bl_${line.warehouse_id}` : inventory?.default_warehouse;
      if (!key) continue;
      const before = product.stock[key] ?? 0;
      product.stock[key] = Math.max(0, before - line.quantity);
      this.stockTakes.push({ productId: product.id, warehouse: key, orderId: order.order_id, before, after: product.stock[key], writesBefore: this.stockWrites.length, at: this.now() });
    }
  }

  private orderLine(line: Partial<SimOrderProduct>): SimOrderProduct {
    const catalog = line.product_id ? this.state.products.get(Number(line.variant_id && line.variant_id !== '0' ? line.variant_id : line.product_id)) : undefined;
    return {
      order_product_id: this.state.nextId.orderProduct++,
      storage: 'db',
      storage_id: catalog?.inventory_id ?? this.state.inventories[0]?.inventory_id ?? 0,
      product_id: '',
      variant_id: '0',
      name: catalog?.name ?? 'Produkt',
      attributes: '',
      sku: catalog?.sku ?? '',
      ean: catalog?.ean ?? '',
      location: '',
      warehouse_id: 0,
      auction_id: '',
      price_brutto: catalog?.prices[Object.keys(catalog.prices)[0] ?? ''] ?? 10,
      tax_rate: catalog?.tax_rate ?? 23,
      quantity: 1,
      weight: catalog?.weight ?? 0,
      bundle_id: 0,
      ...line,
    };
  }

  confirmOrder(orderId: number, atSeconds = Math.floor(this.now() / 1000)): SimOrder {
    const order = this.order(orderId);
    order.confirmed = true;
    order.date_confirmed = atSeconds;
    this.journal(orderId, 2, 0, atSeconds);
    this.takeStock(order);
    return order;
  }

  changeOrderStatus(orderId: number, statusId: number, atSeconds = Math.floor(this.now() / 1000)): SimOrder {
    const order = this.order(orderId);
    order.order_status_id = statusId;
    order.date_in_status = atSeconds;
    this.journal(orderId, 18, statusId, atSeconds);
    return order;
  }

  deleteOrder(orderId: number): void {
    this.order(orderId);
    this.state.orders.delete(orderId);
    this.journal(orderId, 4, 0);
  }

  /** Appends a journal event (log_id in arrival order). */
  journal(orderId: number, type: number, objectId: number, date = Math.floor(this.now() / 1000)): void {
    this.state.journal.push({ log_id: this.state.nextId.log++, order_id: orderId, log_type: type, object_id: objectId, date });
  }

  private order(orderId: number): SimOrder {
    const order = this.state.orders.get(orderId);
    if (!order) throw new Error(`no order ${orderId}`);
    return order;
  }

  // ---------- shipping hooks ----------

  /**
   * A package booked outside the integration: by the seller in the panel, or by BaseLinker's own automatic
   * actions (e.g. "create a shipment when the order enters status X"). `package_type` 2 is a drop-off parcel.
   */
  bookPackageOutside(orderId: number, input: Partial<Pick<SimPackage, 'courier_code' | 'account_id' | 'package_type'>> = {}): SimPackage {
    const courier = this.state.couriers.find((c) => c.code === (input.courier_code ?? 'dpd')) ?? this.state.couriers[0]!;
    return this.addPackage({ order_id: orderId, courier_code: courier.code, account_id: input.account_id ?? courier.accounts[0]!.id, package_type: input.package_type ?? 0 });
  }

  /** Books a package as createPackage does (new id and number every time). */
  addPackage(input: Pick<SimPackage, 'order_id' | 'courier_code' | 'account_id'> & Partial<SimPackage>): SimPackage {
    const id = this.state.nextId.package++;
    const pkg: SimPackage = {
      package_id: id,
      package_number: this.config.trackingNumberLater ? '' : trackingNumber(id),
      courier_inner_number: `SIM-${id}`,
      tracking_status: 1,
      tracking_status_date: Math.floor(this.now() / 1000),
      polls: 0,
      packages: [],
      fields: [],
      package_type: 0,
      ...input,
    };
    this.state.packages.set(id, pkg);
    const order = this.state.orders.get(pkg.order_id);
    if (order) {
      order.delivery_package_module = pkg.courier_code;
      order.delivery_package_nr = pkg.package_number;
    }
    this.journal(pkg.order_id, 9, id);
    return pkg;
  }

  /** getOrderPackages' tracking_url of the package, in its courier's shape (SimCourier.tracking_link); '' without a number. */
  trackingLinkOf(pkg: SimPackage): string {
    if (!pkg.package_number) return '';
    const template = this.state.couriers.find((c) => c.code === pkg.courier_code)?.tracking_link ?? 'https://tracking.example.invalid/{courier}/{number}';
    const postcode = this.state.orders.get(pkg.order_id)?.delivery_postcode ?? '';
    return template
      .replaceAll('{courier}', encodeURIComponent(pkg.courier_code))
      .replaceAll('{number}', encodeURIComponent(pkg.package_number))
      .replaceAll('{postcode}', encodeURIComponent(postcode))
      .replaceAll('{package_id}', String(pkg.package_id));
  }

  /** The courier assigns the tracking number (tracking-number-later mode). */
  fillTrackingNumber(packageId: number, number = trackingNumber(packageId)): SimPackage {
    const pkg = this.state.packages.get(packageId);
    if (!pkg) throw new Error(`no package ${packageId}`);
    pkg.package_number = number;
    const order = this.state.orders.get(pkg.order_id);
    if (order && order.delivery_package_module === pkg.courier_code && !order.delivery_package_nr) order.delivery_package_nr = number;
    return pkg;
  }

  setTrackingStatus(packageId: number, status: number): void {
    const pkg = this.state.packages.get(packageId);
    if (!pkg) throw new Error(`no package ${packageId}`);
    pkg.tracking_status = status;
    pkg.tracking_status_date = Math.floor(this.now() / 1000);
  }

  deletePackage(packageId: number): void {
    const pkg = this.state.packages.get(packageId);
    if (!pkg) return;
    this.state.packages.delete(packageId);
    const order = this.state.orders.get(pkg.order_id);
    if (order && order.delivery_package_nr === pkg.package_number) {
      order.delivery_package_module = '';
      order.delivery_package_nr = '';
    }
    this.journal(pkg.order_id, 10, packageId);
  }

  /** createPackage answers ERROR with this courier message, for one order or ('*') all of them. */
  refusePackages(message: string, orderId: number | '*' = '*'): void {
    this.config.packageRefusals.set(orderId, message);
  }

  clearPackageRefusals(): void {
    this.config.packageRefusals.clear();
  }

  // ---------- HTTP ----------

  private receive(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'POST' || path !== '/connector.php') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > BODY_LIMIT) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => this.process(req, res, Buffer.concat(chunks).toString('utf8')));
  }

  private process(req: http.IncomingMessage, res: http.ServerResponse, rawBody: string): void {
    const form = new URLSearchParams(rawBody);
    const method = form.get('method') ?? '';
    const record: RequestRecord = { method, at: this.now() };
    this.requests.push(record);
    if (this.requests.length > REQUEST_LOG_CAP) this.requests.shift();
    this.counts.set(method, (this.counts.get(method) ?? 0) + 1);
    this.onRequest?.(record);
    const header = req.headers['x-bltoken'];
    const token = (Array.isArray(header) ? header[0] : header) || form.get('token') || '';

    const fault = this.takeFault(method);
    if (fault === 'answer-lost') {
      record.outcome = 'fault:answer-lost';
      this.later(method, () => {
        const payload = this.dispatch(token, method, form.get('parameters'), record);
        record.applied = payload.status === 'SUCCESS' ? 'SUCCESS' : String(payload.error_code);
        req.socket.destroy();
      });
      return;
    }
    if (fault) {
      record.outcome = `fault:${fault}`;
      this.later(method, () => this.answerFault(fault, res, token));
      return;
    }
    this.later(method, () => {
      const payload = this.dispatch(token, method, form.get('parameters'), record);
      record.outcome = payload.status === 'SUCCESS' ? 'SUCCESS' : String(payload.error_code);
      record.answered = !res.destroyed;
      if (!res.destroyed) res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' }).end(JSON.stringify(payload));
    });
  }

  /** The request being processed right now (handlers run synchronously): what a stock write is logged against. */
  processing: RequestRecord | undefined;

  private dispatch(token: string, method: string, rawParams: string | null, record: RequestRecord): Record<string, unknown> {
    this.processing = record;
    try {
      return this.dispatchNow(token, method, rawParams);
    } finally {
      this.processing = undefined;
    }
  }

  private dispatchNow(token: string, method: string, rawParams: string | null): Record<string, unknown> {
    const error = (code: string, message: string) => ({ status: 'ERROR', error_code: code, error_message: message });
    if (!token || !this.config.tokens.has(token)) return error('ERROR_BAD_TOKEN', 'Invalid user token');
    const blockedUntil = this.rateLimit(token);
    if (blockedUntil !== undefined) return error('ERROR_BLOCKED_TOKEN', blockedMessage(blockedUntil));
    const handler = Object.prototype.hasOwnProperty.call(handlers, method) ? handlers[method] : undefined;
    if (!handler) return error('ERROR_UNKNOWN_METHOD', `An unknown method was requested: ${method || '(none)'}`);
    let params: Params;
    try {
      const parsed: unknown = rawParams === null || rawParams.trim() === '' ? {} : JSON.parse(rawParams);
      if (!parsed || typeof parsed !== 'object') throw new Error('not an object');
      // PHP decodes both [] and {} to an array; a list's indexes become keys.
      params = { ...(parsed as Params) };
    } catch {
      return error('ERROR_PARAMETERS_FORMAT', 'The parameters field is not valid JSON');
    }
    try {
      return { status: 'SUCCESS', ...handler(this, params) };
    } catch (e) {
      if (e instanceof SimApiError) return error(e.code, e.message);
      return error('ERROR_INTERNAL', e instanceof Error ? e.message : String(e));
    }
  }

  /** Sliding window per token. Returns the block end when this request is refused. */
  private rateLimit(token: string): number | undefined {
    const now = this.now();
    const blocked = this.blocks.get(token);
    if (blocked !== undefined && blocked > now) {
      this.rejectedWhileBlocked++;
      return blocked;
    }
    const { requestsPerWindow, windowMs, blockMs } = this.config.rateLimit;
    const window = (this.windows.get(token) ?? []).filter((t) => t > now - windowMs);
    window.push(now);
    this.windows.set(token, window);
    if (window.length <= requestsPerWindow) return undefined;
    this.blockedCount++;
    this.windows.set(token, []);
    return this.block(token, blockMs);
  }

  /** The message shows whole seconds, so the block ends on a whole second: the stated time is exact. */
  private block(token: string, ms: number): number {
    const until = Math.ceil((this.now() + ms) / 1000) * 1000;
    this.blocks.set(token, until);
    return until;
  }

  private takeFault(method: string): FaultKind | undefined {
    const index = this.faults.findIndex((f) =>
      f.method !== undefined ? f.method === method : f.kind !== 'answer-lost' || WRITE_METHODS.has(method),
    );
    if (index < 0) return undefined;
    const fault = this.faults[index]!;
    fault.times--;
    if (fault.times <= 0) this.faults.splice(index, 1);
    return fault.kind;
  }

  private answerFault(kind: FaultKind, res: http.ServerResponse, token: string): void {
    if (res.destroyed) return;
    switch (kind) {
      case 'http500':
        res.writeHead(500, { 'Content-Type': 'text/html' }).end('<html><body><h1>500 Internal Server Error</h1></body></html>');
        return;
      case 'malformed-json':
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"SUCCESS","orders":[{"order_id":');
        return;
      case 'timeout':
        // Never answer; the client gives up, or close() drops the connection.
        return;
      case 'blocked-token': {
        const until = this.block(token, this.config.rateLimit.blockMs);
        res
          .writeHead(200, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ status: 'ERROR', error_code: 'ERROR_BLOCKED_TOKEN', error_message: blockedMessage(until) }));
        return;
      }
    }
  }

  private later(method: string, fn: () => void): void {
    const own = Object.prototype.hasOwnProperty.call(this.config.methodLatencyMs, method) ? this.config.methodLatencyMs[method] : 0;
    const delay = this.config.latencyMs + Math.max(0, own ?? 0);
    if (delay <= 0) {
      fn();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, delay);
    this.timers.add(timer);
  }
}

function blockedMessage(untilMs: number): string {
  return `Query limit exceeded, token blocked until ${formatWarsawTime(new Date(untilMs))}`;
}

/** A 14-digit consignment number, unique per package. */
function trackingNumber(packageId: number): string {
  return `0${String(packageId).padStart(9, '0')}${String((packageId * 7919) % 10_000).padStart(4, '0')}`;
}

export async function startBaseLinkerSimulator(options: BaseLinkerSimulatorOptions = {}): Promise<BaseLinkerSimulator> {
  return new BaseLinkerSimulator(options).listen(options.port ?? 0);
}
