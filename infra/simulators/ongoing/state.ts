/**
 * In-memory state of the Ongoing simulator. Plain maps, open for tests to inspect (and, when a test
 * needs an odd situation, to edit). Ids come from separate increasing sequences that never reuse a
 * value, started at different offsets so a test that mixes up an orderId and an articleSystemId fails.
 */

export interface SimGoodsOwner {
  id: number;
  name: string;
}

export interface SimUser {
  user: string;
  password: string;
  goodsOwnerIds: number[];
}

export interface SimArticle {
  articleSystemId: number;
  goodsOwnerId: number;
  articleNumber: string;
  /** The fields of the last PUT, as sent (without goodsOwnerId). */
  data: Record<string, unknown>;
  numberOfItems: number;
  numberOfBookedItems: number;
  lockedForSaleNumberOfItems: number;
  createdAt: Date;
  dataUpdatedAt: Date;
  /** Drives the stockInfoChangedFrom filter. */
  stockChangedAt: Date;
}

export interface SimOrderLine {
  id: number;
  rowNumber: string;
  articleSystemId: number;
  articleNumber: string;
  numberOfItems: number;
  pickedNumberOfItems: number;
  data: Record<string, unknown>;
}

export interface SimTracking {
  waybill: string;
  trackingUrl: string;
  isReturnTracking: boolean;
  created: Date;
}

export interface SimOrder {
  orderId: number;
  goodsOwnerId: number;
  orderNumber: string;
  /** Header fields of the last PUT, as sent (without goodsOwnerId and orderLines). */
  data: Record<string, unknown>;
  lines: SimOrderLine[];
  status: number;
  /** True once the lines were picked (stock taken out). */
  picked: boolean;
  customerId?: number;
  wayBill?: string;
  returnWayBill?: string;
  tracking: SimTracking[];
  createdAt: Date;
  updatedAt: Date;
  statusChangedAt: Date;
  shippedTime?: Date;
}

export interface SimFile {
  fileId: number;
  orderId: number;
  fileName: string;
  mimeType: string;
  fileDataBase64: string;
  /** Only POST and PUT-by-id carry it; the by-name upload has no such field. */
  printingInfo?: unknown;
  /** Uploads that came with printing info (each one a print job at the warehouse). */
  printJobs?: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface SimCustomer {
  id: number;
  goodsOwnerId: number;
  customerNumber?: string;
  data: Record<string, unknown>;
}

export interface SimState {
  goodsOwners: Map<number, SimGoodsOwner>;
  users: Map<string, SimUser>;
  articles: Map<number, SimArticle>;
  orders: Map<number, SimOrder>;
  files: Map<number, SimFile>;
  customers: Map<number, SimCustomer>;
  /** Last id handed out per sequence. */
  sequences: { article: number; order: number; orderLine: number; customer: number; file: number; webhookEvent: number };
}

export function createState(): SimState {
  return {
    goodsOwners: new Map(),
    users: new Map(),
    articles: new Map(),
    orders: new Map(),
    files: new Map(),
    customers: new Map(),
    sequences: { article: 5000, order: 70000, orderLine: 100, customer: 9000, file: 180, webhookEvent: 98000 },
  };
}

export function nextId(state: SimState, sequence: keyof SimState['sequences']): number {
  state.sequences[sequence] += 1;
  return state.sequences[sequence];
}

export function findArticle(state: SimState, goodsOwnerId: number, articleNumber: string): SimArticle | undefined {
  for (const a of state.articles.values()) {
    if (a.goodsOwnerId === goodsOwnerId && a.articleNumber === articleNumber) return a;
  }
  return undefined;
}

export function findOrder(state: SimState, goodsOwnerId: number, orderNumber: string): SimOrder | undefined {
  for (const o of state.orders.values()) {
    if (o.goodsOwnerId === goodsOwnerId && o.orderNumber === orderNumber) return o;
  }
  return undefined;
}

export function sellable(a: SimArticle): number {
  return a.numberOfItems - a.numberOfBookedItems - a.lockedForSaleNumberOfItems;
}

/** Adds (or with a negative qty, releases) booked items for an order's lines. */
export function bookLines(state: SimState, lines: SimOrderLine[], sign: 1 | -1, now: Date): void {
  for (const line of lines) {
    const article = state.articles.get(line.articleSystemId);
    if (!article) continue;
    article.numberOfBookedItems = Math.max(0, article.numberOfBookedItems + sign * line.numberOfItems);
    article.stockChangedAt = now;
  }
}

/** Picking takes the goods off the shelf: physical and booked both drop. */
export function pickLines(state: SimState, order: SimOrder, now: Date): void {
  if (order.picked) return;
  for (const line of order.lines) {
    const article = state.articles.get(line.articleSystemId);
    line.pickedNumberOfItems = line.numberOfItems;
    if (!article) continue;
    article.numberOfItems = Math.max(0, article.numberOfItems - line.numberOfItems);
    article.numberOfBookedItems = Math.max(0, article.numberOfBookedItems - line.numberOfItems);
    article.stockChangedAt = now;
  }
  order.picked = true;
}
