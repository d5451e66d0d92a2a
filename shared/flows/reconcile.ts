import type { Order } from '../baselinker/schemas';
import { blOrderIdOf } from '../mapping/order';
import type { GetOrder } from '../ongoing/schemas';
import * as z from '../util/zod';
import type { NeedsOf } from './catalogue';
import { emptyResult, type Flow } from './context';
import { scanOrders } from '../baselinker/order-pages';
import { NO_ORDER_STATUSES, ORDERS_CURSOR, OrderSync, ordersCursorSchema, scanWindowStart, type OrdersFlowOptions } from './orders';

export interface ReconcileOptions extends OrdersFlowOptions {
  /** BaseLinker getOrders calls per run to check open Ongoing orders for deletion. Default 50. */
  deletionChecksPerRun?: number;
  /**
   * An order BaseLinker answered empty for is cancelled only after a second empty answer at least this much
   * later (or a journal removal event). Default 10 minutes; reconciliation runs hourly, so in practice the
   * second look is the next run.
   */
  confirmDeletionAfterMs?: number;
}

const DELETION_CHECK_CURSOR = 'reconcile:deletionCheckFrom';
/** BaseLinker order id -> epoch ms of the first empty answer: orders that may have been deleted. */
export const DELETION_SUSPECTS_CURSOR = 'reconcile:deletionSuspects';
const JOURNAL_REMOVED = 4;

/**
 * Reconciliation: the orders flow's audit, on its own schedule. Lists the BaseLinker orders in the chosen
 * statuses over the look-back window, checks each is in Ongoing (one GET per batch of order numbers), and
 * heals what is not: an order missing in Ongoing is (re)created, even when the flow's state says it was sent;
 * an order in Ongoing that the state does not know is recorded. Orders in the cancelled statuses get the
 * same cancel handling as in the orders flow, and open Ongoing orders whose BaseLinker order was deleted are
 * cancelled (the journal sees deletions at once; this is the check for tenants without it). The run
 * summary names the orders it healed.
 */
export function createReconcileFlow(options: ReconcileOptions = {}): Flow<NeedsOf<'reconcile'>> {
  const batchSize = options.batchSize ?? 50;
  const deletionChecksPerRun = options.deletionChecksPerRun ?? 50;
  const confirmAfterMs = options.confirmDeletionAfterMs ?? 10 * 60_000;
  return async (ctx) => {
    if (ctx.tenant.baselinker.orderStatusIds.length === 0) return { ...emptyResult(), message: NO_ORDER_STATUSES };
    const sync = new OrderSync(ctx, options);
    const { baselinker: settings } = ctx.tenant;
    const cursor = await ctx.cursors.read(ORDERS_CURSOR, ordersCursorSchema);
    // Before the orders flow ever ran there is nothing to reconcile under "from now on".
    const fromS = scanWindowStart(settings.lookbackDays, cursor?.firstRunAt ?? Math.floor(ctx.now() / 1000), ctx.now());
    const counts = sync.result.counts!;
    const seen = new Set<number>();

    const checkBatch = async (orders: Order[]) => {
      const byNumber = new Map<string, GetOrder>(
        (await ctx.ongoing.getOrdersByNumbers(orders.map((o) => sync.numberOf(o.order_id)))).map((o) => [o.orderInfo.orderNumber, o]),
      );
      const toHeal: Order[] = [];
      for (const order of orders) {
        const inOngoing = byNumber.has(sync.numberOf(order.order_id));
        const record = await ctx.orders.get(order.order_id);
        if (record?.status === 'cancelled') continue;
        if (inOngoing && record?.status === 'done') {
          counts.inOngoing = (counts.inOngoing ?? 0) + 1;
          continue;
        }
        if (!inOngoing) {
          counts.missingInOngoing = (counts.missingInOngoing ?? 0) + 1;
          if (record?.status === 'done') {
            ctx.log.warn('order recorded as sent is missing in Ongoing; sending it again', { blOrderId: order.order_id, ongoingOrderId: record.ongoingOrderId });
            await ctx.orders.reopen(order.order_id, `missing in Ongoing (was order ${record.ongoingOrderId ?? '?'}); reconciliation sends it again`);
            counts.reopened = (counts.reopened ?? 0) + 1;
          }
        }
        toHeal.push(order);
      }
      if (toHeal.length) await sync.transferBatch(toHeal, byNumber);
    };

    /**
     * Deleted orders without the journal: an order still open in Ongoing whose BaseLinker order was in none
     * of the statuses scanned above is fetched by id; cancelled there means cancel it in Ongoing. One empty
     * answer is not proof (a glitch, a merge in progress): the order becomes a suspect, and is cancelled only
     * when the journal shows its removal or a second look at least `confirmDeletionAfterMs` later (a later
     * run) finds it gone too. At most `deletionChecksPerRun` fetches per run, second looks first, continuing
     * where the previous run stopped.
     */
    const checkOpenOrdersStillExist = async () => {
      const from = await ctx.cursors.read(DELETION_CHECK_CURSOR, z.number());
      const suspects = { ...((await ctx.cursors.read(DELETION_SUSPECTS_CURSOR, z.record(z.string(), z.number()))) ?? {}) };
      const before = JSON.stringify(suspects);
      let checks = 0;
      let next: number | undefined;
      const looked = new Set<number>();
      const lookUp = async (blOrderId: number): Promise<'gone' | 'there'> => {
        checks++;
        looked.add(blOrderId);
        const page = await ctx.baselinker.getOrders({ order_id: blOrderId });
        const order = page.orders[0];
        if (!order && page.rejected.length === 0) return 'gone';
        if (order && settings.cancelledStatusIds.includes(order.order_status_id)) {
          await sync.cancel(blOrderId, `moved to the cancelled status ${order.order_status_id} in BaseLinker`);
        }
        return 'there';
      };

      for (const [id, since] of Object.entries(suspects)) {
        if (checks >= deletionChecksPerRun || sync.outOfTime()) break;
        if (ctx.now() - since < confirmAfterMs) continue;
        const blOrderId = Number(id);
        delete suspects[id];
        if ((await lookUp(blOrderId)) === 'gone') {
          counts.deletionConfirmed = (counts.deletionConfirmed ?? 0) + 1;
          await sync.cancel(blOrderId, `deleted in BaseLinker (not found at two looks ${Math.round((ctx.now() - since) / 60_000)} minutes apart)`);
        }
      }

      for await (const open of ctx.ongoing.listOrders({ orderStatusTo: ctx.tenant.ongoing.inWorkStatusFrom - 1, orderIdFrom: from })) {
        const blOrderId = blOrderIdOf(open.orderInfo.orderNumber, sync.orderNumberPrefix);
        if (blOrderId === undefined || seen.has(blOrderId) || looked.has(blOrderId) || suspects[String(blOrderId)] !== undefined) continue;
        if (checks >= deletionChecksPerRun || sync.outOfTime()) {
          next = open.orderInfo.orderId;
          break;
        }
        const record = await ctx.orders.get(blOrderId);
        if (record?.status !== 'done' || Number(record.ongoingOrderId) !== open.orderInfo.orderId) continue;
        if ((await lookUp(blOrderId)) === 'there') continue;
        if (await journalShowsRemoval(blOrderId)) {
          counts.deletionConfirmed = (counts.deletionConfirmed ?? 0) + 1;
          await sync.cancel(blOrderId, 'deleted in BaseLinker (the journal shows its removal)');
        } else {
          suspects[String(blOrderId)] = ctx.now();
          counts.deletionSuspected = (counts.deletionSuspected ?? 0) + 1;
          ctx.log.info('BaseLinker did not return an order open in Ongoing; a later look decides', { blOrderId });
        }
      }
      counts.deletionChecks = checks;
      if (next !== undefined) await ctx.cursors.write(DELETION_CHECK_CURSOR, next);
      else if (from !== undefined) await ctx.cursors.clear(DELETION_CHECK_CURSOR);
      if (JSON.stringify(suspects) !== before) await ctx.cursors.write(DELETION_SUSPECTS_CURSOR, suspects);
    };

    /** With the journal on: its removal event (type 4, kept 3 days) confirms an empty answer at once. */
    const journalShowsRemoval = async (blOrderId: number): Promise<boolean> => {
      if (!settings.journal) return false;
      const events = await ctx.baselinker.getJournalList({ last_log_id: 0, logs_types: [JOURNAL_REMOVED], order_id: blOrderId });
      return events.some((e) => e.order_id === blOrderId && e.log_type === JOURNAL_REMOVED);
    };

    for (const status of settings.orderStatusIds) {
      for await (const page of scanOrders(ctx.baselinker, status, fromS)) {
        const fresh = page.orders.filter((o) => !seen.has(o.order_id));
        fresh.forEach((o) => seen.add(o.order_id));
        sync.result.seen += fresh.length;
        for (let i = 0; i < fresh.length; i += batchSize) {
          if (sync.outOfTime()) break;
          await checkBatch(fresh.slice(i, i + batchSize));
        }
        if (page.rejected.length) counts.unreadable = (counts.unreadable ?? 0) + page.rejected.length;
        if (sync.outOfTime()) break;
      }
    }
    for (const status of settings.cancelledStatusIds) {
      if (sync.outOfTime()) break;
      for await (const page of scanOrders(ctx.baselinker, status, fromS)) {
        for (const order of page.orders) {
          if (seen.has(order.order_id) || sync.outOfTime()) continue;
          seen.add(order.order_id);
          await sync.cancel(order.order_id, `moved to the cancelled status ${order.order_status_id} in BaseLinker`);
        }
        if (sync.outOfTime()) break;
      }
    }

    if (!sync.outOfTime()) await checkOpenOrdersStillExist();

    const healed = sync.transferred;
    counts.healed = healed.length;
    const shown = healed.slice(0, 20).join(', ') + (healed.length > 20 ? `, … (${healed.length - 20} more)` : '');
    const message = healed.length ? `healed ${healed.length} order(s) missing in Ongoing or in the state: ${shown}` : 'every order in the chosen statuses is in Ongoing';
    if (healed.length) ctx.log.warn('reconciliation healed orders', { healed });
    return { ...sync.result, message };
  };
}

export const reconcileFlow = createReconcileFlow();
