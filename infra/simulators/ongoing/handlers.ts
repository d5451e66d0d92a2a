import { ORDER_STATUSES, articleModel, orderModel } from './models';
import {
  type SimArticle,
  type SimOrder,
  type SimOrderLine,
  type SimState,
  type SimUser,
  bookLines,
  findArticle,
  findOrder,
  nextId,
} from './state';

/** Route handlers of the Ongoing simulator: validation, upserts, stock bookings, paging, as in §11. */

export interface SimSettings {
  /** Order updates and cancels are refused from this status on. Default 300. */
  lockedFromStatus: number;
  /** HTTP status of PUT /orders when it creates an order. Default 201 (updates answer 200). */
  orderCreatedStatus: 200 | 201;
  /** 'replace': the PUT's lines are the order's lines (missing rowNumbers removed); 'merge': kept. */
  linesOnUpdate: 'replace' | 'merge';
  /** Paging fault: ignore `articleSystemIdFrom` / `orderIdFrom` (max…ToGet still caps). */
  ignorePagingCursor: boolean;
  transporterContracts: unknown[];
}

export interface HandlerContext {
  state: SimState;
  settings: SimSettings;
  now: Date;
  user: SimUser;
  query: URLSearchParams;
  body: unknown;
  id?: number;
  /** The second id in the path, e.g. `{fileId}`. */
  subId?: number;
}

export interface HandlerResult {
  status: number;
  body: unknown;
}

/** A refusal with Ongoing-style text; `fields` makes it a model-validation error (ASP.NET ModelState). */
export class SimHttpError extends Error {
  constructor(
    readonly status: number,
    text: string,
    readonly fields?: Record<string, string[]>,
  ) {
    super(text);
  }
}

const DAY_MS = 24 * 3600_000;

// ------------------------------------------------------------ helpers

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bodyObject(ctx: HandlerContext, what: string): Record<string, unknown> {
  if (!isRecord(ctx.body)) throw new SimHttpError(400, `The request is invalid: a ${what} object is required in the body.`);
  return ctx.body;
}

function assertAccess(ctx: HandlerContext, goodsOwnerId: number): void {
  if (!ctx.user.goodsOwnerIds.includes(goodsOwnerId) || !ctx.state.goodsOwners.has(goodsOwnerId)) {
    throw new SimHttpError(403, `The API user has no access to goods owner ${goodsOwnerId}.`);
  }
}

function queryGoodsOwner(ctx: HandlerContext): number {
  const raw = ctx.query.get('goodsOwnerId');
  const id = raw === null ? NaN : Number(raw);
  if (!Number.isInteger(id)) throw new SimHttpError(400, 'The parameter goodsOwnerId is required and must be an integer.');
  assertAccess(ctx, id);
  return id;
}

function bodyGoodsOwner(ctx: HandlerContext, body: Record<string, unknown>, model: string): number {
  const id = body.goodsOwnerId;
  if (typeof id !== 'number' || !Number.isInteger(id)) {
    throw new SimHttpError(400, 'The GoodsOwnerId field is required.', { [`${model}.goodsOwnerId`]: ['The GoodsOwnerId field is required.'] });
  }
  assertAccess(ctx, id);
  return id;
}

/** The order behind `{orderId}`, or 404 when unknown or another goods owner's (ids are not leaked). */
function ownOrder(ctx: HandlerContext): SimOrder {
  const order = ctx.id === undefined ? undefined : ctx.state.orders.get(ctx.id);
  if (!order || !ctx.user.goodsOwnerIds.includes(order.goodsOwnerId)) {
    throw new SimHttpError(404, `Order with id ${ctx.id} was not found.`);
  }
  return order;
}

function nonEmpty(v: unknown): v is string {
  return typeof v === 'string' && v.trim() !== '';
}

function dateParam(ctx: HandlerContext, name: string): Date | undefined {
  const raw = ctx.query.get(name);
  if (raw === null || raw === '') return undefined;
  const d = new Date(raw);
  if (Number.isNaN(d.getTime())) throw new SimHttpError(400, `The value '${raw}' is not valid for ${name}.`);
  return d;
}

function intParam(ctx: HandlerContext, name: string): number | undefined {
  const raw = ctx.query.get(name);
  if (raw === null || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new SimHttpError(400, `The value '${raw}' is not valid for ${name}.`);
  return n;
}

function boolParam(ctx: HandlerContext, name: string): boolean {
  return (ctx.query.get(name) ?? '').toLowerCase() === 'true';
}

/** Repeated keys only: `a=1&a=2` is two values, `a=1,2` is the single value "1,2" (as Ongoing does). */
function listParam(ctx: HandlerContext, plural: string, singular?: string): string[] | undefined {
  const values = [...ctx.query.getAll(plural), ...(singular ? ctx.query.getAll(singular) : [])];
  return values.length ? values : undefined;
}

/** Id-cursor paging exactly as documented: `…IdFrom` is >=, `max…ToGet` caps, ascending ids. */
function page<T>(ctx: HandlerContext, items: T[], idOf: (t: T) => number, fromParam: string, maxParam: string): T[] {
  const from = ctx.settings.ignorePagingCursor ? undefined : intParam(ctx, fromParam);
  const max = intParam(ctx, maxParam);
  const sorted = items.filter((t) => from === undefined || idOf(t) >= from).sort((a, b) => idOf(a) - idOf(b));
  return max !== undefined && max >= 0 ? sorted.slice(0, max) : sorted;
}

// ------------------------------------------------------------ articles

export function putArticle(ctx: HandlerContext): HandlerResult {
  const body = bodyObject(ctx, 'article');
  const goodsOwnerId = bodyGoodsOwner(ctx, body, 'article');
  if (!nonEmpty(body.articleNumber)) {
    throw new SimHttpError(400, 'The ArticleNumber field is required.', { 'article.articleNumber': ['The ArticleNumber field is required.'] });
  }
  const { goodsOwnerId: _drop, ...data } = body;
  void _drop;
  const articleNumber = body.articleNumber;
  let article = findArticle(ctx.state, goodsOwnerId, articleNumber);
  if (article) {
    article.data = data;
    article.dataUpdatedAt = ctx.now;
  } else {
    article = {
      articleSystemId: nextId(ctx.state, 'article'),
      goodsOwnerId,
      articleNumber,
      data,
      numberOfItems: 0,
      numberOfBookedItems: 0,
      lockedForSaleNumberOfItems: 0,
      createdAt: ctx.now,
      dataUpdatedAt: ctx.now,
      stockChangedAt: ctx.now,
    };
    ctx.state.articles.set(article.articleSystemId, article);
  }
  const name = typeof data.articleName === 'string' ? ` ${data.articleName}` : '';
  return { status: 200, body: { articleSystemId: article.articleSystemId, message: `Article ${articleNumber}${name} Updated/Created` } };
}

export function getArticles(ctx: HandlerContext): HandlerResult {
  const goodsOwnerId = queryGoodsOwner(ctx);
  const numbers = listParam(ctx, 'articleNumbers', 'articleNumber');
  const productCodes = listParam(ctx, 'productCodes', 'productCode');
  const stockFrom = dateParam(ctx, 'stockInfoChangedFrom');
  if (stockFrom && stockFrom.getTime() < ctx.now.getTime() - DAY_MS) {
    throw new SimHttpError(400, 'StockInfoChangedFrom can not be older than 24 hours.');
  }
  const dataFrom = dateParam(ctx, 'articleDataLastUpdatedFrom');
  const onlyInStock = boolParam(ctx, 'onlyArticlesInStock');
  const matches = [...ctx.state.articles.values()].filter(
    (a: SimArticle) =>
      a.goodsOwnerId === goodsOwnerId &&
      (!numbers || numbers.includes(a.articleNumber)) &&
      (!productCodes || productCodes.includes(String(a.data.productCode ?? ''))) &&
      (!stockFrom || a.stockChangedAt.getTime() >= stockFrom.getTime()) &&
      (!dataFrom || a.dataUpdatedAt.getTime() >= dataFrom.getTime()) &&
      (!onlyInStock || a.numberOfItems > 0),
  );
  const result = page(ctx, matches, (a) => a.articleSystemId, 'articleSystemIdFrom', 'maxArticlesToGet');
  return { status: 200, body: result.map((a) => articleModel(ctx.state, a)) };
}

export function getArticle(ctx: HandlerContext): HandlerResult {
  const article = ctx.id === undefined ? undefined : ctx.state.articles.get(ctx.id);
  if (!article || !ctx.user.goodsOwnerIds.includes(article.goodsOwnerId)) {
    throw new SimHttpError(404, `Article with id ${ctx.id} was not found.`);
  }
  return { status: 200, body: articleModel(ctx.state, article) };
}

// ------------------------------------------------------------ orders

function validateOrder(ctx: HandlerContext, body: Record<string, unknown>, goodsOwnerId: number): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  const add = (field: string, text: string) => (errors[`order.${field}`] ??= []).push(text);
  if (!nonEmpty(body.orderNumber)) add('orderNumber', 'The OrderNumber field is required.');
  else if (body.orderNumber.length > 50) add('orderNumber', 'The field OrderNumber must be a string with a maximum length of 50.');
  if (!nonEmpty(body.deliveryDate)) add('deliveryDate', 'The DeliveryDate field is required.');
  else if (Number.isNaN(Date.parse(body.deliveryDate))) add('deliveryDate', `The value '${body.deliveryDate}' is not valid for DeliveryDate.`);
  if (!isRecord(body.consignee)) add('consignee', 'The Consignee field is required.');
  if (typeof body.orderRemark === 'string' && body.orderRemark.length > 500) {
    add('orderRemark', 'The field OrderRemark must be a string with a maximum length of 500.');
  }
  if (typeof body.servicePointCode === 'string' && body.servicePointCode.length > 50) {
    add('servicePointCode', 'The field ServicePointCode must be a string with a maximum length of 50.');
  }
  const lines = body.orderLines ?? [];
  if (!Array.isArray(lines)) {
    add('orderLines', 'The field OrderLines must be an array.');
    return errors;
  }
  const seen = new Set<string>();
  lines.forEach((line: unknown, i) => {
    const at = `orderLines[${i}]`;
    if (!isRecord(line)) return add(at, 'An order line must be an object.');
    if (!nonEmpty(line.rowNumber)) add(`${at}.rowNumber`, 'The RowNumber field is required.');
    else if (seen.has(line.rowNumber)) add(`${at}.rowNumber`, `Duplicate RowNumber '${line.rowNumber}' on the order.`);
    else seen.add(line.rowNumber);
    if (!nonEmpty(line.articleNumber)) add(`${at}.articleNumber`, 'The ArticleNumber field is required.');
    else if (!findArticle(ctx.state, goodsOwnerId, line.articleNumber)) {
      add(`${at}.articleNumber`, `Article with article number '${line.articleNumber}' does not exist.`);
    }
    if (typeof line.numberOfItems !== 'number' || !(line.numberOfItems > 0)) {
      add(`${at}.numberOfItems`, 'The NumberOfItems field must be a number greater than 0.');
    }
  });
  return errors;
}

function upsertCustomer(ctx: HandlerContext, goodsOwnerId: number, consignee: Record<string, unknown>): { id: number; created: boolean } {
  const customerNumber = nonEmpty(consignee.customerNumber) ? consignee.customerNumber : undefined;
  if (customerNumber) {
    for (const c of ctx.state.customers.values()) {
      if (c.goodsOwnerId === goodsOwnerId && c.customerNumber === customerNumber) {
        c.data = consignee;
        return { id: c.id, created: false };
      }
    }
  }
  const id = nextId(ctx.state, 'customer');
  ctx.state.customers.set(id, { id, goodsOwnerId, customerNumber, data: consignee });
  return { id, created: true };
}

function buildLines(ctx: HandlerContext, goodsOwnerId: number, raw: Record<string, unknown>[], previous: SimOrderLine[]): SimOrderLine[] {
  return raw.map((line) => {
    const article = findArticle(ctx.state, goodsOwnerId, line.articleNumber as string)!;
    const old = previous.find((p) => p.rowNumber === line.rowNumber);
    const { rowNumber: _r, articleNumber: _a, numberOfItems: _n, ...data } = line;
    void _r, _a, _n;
    return {
      id: old?.id ?? nextId(ctx.state, 'orderLine'),
      rowNumber: line.rowNumber as string,
      articleSystemId: article.articleSystemId,
      articleNumber: article.articleNumber,
      numberOfItems: line.numberOfItems as number,
      pickedNumberOfItems: 0,
      data,
    };
  });
}

export function putOrder(ctx: HandlerContext): HandlerResult {
  const body = bodyObject(ctx, 'order');
  const goodsOwnerId = bodyGoodsOwner(ctx, body, 'order');
  const errors = validateOrder(ctx, body, goodsOwnerId);
  if (Object.keys(errors).length) throw new SimHttpError(400, Object.values(errors).flat().join(' '), errors);

  const orderNumber = body.orderNumber as string;
  const existing = findOrder(ctx.state, goodsOwnerId, orderNumber);
  if (existing && existing.status >= ctx.settings.lockedFromStatus) {
    throw new SimHttpError(
      400,
      `Order ${orderNumber} can not be updated since the order has status ${existing.status} ` +
        `and the warehouse has started working on it.`,
    );
  }
  const { goodsOwnerId: _g, orderLines: rawLines, ...data } = body;
  void _g;
  const lines = (Array.isArray(rawLines) ? rawLines : []) as Record<string, unknown>[];
  const customer = upsertCustomer(ctx, goodsOwnerId, body.consignee as Record<string, unknown>);
  const customerText = customer.created ? 'created' : 'updated';
  const customerNumber = (body.consignee as Record<string, unknown>).customerNumber;
  const message =
    `Customer with customer number '${customerNumber ?? ''}' and ID '${customer.id}' ${customerText}. <br/> <br/>` +
    `Order number ${orderNumber} created/updated`;

  if (existing) {
    bookLines(ctx.state, existing.lines, -1, ctx.now);
    let next = buildLines(ctx, goodsOwnerId, lines, existing.lines);
    if (ctx.settings.linesOnUpdate === 'merge') {
      const kept = existing.lines.filter((old) => !next.some((n) => n.rowNumber === old.rowNumber));
      next = [...kept, ...next];
    }
    existing.lines = next;
    existing.data = data;
    existing.customerId = customer.id;
    existing.updatedAt = ctx.now;
    bookLines(ctx.state, existing.lines, 1, ctx.now);
    return { status: 200, body: { orderId: existing.orderId, message } };
  }
  const order: SimOrder = {
    orderId: nextId(ctx.state, 'order'),
    goodsOwnerId,
    orderNumber,
    data,
    lines: buildLines(ctx, goodsOwnerId, lines, []),
    status: 200,
    picked: false,
    customerId: customer.id,
    tracking: [],
    createdAt: ctx.now,
    updatedAt: ctx.now,
    statusChangedAt: ctx.now,
  };
  ctx.state.orders.set(order.orderId, order);
  bookLines(ctx.state, order.lines, 1, ctx.now);
  return { status: ctx.settings.orderCreatedStatus, body: { orderId: order.orderId, message } };
}

export function getOrder(ctx: HandlerContext): HandlerResult {
  return { status: 200, body: orderModel(ctx.state, ownOrder(ctx)) };
}

export function getOrders(ctx: HandlerContext): HandlerResult {
  const goodsOwnerId = queryGoodsOwner(ctx);
  const numbers = listParam(ctx, 'orderNumbers', 'orderNumber');
  const references = listParam(ctx, 'referenceNumbers');
  const articleNumbers = listParam(ctx, 'articleNumbers');
  const marketPlace = ctx.query.get('marketPlace');
  const statusFrom = intParam(ctx, 'orderStatusFrom');
  const statusTo = intParam(ctx, 'orderStatusTo');
  const changedFrom = dateParam(ctx, 'orderStatusChangedTimeFrom');
  const updatedFrom = dateParam(ctx, 'orderUpdatedTimeFrom');
  if (updatedFrom && updatedFrom.getTime() < ctx.now.getTime() - 2 * DAY_MS) {
    throw new SimHttpError(400, 'OrderUpdatedTimeFrom can not be older than 2 days.');
  }
  const createdFrom = dateParam(ctx, 'orderCreatedTimeFrom');
  const createdTo = dateParam(ctx, 'orderCreatedTimeTo');
  const shippedFrom = dateParam(ctx, 'shippedTimeFrom');
  const shippedTo = dateParam(ctx, 'shippedTimeTo');
  const t = (d: Date | undefined) => d?.getTime() ?? NaN;
  const matches = [...ctx.state.orders.values()].filter((o) => {
    const market = (o.data.marketPlace as Record<string, unknown> | undefined)?.marketPlace;
    return (
      o.goodsOwnerId === goodsOwnerId &&
      (!numbers || numbers.includes(o.orderNumber)) &&
      (!references || references.includes(String(o.data.referenceNumber ?? ''))) &&
      (!articleNumbers || o.lines.some((l) => articleNumbers.includes(l.articleNumber))) &&
      (marketPlace === null || market === marketPlace) &&
      (statusFrom === undefined || o.status >= statusFrom) &&
      (statusTo === undefined || o.status <= statusTo) &&
      (!changedFrom || o.statusChangedAt >= changedFrom) &&
      (!updatedFrom || o.updatedAt >= updatedFrom) &&
      (!createdFrom || o.createdAt >= createdFrom) &&
      (!createdTo || o.createdAt <= createdTo) &&
      (!shippedFrom || t(o.shippedTime) >= shippedFrom.getTime()) &&
      (!shippedTo || t(o.shippedTime) <= shippedTo.getTime())
    );
  });
  const result = page(ctx, matches, (o) => o.orderId, 'orderIdFrom', 'maxOrdersToGet');
  return { status: 200, body: result.map((o) => orderModel(ctx.state, o)) };
}

function cancel(ctx: HandlerContext, order: SimOrder): HandlerResult {
  if (order.status === 1000) throw new SimHttpError(400, `Order ${order.orderNumber} is already cancelled.`);
  if (order.status >= ctx.settings.lockedFromStatus) {
    throw new SimHttpError(
      400,
      `Order ${order.orderNumber} can not be cancelled since the order has status ${order.status} ` +
        `and the warehouse has started working on it.`,
    );
  }
  if (!order.picked) bookLines(ctx.state, order.lines, -1, ctx.now);
  order.status = 1000;
  order.statusChangedAt = ctx.now;
  order.updatedAt = ctx.now;
  return { status: 200, body: { orderId: order.orderId, message: `Order ${order.orderNumber} was cancelled.` } };
}

export function deleteOrder(ctx: HandlerContext): HandlerResult {
  return cancel(ctx, ownOrder(ctx));
}

export function deleteOrderByNumber(ctx: HandlerContext): HandlerResult {
  const goodsOwnerId = queryGoodsOwner(ctx);
  const number = ctx.query.get('orderNumber');
  const order = number ? findOrder(ctx.state, goodsOwnerId, number) : undefined;
  if (!order) throw new SimHttpError(404, `Order with order number '${number ?? ''}' was not found.`);
  return cancel(ctx, order);
}

export function getOrderStatuses(): HandlerResult {
  return { status: 200, body: { orderStatuses: ORDER_STATUSES } };
}

// ------------------------------------------------------------ files, tracking, patches

interface FileContent {
  mimeType: string;
  fileDataBase64: string;
  printingInfo?: unknown;
}

/** The file's content; the body has passed the model check, so only what the model cannot say is checked here. */
function fileBody(ctx: HandlerContext): FileContent {
  const body = bodyObject(ctx, 'file');
  const data = body.fileDataBase64 as string;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data) || data.length % 4 !== 0) {
    throw new SimHttpError(400, 'FileDataBase64 is not a valid Base-64 string.', { 'file.fileDataBase64': ['FileDataBase64 is not a valid Base-64 string.'] });
  }
  const advanced = isRecord(body.advanced) ? body.advanced : undefined;
  return {
    mimeType: body.mimeType as string,
    fileDataBase64: data,
    ...(advanced?.printingInfo != null && { printingInfo: advanced.printingInfo }),
  };
}

function checkFileName(name: unknown): string {
  if (!nonEmpty(name)) throw new SimHttpError(400, 'The fileName is required.');
  if (name.length > 300) throw new SimHttpError(400, 'The fileName can be at most 300 characters.');
  return name;
}

function storeFile(ctx: HandlerContext, orderId: number, fileName: string, content: FileContent): HandlerResult {
  const fileId = nextId(ctx.state, 'file');
  const printJobs = content.printingInfo ? 1 : 0;
  ctx.state.files.set(fileId, { fileId, orderId, fileName, ...content, printJobs, createdAt: ctx.now, updatedAt: ctx.now });
  return { status: 200, body: { fileId, success: true, message: `FileId ${fileId} created` } };
}

/** PUT ?fileName=: creates or replaces by name; the model has no printing info (a replaced file keeps none). */
export function putOrderFile(ctx: HandlerContext): HandlerResult {
  const order = ownOrder(ctx);
  const fileName = checkFileName(ctx.query.get('fileName'));
  const content = fileBody(ctx);
  const existing = [...ctx.state.files.values()].find((f) => f.orderId === order.orderId && f.fileName === fileName);
  if (existing) {
    Object.assign(existing, content, { printingInfo: undefined, updatedAt: ctx.now });
    return { status: 200, body: { fileId: existing.fileId, success: true, message: `FileId ${existing.fileId} updated` } };
  }
  return storeFile(ctx, order.orderId, fileName, content);
}

/** POST: always a new file, with its printing info (each one printed). */
export function postOrderFile(ctx: HandlerContext): HandlerResult {
  const order = ownOrder(ctx);
  const body = bodyObject(ctx, 'file');
  return storeFile(ctx, order.orderId, checkFileName(body.fileName), fileBody(ctx));
}

/** PUT /files/{fileId}: replaces that file (name, content, printing info). */
export function putOrderFileById(ctx: HandlerContext): HandlerResult {
  const order = ownOrder(ctx);
  const existing = ctx.subId === undefined ? undefined : ctx.state.files.get(ctx.subId);
  if (!existing || existing.orderId !== order.orderId) throw new SimHttpError(404, `File with id ${ctx.subId} was not found on order ${order.orderId}.`);
  const body = bodyObject(ctx, 'file');
  const content = fileBody(ctx);
  Object.assign(existing, { printingInfo: undefined }, content, {
    fileName: checkFileName(body.fileName),
    printJobs: (existing.printJobs ?? 0) + (content.printingInfo ? 1 : 0),
    updatedAt: ctx.now,
  });
  return { status: 200, body: { fileId: existing.fileId, success: true, message: `FileId ${existing.fileId} updated` } };
}

export function getOrderFiles(ctx: HandlerContext): HandlerResult {
  const order = ownOrder(ctx);
  const files = [...ctx.state.files.values()]
    .filter((f) => f.orderId === order.orderId)
    .sort((a, b) => a.fileId - b.fileId)
    .map((f) => ({
      fileId: f.fileId,
      orderId: f.orderId,
      articleSystemId: null,
      purchaseOrderId: null,
      fileName: f.fileName,
      mimeType: f.mimeType,
      fileDataBase64: f.fileDataBase64,
    }));
  return { status: 200, body: files };
}

function waybillValue(v: unknown, field: string): string {
  if (!nonEmpty(v)) throw new SimHttpError(400, `The ${field} field is required.`, { [`model.${field}`]: [`The ${field} field is required.`] });
  if (v.length > 50) {
    throw new SimHttpError(400, `The field ${field} must be a string with a maximum length of 50.`, {
      [`model.${field}`]: [`The field ${field} must be a string with a maximum length of 50.`],
    });
  }
  return v;
}

export function putOrderTracking(ctx: HandlerContext): HandlerResult {
  const order = ownOrder(ctx);
  const body = bodyObject(ctx, 'tracking');
  const waybill = waybillValue(body.waybill, 'waybill');
  if (!nonEmpty(body.trackingUrl)) throw new SimHttpError(400, 'The TrackingUrl field is required.', { 'model.trackingUrl': ['The TrackingUrl field is required.'] });
  if (typeof body.isReturnTracking !== 'boolean') {
    throw new SimHttpError(400, 'The IsReturnTracking field is required.', { 'model.isReturnTracking': ['The IsReturnTracking field is required.'] });
  }
  const existing = order.tracking.find((t) => t.waybill === waybill);
  if (existing) {
    existing.trackingUrl = body.trackingUrl;
    existing.isReturnTracking = body.isReturnTracking;
  } else {
    order.tracking.push({ waybill, trackingUrl: body.trackingUrl, isReturnTracking: body.isReturnTracking, created: ctx.now });
  }
  if (body.isReturnTracking) order.returnWayBill ??= waybill;
  else order.wayBill ??= waybill;
  order.updatedAt = ctx.now;
  return { status: 200, body: { success: true, message: `Waybill ${waybill} ${existing ? 'updated' : 'created'}.` } };
}

export function patchWaybill(ctx: HandlerContext): HandlerResult {
  const order = ownOrder(ctx);
  const body = bodyObject(ctx, 'waybill');
  order.wayBill = waybillValue(body.waybill, 'waybill');
  order.updatedAt = ctx.now;
  return { status: 200, body: { orderId: order.orderId, message: 'Waybill updated.' } };
}

export function patchOrderRemark(ctx: HandlerContext): HandlerResult {
  const order = ownOrder(ctx);
  const body = bodyObject(ctx, 'orderRemark');
  const remark = body.orderRemark;
  if (typeof remark !== 'string') throw new SimHttpError(400, 'The OrderRemark field is required.');
  if (remark.length > 500) throw new SimHttpError(400, 'The field OrderRemark must be a string with a maximum length of 500.');
  order.data = { ...order.data, orderRemark: remark };
  order.updatedAt = ctx.now;
  return { status: 200, body: { orderId: order.orderId, message: 'Order remark updated.' } };
}

export function getTransporterContracts(ctx: HandlerContext): HandlerResult {
  queryGoodsOwner(ctx);
  return { status: 200, body: ctx.settings.transporterContracts };
}
