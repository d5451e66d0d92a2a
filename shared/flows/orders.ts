import type { GetOrdersResult, RejectedOrder } from '../baselinker/client';
import {
  journalOrderPages,
  overlapIds,
  pageKeys,
  readableInt,
  scanOrderPages,
  withOnlyIds,
  withoutIds,
  type ScanPosition,
} from '../baselinker/order-pages';
import type { JournalEntry, Order } from '../baselinker/schemas';
import { mapOrder, ongoingOrderNumber, orderFingerprint } from '../mapping/order';
import { METRIC } from '../observability/metrics';
import { OngoingInvalidRequestError, OngoingRefusedError } from '../ongoing/errors';
import type { OrderInput } from '../ongoing/client';
import type { GetOrder } from '../ongoing/schemas';
import * as z from '../util/zod';
import type { NeedsOf } from './catalogue';
import { emptyResult, type Flow, type FlowContext, type Tally } from './context';
import { ClaimLostError, unlessUnreadable, type SetAsideItem } from './ports';

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
  journal?: JournalCursor;
}

export interface JournalCursor {
  lastLogId: number;
  polledAt: number;
  /**
   * Orders named by events up to `lastLogId` that a run stopped before handling (its deadline): the next poll
   * handles them first, so the journal is never read twice and an order page is only read again when a run
   * stopped inside it.
   */
  pending?: number[];
  /** Deletions named up to `lastLogId` and not yet checked. */
  pendingDeleted?: number[];
}

/** More unhandled orders than this are left to the full scan (the cursor item must stay small). */
const JOURNAL_PENDING_MAX = 10_000;

const idArray = z.array(z.number().check(z.int()));

/** An unreadable orders cursor fails the run (its firstRunAt is where "from now on" starts: never guessed). */
export const ordersCursorSchema: z.ZodMiniType<OrdersCursor> = z.looseObject({
  firstRunAt: z.number(),
  lastScanAt: z.optional(z.number()),
  journal: z.optional(z.looseObject({ lastLogId: z.number(), polledAt: z.number(), pending: z.optional(idArray), pendingDeleted: z.optional(idArray) })),
});

/** State checkpoint name of an unfinished full scan. */
export const ORDERS_SCAN_CHECKPOINT = 'orders-scan';

/**
 * An unfinished full scan, saved when a run stops in it (deadline or error) and cleared when a scan completes.
 * The settings it was made under are kept to tell whether it still fits the tenant.
 */
export interface OrdersScanCheckpoint extends ScanResume {
  /** Epoch ms the pass began (its first run). */
  passStartedAt: number;
  lookbackDays: number;
  orderStatusIds: number[];
  cancelledStatusIds: number[];
}

const scanCheckpointSchema = z.object({
  status: z.number().check(z.int()),
  position: z.object({ from: z.number().check(z.int()), idFrom: z.optional(z.number().check(z.int(), z.positive())) }),
  skipIds: idArray,
  passStartedAt: z.number(),
  lookbackDays: z.number(),
  orderStatusIds: idArray,
  cancelledStatusIds: idArray,
});

const sameList = (a: number[], b: number[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * Why a saved scan checkpoint cannot be continued (undefined: it can). A resumed pass only covers what it has
 * not read yet, so it must scan the same statuses in the same roles over the same look-back; and the part
 * already read must not lie wholly before the window, else a fresh pass is the honest answer.
 */
export function staleScanCheckpoint(checkpoint: OrdersScanCheckpoint, settings: { orderStatusIds: number[]; cancelledStatusIds: number[]; lookbackDays: number }, windowStartS: number): string | undefined {
  if (!sameList(checkpoint.orderStatusIds, settings.orderStatusIds) || !sameList(checkpoint.cancelledStatusIds, settings.cancelledStatusIds)) {
    return 'the chosen or cancelled statuses changed since it was saved';
  }
  if (checkpoint.lookbackDays !== settings.lookbackDays) return 'lookbackDays changed since it was saved';
  if (checkpoint.passStartedAt < windowStartS * 1000) return 'the pass began before the start of the look-back window';
  if (!settings.orderStatusIds.includes(checkpoint.status) && !settings.cancelledStatusIds.includes(checkpoint.status)) {
    return `status ${checkpoint.status} is not scanned`;
  }
  return undefined;
}

/** The first confirmation time (unix s) the scans look at. */
export function scanWindowStart(lookbackDays: number, firstRunAt: number, nowMs: number): number {
  const nowS = Math.floor(nowMs / 1000);
  if (lookbackDays > 0) return nowS - lookbackDays * DAY_S;
  return Math.max(firstRunAt, nowS - FROM_NOW_ON_MAX_DAYS * DAY_S);
}

/** Where an unfinished full scan continues: the status being scanned, its next page, and ids already handled there. */
export interface ScanResume {
  status: number;
  position: ScanPosition;
  /** Orders on the pages before `position` that the page at `position` returns again; skipped. */
  skipIds: number[];
}

/**
 * The orders a batch of journal events names, each with whether it was deleted. An order whose latest event
 * moved it into a status this flow does not act on is left out (nothing to do; the scan is the safety net).
 */
export function journalNamedOrders(events: JournalEntry[], chosen: Set<number>, cancelled: Set<number>): Map<number, { wasDeleted: boolean }> {
  const byOrder = new Map<number, JournalEntry[]>();
  for (const e of [...events].sort((a, b) => a.log_id - b.log_id)) byOrder.set(e.order_id, [...(byOrder.get(e.order_id) ?? []), e]);
  const named = new Map<number, { wasDeleted: boolean }>();
  for (const [orderId, orderEvents] of byOrder) {
    const latest = orderEvents[orderEvents.length - 1]!;
    const wasDeleted = orderEvents.some((e) => e.log_type === JOURNAL_DELETED);
    if (!wasDeleted && latest.log_type === JOURNAL_STATUS_CHANGED && !chosen.has(latest.object_id) && !cancelled.has(latest.object_id)) continue;
    named.set(orderId, { wasDeleted });
  }
  return named;
}

/**
 * What a poll must do: the orders left pending by the last run plus those the new events name, and the
 * deletions to check. A new event about a pending order decides it again (moved out: dropped).
 */
export function journalWork(
  events: JournalEntry[],
  carried: Pick<JournalCursor, 'pending' | 'pendingDeleted'>,
  chosen: Set<number>,
  cancelled: Set<number>,
): { wanted: Set<number>; deleted: Set<number> } {
  const mentioned = new Set(events.map((e) => e.order_id));
  const wanted = new Set((carried.pending ?? []).filter((id) => !mentioned.has(id)));
  const deleted = new Set((carried.pendingDeleted ?? []).filter((id) => !mentioned.has(id)));
  for (const [orderId, { wasDeleted }] of journalNamedOrders(events, chosen, cancelled)) {
    if (wasDeleted) deleted.add(orderId);
    else wanted.add(orderId);
  }
  for (const id of deleted) wanted.delete(id);
  return { wanted, deleted };
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
  readonly result: Tally;
  /** BaseLinker order ids written to Ongoing or found there and recorded, in this run. */
  readonly transferred: number[] = [];
  /**
   * Where the full scan stands: the page it is on (until that page is fully handled) or the next one. After a
   * scan that returned false (or threw), the next run continues from here.
   */
  scanPosition?: ScanResume;
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
    private readonly ctx: FlowContext<'orders'>,
    options: OrdersFlowOptions = {},
    /** Put before the order id in the Ongoing order number; none by default (the spec: number = order id). */
    readonly orderNumberPrefix = ctx.tenant.ongoing.orderNumberPrefix ?? '',
  ) {
    this.opts = { ...DEFAULTS, ...options };
    this.result = ctx.run.tally;
    this.chosen = new Set(ctx.tenant.baselinker.orderStatusIds);
    this.cancelled = new Set(ctx.tenant.baselinker.cancelledStatusIds);
  }

  private count(name: string, by = 1): void {
    this.result.counts![name] = (this.result.counts![name] ?? 0) + by;
  }

  /** True (and the run marked incomplete) once the deadline has passed. */
  outOfTime(): boolean {
    if (!this.ctx.run.deadline.passed()) return false;
    this.result.complete = false;
    return true;
  }

  numberOf(blOrderId: number): string {
    return ongoingOrderNumber(blOrderId, this.orderNumberPrefix);
  }

  private async loadSetAside(): Promise<void> {
    if (this.setAsideOrders && this.setAsideCancels) return;
    [this.setAsideOrders, this.setAsideCancels] = await Promise.all([this.ctx.run.setAside.index('order'), this.ctx.run.setAside.index('cancel')]);
  }

  /**
   * Routes one page (scan or journal): chosen statuses are transferred, cancelled ones cancelled. False when
   * the deadline stopped it before every order on the page was dealt with.
   */
  async handlePage(page: GetOrdersResult): Promise<boolean> {
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
      if (this.outOfTime()) return false;
      this.result.seen++;
      await this.cancel(order.order_id, `moved to the cancelled status ${order.order_status_id} in BaseLinker`);
    }
    const toTransfer = fresh.filter((o) => this.chosen.has(o.order_status_id));
    this.result.seen += toTransfer.length;
    for (let i = 0; i < toTransfer.length; i += this.opts.batchSize) {
      if (this.outOfTime()) return false;
      if (!(await this.transferBatch(toTransfer.slice(i, i + this.opts.batchSize)))) return false;
    }
    return true;
  }

  /**
   * Claims, maps and creates a batch of orders in Ongoing. `known`: Ongoing's orders by order number when the
   * caller has already looked them up (reconciliation), else one batch lookup here. False when the deadline
   * stopped it before every order was dealt with (the claims it still held are given back).
   */
  async transferBatch(orders: Order[], known?: Map<string, GetOrder>): Promise<boolean> {
    await this.loadSetAside();
    const claimed: Claimed[] = [];
    let finished = true;
    try {
      if (this.outOfTime()) return false;
      // The batch's claims go out together: each is its own conditional write, so none waits for another, and
      // Ongoing (one write at a time) waits for one round of them instead of one per order.
      const claims = await Promise.allSettled(orders.map((order) => this.claimAndMap(order)));
      for (const claim of claims) {
        if (claim.status === 'rejected') throw claim.reason;
        if (claim.value) claimed.push(claim.value);
      }
      if (claimed.length === 0) return finished;

      const existing = known ?? (await this.lookupInOngoing(claimed.map((c) => c.body.orderNumber)));
      const toCreate: Claimed[] = [];
      for (const item of claimed) {
        const found = existing.get(item.body.orderNumber);
        if (found) await this.record(item, found.orderInfo.orderId, 'recorded');
        else toCreate.push(item);
      }
      await this.lookupArticles(toCreate.flatMap((c) => c.articleNumbers));
      for (const item of toCreate) {
        if (this.outOfTime()) {
          finished = false;
          break;
        }
        const missing = item.articleNumbers.filter((sku) => !this.articlesPresent.has(sku));
        if (missing.length) await this.waitForArticles(item, missing);
        else await this.create(item);
      }
      return finished;
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
    const claim = await this.ctx.orders.claim(id, this.ctx.runId, this.opts.claimLeaseMs);
    if (claim.result === 'busy') {
      this.count('busyElsewhere');
      return undefined;
    }
    if (claim.result === 'done') {
      this.count('alreadyInOngoing');
      if (this.ctx.tenant.baselinker.statusAfterImport !== undefined && order.order_status_id !== this.ctx.tenant.baselinker.statusAfterImport) {
        if (claim.record.status === 'done') await this.setStatusAfterImport(order);
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
      await this.ctx.orders.complete(id, this.ctx.runId, { ongoingOrderId, orderNumber: item.body.orderNumber });
    } catch (err) {
      if (!(err instanceof ClaimLostError)) throw err;
      this.held.delete(id);
      const current = await this.ctx.orders.get(id);
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
    if (this.setAsideOrders!.has(String(id))) await this.ctx.run.setAside.clear('order', String(id));
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
    const record = await this.ctx.orders.get(id);
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
    await this.ctx.run.setAside.put({ kind: 'order', sourceId: id, reason, raw, ids: { fingerprint, blOrderId: id } });
    this.result.setAside++;
    this.ctx.log.warn('order set aside', { blOrderId: order.order_id, reason });
    await this.release(order.order_id, reason);
  }

  private async setAsideUnreadable(rejected: RejectedOrder, id: number | undefined): Promise<void> {
    const fingerprint = orderFingerprint(rejected.raw);
    const sourceId = id !== undefined ? String(id) : `unreadable-${fingerprint}`;
    if (id !== undefined) {
      const record = await this.ctx.orders.get(id);
      if (record && record.status !== 'pending') return;
    }
    const aside = this.setAsideOrders!.get(sourceId);
    if (aside && aside.state !== 'retry' && aside.ids?.fingerprint === fingerprint) {
      this.count('stillSetAside');
      return;
    }
    const reason = `BaseLinker sent an order that cannot be read: ${rejected.fieldPath}: ${rejected.problem}`;
    await this.ctx.run.setAside.put({ kind: 'order', sourceId, reason, raw: rejected.raw, ids: { fingerprint } });
    this.result.setAside++;
    this.ctx.log.warn('unreadable order set aside', { sourceId, reason });
  }

  private async release(id: number, reason: string): Promise<void> {
    if (!this.held.delete(id)) return;
    await this.ctx.orders.release(id, this.ctx.runId, reason);
  }

  /** Gives back every claim this batch still holds (deadline, or an error on the way out). */
  private async releaseHeld(): Promise<void> {
    const ids = [...this.held];
    this.held.clear();
    const outcomes = await Promise.allSettled(ids.map((id) => this.ctx.orders.release(id, this.ctx.runId)));
    outcomes.forEach((o, i) => {
      if (o.status === 'rejected') this.ctx.log.warn('could not release an order claim; it lapses by itself', { blOrderId: ids[i], error: String(o.reason) });
    });
  }

  /** The order was cancelled or deleted in BaseLinker: make sure Ongoing does not ship it. */
  async cancel(blOrderId: number, why: string): Promise<void> {
    await this.loadSetAside();
    const record = await this.ctx.orders.get(blOrderId);
    if (!record || record.status === 'cancelled') return;
    if (record.status === 'pending') {
      // 'pending' does not prove it never reached Ongoing: a run may have died between creating it and recording it.
      const [created] = await this.ctx.ongoing.getOrdersByNumbers([this.numberOf(blOrderId)]);
      if (created) {
        await this.cancelInOngoing(blOrderId, created.orderInfo.orderId, why);
        return;
      }
      await this.ctx.orders.cancel(blOrderId, `${why}, before it reached Ongoing`);
      if (this.setAsideOrders!.has(String(blOrderId))) await this.ctx.run.setAside.clear('order', String(blOrderId));
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
        await this.ctx.run.setAside.put({
          kind: 'cancel',
          sourceId: id,
          reason: `${why}, but Ongoing refused to cancel its order ${ongoingOrderId} (the warehouse has probably started on it; stop it by hand): ${err.ongoingMessage}`,
          ids: { blOrderId: id, ongoingOrderId: String(ongoingOrderId), orderNumber: this.numberOf(blOrderId) },
        });
        this.result.setAside++;
        this.count('cancelRefused');
        this.ctx.log.warn('Ongoing refused to cancel an order cancelled in BaseLinker', { blOrderId, ongoingOrderId, said: err.ongoingMessage });
        return;
      }
    }
    await this.ctx.orders.cancel(blOrderId, `${why}; ${outcome}`);
    if (this.setAsideCancels!.has(String(blOrderId))) await this.ctx.run.setAside.clear('cancel', String(blOrderId));
    this.count('cancelledInOngoing');
    this.ctx.log.info('order cancelled in Ongoing', { blOrderId, ongoingOrderId, outcome });
  }

  /** The statuses a full scan reads, in order: the chosen ones, then the cancelled ones. */
  scanStatuses(): number[] {
    return [...new Set([...this.ctx.tenant.baselinker.orderStatusIds, ...this.ctx.tenant.baselinker.cancelledStatusIds])];
  }

  /**
   * The full scan: every chosen and every cancelled status over the window, or the rest of an unfinished one
   * from `resume` (a status not in the scan, or a position before `fromS`, starts at the window). False when
   * out of time; `scanPosition` then says where to go on.
   */
  async scan(fromS: number, resume?: ScanResume): Promise<boolean> {
    const statuses = this.scanStatuses();
    const first = resume ? statuses.indexOf(resume.status) : -1;
    const windowStart = (status: number): ScanResume => ({ status, position: { from: fromS }, skipIds: [] });
    for (let s = Math.max(first, 0); s < statuses.length; s++) {
      const status = statuses[s]!;
      this.scanPosition = s === first && resume!.position.from >= fromS ? resume! : windowStart(status);
      let skip = new Set(this.scanPosition.skipIds);
      for await (const { page, at, next } of scanOrderPages(this.ctx.baselinker, status, this.scanPosition.position)) {
        this.scanPosition = { status, position: at, skipIds: [...skip] };
        // Not fully handled: the next run reads this page again (its claims were given back).
        if (!(await this.handlePage(withoutIds(page, skip)))) return false;
        if (!next) break;
        skip = new Set(overlapIds(page, next));
        this.scanPosition = { status, position: next, skipIds: [...skip] };
        if (this.outOfTime()) return false;
      }
      if (s + 1 < statuses.length) {
        this.scanPosition = windowStart(statuses[s + 1]!);
        if (this.outOfTime()) return false;
      }
    }
    this.scanPosition = undefined;
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
   * Reads the journal after the cursor and handles the orders it names (and those a stopped run left pending),
   * fetched in pages (see `journalOrderPages`). Returns the new cursor: when the deadline stops the run, what it
   * did not handle stays pending in it.
   */
  async pollJournal(cursor: Pick<JournalCursor, 'lastLogId' | 'pending' | 'pendingDeleted'>): Promise<Omit<JournalCursor, 'polledAt'>> {
    let last = cursor.lastLogId;
    const events: JournalEntry[] = [];
    for (;;) {
      const logs = await this.ctx.baselinker.getJournalList({ last_log_id: last, logs_types: [...JOURNAL_TYPES] });
      const fresh = logs.filter((e) => e.log_id > last);
      events.push(...fresh);
      if (fresh.length) last = Math.max(...fresh.map((e) => e.log_id));
      if (fresh.length === 0 || logs.length < JOURNAL_FULL_PAGE || this.outOfTime()) break;
    }
    this.count('journalEvents', events.length);
    const { wanted, deleted } = journalWork(events, cursor, this.chosen, this.cancelled);
    for (const id of this.seen) wanted.delete(id);
    if (cursor.pending?.length || cursor.pendingDeleted?.length) this.count('journalPendingCarried', (cursor.pending?.length ?? 0) + (cursor.pendingDeleted?.length ?? 0));

    const left = (): Omit<JournalCursor, 'polledAt'> => {
      // The page the run stopped in stays pending, less what this run wrote of it.
      for (const id of this.transferred) wanted.delete(id);
      this.count('journalPendingLeft', wanted.size + deleted.size);
      if (wanted.size + deleted.size > JOURNAL_PENDING_MAX) {
        this.ctx.log.warn('too many journal orders left for the next run; the full scan will find them', { pending: wanted.size + deleted.size });
        return { lastLogId: last };
      }
      return { lastLogId: last, pending: [...wanted], pendingDeleted: [...deleted] };
    };
    if (this.outOfTime()) return left();
    const pages = journalOrderPages(this.ctx.baselinker, [...wanted]);
    for await (const page of pages) {
      this.count('journalPages');
      const mine = withOnlyIds(page, wanted);
      if (!(await this.handlePage(mine))) return left();
      for (const key of pageKeys(mine)) wanted.delete(key.id);
      if (this.outOfTime()) return left();
    }
    // The pages ended: what is still wanted is not a confirmed order (any more).
    wanted.clear();
    for (const orderId of [...deleted]) {
      if (this.outOfTime()) return left();
      await this.checkDeleted(orderId);
      deleted.delete(orderId);
    }
    return { lastLogId: last };
  }

  /**
   * Journal type 4 also covers an invoice or receipt removed, so only an order we sent can need a cancel, and
   * only if BaseLinker no longer has it: one getOrders by id (deletions of sent orders are few; a missing id would
   * keep the paged fetch from stopping early).
   */
  private async checkDeleted(orderId: number): Promise<void> {
    if (!(await this.ctx.orders.get(orderId))) return;
    const page = await this.ctx.baselinker.getOrders({ order_id: orderId });
    this.count('journalDeletionChecks');
    if (page.orders.length === 0 && page.rejected.length === 0) await this.cancel(orderId, 'deleted in BaseLinker');
    else await this.handlePage(page);
  }

  /** Final message for the run summary. */
  summary(): string | undefined {
    const waiting = this.result.counts?.waitingForArticles;
    return waiting ? `${waiting} order(s) wait for articles that are not in Ongoing yet` : undefined;
  }
}

/** The orders flow; options are for tests and tuning. */
/** The orders and reconcile flows' answer for a tenant that chose no order statuses (an articles- or stock-only setup). */
export const NO_ORDER_STATUSES = 'no BaseLinker order statuses chosen (baselinker.orderStatusIds): no orders to transfer for this tenant';

export function createOrdersFlow(options: OrdersFlowOptions = {}): Flow<NeedsOf<'orders'>> {
  const opts = { ...DEFAULTS, ...options };
  return async (ctx) => {
    if (ctx.tenant.baselinker.orderStatusIds.length === 0) return { ...emptyResult(), message: NO_ORDER_STATUSES };
    const sync = new OrderSync(ctx, opts);
    const { baselinker: settings } = ctx.tenant;
    const now = ctx.now();
    let cursor = await ctx.cursors.read(ORDERS_CURSOR, ordersCursorSchema);
    if (!cursor) {
      // Remembered before anything else: with lookbackDays 0 this is where "from now on" starts.
      cursor = { firstRunAt: Math.floor(now / 1000) };
      await ctx.cursors.write(ORDERS_CURSOR, cursor);
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
        cursor.journal = { ...(await sync.pollJournal(cursor.journal)), polledAt: now };
      }
      await ctx.cursors.write(ORDERS_CURSOR, cursor);
    }

    let stoppedScan: string | undefined;
    if (scanDue && !sync.outOfTime()) {
      sync.result.counts!.fullScan = 1;
      const fromS = scanWindowStart(settings.lookbackDays, cursor.firstRunAt, now);
      const resume = await resumableScan(ctx, fromS, sync.result.counts!.journalRestarted === 1, sync.result.counts!);
      if (resume) {
        sync.result.counts!.scanResumed = 1;
        ctx.log.info('continuing the unfinished order scan', { status: resume.status, from: resume.position.from, idFrom: resume.position.idFrom });
      }
      const passStartedAt = resume?.passStartedAt ?? now;
      let finished = false;
      try {
        finished = await sync.scan(fromS, resume);
      } finally {
        if (finished) {
          if (resume) await ctx.checkpoints.clear(ORDERS_SCAN_CHECKPOINT);
          cursor.lastScanAt = now;
          await ctx.cursors.write(ORDERS_CURSOR, cursor);
        } else if (sync.scanPosition) {
          // Also on an error: the next run goes on from the page in hand instead of the window start.
          const checkpoint: OrdersScanCheckpoint = {
            ...sync.scanPosition,
            passStartedAt,
            lookbackDays: settings.lookbackDays,
            orderStatusIds: settings.orderStatusIds,
            cancelledStatusIds: settings.cancelledStatusIds,
          };
          stoppedScan = `the order scan stopped in status ${checkpoint.status} at confirmation time ${checkpoint.position.from}; the next run continues from there`;
          await ctx.checkpoints
            .write(ORDERS_SCAN_CHECKPOINT, checkpoint)
            .catch((err) => ctx.log.error('could not save the order scan checkpoint', { error: String(err) }));
        }
      }
    }
    const message = [sync.summary(), stoppedScan].filter(Boolean).join('; ') || undefined;
    return { ...sync.result, message };
  };
}

/**
 * The saved checkpoint of an unfinished scan when it can be continued; a stale or unreadable one is dropped
 * (the scan then starts over at the window). After the journal restarted (events may be lost), always over.
 */
async function resumableScan(
  ctx: FlowContext<'checkpoints'>,
  windowStartS: number,
  journalRestarted: boolean,
  counts: Record<string, number>,
): Promise<OrdersScanCheckpoint | undefined> {
  let why: string | undefined;
  const saved = await unlessUnreadable(ctx.checkpoints.read(ORDERS_SCAN_CHECKPOINT, scanCheckpointSchema), () => (why = 'it cannot be read'));
  if (saved === undefined && why === undefined) return undefined;
  if (saved !== undefined) {
    why = journalRestarted ? 'the journal restarted, so events may have been lost' : staleScanCheckpoint(saved, ctx.tenant.baselinker, windowStartS);
    if (why === undefined) return saved;
  }
  ctx.log.info('starting the order scan over instead of continuing it', { reason: why });
  counts.scanStartedOver = 1;
  await ctx.checkpoints.clear(ORDERS_SCAN_CHECKPOINT);
  return undefined;
}

// Marked pure: the stock flow imports this module for its cursor helpers only, and without the mark esbuild keeps
// this call (so the whole orders flow) in the stock worker, as a top-level call might have effects.
export const ordersFlow = /* @__PURE__ */ createOrdersFlow();
