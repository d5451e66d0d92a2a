import { ORDERS_PAGE_SIZE, type BaseLinkerClient, type GetOrdersResult, type RejectedOrder } from '../baselinker/client';
import type { JournalEntry, Order } from '../baselinker/schemas';
import { mapOrder, ongoingOrderNumber, orderFingerprint } from '../mapping/order';
import { METRIC } from '../observability/metrics';
import { OngoingInvalidRequestError, OngoingRefusedError } from '../ongoing/errors';
import type { OrderInput } from '../ongoing/client';
import type { GetOrder } from '../ongoing/schemas';
import { ClaimLostError, type SetAsideItem } from '../state';
import { emptyResult, type Flow, type FlowContext, type FlowResult } from './context';

/**
 * Orders: BaseLinker -> Ongoing (spec "Orders"; reference baselinker-api.md §8.2, §8.3).
 *
 * Which orders: those currently in one of the tenant's chosen statuses, found by a scan per status over a
 * look-back window of confirmation dates (not a date cursor: an order confirmed in another status and moved
 * into a chosen one later keeps its old confirmation date). With the BaseLinker journal on, each run (every
 * minute) reads only the journal since the last event seen and fetches the orders it names; the full scan
 * stays as the safety net, every `fullScanIntervalMs` and whenever the journal cursor may have lost events.
 *
 * Exactly once: an idempotency record per BaseLinker order id (claimed before, completed after the Ongoing
 * call), the Ongoing order number derived from the order id (Ongoing's upsert key), and a batch lookup by
 * order number before creating, so an order already in Ongoing (a run that died before writing its record)
 * is only recorded.
 *
 * Cancellation: an order moved into a cancelled status (seen by the scan of those statuses or in the
 * journal), or deleted (journal type 4), is cancelled in Ongoing while the warehouse has not started it;
 * a refusal becomes a set-aside item of kind 'cancel' for a person, and is not tried again until that
 * person asks for a retry.
 */

export interface OrdersFlowOptions {
  /** With the journal on: run the full status scan at least this often. Default 15 minutes. */
  fullScanIntervalMs?: number;
  /** A journal cursor last read longer ago than this may have missed events (BaseLinker keeps 3 days). */
  journalMaxAgeMs?: number;
  /** Orders per Ongoing batch lookup (and per claim round). Default 50. */
  batchSize?: number;
  /** How long a claim on an order holds before another run may take it. Default 10 minutes. */
  claimLeaseMs?: number;
}

const DEFAULTS: Required<OrdersFlowOptions> = {
  fullScanIntervalMs: 15 * 60_000,
  journalMaxAgeMs: 3 * 24 * 3_600_000 - 3_600_000,
  batchSize: 50,
  claimLeaseMs: 10 * 60_000,
};

/** Journal events that can bring an order into (or out of) the flow: created, confirmed, deleted, status changed. */
export const JOURNAL_TYPES = [1, 2, 4, 18] as const;
const JOURNAL_DELETED = 4;
const JOURNAL_STATUS_CHANGED = 18;
/** The journal's page size is undocumented; a batch this big may have a next page. */
const JOURNAL_FULL_PAGE = 100;
/** With `lookbackDays` 0 the window starts at the first run, but never reaches further back than this. */
const FROM_NOW_ON_MAX_DAYS = 30;
const DAY_S = 86_400;

export const ORDERS_CURSOR = 'orders';

export interface OrdersCursor {
  /** Unix seconds of the tenant's first orders run (the window start when `lookbackDays` is 0). */
  firstRunAt: number;
  /** Epoch ms of the last complete full scan. */
  lastScanAt?: number;
  journal?: { lastLogId: number; polledAt: number };
}

/** The first confirmation time (unix s) the scans look at. */
export function scanWindowStart(lookbackDays: number, firstRunAt: number, nowMs: number): number {
  const nowS = Math.floor(nowMs / 1000);
  if (lookbackDays > 0) return nowS - lookbackDays * DAY_S;
  return Math.max(firstRunAt, nowS - FROM_NOW_ON_MAX_DAYS * DAY_S);
}

function readableInt(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : undefined;
}

/** (order id, confirmation time) of every order on a page, readable rejected ones included. */
function pageKeys(page: GetOrdersResult): Array<{ id: number; confirmed: number }> {
  const keys = page.orders.map((o) => ({ id: o.order_id, confirmed: o.date_confirmed }));
  for (const r of page.rejected) {
    const raw = (r.raw ?? {}) as Record<string, unknown>;
    const id = readableInt(raw.order_id);
    const confirmed = readableInt(raw.date_confirmed);
    if (id !== undefined && confirmed !== undefined) keys.push({ id, confirmed });
  }
  return keys;
}

/**
 * Every order currently in `statusId` confirmed at or after `fromS`, page by page (orders may repeat across
 * pages; de-duplicate by id). The cursor is the highest confirmation time seen, without +1 (so a second
 * split across pages is read again rather than skipped); when a full page shares one second, that second is
 * paged with `id_from`, and then the scan goes on from the next second. Stops on a page under 100.
 */
export async function* scanOrders(bl: BaseLinkerClient, statusId: number, fromS: number): AsyncGenerator<GetOrdersResult> {
  let cursor = fromS;
  let idFrom: number | undefined;
  for (;;) {
    const page = await bl.getOrders({ status_id: statusId, date_confirmed_from: cursor, get_unconfirmed_orders: false, ...(idFrom ? { id_from: idFrom } : {}) });
    yield page;
    const keys = pageKeys(page);
    const full = page.received >= ORDERS_PAGE_SIZE;
    if (idFrom === undefined) {
      if (!full) return;
      const latest = Math.max(...keys.map((k) => k.confirmed), cursor);
      cursor = latest;
      if (keys.length > 0 && keys.every((k) => k.confirmed === latest)) {
        // A whole page confirmed in the same second: the date cursor cannot move past it, so page that second
        // by id (the page is sorted by id within the second, so the rest of it has higher ids).
        idFrom = Math.max(...keys.map((k) => k.id)) + 1;
      }
    } else if (full && keys.length > 0 && keys.every((k) => k.confirmed === cursor)) {
      idFrom = Math.max(...keys.map((k) => k.id)) + 1;
    } else {
      // That second is exhausted; later seconds may hold ids below idFrom, so go on without it.
      cursor += 1;
      idFrom = undefined;
    }
  }
}

interface Claimed {
  order: Order;
  body: OrderInput;
  articleNumbers: string[];
  warnings: string[];
  fingerprint: string;
}

/** One run's work on orders for one tenant; shared by the orders flow and reconciliation. */
export class OrderSync {
  readonly result: FlowResult = emptyResult();
  /** BaseLinker order ids written to Ongoing or found there and recorded, in this run. */
  readonly transferred: number[] = [];
  private readonly opts: Required<OrdersFlowOptions>;
  private readonly seen = new Set<number>();
  private readonly held = new Set<number>();
  private readonly chosen: Set<number>;
  private readonly cancelled: Set<number>;
  private setAsideOrders?: Map<string, SetAsideItem>;
  private setAsideCancels?: Map<string, SetAsideItem>;
  /** Article numbers known to exist in Ongoing (looked up once per run). */
  private readonly articlesPresent = new Set<string>();

  constructor(
    private readonly ctx: FlowContext,
    options: OrdersFlowOptions = {},
    /** Put before the order id in the Ongoing order number; none by default (the spec: number = order id). */
    readonly orderNumberPrefix = ctx.tenant.ongoing.orderNumberPrefix ?? '',
  ) {
    this.opts = { ...DEFAULTS, ...options };
    this.chosen = new Set(ctx.tenant.baselinker.orderStatusIds);
    this.cancelled = new Set(ctx.tenant.baselinker.cancelledStatusIds);
  }

  private get tenantId(): string {
    return this.ctx.tenant.id;
  }

  private count(name: string, by = 1): void {
    this.result.counts![name] = (this.result.counts![name] ?? 0) + by;
  }

  /** True (and the run marked incomplete) once the deadline has passed. */
  outOfTime(): boolean {
    if (this.ctx.now() < this.ctx.deadline) return false;
    this.result.complete = false;
    return true;
  }

  numberOf(blOrderId: number): string {
    return ongoingOrderNumber(blOrderId, this.orderNumberPrefix);
  }

  private async loadSetAside(): Promise<void> {
    if (this.setAsideOrders && this.setAsideCancels) return;
    const [orders, cancels] = await Promise.all([
      this.ctx.state.listSetAside(this.tenantId, { kind: 'order' }),
      this.ctx.state.listSetAside(this.tenantId, { kind: 'cancel' }),
    ]);
    this.setAsideOrders = new Map(orders.map((i) => [i.sourceId, i]));
    this.setAsideCancels = new Map(cancels.map((i) => [i.sourceId, i]));
  }

  /** Routes one page (scan or journal): chosen statuses are transferred, cancelled ones cancelled. */
  async handlePage(page: GetOrdersResult): Promise<void> {
    await this.loadSetAside();
    for (const rejected of page.rejected) {
      const id = readableInt(rejected.orderId);
      if (id !== undefined && this.seen.has(id)) continue;
      if (id !== undefined) this.seen.add(id);
      await this.setAsideUnreadable(rejected, id);
    }
    const fresh = page.orders.filter((o) => !this.seen.has(o.order_id));
    fresh.forEach((o) => this.seen.add(o.order_id));
    for (const order of fresh.filter((o) => this.cancelled.has(o.order_status_id))) {
      if (this.outOfTime()) return;
      this.result.seen++;
      await this.cancel(order.order_id, `moved to the cancelled status ${order.order_status_id} in BaseLinker`);
    }
    const toTransfer = fresh.filter((o) => this.chosen.has(o.order_status_id));
    this.result.seen += toTransfer.length;
    for (let i = 0; i < toTransfer.length; i += this.opts.batchSize) {
      if (this.outOfTime()) return;
      await this.transferBatch(toTransfer.slice(i, i + this.opts.batchSize));
    }
  }

  /**
   * Claims, maps and creates a batch of orders in Ongoing. `known`: Ongoing's orders by order number when the
   * caller has already looked them up (reconciliation), else one batch lookup here.
   */
  async transferBatch(orders: Order[], known?: Map<string, GetOrder>): Promise<void> {
    await this.loadSetAside();
    const claimed: Claimed[] = [];
    try {
      for (const order of orders) {
        if (this.outOfTime()) break;
        const item = await this.claimAndMap(order);
        if (item) claimed.push(item);
      }
      if (claimed.length === 0) return;

      const existing = known ?? (await this.lookupInOngoing(claimed.map((c) => c.body.orderNumber)));
      const toCreate: Claimed[] = [];
      for (const item of claimed) {
        const found = existing.get(item.body.orderNumber);
        if (found) await this.record(item, found.orderInfo.orderId, 'recorded');
        else toCreate.push(item);
      }
      await this.lookupArticles(toCreate.flatMap((c) => c.articleNumbers));
      for (const item of toCreate) {
        if (this.outOfTime()) break;
        const missing = item.articleNumbers.filter((sku) => !this.articlesPresent.has(sku));
        if (missing.length) await this.waitForArticles(item, missing);
        else await this.create(item);
      }
    } finally {
      await this.releaseHeld();
    }
  }

  private async claimAndMap(order: Order): Promise<Claimed | undefined> {
    const id = order.order_id;
    const fingerprint = orderFingerprint(order);
    const aside = this.setAsideOrders!.get(String(id));
    if (aside && (aside.state === 'dismissed' || (aside.state === 'open' && aside.ids?.fingerprint === fingerprint))) {
      this.count('stillSetAside');
      return undefined;
    }
    const claim = await this.ctx.state.claimOrder(this.tenantId, id, this.ctx.runId, this.opts.claimLeaseMs);
    if (claim === 'busy') {
      this.count('busyElsewhere');
      return undefined;
    }
    if (claim === 'done') {
      this.count('alreadyInOngoing');
      if (this.ctx.tenant.baselinker.statusAfterImport !== undefined && order.order_status_id !== this.ctx.tenant.baselinker.statusAfterImport) {
        const record = await this.ctx.state.getOrderRecord(this.tenantId, id);
        if (record?.status === 'done') await this.setStatusAfterImport(order);
      }
      return undefined;
    }
    this.held.add(id);
    const mapping = mapOrder(order, { orderNumberPrefix: this.orderNumberPrefix });
    if (!mapping.ok) {
      await this.setAsideOrder(order, fingerprint, `malformed order: ${mapping.problems.join('; ')}`, order);
      return undefined;
    }
    return { order, body: mapping.order, articleNumbers: mapping.articleNumbers, warnings: mapping.warnings, fingerprint };
  }

  private async lookupInOngoing(numbers: string[]): Promise<Map<string, GetOrder>> {
    const found = await this.ctx.ongoing.getOrdersByNumbers(numbers);
    return new Map(found.map((o) => [o.orderInfo.orderNumber, o]));
  }

  private async lookupArticles(skus: string[]): Promise<void> {
    const unknown = [...new Set(skus)].filter((sku) => !this.articlesPresent.has(sku));
    if (unknown.length === 0) return;
    for await (const article of this.ctx.ongoing.listArticles({ articleNumbers: unknown })) this.articlesPresent.add(article.articleNumber);
  }

  private async create(item: Claimed): Promise<void> {
    let orderId: number;
    try {
      orderId = (await this.ctx.ongoing.putOrder(item.body)).orderId;
    } catch (err) {
      if (err instanceof OngoingRefusedError || err instanceof OngoingInvalidRequestError) {
        const said = err instanceof OngoingRefusedError ? err.ongoingMessage : err.issues.join('; ');
        await this.setAsideOrder(item.order, item.fingerprint, `Ongoing refused the order: ${said}`, { order: item.order, sent: item.body });
        return;
      }
      throw err;
    }
    await this.record(item, orderId, 'written');
  }

  /** The order is in Ongoing: complete its record (or learn that it was cancelled meanwhile). */
  private async record(item: Claimed, ongoingOrderId: number, how: 'written' | 'recorded'): Promise<void> {
    const id = item.order.order_id;
    try {
      await this.ctx.state.completeOrder(this.tenantId, id, this.ctx.runId, { ongoingOrderId, orderNumber: item.body.orderNumber });
    } catch (err) {
      if (!(err instanceof ClaimLostError)) throw err;
      this.held.delete(id);
      const current = await this.ctx.state.getOrderRecord(this.tenantId, id);
      if (current?.status === 'cancelled' && current.ongoingOrderId === undefined) {
        // Cancelled in BaseLinker while we were creating it: undo in Ongoing.
        this.ctx.log.warn('order was cancelled while it was being created; cancelling it in Ongoing', { blOrderId: id, ongoingOrderId });
        await this.cancelInOngoing(id, ongoingOrderId, 'cancelled in BaseLinker while it was being transferred');
      } else {
        this.count('claimLost');
        this.ctx.log.warn('another run took over the order; leaving it to that run', { blOrderId: id, error: err.message });
      }
      return;
    }
    this.held.delete(id);
    this.transferred.push(id);
    if (how === 'written') {
      this.result.written++;
      if (item.order.date_confirmed) this.ctx.metric(METRIC.orderLag, 'Seconds', Math.max(0, Math.round(this.ctx.now() / 1000) - item.order.date_confirmed));
    } else {
      this.count('recordedFromOngoing');
    }
    if (item.warnings.length) this.ctx.log.warn('order transferred with data left out', { blOrderId: id, warnings: item.warnings });
    if (this.setAsideOrders!.has(String(id))) {
      await this.ctx.state.clearSetAside(this.tenantId, 'order', String(id));
      this.setAsideOrders!.delete(String(id));
    }
    await this.setStatusAfterImport(item.order);
  }

  private async setStatusAfterImport(order: Order): Promise<void> {
    const target = this.ctx.tenant.baselinker.statusAfterImport;
    if (target === undefined || order.order_status_id === target) return;
    try {
      await this.ctx.baselinker.setOrderStatus(order.order_id, target);
      this.count('statusSet');
    } catch (err) {
      // The order stays in its chosen status, so the next scan sees it (record done) and tries again.
      this.count('statusSetFailed');
      this.ctx.log.warn('could not move the BaseLinker order to the status after import', { blOrderId: order.order_id, error: (err as Error).message });
    }
  }

  private async waitForArticles(item: Claimed, missing: string[]): Promise<void> {
    const id = item.order.order_id;
    const record = await this.ctx.state.getOrderRecord(this.tenantId, id);
    const firstSeen = record ? Date.parse(record.firstSeenAt) : this.ctx.now();
    const waitedHours = (this.ctx.now() - firstSeen) / 3_600_000;
    const limit = this.ctx.tenant.baselinker.missingArticleRetryHours;
    if (waitedHours >= limit) {
      await this.setAsideOrder(
        item.order,
        item.fingerprint,
        `articles missing in Ongoing: ${missing.join(', ')} (waited ${waitedHours.toFixed(1)} h, the limit is ${limit} h; create the articles, then ask for a retry)`,
        item.order,
      );
      return;
    }
    this.count('waitingForArticles');
    await this.release(id, `waiting for articles missing in Ongoing: ${missing.join(', ')}`);
  }

  private async setAsideOrder(order: Order, fingerprint: string, reason: string, raw: unknown): Promise<void> {
    const id = String(order.order_id);
    const item = await this.ctx.state.setAside(this.tenantId, { kind: 'order', sourceId: id, reason, raw, ids: { fingerprint, blOrderId: id } });
    this.setAsideOrders!.set(id, item);
    this.result.setAside++;
    this.ctx.log.warn('order set aside', { blOrderId: order.order_id, reason });
    await this.release(order.order_id, reason);
  }

  private async setAsideUnreadable(rejected: RejectedOrder, id: number | undefined): Promise<void> {
    const fingerprint = orderFingerprint(rejected.raw);
    const sourceId = id !== undefined ? String(id) : `unreadable-${fingerprint}`;
    if (id !== undefined) {
      const record = await this.ctx.state.getOrderRecord(this.tenantId, id);
      if (record && record.status !== 'pending') return;
    }
    const aside = this.setAsideOrders!.get(sourceId);
    if (aside && aside.state !== 'retry' && aside.ids?.fingerprint === fingerprint) {
      this.count('stillSetAside');
      return;
    }
    const reason = `BaseLinker sent an order that cannot be read: ${rejected.fieldPath}: ${rejected.problem}`;
    const item = await this.ctx.state.setAside(this.tenantId, { kind: 'order', sourceId, reason, raw: rejected.raw, ids: { fingerprint } });
    this.setAsideOrders!.set(sourceId, item);
    this.result.setAside++;
    this.ctx.log.warn('unreadable order set aside', { sourceId, reason });
  }

  private async release(id: number, reason: string): Promise<void> {
    if (!this.held.delete(id)) return;
    await this.ctx.state.releaseOrder(this.tenantId, id, this.ctx.runId, reason);
  }

  /** Gives back every claim this batch still holds (deadline, or an error on the way out). */
  private async releaseHeld(): Promise<void> {
    const ids = [...this.held];
    this.held.clear();
    const outcomes = await Promise.allSettled(ids.map((id) => this.ctx.state.releaseOrder(this.tenantId, id, this.ctx.runId)));
    outcomes.forEach((o, i) => {
      if (o.status === 'rejected') this.ctx.log.warn('could not release an order claim; it lapses by itself', { blOrderId: ids[i], error: String(o.reason) });
    });
  }

  /** The order was cancelled or deleted in BaseLinker: make sure Ongoing does not ship it. */
  async cancel(blOrderId: number, why: string): Promise<void> {
    await this.loadSetAside();
    const record = await this.ctx.state.getOrderRecord(this.tenantId, blOrderId);
    if (!record || record.status === 'cancelled') return;
    if (record.status === 'pending') {
      // 'pending' does not prove it never reached Ongoing: a run may have died between creating it and recording it.
      const [created] = await this.ctx.ongoing.getOrdersByNumbers([this.numberOf(blOrderId)]);
      if (created) {
        await this.cancelInOngoing(blOrderId, created.orderInfo.orderId, why);
        return;
      }
      await this.ctx.state.markOrderCancelled(this.tenantId, blOrderId, `${why}, before it reached Ongoing`);
      if (this.setAsideOrders!.has(String(blOrderId))) await this.ctx.state.clearSetAside(this.tenantId, 'order', String(blOrderId));
      this.count('cancelledBeforeTransfer');
      return;
    }
    const refused = this.setAsideCancels!.get(String(blOrderId));
    if (refused && refused.state !== 'retry') {
      this.count('cancelAwaitingPerson');
      return;
    }
    await this.cancelInOngoing(blOrderId, Number(record.ongoingOrderId), why);
  }

  private async cancelInOngoing(blOrderId: number, ongoingOrderId: number, why: string): Promise<void> {
    let outcome: string;
    try {
      await this.ctx.ongoing.cancelOrder(ongoingOrderId);
      outcome = 'cancelled in Ongoing';
    } catch (err) {
      if (!(err instanceof OngoingRefusedError)) throw err;
      if (err.status === 404) outcome = 'not found in Ongoing';
      else if (/already\s+cancel/i.test(err.ongoingMessage)) outcome = 'already cancelled in Ongoing';
      else {
        const id = String(blOrderId);
        const item = await this.ctx.state.setAside(this.tenantId, {
          kind: 'cancel',
          sourceId: id,
          reason: `${why}, but Ongoing refused to cancel its order ${ongoingOrderId} (the warehouse has probably started on it; stop it by hand): ${err.ongoingMessage}`,
          ids: { blOrderId: id, ongoingOrderId: String(ongoingOrderId), orderNumber: this.numberOf(blOrderId) },
        });
        this.setAsideCancels!.set(id, item);
        this.result.setAside++;
        this.count('cancelRefused');
        this.ctx.log.warn('Ongoing refused to cancel an order cancelled in BaseLinker', { blOrderId, ongoingOrderId, said: err.ongoingMessage });
        return;
      }
    }
    await this.ctx.state.markOrderCancelled(this.tenantId, blOrderId, `${why}; ${outcome}`);
    if (this.setAsideCancels!.has(String(blOrderId))) {
      await this.ctx.state.clearSetAside(this.tenantId, 'cancel', String(blOrderId));
      this.setAsideCancels!.delete(String(blOrderId));
    }
    this.count('cancelledInOngoing');
    this.ctx.log.info('order cancelled in Ongoing', { blOrderId, ongoingOrderId, outcome });
  }

  /** The full scan: every chosen and every cancelled status over the window. False when out of time. */
  async scan(fromS: number): Promise<boolean> {
    const statuses = [...new Set([...this.ctx.tenant.baselinker.orderStatusIds, ...this.ctx.tenant.baselinker.cancelledStatusIds])];
    for (const status of statuses) {
      for await (const page of scanOrders(this.ctx.baselinker, status, fromS)) {
        await this.handlePage(page);
        if (this.outOfTime()) return false;
      }
    }
    return true;
  }

  /** Reads the journal from `lastLogId` to its end without fetching orders; returns the last id. */
  async seekJournalEnd(lastLogId: number): Promise<number> {
    let last = lastLogId;
    for (;;) {
      const logs = await this.ctx.baselinker.getJournalList({ last_log_id: last, logs_types: [...JOURNAL_TYPES] });
      const fresh = logs.filter((e) => e.log_id > last);
      if (fresh.length) last = Math.max(...fresh.map((e) => e.log_id));
      if (fresh.length === 0 || logs.length < JOURNAL_FULL_PAGE) return last;
    }
  }

  /**
   * Reads the journal after `lastLogId` and handles the orders it names (one getOrders per order). Returns
   * the new cursor, or undefined when the run ran out of time (the same events are read again next time).
   */
  async pollJournal(lastLogId: number): Promise<number | undefined> {
    let last = lastLogId;
    const events: JournalEntry[] = [];
    for (;;) {
      const logs = await this.ctx.baselinker.getJournalList({ last_log_id: last, logs_types: [...JOURNAL_TYPES] });
      const fresh = logs.filter((e) => e.log_id > last);
      events.push(...fresh);
      if (fresh.length) last = Math.max(...fresh.map((e) => e.log_id));
      if (fresh.length === 0 || logs.length < JOURNAL_FULL_PAGE || this.outOfTime()) break;
    }
    this.count('journalEvents', events.length);
    const byOrder = new Map<number, JournalEntry[]>();
    for (const e of events.sort((a, b) => a.log_id - b.log_id)) byOrder.set(e.order_id, [...(byOrder.get(e.order_id) ?? []), e]);

    for (const [orderId, orderEvents] of byOrder) {
      if (this.outOfTime()) return undefined;
      if (this.seen.has(orderId)) continue;
      const latest = orderEvents[orderEvents.length - 1];
      const deleted = orderEvents.some((e) => e.log_type === JOURNAL_DELETED);
      if (!deleted && latest.log_type === JOURNAL_STATUS_CHANGED && !this.chosen.has(latest.object_id) && !this.cancelled.has(latest.object_id)) {
        continue; // moved to a status this flow does not act on
      }
      // Type 4 also covers an invoice or receipt removed: only an order we sent can need a cancel.
      if (deleted && !(await this.ctx.state.getOrderRecord(this.tenantId, orderId))) continue;
      const page = await this.ctx.baselinker.getOrders({ order_id: orderId });
      this.count('journalFetches');
      if (page.orders.length === 0 && page.rejected.length === 0) {
        if (deleted) await this.cancel(orderId, 'deleted in BaseLinker');
        continue;
      }
      await this.handlePage(page);
    }
    return last;
  }

  /** Final message for the run summary. */
  summary(): string | undefined {
    const waiting = this.result.counts?.waitingForArticles;
    return waiting ? `${waiting} order(s) wait for articles that are not in Ongoing yet` : undefined;
  }
}

/** The orders flow; options are for tests and tuning. */
export function createOrdersFlow(options: OrdersFlowOptions = {}): Flow {
  const opts = { ...DEFAULTS, ...options };
  return async (ctx) => {
    const sync = new OrderSync(ctx, opts);
    const { baselinker: settings } = ctx.tenant;
    const now = ctx.now();
    let cursor = await ctx.state.getCursor<OrdersCursor>(ctx.tenant.id, ORDERS_CURSOR);
    if (!cursor) {
      // Remembered before anything else: with lookbackDays 0 this is where "from now on" starts.
      cursor = { firstRunAt: Math.floor(now / 1000) };
      await ctx.state.putCursor(ctx.tenant.id, ORDERS_CURSOR, cursor);
      sync.result.counts!.firstRun = 1;
    }

    let scanDue = !settings.journal || cursor.lastScanAt === undefined || now - cursor.lastScanAt >= opts.fullScanIntervalMs;
    if (settings.journal) {
      if (!cursor.journal || now - cursor.journal.polledAt > opts.journalMaxAgeMs) {
        // First use, or events may have expired: start from the journal's end and let the scan cover the rest.
        cursor.journal = { lastLogId: await sync.seekJournalEnd(cursor.journal?.lastLogId ?? 0), polledAt: now };
        sync.result.counts!.journalRestarted = 1;
        scanDue = true;
      } else {
        const last = await sync.pollJournal(cursor.journal.lastLogId);
        if (last !== undefined) cursor.journal = { lastLogId: last, polledAt: now };
      }
      await ctx.state.putCursor(ctx.tenant.id, ORDERS_CURSOR, cursor);
    }

    if (scanDue && !sync.outOfTime()) {
      sync.result.counts!.fullScan = 1;
      if (await sync.scan(scanWindowStart(settings.lookbackDays, cursor.firstRunAt, now))) {
        cursor.lastScanAt = now;
        await ctx.state.putCursor(ctx.tenant.id, ORDERS_CURSOR, cursor);
      }
    }
    return { ...sync.result, message: sync.summary() };
  };
}

export const ordersFlow: Flow = createOrdersFlow();
