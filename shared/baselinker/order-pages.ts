import { ORDERS_PAGE_SIZE, type BaseLinkerClient, type GetOrdersResult } from './client';

/**
 * Paging through BaseLinker's getOrders by status and confirmation time (reference baselinker-api.md §8.2):
 * pages of 100, sorted by confirmation time, with `id_from` to page through one second holding more than a page,
 * and the journal's named orders read in pages under an id floor. Beside the client's other paging (the product
 * list and stock pages in client.ts): how BaseLinker pages is the client's knowledge, not a flow's.
 */

/** A positive integer, also from the digit strings BaseLinker sends in places; undefined otherwise. */
export function readableInt(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : undefined;
}

/** (order id, confirmation time) of every order on a page, readable rejected ones included. */
export function pageKeys(page: GetOrdersResult): Array<{ id: number; confirmed: number }> {
  const keys = page.orders.map((o) => ({ id: o.order_id, confirmed: o.date_confirmed }));
  for (const r of page.rejected) {
    const raw = (r.raw ?? {}) as Record<string, unknown>;
    const id = readableInt(raw.order_id);
    const confirmed = readableInt(raw.date_confirmed);
    if (id !== undefined && confirmed !== undefined) keys.push({ id, confirmed });
  }
  return keys;
}

/** Where a status scan reads its next page: confirmation time from, and within that second the order id from. */
export interface ScanPosition {
  from: number;
  idFrom?: number;
}

export interface ScanStep {
  page: GetOrdersResult;
  /** The position this page was read from. */
  at: ScanPosition;
  /** The position of the next page; undefined when this page ended the scan. */
  next?: ScanPosition;
}

/**
 * The cursor is the highest confirmation time seen, without +1 (so a second split across pages is read again
 * rather than skipped); when a full page shares one second, that second is paged with `id_from`, and then the
 * scan goes on from the next second. A page under 100 ends the scan.
 */
function nextPosition(at: ScanPosition, page: GetOrdersResult): ScanPosition | undefined {
  const keys = pageKeys(page);
  const full = page.received >= ORDERS_PAGE_SIZE;
  const maxId = () => Math.max(...keys.map((k) => k.id));
  if (at.idFrom === undefined) {
    if (!full) return undefined;
    const latest = Math.max(...keys.map((k) => k.confirmed), at.from);
    // A whole page confirmed in the same second: the date cursor cannot move past it, so page that second
    // by id (the page is sorted by id within the second, so the rest of it has higher ids).
    if (keys.length > 0 && keys.every((k) => k.confirmed === latest)) return { from: latest, idFrom: maxId() + 1 };
    return { from: latest };
  }
  if (full && keys.length > 0 && keys.every((k) => k.confirmed === at.from)) return { from: at.from, idFrom: maxId() + 1 };
  // That second is exhausted; later seconds may hold ids below idFrom, so go on without it.
  return { from: at.from + 1 };
}

/** Ids on `page` that the page read from `next` will return again (the overlap of the date cursor). */
export function overlapIds(page: GetOrdersResult, next: ScanPosition): number[] {
  if (next.idFrom !== undefined) return [];
  return pageKeys(page)
    .filter((k) => k.confirmed >= next.from)
    .map((k) => k.id);
}

/**
 * Every order currently in `statusId` confirmed at or after `start`, page by page, each with its position
 * (orders may repeat across pages; de-duplicate by id).
 */
export async function* scanOrderPages(bl: BaseLinkerClient, statusId: number, start: ScanPosition): AsyncGenerator<ScanStep> {
  let at: ScanPosition = start;
  for (;;) {
    const page = await bl.getOrders({
      status_id: statusId,
      date_confirmed_from: at.from,
      get_unconfirmed_orders: false,
      ...(at.idFrom ? { id_from: at.idFrom } : {}),
    });
    const next = nextPosition(at, page);
    yield { page, at, next };
    if (!next) return;
    at = next;
  }
}

/** Every order currently in `statusId` confirmed at or after `fromS`, page by page (see `scanOrderPages`). */
export async function* scanOrders(bl: BaseLinkerClient, statusId: number, fromS: number): AsyncGenerator<GetOrdersResult> {
  for await (const step of scanOrderPages(bl, statusId, { from: fromS })) yield step.page;
}

export function withoutIds(page: GetOrdersResult, skip: Set<number>): GetOrdersResult {
  if (skip.size === 0) return page;
  return {
    ...page,
    orders: page.orders.filter((o) => !skip.has(o.order_id)),
    rejected: page.rejected.filter((r) => {
      const id = readableInt(r.orderId);
      return id === undefined || !skip.has(id);
    }),
  };
}

/**
 * Pages of `getOrders` that together hold every order of `ids` BaseLinker still has as a confirmed order, at one
 * call per 100 orders when the ids are about in confirmation order (new orders are). getOrders sorts by
 * confirmation time, then id (reference §5.1, §8.4), so the pages walk a confirmation-date cursor exactly like
 * the status scan (`nextPosition`), under an id floor: `id_from` = the lowest id not found yet. The floor keeps
 * older orders out, and it rises as orders are found, so the orders of a second split across two pages are not
 * read twice when their ids rise with the confirmation time. It stops as soon as every id is found, or on a page
 * under 100 (what is still missing then is unconfirmed or deleted). Pages may hold other orders too: filter by id.
 */
export async function* journalOrderPages(bl: BaseLinkerClient, ids: Iterable<number>): AsyncGenerator<GetOrdersResult> {
  const remaining = new Set(ids);
  let at: ScanPosition = { from: 0 };
  while (remaining.size > 0) {
    const floor = Math.min(...remaining);
    const page = await bl.getOrders({
      id_from: Math.max(floor, at.idFrom ?? 0),
      get_unconfirmed_orders: false,
      ...(at.from > 0 ? { date_confirmed_from: at.from } : {}),
    });
    for (const key of pageKeys(page)) remaining.delete(key.id);
    yield page;
    const next = nextPosition(at, page);
    if (!next) return;
    at = next;
  }
}

export function withOnlyIds(page: GetOrdersResult, ids: Set<number>): GetOrdersResult {
  return {
    ...page,
    orders: page.orders.filter((o) => ids.has(o.order_id)),
    rejected: page.rejected.filter((r) => {
      const id = readableInt(r.orderId);
      return id !== undefined && ids.has(id);
    }),
  };
}
