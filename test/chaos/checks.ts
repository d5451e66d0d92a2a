import type { BaseLinkerClient } from '../../shared/baselinker/client';
import type { TenantConfig } from '../../shared/config';
import { stockLevel } from '../../shared/flows/stock';
import { mapProduct } from '../../shared/mapping/article';
import type { StatePorts } from '../../shared/state';
import type { BaseLinkerSimulator, StockWriteRecord } from '../../infra/simulators/baselinker';
import { sellable } from '../../infra/simulators/ongoing/state';
import type { OngoingSimulator, SimOrder } from '../../infra/simulators/ongoing';
import type { OrderModel, RunRecord } from './harness';

/**
 * The invariants of a chaos seed, checked against what the simulators hold after the final clean pass (what a
 * person would see in BaseLinker and Ongoing), never against our own records alone. Doubles are counted the way
 * the services would show them: Ongoing orders per BaseLinker order id (goodsOwnerOrderId, not the upsert key),
 * label files per Ongoing order, BaseLinker packages per order whatever their type, stock writes per level.
 */

export interface CheckFigures {
  losses: number;
  duplicates: { orders: number; packages: number; labels: number; stockWrites: number };
  wrongStock: number;
  /** Shipped orders BaseLinker does not show in the status after shipment. */
  wrongStatus: number;
  /** Items set aside for a person about something that is fine (an order in Ongoing, a shipment done, a cancel done). */
  falseAlarms: number;
  /** Stock writes that repeated the product's previous level while BaseLinker still showed it (a retry after a lost answer, a rerun after a failed run). */
  rewrittenLevels: number;
  /** Stock writes that repeated the product's previous level to undo a change BaseLinker or someone else made to it since (drift put right). */
  driftCorrected: number;
  missingTracking: number;
  /** Done shipments whose Ongoing order carries another tracking link than BaseLinker lists for the package. */
  wrongLinks: number;
  /** Times our own requests got the token blocked by the rate limit (injected blocks not included). */
  blocks: number;
  /** Token blocks injected that met a request. */
  injectedBlocks: number;
  /** Requests that still reached BaseLinker while the token was blocked. */
  sentIntoBlock: number;
  /** Most requests BaseLinker received in any window of its rate limit. */
  peakWindow: number;
  problems: string[];
}

export interface CheckInput {
  bl: BaseLinkerSimulator;
  ongoing: OngoingSimulator;
  tenant: TenantConfig;
  state: StatePorts;
  baselinker: BaseLinkerClient;
  orders: ReadonlyMap<number, OrderModel>;
  runs: readonly RunRecord[];
  chosen: readonly number[];
  /** The tenant's status after shipment. */
  sentStatus: number;
  warehouseKey: string;
  rateWindowMs: number;
  /** Processes on the token: each may have had a request under way when the block came. */
  processes: number;
}

/** Requests a process may have had under way (budget taken) when another process's request met the block. */
const IN_FLIGHT_PER_PROCESS = 2;

/** Every figure at zero: a seed's starting point, before the checks count what they find. */
export function emptyCheckFigures(): CheckFigures {
  return {
    losses: 0,
    duplicates: { orders: 0, packages: 0, labels: 0, stockWrites: 0 },
    wrongStock: 0,
    wrongStatus: 0,
    falseAlarms: 0,
    rewrittenLevels: 0,
    driftCorrected: 0,
    missingTracking: 0,
    wrongLinks: 0,
    blocks: 0,
    injectedBlocks: 0,
    sentIntoBlock: 0,
    peakWindow: 0,
    problems: [],
  };
}

export async function checkSeed(input: CheckInput): Promise<CheckFigures> {
  const { bl, ongoing, tenant, state } = input;
  const figures = emptyCheckFigures();
  const problem = (line: string) => figures.problems.push(line);
  const goodsOwnerId = tenant.ongoing.goodsOwnerId;

  // No order twice: counted per BaseLinker order id, so a second order under another order number shows.
  const byBlId = ongoing.ordersByGoodsOwnerOrderId(goodsOwnerId);
  for (const [blId, found] of byBlId) {
    if (found.length > 1) {
      figures.duplicates.orders++;
      problem(`BaseLinker order ${blId} is in Ongoing ${found.length} times (order numbers ${found.map((o) => o.orderNumber).join(', ')})`);
    }
  }
  const ongoingOrderOf = (blOrderId: number): SimOrder | undefined => byBlId.get(String(blOrderId))?.[0];

  // No package twice: every package of the order that is not a return, whatever its type or courier.
  const packagesOf = (blOrderId: number) => [...bl.state.packages.values()].filter((p) => p.order_id === blOrderId && (p as { is_return?: boolean }).is_return !== true);
  for (const id of new Set([...bl.state.packages.values()].map((p) => p.order_id))) {
    const n = packagesOf(id).length;
    if (n > 1) {
      figures.duplicates.packages++;
      problem(`order ${id} has ${n} packages`);
    }
  }

  // No label file twice: label files per Ongoing order.
  const labelsOf = (ongoingOrderId: number) => [...ongoing.state.files.values()].filter((f) => f.orderId === ongoingOrderId && f.fileName.startsWith('label-'));
  for (const orderId of new Set([...ongoing.state.files.values()].map((f) => f.orderId))) {
    const files = labelsOf(orderId);
    if (files.length > 1) {
      figures.duplicates.labels++;
      problem(`Ongoing order ${orderId} has ${files.length} label files (${files.map((f) => f.fileName).join(', ')})`);
    }
  }

  const cancelAsides = new Set((await state.inbox.list({ kind: 'cancel' })).map((i) => i.sourceId));
  for (const [id, model] of input.orders) {
    const order = bl.state.orders.get(id);
    const inOngoing = ongoingOrderOf(id);
    const chosenNow = order && order.confirmed && input.chosen.includes(order.order_status_id);
    // Every order in a chosen status is in Ongoing, and not cancelled there.
    if (chosenNow) {
      if (!inOngoing) {
        figures.losses++;
        problem(`order ${id} is in chosen status ${order.order_status_id} but not in Ongoing`);
      } else if (inOngoing.status === 1000) {
        figures.losses++;
        problem(`order ${id} is in chosen status ${order.order_status_id} but cancelled in Ongoing`);
      }
    }
    if (inOngoing && !model.everChosen) problem(`order ${id} reached Ongoing without ever being in a chosen status while confirmed`);
    // A cancelled order is cancelled in Ongoing, or set aside for a person when the warehouse had started it.
    if (model.cancelled && inOngoing && inOngoing.status !== 1000 && !cancelAsides.has(String(id))) {
      const record = await state.orders.get(id);
      problem(`order ${id} was cancelled in BaseLinker but is open in Ongoing (status ${inOngoing.status}) and not set aside; our record: ${record?.status ?? 'none'}, BaseLinker status now ${order?.order_status_id}`);
    }
    // Every order pressed is shipped once, with its label.
    if (model.pressed && inOngoing) {
      const packages = packagesOf(id);
      const record = await state.shipments.get(inOngoing.orderId);
      if (model.cancelled && packages.length === 0 && record?.status === 'failed' && /is cancelled/.test(record.lastError ?? '')) {
        // Cancelled in BaseLinker before its package was booked: refused, for a person.
      } else if (packages.length === 0 || record?.status !== 'done') {
        // (More than one package is counted above, as a double.)
        figures.losses++;
        problem(`order ${id} (Ongoing ${inOngoing.orderId}) was sent but has ${packages.length} package(s), shipment record ${record?.status ?? 'none'}: ${record?.lastError ?? ''}`);
      } else if (labelsOf(inOngoing.orderId).length === 0) {
        figures.losses++;
        problem(`order ${id} was shipped but its Ongoing order ${inOngoing.orderId} has no label file`);
      }
    }
  }

  // Every shipped order is in the seller's "sent" status, unless the seller moved it after Send (or cancelled it).
  for (const [id, model] of input.orders) {
    const inOngoing = ongoingOrderOf(id);
    const order = bl.state.orders.get(id);
    if (!model.pressed || !inOngoing || !order || model.cancelled) continue;
    if ((model.statusChangedAt ?? 0) >= (model.pressedAt ?? 0)) continue;
    const record = await state.shipments.get(inOngoing.orderId);
    if (record?.status === 'done' && order.order_status_id !== input.sentStatus) {
      figures.wrongStatus++;
      problem(`order ${id} was shipped but BaseLinker shows status ${order.order_status_id}, not ${input.sentStatus}; shipment note: ${record.lastError ?? ''}`);
    }
  }

  // Nothing set aside for a person that is fine: a person would chase a problem that is not there.
  for (const item of await state.inbox.list({ state: 'open' })) {
    let fine: string | undefined;
    if (item.kind === 'order') {
      const inOngoing = ongoingOrderOf(Number(item.sourceId));
      const record = await state.orders.get(item.sourceId);
      if (inOngoing && record?.status === 'done') fine = `the order is in Ongoing (${inOngoing.orderId}) and recorded done`;
    } else if (item.kind === 'cancel') {
      const inOngoing = ongoingOrderOf(Number(item.sourceId));
      if (inOngoing?.status === 1000) fine = 'the order is cancelled in Ongoing';
    } else if (item.kind === 'shipment') {
      const record = await state.shipments.get(item.sourceId);
      if (record?.status === 'done') fine = 'the shipment is done';
    }
    if (fine) {
      figures.falseAlarms++;
      problem(`set aside for a person (${item.kind} ${item.sourceId}: ${item.reason}) though ${fine}`);
    }
  }

  // Every shipment's tracking on its Ongoing order: the number BaseLinker has for the package.
  for (const shipment of await state.shipments.list()) {
    const ongoingOrder = ongoing.state.orders.get(Number(shipment.ongoingOrderId));
    if (shipment.status === 'pending-tracking') {
      figures.missingTracking++;
      problem(`shipment of Ongoing order ${shipment.ongoingOrderId} still waits for its tracking number after the final pass`);
      continue;
    }
    if (shipment.status !== 'done' || !ongoingOrder) continue;
    const pkg = shipment.packageId !== undefined ? bl.state.packages.get(Number(shipment.packageId)) : undefined;
    const number = pkg?.package_number ?? '';
    const onOrder = ongoingOrder.wayBill === number || ongoingOrder.tracking.some((t) => t.waybill === number && !t.isReturnTracking);
    if (!number || !onOrder) {
      figures.missingTracking++;
      problem(`Ongoing order ${ongoingOrder.orderId} shows waybill ${ongoingOrder.wayBill ?? 'none'}, not its package's tracking number ${number || '(none)'}`);
      continue;
    }
    // And the link BaseLinker lists for the package (the flow may build it from the courier's link pattern).
    const link = bl.trackingLinkOf(pkg!);
    const written = ongoingOrder.tracking.find((t) => t.waybill === number && !t.isReturnTracking)?.trackingUrl;
    if (link && written !== link) {
      figures.wrongLinks++;
      problem(`Ongoing order ${ongoingOrder.orderId} shows tracking link ${written ?? 'none'}, not the one BaseLinker lists for package ${pkg!.package_id}`);
    }
  }

  // Every article current: what the final catalog maps to is what Ongoing holds.
  const mains = [...bl.state.products.values()].filter((p) => p.parent_id === 0).map((p) => p.id);
  const inventoryId = tenant.baselinker.inventoryId;
  if (inventoryId === undefined) throw new Error('the chaos tenant names its inventory');
  const data = await input.baselinker.getInventoryProductsDataChecked({ inventory_id: inventoryId, products: mains });
  for (const product of data.products) {
    for (const outcome of mapProduct(product, { lengthUnit: tenant.articles.lengthUnit })) {
      if (!outcome.ok) {
        problem(`catalog product ${product.id} does not map: ${outcome.reason}`);
        continue;
      }
      const article = [...ongoing.state.articles.values()].find((a) => a.goodsOwnerId === goodsOwnerId && a.articleNumber === outcome.sku);
      if (!article) {
        figures.losses++;
        problem(`article ${outcome.sku} is missing in Ongoing`);
      } else if (JSON.stringify(pick(article.data, outcome.article)) !== JSON.stringify(outcome.article)) {
        problem(`article ${outcome.sku} is stale in Ongoing: ${JSON.stringify(article.data)} vs ${JSON.stringify(outcome.article)}`);
      }
    }
  }

  // Every stock level right.
  for (const line of (await stockProblems(input, 'after the final pass')).wrong) {
    figures.wrongStock++;
    problem(line);
  }

  // No stock level written twice over: a product's unchanged level is written again only when the run that
  // wrote it never learned it went through (its answer lost, the run killed, frozen or failed), another run
  // was writing at the same time, or BaseLinker showed another level by then (an order took units, someone
  // edited it: the write corrects that drift, as the full sweep is meant to).
  const stockRuns = input.runs.filter((r) => r.flow === 'stock');
  const excused = (at: number) => {
    const during = stockRuns.filter((r) => r.startedAt <= at && at <= r.endedAt);
    return during.length !== 1 || during[0]!.outcome !== 'ok' || during[0]!.frozen === true;
  };
  const lastWrite = new Map<string, StockWriteRecord>();
  for (const w of bl.stockWrites) {
    const key = `${w.productId}#${w.warehouse}`;
    const previous = lastWrite.get(key);
    const correction = w.before !== w.level;
    if (previous && previous.level === w.level) figures[correction ? 'driftCorrected' : 'rewrittenLevels']++;
    // The client repeats a stock call whose answer it never got (the level is absolute: a repeat is harmless).
    const unanswered = previous?.request !== undefined && (previous.request.outcome !== 'SUCCESS' || previous.request.answered === false);
    if (previous && previous.level === w.level && !unanswered && !correction && !excused(previous.at)) {
      figures.duplicates.stockWrites++;
      const run = stockRuns.find((r) => r.startedAt <= previous.at && previous.at <= r.endedAt)!;
      problem(`product ${w.productId}: stock level ${w.level} written again though the run that wrote it finished ok and BaseLinker still showed it (stock run in ${run.where}, ${run.endedAt - run.startedAt} ms)`);
    }
    lastWrite.set(key, w);
  }

  // Our own requests never got the token blocked; after a block, only what was already under way reached BaseLinker.
  figures.blocks = bl.blockedCount;
  if (bl.blockedCount > 0) problem(`BaseLinker blocked the token ${bl.blockedCount} time(s) for our own requests`);
  figures.injectedBlocks = bl.requests.filter((r) => r.outcome === 'fault:blocked-token').length;
  figures.sentIntoBlock = bl.rejectedWhileBlocked;
  const allowed = figures.injectedBlocks * input.processes * IN_FLIGHT_PER_PROCESS;
  if (figures.sentIntoBlock > allowed) {
    problem(`${figures.sentIntoBlock} requests reached BaseLinker while the token was blocked (${figures.injectedBlocks} block(s), at most ${allowed} could have been under way)`);
  }
  figures.peakWindow = peakWindow(
    bl.requests.map((r) => r.at),
    input.rateWindowMs,
  );
  return figures;
}

/** Stock levels against the rule: the wrong ones, one line each, and how many differ only by drift a delta run leaves to the sweep. */
export interface StockFindings {
  wrong: string[];
  /** Levels BaseLinker itself moved since our last write, after a delta run that rightly saw them unchanged. */
  awaitingSweep: number;
}

/**
 * Every Ongoing article's level in BaseLinker against the README's rule. `afterDelta`: the check follows a delta
 * run, which compares with the level it last pushed, not with BaseLinker's stock (that is the full sweep's job,
 * README "Stock levels"). So a level is then not wrong when our record and our last write both hold the rule's
 * level and BaseLinker moved it only by its own order takes since that write (an order it took units for, in a
 * status that holds none, e.g. moved out of the chosen ones): it counts as drift awaiting the sweep. Anything
 * else, a hand edit included, is wrong after any run; after a full sweep nothing is excused.
 */
export async function stockProblems(
  input: Pick<CheckInput, 'bl' | 'ongoing' | 'tenant' | 'state' | 'runs' | 'warehouseKey'>,
  when: string,
  options: { afterDelta?: boolean } = {},
): Promise<StockFindings> {
  const { bl, ongoing, tenant, state } = input;
  const out: StockFindings = { wrong: [], awaitingSweep: 0 };
  // The README's rule: Ongoing's sellable count (booked and locked items out), minus the units on confirmed
  // BaseLinker orders in the chosen or reserved statuses that Ongoing does not have (their catalog lines in this
  // warehouse: BaseLinker took those off its stock), minus the safety buffer, never below 0.
  const inOngoing = ongoing.ordersByGoodsOwnerOrderId(tenant.ongoing.goodsOwnerId);
  const cancelled = new Set(tenant.baselinker.cancelledStatusIds);
  const holding = new Set([...tenant.baselinker.orderStatusIds, ...tenant.stock.reservedStatusIds].filter((s) => !cancelled.has(s)));
  const unitsHeld = new Map<number, number>();
  for (const order of bl.state.orders.values()) {
    if (!order.confirmed || !holding.has(order.order_status_id) || inOngoing.get(String(order.order_id))?.length) continue;
    for (const line of order.products) {
      if (line.storage !== 'db' || !line.product_id || (line.warehouse_id && `bl_${line.warehouse_id}` !== input.warehouseKey)) continue;
      const id = Number(line.variant_id && line.variant_id !== '0' ? line.variant_id : line.product_id);
      unitsHeld.set(id, (unitsHeld.get(id) ?? 0) + line.quantity);
    }
  }
  const records = await state.stockLevels.all();
  for (const article of ongoing.state.articles.values()) {
    if (article.goodsOwnerId !== tenant.ongoing.goodsOwnerId) continue;
    const product = [...bl.state.products.values()].find((p) => p.sku === article.articleNumber);
    if (!product) continue;
    const held = unitsHeld.get(product.id) ?? 0;
    const expected = stockLevel(sellable(article), tenant.stock.safetyBuffer, held);
    const actual = product.stock[input.warehouseKey];
    if (actual === expected) continue;
    const record = records.get(article.articleNumber);
    if (options.afterDelta && record?.level === expected && movedOnlyByBaseLinker(bl, product.id, input.warehouseKey, expected, actual)) {
      out.awaitingSweep++;
      continue;
    }
    const t0 = input.runs[0]?.startedAt ?? 0;
    const writes = bl.stockWrites.filter((w) => w.productId === product.id).map((w) => `${w.level}@${w.at - t0}${w.request?.outcome === 'SUCCESS' && w.request.answered !== false ? '' : `(${w.request?.outcome ?? '?'})`}`);
    const runs = input.runs.filter((r) => r.flow === 'stock').map((r) => `${r.where}:${r.startedAt - t0}-${r.endedAt - t0}:${r.outcome}${r.frozen ? ':frozen' : ''}`);
    out.wrong.push(
      `SKU ${article.articleNumber} ${when}: BaseLinker shows ${actual ?? 'no'} stock in ${input.warehouseKey}, Ongoing's sellable ${sellable(article)} less ${held} on orders not in Ongoing gives ${expected}` +
        ` (our record: ${record?.level ?? 'none'}; writes ${writes.join(' ')}; stock runs ${runs.join(' ')})`,
    );
  }
  return out;
}

/**
 * Our last write of the product in `warehouseKey` was `level`, and BaseLinker's own order takes since then, one
 * after another, lead from it to `actual` (at least one take: without one, nothing but us moved it).
 */
function movedOnlyByBaseLinker(bl: BaseLinkerSimulator, productId: number, warehouseKey: string, level: number, actual: number | undefined): boolean {
  let last = -1;
  bl.stockWrites.forEach((w, i) => {
    if (w.productId === productId && w.warehouse === warehouseKey) last = i;
  });
  if (last < 0 || bl.stockWrites[last]!.level !== level) return false;
  const takes = bl.stockTakes.filter((t) => t.productId === productId && t.warehouse === warehouseKey && t.writesBefore > last);
  let now = level;
  for (const t of takes) {
    if (t.before !== now) return false;
    now = t.after;
  }
  return takes.length > 0 && now === actual;
}

/** The fields of `have` named in `like`, in `like`'s key order (to compare what was sent). */
function pick(have: Record<string, unknown>, like: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(like).map((k) => [k, have[k]]));
}

/** Most timestamps in any window of `windowMs` (a sliding window, as the simulator counts). */
export function peakWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let peak = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= windowMs) start++;
    peak = Math.max(peak, end - start + 1);
  }
  return peak;
}
