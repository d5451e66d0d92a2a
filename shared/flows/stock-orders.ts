import type { Order, OrderProduct } from '../baselinker/schemas';
import { ongoingOrderNumber } from '../mapping/order';
import type { FlowContext } from './context';
import { unlessUnreadable } from './ports';
import { scanOrders } from '../baselinker/order-pages';
import { ORDERS_CURSOR, ordersCursorSchema, scanWindowStart } from './orders';

/** What reading the orders needs: the orders flow's cursor (its look-back window) and its ledger. */
type OrdersContext = FlowContext<'cursors' | 'orders'>;

/**
 * The oversell window (README "Stock levels"): BaseLinker takes an order's units off its own stock the moment
 * the order is confirmed (base.com help, "Reducing stock level after a sale"); Ongoing books them only once the
 * order exists there. Until then, Ongoing's sellable figure still holds those units, and pushing it would hand
 * them back to every marketplace.
 *
 * This reads, from BaseLinker itself, every confirmed order currently in the chosen statuses or in the
 * statuses `stock.reservedStatusIds` names, over the orders flow's look-back window, and sums the units of the
 * lines BaseLinker took from this catalog and warehouse, per product or variant id. An order already in
 * Ongoing (recorded as sent, or found there by its order number) is Ongoing's to allocate and is left out;
 * one marked cancelled is left out too. So an order waiting for an article, set aside, or not yet seen by the
 * orders flow counts once, and an order in Ongoing never counts twice.
 */

/** Orders per Ongoing lookup by order number (and per round of state reads). */
const LOOKUP_BATCH = 50;

export interface UnitsOnOrders {
  /** BaseLinker product or variant id -> units on orders Ongoing has not booked yet. */
  units: Map<string, number>;
  /** Orders that hold units (not yet in Ongoing). */
  orders: number;
  /** Orders read that Ongoing already has (or that were cancelled): not counted. */
  inOngoing: number;
}

/** The statuses whose orders hold units: the chosen ones and the reserved ones, each once. */
export function holdingStatuses(ctx: Pick<FlowContext, 'tenant'>): number[] {
  const { baselinker, stock } = ctx.tenant;
  const cancelled = new Set(baselinker.cancelledStatusIds);
  return [...new Set([...baselinker.orderStatusIds, ...stock.reservedStatusIds])].filter((s) => !cancelled.has(s));
}

/**
 * The product or variant id a line took stock from, or undefined when BaseLinker took none from this
 * catalog's `warehouseKey` (a line of a shop's or a wholesaler's storage, a line linked to no product, or a
 * line sold from another warehouse of the catalog).
 */
export function stockTakenBy(line: OrderProduct, inventoryId: number, warehouseKey: string): string | undefined {
  if (line.storage !== 'db' || !line.product_id) return undefined;
  // Older docs: storage_id 0 for the BaseLinker catalog; newer: the inventory id.
  if (line.storage_id && line.storage_id !== inventoryId) return undefined;
  if (line.warehouse_id && `bl_${line.warehouse_id}` !== warehouseKey) return undefined;
  return line.variant_id || line.product_id;
}

/** Undefined when the deadline stopped the read: the levels cannot be known, so nothing may be pushed. */
export async function unitsOnOrdersNotInOngoing(ctx: OrdersContext, warehouseKey: string, inventoryId: number): Promise<UnitsOnOrders | undefined> {
  const { tenant, baselinker, now } = ctx;
  // The orders flow starts over on a cursor it cannot read; so does its window here.
  const cursor = await unlessUnreadable(ctx.cursors.read(ORDERS_CURSOR, ordersCursorSchema));
  const fromS = scanWindowStart(tenant.baselinker.lookbackDays, cursor?.firstRunAt ?? Math.floor(now() / 1000), now());
  const orders = new Map<number, Order>();
  for (const status of holdingStatuses(ctx)) {
    for await (const page of scanOrders(baselinker, status, fromS)) {
      for (const order of page.orders) if (order.order_status_id === status) orders.set(order.order_id, order);
      if (ctx.run.deadline.passed()) return undefined;
    }
  }

  const result: UnitsOnOrders = { units: new Map(), orders: 0, inOngoing: 0 };
  const all = [...orders.values()];
  for (let i = 0; i < all.length; i += LOOKUP_BATCH) {
    const batch = all.slice(i, i + LOOKUP_BATCH);
    const holding = await notInOngoing(ctx, batch);
    result.inOngoing += batch.length - holding.length;
    for (const order of holding) {
      let counted = false;
      for (const line of order.products) {
        const id = stockTakenBy(line, inventoryId, warehouseKey);
        if (id === undefined || !(line.quantity > 0)) continue;
        result.units.set(id, (result.units.get(id) ?? 0) + line.quantity);
        counted = true;
      }
      if (counted) result.orders++;
    }
  }
  return result;
}

/** The orders of `batch` Ongoing has not got: neither recorded as sent nor found by their order number. */
async function notInOngoing(ctx: OrdersContext, batch: Order[]): Promise<Order[]> {
  const records = await Promise.all(batch.map((o) => ctx.orders.get(o.order_id)));
  const unsent = batch.filter((_, i) => records[i]?.status !== 'done' && records[i]?.status !== 'cancelled');
  if (unsent.length === 0) return [];
  // A run may have created an order and died before recording it: Ongoing's own answer decides.
  const prefix = ctx.tenant.ongoing.orderNumberPrefix ?? '';
  const found = new Set((await ctx.ongoing.getOrdersByNumbers(unsent.map((o) => ongoingOrderNumber(o.order_id, prefix)))).map((o) => o.orderInfo.orderNumber));
  return unsent.filter((o) => !found.has(ongoingOrderNumber(o.order_id, prefix)));
}
