import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as handlers from './handlers';
import { type HandlerContext, type HandlerResult, type SimSettings, SimHttpError } from './handlers';
import { orderWebhookPayload } from './models';
import { type RateLimitConfig, RateLimiter } from './rate-limit';
import {
  type SimArticle,
  type SimGoodsOwner,
  type SimOrder,
  type SimState,
  type SimUser,
  bookLines,
  createState,
  findArticle,
  nextId,
  pickLines,
} from './state';

/**
 * A local Ongoing WMS (Goods Owner REST API v1) over real HTTP, for tests and the local host. It serves
 * `/{warehouse}/api/v1/...` on 127.0.0.1 with Basic auth, and reproduces what a client can get wrong:
 * id-cursor paging only, repeated-key arrays, upserts by business key, 400s with free text (in either
 * error body shape), refusals once the warehouse has started an order, 429 rate limits, writes processed
 * one at a time per goods owner, injectable faults, and the order webhook on "Send".
 */

export type ErrorShape = 'Message' | 'message' | 'ModelState';

export interface WebhookConfig {
  url: string;
  /** A static header Ongoing sends with every call (e.g. X-Auth-Token). */
  headerName?: string;
  headerValue?: string;
}

export interface SimulatorSettings extends SimSettings {
  /** `{"Message": …}` (ASP.NET), `{"message": …}`, or ModelState for validation errors. */
  errorShape: ErrorShape;
  /** Added to every write while it holds the goods owner's write lock (so serial writes are visible). */
  writeLatencyMs: number;
  readLatencyMs: number;
  webhook?: WebhookConfig;
  webhookOrdersId: number;
}

export interface OngoingSimulatorOptions extends Partial<Omit<SimulatorSettings, 'rateLimits'>> {
  /** Instance name in the path. Default `demo`. */
  warehouse?: string;
  /** Default 0 (a free port). */
  port?: number;
  goodsOwners?: SimGoodsOwner[];
  users?: SimUser[];
  rateLimits?: RateLimitConfig;
  /**
   * The simulator's clock (epoch ms) for what it stamps and compares: stock and data change times, order
   * times, the 24 h limit of stockInfoChangedFrom. Default Date.now; a benchmark on simulated time passes its own.
   * Rate limiting and the call log stay on real time.
   */
  now?: () => number;
}

/**
 * `answer-lost`: the request is processed in full (a write takes effect), then the connection is dropped
 * before any answer, so the client sees a network error for a write that happened.
 */
export type FaultKind = 'http500' | 'http429' | 'timeout' | 'malformed-json' | 'answer-lost';

export interface Fault {
  /** e.g. `'PUT /orders'`; any route when left out (any write route for `answer-lost`). */
  route?: string;
  kind: FaultKind;
  /** How many matching calls get the fault. Default 1. */
  times?: number;
  /** For http429. */
  retryAfterSeconds?: number;
}

export interface CallRecord {
  route: string;
  method: string;
  /** Path and query below the base URL. */
  path: string;
  user?: string;
  /** For an `answer-lost` fault: the status the client never received. */
  status?: number;
  /** The request was processed but its answer dropped (an `answer-lost` fault). */
  answerLost?: boolean;
  /** The injected fault this request met, if any. */
  fault?: FaultKind;
  at: Date;
}

export interface WebhookDelivery {
  webhookEventId: number;
  orderId: number;
  /** 0 when the URL could not be reached. */
  status: number;
  payload: Record<string, unknown>;
  at: Date;
}

export interface OngoingSimulator {
  /** `http://127.0.0.1:PORT/<warehouse>/api/v1` */
  readonly baseUrl: string;
  readonly port: number;
  readonly warehouse: string;
  readonly state: SimState;
  /** Live settings: tests may change them between calls. */
  readonly settings: SimulatorSettings;
  readonly rateLimiter: RateLimiter;
  readonly callLog: readonly CallRecord[];
  readonly webhookDeliveries: readonly WebhookDelivery[];
  close(): Promise<void>;
  /** Calls received on a route (e.g. `'PUT /articles'`, `'GET /orders/{orderId}'`), or on all routes. */
  calls(route?: string): number;
  resetCalls(): void;
  /** Most write requests of one goods owner ever in flight at the same time (received, not answered). */
  maxConcurrentWrites(goodsOwnerId: number): number;
  addGoodsOwner(owner: SimGoodsOwner): void;
  addUser(user: SimUser): void;
  /** Physical stock of an article (a goods receipt or a count); marks its stock as changed now. */
  setStock(goodsOwnerId: number, articleNumber: string, numberOfItems: number, lockedForSaleNumberOfItems?: number): SimArticle;
  /** Moves an order along its lifecycle: ≥400 picks it (stock out), 450 stamps shippedTime, 1000 cancels. */
  setOrderStatus(orderId: number, status: number): SimOrder;
  injectFault(fault: Fault): void;
  clearFaults(): void;
  /** The warehouse presses Send: the order goes to 450 and the order webhook is POSTed. Returns its HTTP status. */
  pressSend(orderId: number): Promise<number>;
  /** Delivers an earlier webhook event again, with the same webhookEventId (default: the last one). */
  redeliverWebhook(webhookEventId?: number): Promise<number>;
  /**
   * Test hook: called as each authenticated request arrives, before it is processed (a chaos test ends or
   * pauses the calling process there: the service still processes what reached it).
   */
  onRequest: ((record: CallRecord) => void) | undefined;
  /**
   * A goods owner's orders grouped by goodsOwnerOrderId (the seller's own order id), as a person searching
   * Ongoing for it sees them: more than one order under one id is a doubled order, whatever its order number.
   */
  ordersByGoodsOwnerOrderId(goodsOwnerId: number): Map<string, SimOrder[]>;
}

interface RouteDef {
  method: string;
  pattern: RegExp;
  name: string;
  write: boolean;
  handle: (ctx: HandlerContext) => HandlerResult;
}

const ROUTES: RouteDef[] = [
  { method: 'PUT', pattern: /^\/articles$/, name: 'PUT /articles', write: true, handle: handlers.putArticle },
  { method: 'GET', pattern: /^\/articles$/, name: 'GET /articles', write: false, handle: handlers.getArticles },
  { method: 'GET', pattern: /^\/articles\/(\d+)$/, name: 'GET /articles/{articleSystemId}', write: false, handle: handlers.getArticle },
  { method: 'PUT', pattern: /^\/orders$/, name: 'PUT /orders', write: true, handle: handlers.putOrder },
  { method: 'GET', pattern: /^\/orders$/, name: 'GET /orders', write: false, handle: handlers.getOrders },
  { method: 'DELETE', pattern: /^\/orders$/, name: 'DELETE /orders', write: true, handle: handlers.deleteOrderByNumber },
  { method: 'GET', pattern: /^\/orders\/statuses$/, name: 'GET /orders/statuses', write: false, handle: handlers.getOrderStatuses },
  { method: 'GET', pattern: /^\/orders\/(\d+)$/, name: 'GET /orders/{orderId}', write: false, handle: handlers.getOrder },
  { method: 'DELETE', pattern: /^\/orders\/(\d+)$/, name: 'DELETE /orders/{orderId}', write: true, handle: handlers.deleteOrder },
  { method: 'GET', pattern: /^\/orders\/(\d+)\/files$/, name: 'GET /orders/{orderId}/files', write: false, handle: handlers.getOrderFiles },
  { method: 'PUT', pattern: /^\/orders\/(\d+)\/files$/, name: 'PUT /orders/{orderId}/files', write: true, handle: handlers.putOrderFile },
  { method: 'POST', pattern: /^\/orders\/(\d+)\/files$/, name: 'POST /orders/{orderId}/files', write: true, handle: handlers.postOrderFile },
  {
    method: 'PUT',
    pattern: /^\/orders\/(\d+)\/orderTracking$/,
    name: 'PUT /orders/{orderId}/orderTracking',
    write: true,
    handle: handlers.putOrderTracking,
  },
  { method: 'PATCH', pattern: /^\/orders\/(\d+)\/waybill$/, name: 'PATCH /orders/{orderId}/waybill', write: true, handle: handlers.patchWaybill },
  {
    method: 'PATCH',
    pattern: /^\/orders\/(\d+)\/orderRemark$/,
    name: 'PATCH /orders/{orderId}/orderRemark',
    write: true,
    handle: handlers.patchOrderRemark,
  },
  { method: 'GET', pattern: /^\/transporterContracts$/, name: 'GET /transporterContracts', write: false, handle: handlers.getTransporterContracts },
];

const DEFAULT_TRANSPORTER_CONTRACTS = [
  {
    transporterName: 'Example Post',
    transporterCode: 'PLAB',
    transporterServiceCode: 'P19',
    ediCode: null,
    transporterServices: [{ transporterServiceName: 'Parcel', transporterServiceCode: 'P19' }],
  },
];

const MAX_BODY_BYTES = 25 * 1024 * 1024;
const sleep = (ms: number) => (ms > 0 ? new Promise<void>((r) => setTimeout(r, ms)) : Promise.resolve());

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) reject(new Error('body too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function basicUser(state: SimState, header: string | undefined): SimUser | undefined {
  const match = /^Basic\s+(.+)$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const user = state.users.get(decoded.slice(0, colon));
  return user && user.password === decoded.slice(colon + 1) ? user : undefined;
}

function postJson(url: string, payload: unknown, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const body = Buffer.from(JSON.stringify(payload));
    const req = http.request(
      url,
      {
        method: 'POST',
        agent: false,
        timeout: 10_000,
        headers: { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(body.length), ...headers },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

export async function startOngoingSimulator(options: OngoingSimulatorOptions = {}): Promise<OngoingSimulator> {
  const warehouse = options.warehouse ?? 'demo';
  const state = createState();
  for (const owner of options.goodsOwners ?? []) state.goodsOwners.set(owner.id, { ...owner });
  for (const user of options.users ?? []) state.users.set(user.user, { ...user, goodsOwnerIds: [...user.goodsOwnerIds] });

  const settings: SimulatorSettings = {
    lockedFromStatus: options.lockedFromStatus ?? 300,
    orderCreatedStatus: options.orderCreatedStatus ?? 201,
    linesOnUpdate: options.linesOnUpdate ?? 'replace',
    ignorePagingCursor: options.ignorePagingCursor ?? false,
    transporterContracts: options.transporterContracts ?? DEFAULT_TRANSPORTER_CONTRACTS,
    errorShape: options.errorShape ?? 'Message',
    writeLatencyMs: options.writeLatencyMs ?? 0,
    readLatencyMs: options.readLatencyMs ?? 0,
    webhook: options.webhook,
    webhookOrdersId: options.webhookOrdersId ?? 12,
  };
  const clock = options.now ?? Date.now;
  const rateLimiter = new RateLimiter(options.rateLimits ?? {});
  const callLog: CallRecord[] = [];
  const faults: Array<Fault & { left: number }> = [];
  const writeLocks = new Map<string, Promise<void>>();
  const inFlightWrites = new Map<string, number>();
  const maxInFlightWrites = new Map<string, number>();
  const deliveries: WebhookDelivery[] = [];
  const events = new Map<number, { orderId: number; payload: Record<string, unknown> }>();

  const errorBody = (text: string, fields?: Record<string, string[]>): unknown => {
    switch (settings.errorShape) {
      case 'message':
        return { message: text };
      case 'ModelState':
        return fields ? { Message: 'The request is invalid.', ModelState: fields } : { Message: text };
      default:
        return { Message: text };
    }
  };

  /** One write at a time per goods owner, as Ongoing processes them. */
  const withWriteLock = <T>(key: string, task: () => Promise<T>): Promise<T> => {
    const previous = writeLocks.get(key) ?? Promise.resolve();
    const run = previous.then(task);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    writeLocks.set(key, tail);
    void tail.then(() => {
      if (writeLocks.get(key) === tail) writeLocks.delete(key);
    });
    return run;
  };

  const writeOwnerKey = (route: RouteDef, body: unknown, query: URLSearchParams, id?: number): string => {
    if (id !== undefined && route.name.includes('{orderId}')) return String(state.orders.get(id)?.goodsOwnerId ?? 'unknown');
    const fromBody = (body as { goodsOwnerId?: unknown } | null)?.goodsOwnerId;
    if (typeof fromBody === 'number') return String(fromBody);
    return query.get('goodsOwnerId') ?? 'unknown';
  };

  const takeFault = (route: RouteDef): Fault | undefined => {
    const matches = (f: Fault) => (f.route ? f.route === route.name : f.kind !== 'answer-lost' || route.write);
    const index = faults.findIndex((f) => matches(f) && f.left > 0);
    if (index < 0) return undefined;
    const fault = faults[index];
    fault.left -= 1;
    if (fault.left <= 0) faults.splice(index, 1);
    return fault;
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://simulator.invalid');
    const method = (req.method ?? 'GET').toUpperCase();
    const raw = await readBody(req);
    const prefix = `/${warehouse}/api/v1`;
    const subPath = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) || '/' : undefined;
    let id: number | undefined;
    const route = subPath === undefined ? undefined : ROUTES.find((r) => r.method === method && r.pattern.test(subPath));
    if (route && subPath) {
      const m = route.pattern.exec(subPath);
      if (m?.[1]) id = Number(m[1]);
    }
    const routeName = route?.name ?? `${method} (unmatched)`;
    const record: CallRecord = { route: routeName, method, path: `${subPath ?? url.pathname}${url.search}`, at: new Date() };
    callLog.push(record);

    let clientKey = req.socket.remoteAddress ?? 'unknown';
    let countOutcome = false;
    const send = (status: number, body: unknown, headers: Record<string, string> = {}, rawText?: string) => {
      record.status = status;
      if (countOutcome) rateLimiter.outcome(routeName, clientKey, status >= 400, Date.now());
      const text = rawText ?? JSON.stringify(body);
      res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
      res.end(text);
    };

    if (!route) {
      send(404, errorBody(`No HTTP resource was found that matches the request URI '${url.pathname}'.`));
      return;
    }
    const user = basicUser(state, req.headers.authorization);
    if (!user) {
      send(401, errorBody('Authorization has been denied for this request.'));
      return;
    }
    record.user = user.user;
    clientKey = user.user;
    simulator.onRequest?.(record);

    const fault = takeFault(route);
    if (fault) record.fault = fault.kind;
    const loseAnswer = fault?.kind === 'answer-lost';
    if (fault && !loseAnswer) {
      switch (fault.kind) {
        case 'timeout':
          return; // never answered; the client's timeout fires, close() drops the socket
        case 'http500':
          send(500, { Message: 'An error has occurred.' });
          return;
        case 'http429':
          send(
            429,
            errorBody('API calls quota exceeded.'),
            fault.retryAfterSeconds !== undefined ? { 'Retry-After': String(fault.retryAfterSeconds) } : {},
          );
          return;
        case 'malformed-json':
          send(200, undefined, { 'Content-Type': 'text/html' }, '<html><body>Service temporarily unavailable</body></html>');
          return;
      }
    }

    const admitted = rateLimiter.admit(routeName, clientKey, Date.now());
    if (!admitted.ok) {
      send(
        429,
        errorBody(`API calls quota exceeded: ${admitted.reason}.`),
        admitted.retryAfterSeconds !== undefined ? { 'Retry-After': String(admitted.retryAfterSeconds) } : {},
      );
      return;
    }
    countOutcome = true;

    let body: unknown;
    if (raw.trim()) {
      try {
        body = JSON.parse(raw);
      } catch {
        send(400, errorBody('The request is invalid: the body is not valid JSON.'));
        return;
      }
    }

    const run = (): HandlerResult => {
      const ctx: HandlerContext = { state, settings, now: new Date(clock()), user, query: url.searchParams, body, id };
      try {
        return route.handle(ctx);
      } catch (error) {
        if (error instanceof SimHttpError) return { status: error.status, body: errorBody(error.message, error.fields) };
        return { status: 500, body: { Message: 'An error has occurred.' } };
      }
    };

    let result: HandlerResult;
    if (route.write) {
      const key = writeOwnerKey(route, body, url.searchParams, id);
      const now = (inFlightWrites.get(key) ?? 0) + 1;
      inFlightWrites.set(key, now);
      maxInFlightWrites.set(key, Math.max(maxInFlightWrites.get(key) ?? 0, now));
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        inFlightWrites.set(key, (inFlightWrites.get(key) ?? 1) - 1);
      };
      res.on('close', release);
      result = await withWriteLock(key, async () => {
        await sleep(settings.writeLatencyMs);
        return run();
      });
      release();
    } else {
      await sleep(settings.readLatencyMs);
      result = run();
    }
    if (loseAnswer) {
      record.status = result.status;
      record.answerLost = true;
      if (countOutcome) rateLimiter.outcome(routeName, clientKey, result.status >= 400, Date.now());
      req.socket.destroy();
      return;
    }
    send(result.status, result.body);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ Message: 'An error has occurred.' }));
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  const setOrderStatus = (orderId: number, status: number): SimOrder => {
    const order = state.orders.get(orderId);
    if (!order) throw new Error(`no order ${orderId}`);
    const now = new Date(clock());
    if (status === 1000) {
      if (order.status !== 1000 && !order.picked) bookLines(state, order.lines, -1, now);
    } else if (status >= 400) {
      pickLines(state, order, now);
    }
    if (status >= 450 && status !== 1000 && !order.shippedTime) order.shippedTime = now;
    order.status = status;
    order.statusChangedAt = now;
    order.updatedAt = now;
    return order;
  };

  const deliver = async (webhookEventId: number): Promise<number> => {
    const event = events.get(webhookEventId);
    if (!event) throw new Error(`no webhook event ${webhookEventId}`);
    const hook = settings.webhook;
    if (!hook) throw new Error('no webhook configured on the Ongoing simulator');
    const headers = hook.headerName && hook.headerValue !== undefined ? { [hook.headerName]: hook.headerValue } : {};
    const status = await postJson(hook.url, event.payload, headers);
    deliveries.push({ webhookEventId, orderId: event.orderId, status, payload: event.payload, at: new Date() });
    return status;
  };

  const simulator: OngoingSimulator = {
    onRequest: undefined,
    ordersByGoodsOwnerOrderId(goodsOwnerId) {
      const out = new Map<string, SimOrder[]>();
      for (const order of state.orders.values()) {
        if (order.goodsOwnerId !== goodsOwnerId) continue;
        const raw = order.data.goodsOwnerOrderId;
        const key = typeof raw === 'string' && raw.trim() ? raw.trim() : `(none: order number ${order.orderNumber})`;
        out.set(key, [...(out.get(key) ?? []), order]);
      }
      return out;
    },
    baseUrl: `http://127.0.0.1:${port}/${warehouse}/api/v1`,
    port,
    warehouse,
    state,
    settings,
    rateLimiter,
    callLog,
    webhookDeliveries: deliveries,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    calls(route?: string) {
      return route ? callLog.filter((c) => c.route === route).length : callLog.length;
    },
    resetCalls() {
      callLog.length = 0;
      maxInFlightWrites.clear();
    },
    maxConcurrentWrites(goodsOwnerId: number) {
      return maxInFlightWrites.get(String(goodsOwnerId)) ?? 0;
    },
    addGoodsOwner(owner) {
      state.goodsOwners.set(owner.id, { ...owner });
    },
    addUser(user) {
      state.users.set(user.user, { ...user, goodsOwnerIds: [...user.goodsOwnerIds] });
    },
    setStock(goodsOwnerId, articleNumber, numberOfItems, lockedForSaleNumberOfItems) {
      const article = findArticle(state, goodsOwnerId, articleNumber);
      if (!article) throw new Error(`no article ${articleNumber} for goods owner ${goodsOwnerId}`);
      article.numberOfItems = Math.max(0, numberOfItems);
      if (lockedForSaleNumberOfItems !== undefined) article.lockedForSaleNumberOfItems = lockedForSaleNumberOfItems;
      article.stockChangedAt = new Date(clock());
      return article;
    },
    setOrderStatus,
    injectFault(fault) {
      faults.push({ ...fault, left: fault.times ?? 1 });
    },
    clearFaults() {
      faults.length = 0;
    },
    async pressSend(orderId) {
      if (!settings.webhook) throw new Error('no webhook configured on the Ongoing simulator');
      const order = setOrderStatus(orderId, 450);
      const webhookEventId = nextId(state, 'webhookEvent');
      const payload = orderWebhookPayload(state, order, {
        webhookOrdersId: settings.webhookOrdersId,
        webhookEventId,
        system: warehouse,
        at: new Date(clock()),
      });
      events.set(webhookEventId, { orderId, payload });
      return deliver(webhookEventId);
    },
    async redeliverWebhook(webhookEventId) {
      const eventId = webhookEventId ?? Math.max(...events.keys());
      return deliver(eventId);
    },
  };
  return simulator;
}
