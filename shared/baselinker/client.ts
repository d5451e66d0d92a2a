import * as z from '../util/zod';
import type { Log } from '../log/logger';
import { protectCustomerData } from '../log/redact';
import { memo } from '../util/memo';
import { DEFAULT_RETRY, RetryPolicy, timeLeft, withRetry } from '../util/retry';
import { RequestBudget, tokenKey, type BudgetPriority } from './budget';
import {
  AccountBlockedError,
  BadTokenError,
  BaseLinkerApiError,
  BaseLinkerResponseError,
  BaseLinkerTransportError,
  TokenBlockedError,
} from './errors';
import {
  Courier,
  CourierAccount,
  CourierFields,
  CreatedPackage,
  Inventory,
  JournalEntry,
  Order,
  OrderPackage,
  OrderStatus,
  ProductData,
  ProductListEntry,
  ProductStockEntry,
  Warehouse,
  issuePath,
  mapOf,
  orderSchema,
  productDataSchema,
  responses,
} from './schemas';
import { parseBlockedUntil } from './warsaw-time';

export const DEFAULT_BASELINKER_URL = 'https://api.baselinker.com/connector.php';
/** Page size of getInventoryProductsList / getInventoryProductsStock, fixed by BaseLinker. */
export const PRODUCTS_PAGE_SIZE = 1000;
/** Most products one updateInventoryProductsStock call may carry. */
export const STOCK_UPDATE_MAX = 1000;
/** Most orders one getOrders call returns. */
export const ORDERS_PAGE_SIZE = 100;
/** When a block message has no readable time: wait this long (older reports speak of ~5 minutes). */
export const FALLBACK_BLOCK_MS = 5 * 60_000;

export interface BaseLinkerClientOptions {
  url?: string;
  token: string;
  budget: RequestBudget;
  /** Whole-request timeout. Default 30 s. */
  timeoutMs?: number;
  retry?: RetryPolicy;
  /** Passed to budget.acquire: fail fast (BudgetWaitExceededError) rather than wait longer. Default: wait. */
  maxBudgetWaitMs?: number;
  /** 'interactive' when a person waits for the answer (the Send webhook); default 'bulk' (see BudgetPriority). */
  priority?: BudgetPriority;
  /** Product ids per getInventoryProductsData call in getProductsData. Default 500. */
  productsDataChunk?: number;
  /** Added to a "blocked until" time: the stated second is truncated and clocks drift. Default 1000 ms. */
  blockMarginMs?: number;
  /** Called right before each HTTP request (retries included). */
  onRequest?: (method: string) => void;
  log?: Log;
  /**
   * Epoch ms: the run's deadline. No call (budget wait, request, retry) runs past it: each request's timeout is
   * cut to the time left, so one call cannot eat the time kept for saving state (4 × 30 s plus back-off).
   */
  deadline?: number;
}

export interface ProductsListParams {
  inventory_id: number;
  filter_id?: number;
  filter_category_id?: number;
  filter_sku?: string;
  filter_ean?: string;
  filter_asin?: string;
  filter_name?: string;
  filter_price_from?: number;
  filter_price_to?: number;
  filter_stock_from?: number;
  filter_stock_to?: number;
  filter_sort?: 'id ASC' | 'id DESC';
  include_variants?: boolean;
  page?: number;
}
export type ProductsListFilters = Omit<ProductsListParams, 'inventory_id' | 'page' | 'filter_sort'>;

export interface ProductsDataParams {
  inventory_id: number;
  products: number[];
  include_erp_units?: boolean;
  include_wms_units?: boolean;
  include_additional_eans?: boolean;
  include_suppliers?: boolean;
}
export type ProductsDataOptions = Omit<ProductsDataParams, 'inventory_id' | 'products'>;

/** Product or variant id => (bl_ warehouse key => absolute quantity). */
export type StockUpdate = Record<string | number, Record<string, number>>;

export interface StockUpdateResult {
  /** Products BaseLinker reports as updated, summed over the calls. */
  counter: number;
  /** Product id => BaseLinker's reason, for every product it did not update. */
  warnings: Record<string, string>;
}

export interface RejectedProduct {
  id: number;
  /** Where the product broke the schema, e.g. "weight" or "variants.50012.sku". */
  fieldPath: string;
  problem: string;
  /** The product exactly as BaseLinker sent it, to be set aside for a human. */
  raw: unknown;
}

export interface ProductsDataResult {
  products: ProductData[];
  /** Products that failed the schema; the other products of the call are still usable. */
  rejected: RejectedProduct[];
}

/** getInventoryProductsData with every product left unparsed, so one bad product cannot sink the call. */
const rawProductsData = memo(() => z.looseObject({ products: mapOf(z.unknown()) }));

export interface GetOrdersParams {
  order_id?: number;
  date_confirmed_from?: number;
  date_from?: number;
  id_from?: number;
  get_unconfirmed_orders?: boolean;
  status_id?: number;
  filter_email?: string;
  filter_order_source?: string;
  filter_order_source_id?: number;
  filter_shop_order_id?: number;
  filter_external_order_id?: string;
  include_custom_extra_fields?: boolean;
  include_commission_data?: boolean;
  include_connect_data?: boolean;
}

export interface RejectedOrder {
  /** The order id when it could be read at all. */
  orderId?: unknown;
  fieldPath: string;
  problem: string;
  /** The order exactly as BaseLinker sent it, to be set aside for a human. */
  raw: unknown;
}

export interface GetOrdersResult {
  orders: Order[];
  /** Orders that failed the schema; the rest of the page is still usable. */
  rejected: RejectedOrder[];
  /** Orders in the response, valid or not: a page is full when this is ORDERS_PAGE_SIZE. */
  received: number;
}

export interface JournalParams {
  last_log_id: number;
  logs_types: number[];
  order_id?: number;
}

/** Fields setOrderFields may change. Send only what should change: "" empties a field. */
export interface OrderFieldsUpdate {
  admin_comments?: string;
  user_comments?: string;
  payment_method?: string;
  payment_method_cod?: boolean;
  email?: string;
  phone?: string;
  user_login?: string;
  delivery_method?: string;
  delivery_price?: number;
  delivery_fullname?: string;
  delivery_company?: string;
  delivery_address?: string;
  delivery_postcode?: string;
  delivery_city?: string;
  delivery_state?: string;
  delivery_country_code?: string;
  delivery_point_id?: string;
  delivery_point_name?: string;
  delivery_point_address?: string;
  delivery_point_postcode?: string;
  delivery_point_city?: string;
  invoice_fullname?: string;
  invoice_company?: string;
  invoice_nip?: string;
  invoice_address?: string;
  invoice_postcode?: string;
  invoice_city?: string;
  invoice_state?: string;
  invoice_country_code?: string;
  want_invoice?: boolean;
  extra_field_1?: string;
  extra_field_2?: string;
  custom_extra_fields?: Record<string, unknown>;
  pick_state?: 0 | 1;
  pack_state?: 0 | 1;
  star?: number;
}

export interface CreatePackageParams {
  order_id: number;
  courier_code: string;
  account_id?: number;
  /** Values for getCourierFields' fields: option id, text, or unix time for dates. */
  fields?: Array<{ id: string; value: string }>;
  /** One object per parcel, keyed by the courier's package_fields ids (weight in kg, sizes in cm). */
  packages: Array<Record<string, number | string>>;
}

export interface PackageRef {
  courier_code: string;
  package_id?: number;
  package_number?: string;
}

export interface Label {
  extension: string;
  bytes: Buffer;
}

interface CallOptions {
  /**
   * False for calls whose repetition has an effect BaseLinker cannot undo by itself (createPackage books
   * a second real shipment): those are retried only when the request provably never left this machine.
   */
  idempotent: boolean;
  /**
   * Runs after the budget slot is taken, immediately before the request leaves (each attempt): a throw stops
   * the call unsent. The shipment flow re-checks its claim here, since a budget wait or a frozen Lambda can
   * outlast it.
   */
  beforeSend?: () => Promise<void> | void;
}

const REPEATABLE: CallOptions = { idempotent: true };
const NOT_REPEATABLE: CallOptions = { idempotent: false };

/** Connection failures that mean the request never reached the server. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * BaseLinker API client: one form-encoded POST per call to the single connector endpoint, each request
 * first taking a slot from the shared per-token budget. Transport failures are retried with backoff;
 * an `ERROR` envelope never is. A "token blocked" answer blocks the budget until the stated time, so
 * every process sharing the token waits instead of hammering.
 */
export class BaseLinkerClient {
  private readonly url: string;
  private readonly token: string;
  private readonly key: string;
  private readonly budget: RequestBudget;
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly maxBudgetWaitMs: number | undefined;
  private readonly priority: BudgetPriority;
  private readonly productsDataChunk: number;
  private readonly blockMarginMs: number;
  private readonly onRequest: ((method: string) => void) | undefined;
  private readonly log: Log | undefined;
  private readonly deadline: number | undefined;
  private sent = 0;
  /** HTTP requests sent per method, retries included. */
  readonly requestsByMethod: Record<string, number> = {};

  constructor(options: BaseLinkerClientOptions) {
    if (!options.token) throw new Error('BaseLinker token is empty');
    this.url = options.url ?? DEFAULT_BASELINKER_URL;
    this.token = options.token;
    this.key = tokenKey(options.token);
    this.budget = options.budget;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.maxBudgetWaitMs = options.maxBudgetWaitMs;
    this.priority = options.priority ?? 'bulk';
    this.productsDataChunk = Math.max(1, Math.min(options.productsDataChunk ?? 500, 1000));
    this.blockMarginMs = options.blockMarginMs ?? 1000;
    this.onRequest = options.onRequest;
    this.log = options.log;
    this.deadline = options.deadline;
  }

  /** HTTP requests sent so far, retries included. */
  get requestCount(): number {
    return this.sent;
  }

  /** The budget key of this client's token (a hash, safe to log). */
  get budgetKey(): string {
    return this.key;
  }

  // ---------- catalog ----------

  async getInventories(): Promise<Inventory[]> {
    return (await this.call('getInventories', {}, responses.getInventories(), REPEATABLE)).inventories;
  }

  async getInventoryWarehouses(): Promise<Warehouse[]> {
    return (await this.call('getInventoryWarehouses', {}, responses.getInventoryWarehouses(), REPEATABLE)).warehouses;
  }

  /** One page (up to 1000) of basic product data. Without include_variants: main products only. */
  async getInventoryProductsList(params: ProductsListParams): Promise<ProductListEntry[]> {
    return (await this.call('getInventoryProductsList', params, responses.getInventoryProductsList(), REPEATABLE)).products;
  }

  /** Every page of the product list, in id order; stops after the first short (or empty) page. */
  async *listAllProducts(inventoryId: number, filters: ProductsListFilters = {}): AsyncGenerator<ProductListEntry[]> {
    for (let page = 1; ; page++) {
      const entries = await this.getInventoryProductsList({ ...filters, inventory_id: inventoryId, filter_sort: 'id ASC', page });
      if (entries.length > 0) yield entries;
      if (entries.length < PRODUCTS_PAGE_SIZE) return;
    }
  }

  /** Full data of the given products in one call; variants come nested in their parent. */
  async getInventoryProductsData(params: ProductsDataParams): Promise<ProductData[]> {
    return (await this.call('getInventoryProductsData', params, responses.getInventoryProductsData(), REPEATABLE)).products;
  }

  /** Full data of any number of products, fetched `productsDataChunk` ids per call. */
  async getProductsData(inventoryId: number, ids: readonly number[], options: ProductsDataOptions = {}): Promise<ProductData[]> {
    const out: ProductData[] = [];
    for (const part of chunk([...new Set(ids)], this.productsDataChunk)) {
      out.push(...(await this.getInventoryProductsData({ ...options, inventory_id: inventoryId, products: part })));
    }
    return out;
  }

  /**
   * Full data of the given products in one call, each product checked on its own: a product with, say, a
   * weight of "abc" comes back in `rejected` with the reason, and the others are returned as usual.
   */
  async getInventoryProductsDataChecked(params: ProductsDataParams): Promise<ProductsDataResult> {
    const answer = await this.call('getInventoryProductsData', params, rawProductsData(), REPEATABLE);
    const result: ProductsDataResult = { products: [], rejected: [] };
    for (const [key, raw] of Object.entries(answer.products)) {
      const id = Number(key);
      const parsed = /^\d+$/.test(key) ? productDataSchema().safeParse(raw) : undefined;
      if (parsed?.success) {
        result.products.push({ ...parsed.data, id });
        continue;
      }
      const issue = parsed?.error.issues[0];
      result.rejected.push({
        id,
        fieldPath: issue ? issuePath(issue) : '',
        problem: parsed ? (issue?.message ?? 'invalid product') : `product key "${key}" is not a numeric id`,
        raw,
      });
    }
    return result;
  }

  /** Product ids per getInventoryProductsData call that getProductsData uses (and callers chunking themselves should). */
  get productsDataChunkSize(): number {
    return this.productsDataChunk;
  }

  /** One page (up to 1000 main products) of stock; variants' stock is nested under `variants`. */
  async getInventoryProductsStock(params: { inventory_id: number; page?: number }): Promise<ProductStockEntry[]> {
    return (await this.call('getInventoryProductsStock', params, responses.getInventoryProductsStock(), REPEATABLE)).products;
  }

  async *listAllStock(inventoryId: number): AsyncGenerator<ProductStockEntry[]> {
    for (let page = 1; ; page++) {
      const entries = await this.getInventoryProductsStock({ inventory_id: inventoryId, page });
      if (entries.length > 0) yield entries;
      if (entries.length < PRODUCTS_PAGE_SIZE) return;
    }
  }

  /**
   * Sets absolute stock levels, in calls of at most 1000 products. A SUCCESS can still refuse single
   * products: those come back in `warnings`, merged over all calls.
   */
  async updateInventoryProductsStock(inventoryId: number, products: StockUpdate): Promise<StockUpdateResult> {
    const result: StockUpdateResult = { counter: 0, warnings: {} };
    for (const part of chunk(Object.entries(products), STOCK_UPDATE_MAX)) {
      // Writes are absolute values, so repeating one after an ambiguous failure is harmless.
      const answer = await this.call(
        'updateInventoryProductsStock',
        { inventory_id: inventoryId, products: Object.fromEntries(part) },
        responses.updateInventoryProductsStock(),
        REPEATABLE,
      );
      result.counter += answer.counter;
      Object.assign(result.warnings, answer.warnings);
    }
    return result;
  }

  // ---------- orders ----------

  /** One page (up to 100) of orders; every filter is passed through as given. */
  async getOrders(params: GetOrdersParams): Promise<GetOrdersResult> {
    const answer = await this.call('getOrders', params, responses.getOrders(), REPEATABLE);
    const result: GetOrdersResult = { orders: [], rejected: [], received: answer.orders.length };
    // Every later log line or error message that quotes a customer's name, address or e-mail shows a marker.
    protectCustomerData(answer.orders);
    answer.orders.forEach((raw, index) => {
      const parsed = orderSchema().safeParse(raw);
      if (parsed.success) {
        result.orders.push(parsed.data);
        return;
      }
      const issue = parsed.error.issues[0];
      result.rejected.push({
        orderId: raw && typeof raw === 'object' ? (raw as { order_id?: unknown }).order_id : undefined,
        fieldPath: issue ? `orders.${index}.${issuePath(issue)}` : `orders.${index}`,
        problem: issue?.message ?? 'invalid order',
        raw,
      });
    });
    return result;
  }

  async getOrderStatusList(): Promise<OrderStatus[]> {
    return (await this.call('getOrderStatusList', {}, responses.getOrderStatusList(), REPEATABLE)).statuses;
  }

  /** Order events after `last_log_id` (last 3 days only; an account without the journal gets []). */
  async getJournalList(params: JournalParams): Promise<JournalEntry[]> {
    return (await this.call('getJournalList', params, responses.getJournalList(), REPEATABLE)).logs;
  }

  async setOrderStatus(orderId: number, statusId: number): Promise<void> {
    await this.call('setOrderStatus', { order_id: orderId, status_id: statusId }, responses.statusOnly(), REPEATABLE);
  }

  async setOrderFields(orderId: number, fields: OrderFieldsUpdate): Promise<void> {
    await this.call('setOrderFields', { ...fields, order_id: orderId }, responses.statusOnly(), REPEATABLE);
  }

  // ---------- shipping ----------

  async getCouriersList(): Promise<Courier[]> {
    return (await this.call('getCouriersList', {}, responses.getCouriersList(), REPEATABLE)).couriers;
  }

  async getCourierAccounts(courierCode: string): Promise<CourierAccount[]> {
    return (await this.call('getCourierAccounts', { courier_code: courierCode }, responses.getCourierAccounts(), REPEATABLE)).accounts;
  }

  async getCourierFields(courierCode: string): Promise<CourierFields> {
    return this.call('getCourierFields', { courier_code: courierCode }, responses.getCourierFields(), REPEATABLE);
  }

  /**
   * Books a shipment. Each successful call books a NEW one, so a timeout is not retried here (it may
   * have gone through): the caller checks getOrderPackages before trying again.
   */
  async createPackage(params: CreatePackageParams, options: { beforeSend?: () => Promise<void> | void } = {}): Promise<CreatedPackage> {
    return this.call('createPackage', { fields: [], ...params }, responses.createPackage(), { ...NOT_REPEATABLE, beforeSend: options.beforeSend });
  }

  async getLabel(ref: PackageRef): Promise<Label> {
    assertPackageRef('getLabel', ref);
    const answer = await this.call('getLabel', ref, responses.getLabel(), REPEATABLE);
    return { extension: answer.extension.toLowerCase(), bytes: Buffer.from(answer.label.replace(/\s+/g, ''), 'base64') };
  }

  async getOrderPackages(orderId: number): Promise<OrderPackage[]> {
    return (await this.call('getOrderPackages', { order_id: orderId }, responses.getOrderPackages(), REPEATABLE)).packages;
  }

  async deleteCourierPackage(ref: PackageRef & { force_delete?: boolean }): Promise<void> {
    assertPackageRef('deleteCourierPackage', ref);
    await this.call('deleteCourierPackage', ref, responses.statusOnly(), REPEATABLE);
  }

  /**
   * Any other method, answered as the raw SUCCESS payload. Retried on transport errors only when the
   * caller says the call is idempotent.
   */
  async callRaw(method: string, parameters: object = {}, options: { idempotent?: boolean } = {}): Promise<Record<string, unknown>> {
    return this.call(method, parameters, responses.statusOnly(), { idempotent: options.idempotent ?? false }) as Promise<Record<string, unknown>>;
  }

  // ---------- transport ----------

  private async call<S extends z.ZodMiniType>(method: string, parameters: object, schema: S, options: CallOptions): Promise<z.output<S>> {
    const body = await withRetry(
      async () => {
        const maxWaitMs = Math.min(this.maxBudgetWaitMs ?? Infinity, Math.max(0, timeLeft(this.deadline)));
        await this.budget.acquire(this.key, { maxWaitMs: Number.isFinite(maxWaitMs) ? maxWaitMs : undefined, priority: this.priority });
        await options.beforeSend?.();
        const left = timeLeft(this.deadline);
        if (left <= 0) throw new BaseLinkerTransportError(method, 'timeout', 'the run has no time left for this call', undefined, true);
        this.sent++;
        this.requestsByMethod[method] = (this.requestsByMethod[method] ?? 0) + 1;
        this.onRequest?.(method);
        return this.send(method, parameters, Math.min(this.timeoutMs, left));
      },
      (error) => ({
        retry: error instanceof BaseLinkerTransportError && (options.idempotent || error.notSent),
      }),
      this.retry,
      (error, attempt, delayMs) =>
        this.log?.warn('BaseLinker request failed, retrying', {
          method,
          attempt,
          delayMs,
          failure: error instanceof BaseLinkerTransportError ? error.failure : 'unknown',
        }),
      this.deadline,
    );
    if (body.status !== 'SUCCESS') await this.throwEnvelopeError(method, body);
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new BaseLinkerResponseError(method, issue ? issuePath(issue) : '', issue?.message ?? 'invalid response');
    }
    return parsed.data;
  }

  private async send(method: string, parameters: object, timeoutMs: number): Promise<Record<string, unknown>> {
    const form = new URLSearchParams({ method, parameters: JSON.stringify(parameters) });
    let status: number;
    let raw: string;
    try {
      const response = await fetch(this.url, {
        method: 'POST',
        headers: { 'X-BLToken': this.token, 'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8' },
        body: form,
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = response.status;
      raw = await response.text();
    } catch (error) {
      // Never rethrow the fetch error itself: keep only a code, so no request detail can leak.
      throw this.transportError(method, error, timeoutMs);
    }
    if (status !== 200) throw new BaseLinkerTransportError(method, 'http-status', 'unexpected HTTP status', status);
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      throw new BaseLinkerTransportError(method, 'invalid-body', `response is not JSON (${raw.length} bytes)`, status);
    }
    if (!body || typeof body !== 'object' || Array.isArray(body) || typeof (body as { status?: unknown }).status !== 'string') {
      throw new BaseLinkerTransportError(method, 'invalid-body', 'response has no status field', status);
    }
    return body as Record<string, unknown>;
  }

  private transportError(method: string, error: unknown, timeoutMs: number): BaseLinkerTransportError {
    // Duck-typed: fetch's errors may come from another realm (DOMException, undici's TypeError).
    const e = (error ?? {}) as { name?: unknown; cause?: { code?: unknown } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError') {
      return new BaseLinkerTransportError(method, 'timeout', `no answer from ${this.url} within ${timeoutMs} ms`);
    }
    const code = typeof e.cause?.code === 'string' ? e.cause.code : 'unknown network error';
    // The connector URL carries no secret (the token travels in a header), so it may be named.
    return new BaseLinkerTransportError(method, 'network', `${code} reaching ${this.url}`, undefined, NOT_SENT_CODES.has(code));
  }

  private async throwEnvelopeError(method: string, body: Record<string, unknown>): Promise<never> {
    const code = typeof body.error_code === 'string' || typeof body.error_code === 'number' ? String(body.error_code) : 'ERROR_UNKNOWN';
    const message = typeof body.error_message === 'string' ? body.error_message : '';
    switch (code) {
      case 'ERROR_BLOCKED_TOKEN': {
        const until = this.blockEnd(message);
        await this.budget.block(this.key, until);
        this.log?.error('BaseLinker blocked the token; every call on it waits', { method, blockedUntil: until.toISOString() });
        throw new TokenBlockedError(method, message, until);
      }
      case 'ERROR_USER_ACCOUNT_BLOCKED': {
        // The old rate-limit answer locked the account for ~5 minutes: stop calling for that long too.
        await this.budget.block(this.key, new Date(Date.now() + FALLBACK_BLOCK_MS));
        throw new AccountBlockedError(method, message);
      }
      case 'ERROR_BAD_TOKEN':
        throw new BadTokenError(method, message);
      default:
        throw new BaseLinkerApiError(method, code, message);
    }
  }

  private blockEnd(message: string): Date {
    return resumeAfterBlock(message, Date.now(), this.blockMarginMs);
  }
}

/**
 * When calls on a blocked token may resume: the "blocked until" Warsaw time in the message plus a margin;
 * now + 5 minutes when the message has no readable time, or a time so far in the past that we must have
 * misread it (BaseLinker has just said the block is on).
 */
export function resumeAfterBlock(message: string, nowMs: number, marginMs: number): Date {
  const stated = parseBlockedUntil(message);
  if (!stated || stated.getTime() < nowMs - 60_000) return new Date(nowMs + FALLBACK_BLOCK_MS);
  return new Date(Math.max(stated.getTime(), nowMs) + marginMs);
}

function assertPackageRef(method: string, ref: PackageRef): void {
  if (ref.package_id === undefined && !ref.package_number) {
    throw new TypeError(`${method} needs package_id or package_number`);
  }
}
