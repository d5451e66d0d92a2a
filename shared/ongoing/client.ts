import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import * as z from '../util/zod';
import { protectCustomerData } from '../log/redact';
import { DEFAULT_RETRY, type RetryDecision, type RetryPolicy, timeLeft, withRetry } from '../util/retry';
import {
  OngoingAuthError,
  type OngoingCall,
  OngoingDeadlineError,
  OngoingError,
  OngoingInvalidRequestError,
  OngoingRateLimitError,
  OngoingRefusedError,
  OngoingResponseError,
  OngoingTransientError,
  ongoingErrorText,
} from './errors';
import {
  FileNameSchema,
  FileResponseSchema,
  type GetArticle,
  GetArticleListSchema,
  type GetFile,
  GetFileListSchema,
  type GetOrder,
  GetOrderListSchema,
  GetOrderSchema,
  OrderIdResponseSchema,
  OrderRemarkSchema,
  type OrderStatus,
  OrderStatusesSchema,
  type PostArticle,
  PostArticleSchema,
  PostFileSchema,
  type PostOrder,
  PostOrderSchema,
  type PostTracking,
  PostTrackingSchema,
  type PrintingInfo,
  PutArticleResponseSchema,
  PutFileSchema,
  SuccessResponseSchema,
  type TransporterContract,
  TransporterContractListSchema,
  WaybillSchema,
} from './schemas';

/**
 * Client for Ongoing's Goods Owner REST API (v1), for one API user and one goods owner.
 *
 * - axios with Node's http adapter, never global fetch: a live tenant answered 500 to every undici
 *   request while node:http worked with the same headers.
 * - Retries only 408, 429 (honouring Retry-After), 5xx and network failures. Any other 4xx is final:
 *   Ongoing counts consecutive failures per method and blocks clients that retry a broken request.
 * - Writes go out one at a time per goods owner, across every client in this process: Ongoing processes
 *   writes serially per goods owner anyway, so parallel writes only queue up there and time out.
 * - Reads page with the id cursor (`…IdFrom` = highest id + 1, `max…ToGet`); Ongoing has no
 *   page/offset parameters, and a cursor that does not advance is an error, never a loop.
 */

export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

export interface OngoingClientOptions {
  /** e.g. `https://<host>/<warehouse>/api/v1` (a trailing slash is tolerated). */
  baseUrl: string;
  user: string;
  password: string;
  goodsOwnerId: number;
  /** Per request. Default 30 s. */
  timeoutMs?: number;
  retry?: RetryPolicy;
  /** Called for every request that goes over the wire, retries included. */
  onRequest?: (method: HttpMethod, path: string) => void;
  /** Called before each retry with the delay chosen (backoff or Retry-After, whichever is larger). */
  onRetry?: (info: { method: HttpMethod; path: string; attempt: number; delayMs: number; error: OngoingError }) => void;
  /** Page size for list calls. Default 500. */
  pageSize?: number;
  /** How many article or order numbers go into one filtered GET (repeated keys). Default 50. */
  numbersPerRequest?: number;
  /** Epoch ms: the run's deadline. Each request is cut to the time left, and no retry starts past it. */
  deadline?: number;
}

type QueryValue = string | number | boolean | Date | null | undefined | ReadonlyArray<string | number>;
type Query = Record<string, QueryValue>;

export interface ArticleQuery {
  articleNumbers?: readonly string[];
  productCodes?: readonly string[];
  /** Ongoing rejects a value older than 24 h. */
  stockInfoChangedFrom?: Date | string;
  articleDataLastUpdatedFrom?: Date | string;
  onlyArticlesInStock?: boolean;
  articleSystemIdFrom?: number;
  maxArticlesToGet?: number;
}

export interface OrderQuery {
  orderNumbers?: readonly string[];
  referenceNumbers?: readonly string[];
  articleNumbers?: readonly string[];
  marketPlace?: string;
  orderStatusFrom?: number;
  orderStatusTo?: number;
  orderStatusChangedTimeFrom?: Date | string;
  /** Ongoing rejects a value older than 2 days. */
  orderUpdatedTimeFrom?: Date | string;
  orderCreatedTimeFrom?: Date | string;
  orderCreatedTimeTo?: Date | string;
  shippedTimeFrom?: Date | string;
  shippedTimeTo?: Date | string;
  orderIdFrom?: number;
  maxOrdersToGet?: number;
}

/** An article to create or update; goodsOwnerId is the client's and may be left out. */
export type ArticleInput = Omit<PostArticle, 'goodsOwnerId'> & { goodsOwnerId?: number };
/** An order to create or update; goodsOwnerId is the client's and may be left out. */
export type OrderInput = Omit<PostOrder, 'goodsOwnerId'> & { goodsOwnerId?: number };

export interface OrderFileContent {
  mimeType: string;
  dataBase64: string;
}

/** A file with what Ongoing should do with it: print it (POST and PUT by id only). */
export interface OrderFileInput extends OrderFileContent {
  printingInfo?: PrintingInfo;
}

// One queue per (Ongoing instance, goods owner) for the whole process, shared by every client object.
const writeQueues = new Map<string, Promise<void>>();

function serialised<T>(key: string, task: () => Promise<T>): Promise<T> {
  const previous = writeQueues.get(key) ?? Promise.resolve();
  const run = previous.then(task);
  const tail = run.then(
    () => undefined,
    () => undefined,
  );
  writeQueues.set(key, tail);
  void tail.then(() => {
    if (writeQueues.get(key) === tail) writeQueues.delete(key);
  });
  return run;
}

function toQueryString(query: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      // Repeated keys: Ongoing reads a comma-joined value as ONE value and matches nothing.
      for (const item of value as ReadonlyArray<string | number>) params.append(key, String(item));
    } else if (value instanceof Date) {
      params.append(key, value.toISOString());
    } else {
      params.append(key, String(value));
    }
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Retry-After as seconds or an HTTP date, in milliseconds. */
export function parseRetryAfter(header: unknown, nowMs: number = Date.now()): number | undefined {
  if (typeof header !== 'string' || !header.trim()) return undefined;
  const value = header.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function issuesOf(error: z.core.$ZodError): string[] {
  return error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`);
}

export class OngoingClient {
  readonly goodsOwnerId: number;
  private readonly baseUrl: string;
  private readonly http: AxiosInstance;
  private readonly retry: RetryPolicy;
  private readonly pageSize: number;
  private readonly numbersPerRequest: number;
  private readonly writeKey: string;
  private readonly timeoutMs: number;
  private readonly counts: Record<HttpMethod, number> = { GET: 0, PUT: 0, POST: 0, PATCH: 0, DELETE: 0 };

  constructor(private readonly options: OngoingClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.goodsOwnerId = options.goodsOwnerId;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.pageSize = options.pageSize ?? 500;
    this.numbersPerRequest = options.numbersPerRequest ?? 50;
    this.writeKey = `${this.baseUrl}#${options.goodsOwnerId}`;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.http = axios.create({
      adapter: 'http',
      timeout: this.timeoutMs,
      auth: { username: options.user, password: options.password },
      headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
      // We read status and body ourselves: raw text, so a non-JSON 2xx is seen as such.
      validateStatus: () => true,
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      maxRedirects: 0,
      transitional: { clarifyTimeoutError: true },
    });
  }

  /** Requests sent over the wire by this client, retries included. */
  get requestCount(): number {
    return Object.values(this.counts).reduce((a, b) => a + b, 0);
  }

  /** The same, per HTTP method. */
  get requestCountsByMethod(): Readonly<Record<HttpMethod, number>> {
    return { ...this.counts };
  }

  // ------------------------------------------------------------ articles

  async putArticle(article: ArticleInput): Promise<{ articleSystemId: number; message: string | null }> {
    const body = this.validate('PUT', '/articles', PostArticleSchema(), this.withGoodsOwner(article, 'PUT', '/articles'));
    const res = await this.request('PUT', '/articles', { body, schema: PutArticleResponseSchema() });
    return { articleSystemId: res.data.articleSystemId, message: res.data.message ?? null };
  }

  /** One page of `GET /articles` (with stock in `inventoryInfo`). */
  async getArticlesPage(query: ArticleQuery = {}): Promise<GetArticle[]> {
    const res = await this.request('GET', '/articles', { query: this.articleQuery(query), schema: GetArticleListSchema() });
    return res.data;
  }

  /** Every matching article, page by page (each yielded array is one page). */
  async *listArticlePages(query: ArticleQuery = {}): AsyncGenerator<GetArticle[]> {
    const numberChunks = query.articleNumbers ? chunk(unique(query.articleNumbers), this.numbersPerRequest) : [undefined];
    for (const numbers of numberChunks) {
      if (numbers?.length === 0) continue;
      yield* this.pages(
        'GET /articles',
        (from, max) => this.getArticlesPage({ ...query, articleNumbers: numbers, articleSystemIdFrom: from, maxArticlesToGet: max }),
        (a) => a.articleSystemId,
        query.articleSystemIdFrom,
        query.maxArticlesToGet ?? this.pageSize,
      );
    }
  }

  /** Every matching article, one at a time. */
  async *listArticles(query: ArticleQuery = {}): AsyncGenerator<GetArticle> {
    for await (const page of this.listArticlePages(query)) yield* page;
  }

  // ------------------------------------------------------------ orders

  /** Create or update by orderNumber. `created` is true when Ongoing answered 201. */
  async putOrder(order: OrderInput): Promise<{ orderId: number; created: boolean; message: string | null }> {
    const body = this.validate('PUT', '/orders', PostOrderSchema(), this.withGoodsOwner(order, 'PUT', '/orders'));
    const res = await this.request('PUT', '/orders', { body, schema: OrderIdResponseSchema() });
    return { orderId: res.data.orderId, created: res.status === 201, message: res.data.message ?? null };
  }

  /** One order, or null when Ongoing does not know the id. */
  async getOrder(orderId: number): Promise<GetOrder | null> {
    const path = `/orders/${encodeId(orderId)}`;
    const res = await this.request('GET', path, { schema: GetOrderSchema(), nullOn404: true });
    if (res) protectCustomerData({ consignee: res.data.consignee });
    return res ? res.data : null;
  }

  /** The orders with these order numbers (repeated `orderNumbers`, chunked and paged). */
  async getOrdersByNumbers(orderNumbers: readonly string[]): Promise<GetOrder[]> {
    const out: GetOrder[] = [];
    for (const numbers of chunk(unique(orderNumbers), this.numbersPerRequest)) {
      for await (const page of this.listOrderPages({ orderNumbers: numbers })) out.push(...page);
    }
    return out;
  }

  async getOrdersPage(query: OrderQuery = {}): Promise<GetOrder[]> {
    const res = await this.request('GET', '/orders', { query: this.orderQuery(query), schema: GetOrderListSchema() });
    protectCustomerData(res.data.map((o) => ({ consignee: o.consignee })));
    return res.data;
  }

  /** Every matching order, page by page. A long orderNumbers list is split into chunks. */
  async *listOrderPages(query: OrderQuery = {}): AsyncGenerator<GetOrder[]> {
    const numberChunks = query.orderNumbers ? chunk(unique(query.orderNumbers), this.numbersPerRequest) : [undefined];
    for (const numbers of numberChunks) {
      if (numbers?.length === 0) continue;
      yield* this.pages(
        'GET /orders',
        (from, max) => this.getOrdersPage({ ...query, orderNumbers: numbers, orderIdFrom: from, maxOrdersToGet: max }),
        (o) => o.orderInfo.orderId,
        query.orderIdFrom,
        query.maxOrdersToGet ?? this.pageSize,
      );
    }
  }

  /** Every matching order, one at a time. */
  async *listOrders(query: OrderQuery = {}): AsyncGenerator<GetOrder> {
    for await (const page of this.listOrderPages(query)) yield* page;
  }

  /** Cancel (status 1000). Ongoing refuses once the warehouse has started on the order. */
  async cancelOrder(orderId: number): Promise<{ orderId: number; message: string | null }> {
    const res = await this.request('DELETE', `/orders/${encodeId(orderId)}`, { schema: OrderIdResponseSchema() });
    return { orderId: res.data.orderId, message: res.data.message ?? null };
  }

  /** Create or replace a file by name. Ongoing's model takes no printing info here: use postOrderFile / putOrderFileById to print. */
  async putOrderFile(orderId: number, fileName: string, file: OrderFileContent): Promise<{ fileId: number; message: string | null }> {
    const path = `/orders/${encodeId(orderId)}/files`;
    const name = this.validate('PUT', path, FileNameSchema(), fileName);
    const body = this.validate('PUT', path, PutFileSchema(), { mimeType: file.mimeType, fileDataBase64: file.dataBase64 });
    const res = await this.request('PUT', path, { query: { fileName: name }, body, schema: FileResponseSchema() });
    return this.fileAnswer('PUT', path, res);
  }

  /**
   * A new file on the order (with printing info: printed). Every successful call adds a file, so it is never
   * retried here: after a failure the caller looks at the order's files (getOrderFiles) before trying again.
   */
  async postOrderFile(orderId: number, fileName: string, file: OrderFileInput): Promise<{ fileId: number; message: string | null }> {
    const path = `/orders/${encodeId(orderId)}/files`;
    const body = this.validate('POST', path, PostFileSchema(), postFileBody(fileName, file));
    const res = await this.request('POST', path, { body, schema: FileResponseSchema(), repeatable: false });
    return this.fileAnswer('POST', path, res);
  }

  /** Replaces the order's file `fileId` (name, content, printing info); repeating it replaces it again. */
  async putOrderFileById(orderId: number, fileId: number, fileName: string, file: OrderFileInput): Promise<{ fileId: number; message: string | null }> {
    const path = `/orders/${encodeId(orderId)}/files/${encodeId(fileId)}`;
    const body = this.validate('PUT', path, PostFileSchema(), postFileBody(fileName, file));
    const res = await this.request('PUT', path, { body, schema: FileResponseSchema() });
    return this.fileAnswer('PUT', path, res);
  }

  private fileAnswer(method: HttpMethod, path: string, res: { status: number; data: z.output<ReturnType<typeof FileResponseSchema>>; raw: string }) {
    if (!res.data.success) throw new OngoingRefusedError({ method, path }, res.status, res.data.message ?? 'success: false', res.raw);
    if (typeof res.data.fileId !== 'number') throw new OngoingResponseError({ method, path }, res.status, ['fileId: missing']);
    return { fileId: res.data.fileId, message: res.data.message ?? null };
  }

  async getOrderFiles(orderId: number): Promise<GetFile[]> {
    const res = await this.request('GET', `/orders/${encodeId(orderId)}/files`, { schema: GetFileListSchema() });
    return res.data;
  }

  /** Create or update a waybill with its tracking URL (all three fields are required by Ongoing). */
  async putOrderTracking(orderId: number, tracking: PostTracking): Promise<{ message: string | null }> {
    const path = `/orders/${encodeId(orderId)}/orderTracking`;
    const body = this.validate('PUT', path, PostTrackingSchema(), tracking);
    const res = await this.request('PUT', path, { body, schema: SuccessResponseSchema() });
    if (!res.data.success) throw new OngoingRefusedError({ method: 'PUT', path }, res.status, res.data.message ?? 'success: false', res.raw);
    return { message: res.data.message ?? null };
  }

  /** Sets orderInfo.wayBill only (for a carrier that gives no tracking URL). */
  async patchWaybill(orderId: number, waybill: string): Promise<{ orderId: number; message: string | null }> {
    const path = `/orders/${encodeId(orderId)}/waybill`;
    const res = await this.request('PATCH', path, {
      body: { waybill: this.validate('PATCH', path, WaybillSchema(), waybill) },
      schema: OrderIdResponseSchema(),
    });
    return { orderId: res.data.orderId, message: res.data.message ?? null };
  }

  async patchOrderRemark(orderId: number, orderRemark: string): Promise<{ orderId: number; message: string | null }> {
    const path = `/orders/${encodeId(orderId)}/orderRemark`;
    const res = await this.request('PATCH', path, {
      body: { orderRemark: this.validate('PATCH', path, OrderRemarkSchema(), orderRemark) },
      schema: OrderIdResponseSchema(),
    });
    return { orderId: res.data.orderId, message: res.data.message ?? null };
  }

  // ------------------------------------------------------------ reference data

  /** The tenant's status numbers with texts in the API user's language (compare numbers, never texts). */
  async getOrderStatuses(): Promise<OrderStatus[]> {
    const res = await this.request('GET', '/orders/statuses', { schema: OrderStatusesSchema() });
    return res.data.orderStatuses;
  }

  async getTransporterContracts(): Promise<TransporterContract[]> {
    const res = await this.request('GET', '/transporterContracts', {
      query: { goodsOwnerId: this.goodsOwnerId },
      schema: TransporterContractListSchema(),
    });
    return res.data;
  }

  // ------------------------------------------------------------ internals

  private articleQuery(q: ArticleQuery): Query {
    return {
      goodsOwnerId: this.goodsOwnerId,
      articleNumbers: q.articleNumbers,
      productCodes: q.productCodes,
      stockInfoChangedFrom: q.stockInfoChangedFrom,
      articleDataLastUpdatedFrom: q.articleDataLastUpdatedFrom,
      onlyArticlesInStock: q.onlyArticlesInStock,
      articleSystemIdFrom: q.articleSystemIdFrom,
      maxArticlesToGet: q.maxArticlesToGet,
    };
  }

  private orderQuery(q: OrderQuery): Query {
    return { goodsOwnerId: this.goodsOwnerId, ...q } as Query;
  }

  /**
   * The id-cursor pager. Stops on an empty or short page. Throws (instead of looping or yielding the
   * same rows twice) when a page holds ids below the cursor or the cursor would not move forward.
   */
  private async *pages<T>(
    what: string,
    fetchPage: (from: number | undefined, max: number) => Promise<T[]>,
    idOf: (item: T) => number,
    start: number | undefined,
    max: number,
  ): AsyncGenerator<T[]> {
    if (!Number.isInteger(max) || max < 1) throw new OngoingInvalidRequestError({ method: 'GET', path: what }, [`page size ${max}`]);
    let from = start;
    for (;;) {
      const page = await fetchPage(from, max);
      if (page.length === 0) return;
      const ids = page.map(idOf);
      const lowest = Math.min(...ids);
      const highest = Math.max(...ids);
      if (from !== undefined && lowest < from) {
        throw new OngoingResponseError({ method: 'GET', path: what.replace(/^GET /, '') }, 200, [
          `paging cursor ignored: asked for ids >= ${from}, got id ${lowest}`,
        ]);
      }
      yield page;
      if (page.length < max) return;
      const next = highest + 1;
      if (from !== undefined && next <= from) {
        throw new OngoingResponseError({ method: 'GET', path: what.replace(/^GET /, '') }, 200, [
          `paging cursor would not advance past ${from}`,
        ]);
      }
      from = next;
    }
  }

  private withGoodsOwner<T extends { goodsOwnerId?: number }>(input: T, method: HttpMethod, path: string): T & { goodsOwnerId: number } {
    if (input.goodsOwnerId !== undefined && input.goodsOwnerId !== this.goodsOwnerId) {
      throw new OngoingInvalidRequestError({ method, path }, [
        `goodsOwnerId ${input.goodsOwnerId} differs from the client's ${this.goodsOwnerId}`,
      ]);
    }
    return { ...input, goodsOwnerId: this.goodsOwnerId };
  }

  private validate<S extends z.ZodMiniType>(method: HttpMethod, path: string, schema: S, value: unknown): z.output<S> {
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new OngoingInvalidRequestError({ method, path }, issuesOf(parsed.error));
    return parsed.data;
  }

  private request<S extends z.ZodMiniType>(
    method: HttpMethod,
    path: string,
    opts: RequestOptions<S> & { nullOn404: true },
  ): Promise<{ status: number; data: z.output<S>; raw: string } | null>;
  private request<S extends z.ZodMiniType>(
    method: HttpMethod,
    path: string,
    opts: RequestOptions<S> & { nullOn404?: false },
  ): Promise<{ status: number; data: z.output<S>; raw: string }>;
  private request<S extends z.ZodMiniType>(
    method: HttpMethod,
    path: string,
    opts: RequestOptions<S> & { nullOn404?: boolean },
  ): Promise<{ status: number; data: z.output<S>; raw: string } | null> {
    const call: OngoingCall = { method, path };
    const url = `${this.baseUrl}${path}${toQueryString(opts.query ?? {})}`;
    const attempt = () => this.sendOnce(call, url, opts.body, opts.schema, opts.nullOn404 ?? false);
    const decide = opts.repeatable === false ? classifyNotRepeatable : classify;
    const withRetries = () =>
      withRetry(
        attempt,
        decide,
        this.retry,
        (error, n, delayMs) => this.options.onRetry?.({ method, path, attempt: n, delayMs, error: error as OngoingError }),
        this.options.deadline,
      );
    return method === 'GET' ? withRetries() : serialised(this.writeKey, withRetries);
  }

  private async sendOnce<S extends z.ZodMiniType>(
    call: OngoingCall,
    url: string,
    body: unknown,
    schema: S,
    nullOn404: boolean,
  ): Promise<{ status: number; data: z.output<S>; raw: string } | null> {
    const method = call.method as HttpMethod;
    // A write queued behind others may reach the front after the deadline: it is not sent then.
    const left = timeLeft(this.options.deadline);
    if (left <= 0) throw new OngoingDeadlineError(call);
    this.counts[method]++;
    this.options.onRequest?.(method, call.path);
    let res: AxiosResponse<string>;
    try {
      res = await this.http.request<string>({
        method,
        url,
        data: body === undefined ? undefined : JSON.stringify(body),
        // axios' own timeout is per socket inactivity; this bounds the whole exchange.
        signal: AbortSignal.timeout(Math.min(this.timeoutMs, left)),
      });
    } catch (error) {
      // Never rethrow the axios error: its config holds the Authorization header.
      const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : undefined;
      const timedOut = code === 'ETIMEDOUT' || code === 'ECONNABORTED' || code === 'ERR_CANCELED';
      // The base URL holds no credentials (the settings refuse user:password@ in it), so it may be named.
      throw new OngoingTransientError(call, `${timedOut ? 'timed out' : `network error ${code ?? ''}`.trim()} reaching ${this.baseUrl}`, undefined, code);
    }
    const status = res.status;
    const raw = typeof res.data === 'string' ? res.data : String(res.data ?? '');
    if (status >= 200 && status < 300) {
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        throw new OngoingTransientError(call, `${status} with a body that is not JSON`, status);
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success) throw new OngoingResponseError(call, status, issuesOf(parsed.error));
      return { status, data: parsed.data, raw };
    }
    if (status === 404 && nullOn404) return null;
    if (status === 429) throw new OngoingRateLimitError(call, parseRetryAfter(res.headers['retry-after']));
    if (status === 408 || status >= 500) throw new OngoingTransientError(call, `${status}: ${ongoingErrorText(raw)}`, status);
    if (status === 401 || status === 403) throw new OngoingAuthError(call, status, ongoingErrorText(raw));
    if (status >= 400) throw new OngoingRefusedError(call, status, ongoingErrorText(raw), raw);
    // 1xx/3xx: redirects are not followed (a redirect usually means a wrong base URL); retrying will not help.
    throw new OngoingResponseError(call, status, [`unexpected HTTP status ${status}; check the base URL`]);
  }
}

interface RequestOptions<S extends z.ZodMiniType> {
  query?: Query;
  body?: unknown;
  schema: S;
  /** False for a write whose repetition adds something (POST files): retried only on 429, which Ongoing answers before doing anything. */
  repeatable?: boolean;
}

function postFileBody(fileName: string, file: OrderFileInput): unknown {
  return {
    fileName,
    mimeType: file.mimeType,
    fileDataBase64: file.dataBase64,
    ...(file.printingInfo && { advanced: { printingInfo: file.printingInfo } }),
  };
}

function classifyNotRepeatable(error: unknown): RetryDecision {
  if (error instanceof OngoingRateLimitError) return { retry: true, afterMs: error.retryAfterMs };
  return { retry: false };
}

function classify(error: unknown): RetryDecision {
  if (error instanceof OngoingRateLimitError) return { retry: true, afterMs: error.retryAfterMs };
  if (error instanceof OngoingTransientError) return { retry: true };
  return { retry: false };
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function encodeId(id: number): string {
  if (!Number.isInteger(id) || id < 1) throw new OngoingInvalidRequestError({ method: '-', path: '/orders/{orderId}' }, [`invalid orderId ${id}`]);
  return String(id);
}
