import { METRIC } from '../observability/metrics';
import type { NeedsOf } from './catalogue';
import type { Flow, FlowContext, FlowResult } from './context';
import type { ShipmentRecord } from './ports';
import { packageTracking, shipOrder, writeTracking } from './shipment';

/**
 * The scheduled tracking run finishes what the webhook could not:
 * - 'pending-tracking' shipments (package and label made, BaseLinker had no tracking number yet): look the
 *   package up again and, once the number is there, write it (and the link) onto the Ongoing order;
 * - 'pending' shipments whose claim has lapsed (the webhook answered 202 because the courier was slow, or
 *   the worker crashed or failed on a passing error): run the shipment again, which reuses the package
 *   BaseLinker already has instead of booking a second one.
 * - 'failed' shipments a person put back with `npm run cli -- retry shipment#<order>` (after fixing the
 *   address, the courier settings or the weights): run the shipment again. Other 'failed' ones wait for a
 *   person (they are set aside) or a new Send.
 */

/** How long one shipment stays claimed by this run while it works on it. */
const CLAIM_MS = 5 * 60_000;

export interface TrackingFlowOptions {
  /** How long one shipment stays claimed while this run works on it (a crashed run's claims lapse after it). Default 5 minutes. */
  claimMs?: number;
}
/** Polls of a package without a tracking number before it is set aside for a person (keeps polling). */
const TRACKING_POLLS_BEFORE_SET_ASIDE = 96;

type Step = 'written' | 'waiting' | 'busy' | 'set-aside' | 'failed';

type TrackingContext = FlowContext<NeedsOf<'tracking'>>;

export function createTrackingFlow(options: TrackingFlowOptions = {}): Flow<NeedsOf<'tracking'>> {
  const claimMs = options.claimMs ?? CLAIM_MS;
  return (ctx) => trackingRun(ctx, claimMs);
}

export const trackingFlow = createTrackingFlow();

async function trackingRun(ctx: TrackingContext, claimMs: number): Promise<FlowResult> {
  const result = ctx.run.tally;
  // The unfinished shipments (a sparse index), and the failed ones a person asked to retry: never every shipment.
  const open = await ctx.shipments.open();
  const retryAsked = new Set((await ctx.inbox.list({ kind: 'shipment', state: 'retry', withRaw: false })).map((item) => item.sourceId));
  const retried = await Promise.all([...retryAsked].filter((id) => !open.some((s) => String(s.ongoingOrderId) === id)).map((id) => ctx.shipments.get(id)));
  const shipments = [...open, ...retried.filter((s): s is ShipmentRecord => s !== undefined)];
  const now = ctx.now();
  const oldest = open.map((s) => Date.parse(s.firstSeenAt)).filter(Number.isFinite).sort((a, b) => a - b)[0];
  ctx.metric(METRIC.oldestPending, 'Seconds', oldest === undefined ? 0 : Math.max(0, (now - oldest) / 1000));
  const due = shipments.filter(
    (s) =>
      s.status === 'pending-tracking' ||
      (s.status === 'pending' && (s.leaseUntilMs ?? 0) < now) ||
      (s.status === 'failed' && retryAsked.has(String(s.ongoingOrderId))),
  );

  for (const shipment of due) {
    if (ctx.run.deadline.passed()) {
      result.complete = false;
      break;
    }
    result.seen++;
    let step: Step;
    try {
      step = shipment.status === 'pending-tracking' ? await fillTracking(ctx, shipment, claimMs) : await resumeShipment(ctx, shipment, claimMs);
    } catch (err) {
      ctx.log.error('tracking run could not finish a shipment', { ongoingOrderId: shipment.ongoingOrderId, error: err instanceof Error ? err.message : String(err) });
      step = 'failed';
    }
    if (step === 'written') result.written++;
    else if (step === 'set-aside') result.setAside++;
    else result.count(step === 'waiting' ? 'waitingForTracking' : step === 'busy' ? 'busy' : 'failed');
  }
  // Shipments that failed this time are retried by the next run, but this run did not do its job: not `ok`.
  return result.result({ failed: result.counts.failed ?? 0 });
}

async function fillTracking(ctx: TrackingContext, shipment: ShipmentRecord, claimMs: number): Promise<Step> {
  const { shipments, inbox } = ctx;
  const orderId = Number(shipment.ongoingOrderId);
  if ((await shipments.claim(orderId, ctx.runId, claimMs)).result !== 'claimed') return 'busy';
  try {
    if (shipment.blOrderId === undefined || shipment.packageId === undefined) {
      // Cannot happen for a record this code wrote; resume the whole shipment to repair it.
      await shipments.release(orderId, ctx.runId, { status: 'pending', lastError: 'pending-tracking without a package; shipping again' });
      return 'failed';
    }
    const listed = await packageTracking(ctx.baselinker, Number(shipment.blOrderId), shipment.packageId);
    if (!listed.found) {
      const reason = `package ${shipment.packageId} of BaseLinker order ${shipment.blOrderId} is gone from BaseLinker (deleted?); press Send again to book a new one`;
      await shipments.release(orderId, ctx.runId, { status: 'failed', lastError: reason });
      await inbox.put({ kind: 'shipment', sourceId: String(orderId), reason, ids: { ongoingOrderId: String(orderId), blOrderId: shipment.blOrderId, packageId: String(shipment.packageId) } });
      return 'set-aside';
    }
    if (!listed.trackingNumber) {
      const released = await shipments.release(orderId, ctx.runId, { status: 'pending-tracking' });
      const polls = released?.attempts ?? 0;
      if (polls === TRACKING_POLLS_BEFORE_SET_ASIDE) {
        await inbox.put({
          kind: 'shipment',
          sourceId: String(orderId),
          reason: `BaseLinker still has no tracking number for package ${shipment.packageId} after ${polls} looks; still polling`,
          ids: { ongoingOrderId: String(orderId), blOrderId: shipment.blOrderId, packageId: String(shipment.packageId) },
        });
        return 'set-aside';
      }
      return 'waiting';
    }
    await writeTracking(ctx, orderId, listed.trackingNumber, listed.trackingUrl);
    await shipments.complete(orderId, ctx.runId, {
      trackingNumber: listed.trackingNumber,
      ...(listed.trackingUrl && { trackingUrl: listed.trackingUrl }),
    });
    await inbox.clear('shipment', String(orderId));
    ctx.log.info('tracking number written', { ongoingOrderId: orderId, packageId: shipment.packageId, trackingNumber: listed.trackingNumber });
    return 'written';
  } catch (err) {
    await shipments
      .release(orderId, ctx.runId, { status: 'pending-tracking', lastError: err instanceof Error ? err.message : String(err) })
      .catch(() => undefined);
    throw err;
  }
}

async function resumeShipment(ctx: TrackingContext, shipment: ShipmentRecord, claimMs: number): Promise<Step> {
  const orderId = Number(shipment.ongoingOrderId);
  const outcome = await shipOrder(ctx, orderId, { owner: ctx.runId, leaseMs: claimMs });
  switch (outcome.kind) {
    case 'done':
      return 'written';
    case 'pending-tracking':
      return 'waiting';
    case 'in-progress':
      return 'busy';
    case 'refused':
      return 'set-aside';
    case 'failed':
      return outcome.record?.status === 'failed' ? 'set-aside' : 'failed';
    case 'order-not-found':
    case 'not-shippable': {
      // The order changed under us (cancelled, moved back, deleted): stop retrying and tell a person.
      if ((await ctx.shipments.claim(orderId, ctx.runId, claimMs)).result !== 'claimed') return 'busy';
      await ctx.shipments.release(orderId, ctx.runId, { status: 'failed', lastError: outcome.message });
      await ctx.inbox.put({ kind: 'shipment', sourceId: String(orderId), reason: outcome.message, ids: { ongoingOrderId: String(orderId) } });
      return 'set-aside';
    }
  }
}
