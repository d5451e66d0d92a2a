import type { BaseLinkerClient } from '../../shared/baselinker/client';
import type { OngoingClient } from '../../shared/ongoing/client';
import type { OrderRecord, OrdersLedger, SendLog, SendRecord, SetAsideInbox, SetAsideItem, ShipmentRecord, ShipmentsLedger } from '../../shared/flows/ports';
import { CliError } from './errors';
import { when } from './format';

/**
 * `order <id>`: one order's story across both systems. The id may be the BaseLinker order id, the Ongoing
 * order id or the Ongoing order number; what the integration recorded (state) comes first, then what each
 * system says now. The shipment record keeps only its latest state; each Send (a press in Ongoing, or `send`) is
 * kept on its own with the answer it got, and listed one line each.
 */

/** The tenant's ports the story reads (it writes nothing). */
export interface OrderStoryState {
  orders: Pick<OrdersLedger, 'get' | 'list'>;
  shipments: Pick<ShipmentsLedger, 'get'>;
  inbox: Pick<SetAsideInbox, 'list'>;
  sends: Pick<SendLog, 'list'>;
}

export type IdKind = 'bl' | 'ongoing' | 'number';

export interface StoryEvent {
  at: string;
  what: string;
}

export interface OrderStory {
  tenant: string;
  /** How the id given was recognised. */
  foundBy: IdKind;
  ids: { blOrderId?: string; ongoingOrderId?: string; orderNumber?: string };
  order?: OrderRecord;
  shipment?: ShipmentRecord;
  /** Each Send of the order, oldest first. */
  sends: SendRecord[];
  setAside: SetAsideItem[];
  events: StoryEvent[];
  baselinker: { error?: string; statusId?: number; statusName?: string; confirmedAt?: string; packages?: Array<{ packageId: number; courierCode: string; trackingNumber: string; trackingUrl: string; isReturn: boolean }> };
  ongoing: { error?: string; status?: number; statusText?: string; orderNumber?: string; waybill?: string; files?: string[] };
}

interface Match {
  by: IdKind;
  blOrderId?: string;
  ongoingOrderId?: string;
  orderNumber?: string;
}

function same(a: Match, b: Match): boolean {
  return (a.blOrderId !== undefined && a.blOrderId === b.blOrderId) || (a.ongoingOrderId !== undefined && a.ongoingOrderId === b.ongoingOrderId);
}

const iso = (seconds: number | undefined) => (seconds ? new Date(seconds * 1000).toISOString() : undefined);
const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Which order the id names: from the state first, then by asking both systems. */
async function resolve(
  id: string,
  ctx: { tenant: string; state: OrderStoryState; baselinker: BaseLinkerClient; ongoing: OngoingClient; by?: IdKind },
): Promise<Match> {
  const records = await ctx.state.orders.list();
  const matches: Match[] = [];
  const add = (m: Match) => {
    if (ctx.by && m.by !== ctx.by) return;
    if (!matches.some((x) => same(x, m))) matches.push(m);
  };
  const fromRecord = (r: OrderRecord, by: IdKind): Match => ({ by, blOrderId: r.blOrderId, ongoingOrderId: r.ongoingOrderId === undefined ? undefined : String(r.ongoingOrderId), orderNumber: r.orderNumber });
  for (const r of records) {
    if (r.blOrderId === id) add(fromRecord(r, 'bl'));
    if (r.ongoingOrderId !== undefined && String(r.ongoingOrderId) === id) add(fromRecord(r, 'ongoing'));
    if (r.orderNumber === id) add(fromRecord(r, 'number'));
  }
  const shipment = await ctx.state.shipments.get(id);
  if (shipment) add({ by: 'ongoing', ongoingOrderId: id, blOrderId: shipment.blOrderId });

  // A system that cannot be asked must not pass for one that does not know the order.
  const failures: unknown[] = [];
  const ask = <T>(p: Promise<T>): Promise<T | undefined> => p.catch((err: unknown) => (failures.push(err), undefined));
  if (matches.length === 0 && /^\d{1,15}$/.test(id)) {
    // Not in the state (not seen yet, or another integration's): what do the systems know by this id?
    const [inOngoing, inBaseLinker] = await Promise.all([
      ctx.by && ctx.by !== 'ongoing' ? undefined : ask(ctx.ongoing.getOrder(Number(id))),
      ctx.by && ctx.by !== 'bl' ? undefined : ask(ctx.baselinker.getOrders({ order_id: Number(id), get_unconfirmed_orders: true }).then((r) => r.orders[0])),
    ]);
    if (inOngoing && inOngoing.goodsOwner.id === ctx.ongoing.goodsOwnerId) add({ by: 'ongoing', ongoingOrderId: id, orderNumber: inOngoing.orderInfo.orderNumber });
    if (inBaseLinker) add({ by: 'bl', blOrderId: id });
  }
  if (matches.length === 0 && (!ctx.by || ctx.by === 'number')) {
    const [byNumber] = (await ask(ctx.ongoing.getOrdersByNumbers([id]))) ?? [];
    if (byNumber) add({ by: 'number', ongoingOrderId: String(byNumber.orderInfo.orderId), orderNumber: byNumber.orderInfo.orderNumber });
  }
  if (matches.length === 0 && failures.length > 0) throw failures[0];
  if (matches.length === 0) {
    throw new CliError(`no order "${id}" for tenant ${ctx.tenant}: not in the integration's state, nor a BaseLinker order id, Ongoing order id or order number the systems know`);
  }
  if (matches.length > 1) {
    const list = matches.map((m) => `${m.by === 'bl' ? 'BaseLinker order' : m.by === 'ongoing' ? 'Ongoing order' : 'order number'} ${id} (${describeIds(m)})`).join('; ');
    throw new CliError(`"${id}" names more than one order: ${list}. Say which with --by bl, --by ongoing or --by number`, 'order');
  }
  return matches[0];
}

function describeIds(m: { blOrderId?: string; ongoingOrderId?: string; orderNumber?: string }): string {
  return [m.blOrderId && `BaseLinker ${m.blOrderId}`, m.ongoingOrderId && `Ongoing ${m.ongoingOrderId}`, m.orderNumber && `number ${m.orderNumber}`].filter(Boolean).join(', ');
}

export async function orderStory(
  id: string,
  ctx: { tenant: string; state: OrderStoryState; baselinker: BaseLinkerClient; ongoing: OngoingClient; by?: IdKind },
): Promise<OrderStory> {
  const match = await resolve(id, ctx);
  const ids = { ...match };
  const order = ids.blOrderId ? await ctx.state.orders.get(ids.blOrderId) : undefined;
  if (order?.ongoingOrderId !== undefined) ids.ongoingOrderId ??= String(order.ongoingOrderId);
  if (order?.orderNumber) ids.orderNumber ??= order.orderNumber;
  const shipment = ids.ongoingOrderId ? await ctx.state.shipments.get(ids.ongoingOrderId) : undefined;
  if (shipment?.blOrderId) ids.blOrderId ??= shipment.blOrderId;

  const mine = (item: SetAsideItem) =>
    (item.kind === 'order' && item.sourceId === ids.blOrderId) ||
    (item.kind === 'shipment' && item.sourceId === ids.ongoingOrderId) ||
    (ids.blOrderId !== undefined && item.ids?.blOrderId === ids.blOrderId) ||
    (ids.ongoingOrderId !== undefined && item.ids?.ongoingOrderId === ids.ongoingOrderId);
  const setAside = (await ctx.state.inbox.list()).filter(mine);
  const sends = ids.ongoingOrderId ? await ctx.state.sends.list(ids.ongoingOrderId) : [];
  for (const send of sends) if (send.blOrderId) ids.blOrderId ??= send.blOrderId;

  const story: OrderStory = {
    tenant: ctx.tenant,
    foundBy: match.by,
    ids: { blOrderId: ids.blOrderId, ongoingOrderId: ids.ongoingOrderId, orderNumber: ids.orderNumber },
    ...(order && { order }),
    ...(shipment && { shipment }),
    // Both ids on every Send, also where the Send itself did not learn the BaseLinker one (a refusal before it).
    sends: sends.map((send) => (send.blOrderId || !ids.blOrderId ? send : { ...send, blOrderId: ids.blOrderId })),
    setAside,
    events: [],
    baselinker: {},
    ongoing: {},
  };

  // What each system says now (both asked at once; one that cannot be reached does not hide the other).
  await Promise.all([
    (async () => {
      if (!ids.blOrderId) return;
      try {
        const [{ orders }, statuses, packages] = await Promise.all([
          ctx.baselinker.getOrders({ order_id: Number(ids.blOrderId), get_unconfirmed_orders: true }),
          ctx.baselinker.getOrderStatusList(),
          ctx.baselinker.getOrderPackages(Number(ids.blOrderId)),
        ]);
        const bl = orders[0];
        if (!bl) {
          story.baselinker.error = `BaseLinker has no order ${ids.blOrderId}`;
          return;
        }
        story.baselinker.statusId = bl.order_status_id;
        story.baselinker.statusName = statuses.find((s) => s.id === bl.order_status_id)?.name;
        story.baselinker.confirmedAt = iso(bl.date_confirmed);
        story.baselinker.packages = packages.map((p) => ({ packageId: p.package_id, courierCode: p.courier_code, trackingNumber: p.courier_package_nr, trackingUrl: p.tracking_url, isReturn: p.is_return }));
      } catch (err) {
        story.baselinker.error = messageOf(err);
      }
    })(),
    (async () => {
      if (!ids.ongoingOrderId) return;
      try {
        const [og, files] = await Promise.all([ctx.ongoing.getOrder(Number(ids.ongoingOrderId)), ctx.ongoing.getOrderFiles(Number(ids.ongoingOrderId))]);
        if (!og) {
          story.ongoing.error = `Ongoing has no order ${ids.ongoingOrderId}`;
          return;
        }
        story.ongoing.status = og.orderInfo.orderStatus.number;
        story.ongoing.statusText = og.orderInfo.orderStatus.text ?? undefined;
        story.ongoing.orderNumber = og.orderInfo.orderNumber;
        story.ongoing.waybill = og.orderInfo.wayBill ?? undefined;
        story.ongoing.files = files.map((f) => f.fileName);
        story.ids.orderNumber ??= og.orderInfo.orderNumber;
      } catch (err) {
        story.ongoing.error = messageOf(err);
      }
    })(),
  ]);

  story.events = eventsOf(story);
  return story;
}

function eventsOf(s: OrderStory): StoryEvent[] {
  const events: StoryEvent[] = [];
  const add = (at: string | undefined, what: string) => {
    if (at) events.push({ at, what });
  };
  if (s.baselinker.confirmedAt) add(s.baselinker.confirmedAt, 'confirmed in BaseLinker');
  const o = s.order;
  if (o) {
    add(o.firstSeenAt, `seen by the orders flow (BaseLinker order ${o.blOrderId})`);
    if (o.status === 'done') {
      add(o.completedAt ?? o.updatedAt, `in Ongoing as order ${o.ongoingOrderId ?? '?'}${o.orderNumber ? ` (number ${o.orderNumber})` : ''}${o.completedBy ? `, by run ${o.completedBy}` : ''}`);
      if (o.updatedAt && o.completedAt && o.updatedAt > o.completedAt) add(o.updatedAt, 'order record updated (e.g. the order changed in BaseLinker and was updated in Ongoing)');
    }
    if (o.status === 'cancelled') add(o.cancelledAt ?? o.updatedAt, `cancelled${o.note ? `: ${o.note}` : ''}`);
    if (o.status === 'pending') add(o.updatedAt, `not in Ongoing yet after ${o.attempts} attempt(s)${o.lastError ? `: ${o.lastError}` : ''}`);
    else if (o.lastError) add(o.updatedAt, `last problem: ${o.lastError}`);
  }
  for (const send of s.sends) add(send.at, sendLine(send, s.ids));
  const sh = s.shipment;
  if (sh) {
    // The record's attempts count the tracking run's too; each Send has its own line above.
    add(sh.firstSeenAt, `shipment record opened by the first Send; ${sh.attempts} attempt(s) in all, tracking runs included`);
    if (sh.packageId !== undefined) add(sh.updatedAt, `package ${sh.packageId}${sh.courierCode ? ` (${sh.courierCode})` : ''} booked in BaseLinker`);
    if (sh.labelKey) add(sh.updatedAt, `label stored as ${sh.labelKey} and put on the Ongoing order`);
    if (sh.status === 'done') add(sh.completedAt ?? sh.updatedAt, `shipped: tracking ${sh.trackingNumber ?? '?'}${sh.trackingUrl ? ` (${sh.trackingUrl})` : ''} on the Ongoing order`);
    if (sh.status === 'pending-tracking') add(sh.updatedAt, 'waiting for the tracking number (the tracking run fills it in)');
    if (sh.status === 'failed') add(sh.updatedAt, `Send failed: ${sh.lastError ?? '?'}`);
    if (sh.status === 'pending' && sh.lastError) add(sh.updatedAt, `Send not finished (retried by the tracking run): ${sh.lastError}`);
  }
  for (const item of s.setAside) {
    add(item.firstSeenAt, `set aside (${item.kind}#${item.sourceId}, ${item.count} time(s), now ${item.state}): ${item.reason}`);
    if (item.count > 1 && item.lastSeenAt !== item.firstSeenAt) add(item.lastSeenAt, `set aside again (${item.kind}#${item.sourceId})`);
    if (item.retryRequestedAt) add(item.retryRequestedAt, `retry requested for ${item.kind}#${item.sourceId}`);
    if (item.dismissedAt) add(item.dismissedAt, `dismissed ${item.kind}#${item.sourceId}${item.note ? `: ${item.note}` : ''}`);
  }
  return events.sort((a, b) => a.at.localeCompare(b.at));
}

const OUTCOME_TEXT: Record<string, string> = {
  done: 'shipped',
  'pending-tracking': 'package and label done, tracking number to follow',
  'in-progress': 'still being booked when answered',
  refused: 'refused',
  failed: 'failed',
  'not-shippable': 'not in a status that may ship',
  'order-not-found': 'order not found',
};

/** One Send: when (the event's time), how it came, its outcome, what it left, and the ids on both sides. */
function sendLine(send: SendRecord, ids: OrderStory['ids']): string {
  const outcome = send.alreadyDone ? 'already shipped by an earlier Send, nothing booked' : (OUTCOME_TEXT[send.outcome] ?? send.outcome);
  const parts = [
    send.packageId !== undefined ? `package ${send.packageId}${send.courierCode ? ` (${send.courierCode}${send.reusedPackage ? ', booked earlier' : ''})` : ''}` : 'no package',
    send.labelKey ? `label ${send.labelKey}` : 'no label file',
    send.trackingNumber ? `tracking ${send.trackingNumber}${send.trackingUrl ? ` (${send.trackingUrl})` : ''}` : 'no tracking yet',
  ];
  const both = `Ongoing order ${send.ongoingOrderId}, BaseLinker order ${send.blOrderId ?? ids.blOrderId ?? 'not known'}`;
  return `Send (${send.via === 'cli' ? 'npm run cli -- send' : 'Ongoing webhook'}): ${outcome}${send.message && send.outcome !== 'done' ? `: ${send.message}` : ''}; ${parts.join(', ')} [${both}]`;
}

export function renderStory(s: OrderStory, now: number): string {
  const lines: string[] = [`Order ${describeIds(s.ids)} [${s.tenant}]`, ''];
  lines.push('What the integration recorded');
  if (s.events.length === 0) lines.push('  nothing: the integration has not handled this order');
  for (const e of s.events) lines.push(`  ${when(e.at, now)}  ${e.what}`);
  lines.push('', 'BaseLinker now');
  const b = s.baselinker;
  if (b.error) lines.push(`  ${b.error}`);
  else if (!s.ids.blOrderId) lines.push('  no BaseLinker order id known for this order');
  else {
    lines.push(`  order ${s.ids.blOrderId}: status ${b.statusId}${b.statusName ? ` (${b.statusName})` : ''}`);
    for (const p of b.packages ?? []) lines.push(`  package ${p.packageId} (${p.courierCode}${p.isReturn ? ', return' : ''}): tracking ${p.trackingNumber || 'not yet'}${p.trackingUrl ? ` ${p.trackingUrl}` : ''}`);
    if (!b.packages?.length) lines.push('  no package');
  }
  lines.push('', 'Ongoing now');
  const o = s.ongoing;
  if (o.error) lines.push(`  ${o.error}`);
  else if (!s.ids.ongoingOrderId) lines.push('  not in Ongoing (no Ongoing order id known)');
  else {
    lines.push(`  order ${s.ids.ongoingOrderId} (number ${o.orderNumber}): status ${o.status}${o.statusText ? ` (${o.statusText})` : ''}${o.waybill ? `, waybill ${o.waybill}` : ''}`);
    lines.push(`  files: ${o.files?.length ? o.files.join(', ') : 'none'}`);
  }
  return lines.join('\n');
}
