import { sleep } from '../util/retry';
import { METRIC, type MetricsSink } from '../observability/metrics';
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { tenantByGoodsOwnerId, type TenantConfig } from '../config';
import type { TenantServices } from '../flows/context';
import type { ShipmentRecord, StatePorts } from '../flows/ports';
import { shipOrder, type ShipmentOutcome } from '../flows/shipment';
import { sendEnded, sendOfOutcome } from '../flows/sends';
import { rootLogger, type Log } from '../log/logger';
import { baselinkerOrderIdFrom } from '../mapping/shipment';
import { headerValue, secretMatches } from './auth';
import { parseOrderWebhook } from './payload';

/**
 * The "Send" webhook behind API Gateway (REST, proxy integration, payload v1). Order of checks, so that an
 * unauthenticated caller learns nothing and causes nothing:
 *  1. the secret: the header each tenant configured, compared in constant time against that tenant's secret;
 *     no match for any tenant -> 401, before the body is even looked at;
 *  2. the body (400 when malformed), the tenant by goods owner id (404 when none is configured), and that the
 *     secret presented is THAT tenant's (401 otherwise);
 *  3. the shipment, synchronously within a time budget well inside API Gateway's 29 s. When the budget runs
 *     out (a slow courier) the answer is 202: the shipment record in state says 'pending', the work goes on
 *     where the process lives on, and the scheduled tracking run finishes it where it does not (Lambda).
 *
 * Answers: 200 done (package id, tracking), 202 accepted / in progress / waiting for a tracking number,
 * 400 malformed body, 401 missing or wrong secret, 404 unknown goods owner or order, 409 order not in a
 * status that may ship, 422 refused (courier refusal, with BaseLinker's message; missing settings or
 * weights), 502 a system failed on the way (the claim is given back; Ongoing's retry or the tracking run
 * tries again).
 */

/** What the webhook touches of a tenant: its clients, the shipments ledger, the inbox, the webhook events and the Sends. */
export type WebhookServices = Pick<TenantServices, 'baselinker' | 'ongoing' | 'labels'> & { state: Pick<StatePorts, 'shipments' | 'inbox' | 'events' | 'sends'> };

export interface ShipmentWebhookOptions {
  /** The tenants this request may be for (cache them: this runs on every request); the route may name one. */
  tenants: (event: APIGatewayProxyEvent) => Promise<readonly TenantConfig[]>;
  /** Clients and stores for one tenant; `maxBudgetWaitMs` keeps a BaseLinker budget wait inside the answer time. */
  services: (tenant: TenantConfig, options: { log: Log; maxBudgetWaitMs: number; priority: 'interactive'; deadline?: number }) => WebhookServices;
  /** How long the request works before it answers 202 and leaves the rest to later. Default 20 s. */
  budgetMs?: number;
  /** How long the order's claim blocks other workers (the tracking run takes over after it). Default 2 min. */
  leaseMs?: number;
  /** How long a webhook event id is remembered (Ongoing retries for up to 24 h). Default 3 days. */
  eventTtlSeconds?: number;
  /** How often a second press of the same order looks whether the first one finished. Default 250 ms. */
  pollMs?: number;
  now?: () => number;
  log?: Log;
  /** Shipment metrics (flow "shipment"): the dashboard's shipped / set aside / failed. Default: none. */
  metrics?: MetricsSink;
}

export type LambdaContextLike = Partial<Pick<Context, 'awsRequestId' | 'getRemainingTimeInMillis'>>;
export type ShipmentWebhookHandler = (event: APIGatewayProxyEvent, context?: LambdaContextLike) => Promise<APIGatewayProxyResult>;

/** Kept back from Lambda's remaining time for answering. */
const ANSWER_MARGIN_MS = 2_000;
const TIMED_OUT = Symbol('timed out');

export interface ShipmentAnswer {
  status: string;
  message?: string;
  ongoingOrderId?: number;
  packageId?: string;
  courierCode?: string;
  trackingNumber?: string;
  trackingUrl?: string;
  labelKey?: string;
  courierMessage?: string;
  reusedPackage?: boolean;
  alreadyDone?: boolean;
}

function reply(statusCode: number, body: ShipmentAnswer, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return { statusCode, headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(body) };
}

const unauthorized = () => reply(401, { status: 'unauthorized', message: 'missing or wrong webhook secret' });

function fromRecord(record: ShipmentRecord): Pick<ShipmentAnswer, 'packageId' | 'courierCode' | 'trackingNumber' | 'trackingUrl' | 'labelKey'> {
  return {
    ...(record.packageId !== undefined && { packageId: String(record.packageId) }),
    ...(record.courierCode && { courierCode: record.courierCode }),
    ...(record.trackingNumber && { trackingNumber: record.trackingNumber }),
    ...(record.trackingUrl && { trackingUrl: record.trackingUrl }),
    ...(record.labelKey && { labelKey: record.labelKey }),
  };
}

/** The answer for a shipment record another worker produced (second press of one order). */
function answerForRecord(ongoingOrderId: number, record: ShipmentRecord | undefined): APIGatewayProxyResult {
  if (record?.status === 'done') return reply(200, { status: 'done', ongoingOrderId, ...fromRecord(record), alreadyDone: true });
  if (record?.status === 'pending-tracking') {
    return reply(202, { status: 'pending-tracking', ongoingOrderId, ...fromRecord(record), message: 'package booked and label attached; the tracking number follows with the scheduled tracking run' });
  }
  if (record?.status === 'failed') return reply(422, { status: 'failed', ongoingOrderId, message: record.lastError || 'the shipment failed; see the set-aside list' });
  return reply(202, { status: 'in-progress', ongoingOrderId, ...(record && fromRecord(record)), message: 'another request is working on this order; the shipment record in state shows the outcome' });
}

function answerFor(ongoingOrderId: number, outcome: ShipmentOutcome): APIGatewayProxyResult {
  switch (outcome.kind) {
    case 'done':
      return reply(200, {
        status: 'done',
        ongoingOrderId,
        ...fromRecord(outcome.record),
        reusedPackage: outcome.reusedPackage,
        ...(outcome.alreadyDone && { alreadyDone: true }),
      });
    case 'pending-tracking':
      return answerForRecord(ongoingOrderId, outcome.record);
    case 'in-progress':
      return answerForRecord(ongoingOrderId, outcome.record);
    case 'order-not-found':
      return reply(404, { status: 'order-not-found', ongoingOrderId, message: outcome.message });
    case 'not-shippable':
      return reply(409, { status: 'not-shippable', ongoingOrderId, message: outcome.message });
    case 'refused':
      return reply(422, { status: 'refused', ongoingOrderId, message: outcome.message, courierMessage: outcome.courierMessage });
    case 'failed':
      return reply(502, {
        status: 'failed',
        ongoingOrderId,
        message: `${outcome.message} (recorded; a retry of this webhook or the scheduled tracking run tries again)`,
        ...(outcome.record && fromRecord(outcome.record)),
      });
  }
}


async function withinBudget<T>(work: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), Math.max(0, ms));
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function createShipmentWebhookHandler(options: ShipmentWebhookOptions): ShipmentWebhookHandler {
  const now = options.now ?? Date.now;
  const baseLog = options.log ?? rootLogger;
  const budgetMs = options.budgetMs ?? 20_000;
  const leaseMs = options.leaseMs ?? 120_000;
  const eventTtlSeconds = options.eventTtlSeconds ?? 3 * 24 * 3600;
  const pollMs = options.pollMs ?? 250;

  return async (event, context) => {
    const started = now();
    const requestId = context?.awsRequestId ?? event.requestContext?.requestId ?? randomUUID();
    const log = baseLog.createChild({ persistentKeys: { flow: 'shipment', requestId } });
    if (event.httpMethod && event.httpMethod.toUpperCase() !== 'POST') {
      return reply(405, { status: 'method-not-allowed', message: 'POST the Ongoing order webhook here' }, { Allow: 'POST' });
    }

    let tenants: readonly TenantConfig[];
    try {
      tenants = await options.tenants(event);
    } catch (err) {
      log.error('the tenants could not be loaded', { error: err instanceof Error ? err.message : String(err) });
      return reply(500, { status: 'error', message: `the integration's configuration could not be loaded; see its logs (request ${requestId})` });
    }

    // 1. Who may call at all. Every tenant's check runs, so timing does not tell which tenant nearly matched.
    const authenticated = tenants.filter((t) => secretMatches(headerValue(event.headers, event.multiValueHeaders, t.shipment.webhookHeader), t.secrets.webhookSecret ?? ''));
    if (authenticated.length === 0) {
      const unset = tenants.filter((t) => !t.secrets.webhookSecret).map((t) => t.id);
      log.warn('webhook refused: missing or wrong secret', unset.length ? { tenantsWithoutWebhookSecret: unset.join(', '), fix: 'set WEBHOOK_SECRET (secrets.webhookSecret)' } : {});
      return unauthorized();
    }

    // 2. What it is about.
    const parsed = parseOrderWebhook(event.body, event.isBase64Encoded);
    if (!parsed.ok) {
      log.warn('webhook refused: malformed body', { problem: parsed.problem });
      return reply(400, { status: 'malformed', message: `not an Ongoing order webhook: ${parsed.problem}` });
    }
    const { orderId, goodsOwnerId, webhookEventId } = parsed.payload;
    const tenant = tenantByGoodsOwnerId(tenants, goodsOwnerId);
    if (!tenant) {
      log.warn('webhook refused: goods owner not configured', { goodsOwnerId });
      return reply(404, { status: 'unknown-goods-owner', ongoingOrderId: orderId, message: `goods owner ${goodsOwnerId} is not configured in this integration` });
    }
    if (!authenticated.includes(tenant)) {
      log.warn('webhook refused: the secret is not the one of the goods owner it names', { goodsOwnerId });
      return unauthorized();
    }

    // 3. The shipment.
    const tlog = log.createChild({ persistentKeys: { tenant: tenant.id, ongoingOrderId: orderId, webhookEventId } });
    const remaining = context?.getRemainingTimeInMillis?.();
    const budget = Math.max(0, Math.min(budgetMs, remaining === undefined ? budgetMs : remaining - ANSWER_MARGIN_MS) - (now() - started));
    const deadline = now() + budget;
    try {
      // A person at the packing station waits for this answer: it may use the budget bulk flows leave free.
      // Outside calls may outlive the answer (202) but not the function: they end before its timeout.
      const callDeadline = remaining === undefined ? undefined : started + remaining - ANSWER_MARGIN_MS;
      const { state, ...clients } = options.services(tenant, { log: tlog, maxBudgetWaitMs: budget, priority: 'interactive', deadline: callDeadline });
      const seen = await state.events.remember(`ongoing-order#${webhookEventId}`, eventTtlSeconds);
      if (seen === 'duplicate') {
        const record = await state.shipments.get(orderId);
        tlog.info('redelivery of a webhook event already received', { shipmentStatus: record?.status });
        // Still being worked on by the first delivery: nothing to add. Otherwise go on (done answers from state).
        if (record?.status === 'pending' && record.owner && (record.leaseUntilMs ?? 0) > now()) return answerForRecord(orderId, record);
      }

      // Once answered, the work must not carry on later: in Lambda it would resume on a thawed container
      // minutes on, its claim stale. Aborting stops it at its next step; the tracking run finishes the order.
      const stop = new AbortController();
      const hint = { blOrderId: baselinkerOrderIdFrom(parsed.payload.goodsOwnerOrderId, parsed.payload.orderNumber), status: parsed.payload.orderStatus?.number };
      // Each Send is kept with the answer it got, for the order's story (npm run cli -- order); never at its cost.
      const sendStart = { ongoingOrderId: orderId, via: 'webhook' as const, at: new Date(started).toISOString(), ...(hint.blOrderId !== undefined && { blOrderId: String(hint.blOrderId) }) };
      const keepSend = (send: Parameters<typeof state.sends.record>[0]) =>
        state.sends.record(send).catch((err: unknown) => tlog.warn('could not record the Send', { error: err instanceof Error ? err.message : String(err) }));
      const work = shipOrder({ tenant, ...clients, shipments: state.shipments, inbox: state.inbox, log: tlog, now }, orderId, {
        owner: `webhook:${requestId}`,
        leaseMs,
        signal: stop.signal,
        hint,
      });
      const outcome = await withinBudget(work, deadline - now());
      if (outcome === TIMED_OUT) {
        stop.abort();
        // Nobody waits for this answer any more: a failure here shows only as this metric (and the log).
        const failedLate = (): void => options.metrics?.add(METRIC.failedAfterAccept, 'Count', 1, { flow: 'shipment', tenant: tenant.id });
        work.then(
          (late) => {
            if (late.kind === 'failed' || late.kind === 'refused') {
              failedLate();
              tlog.error('shipment failed after the webhook was answered', { outcome: late.kind, error: late.message });
            } else tlog.info('shipment finished after the webhook was answered', { outcome: late.kind });
          },
          (err) => {
            failedLate();
            tlog.error('shipment failed after the webhook was answered', { error: err instanceof Error ? err.message : String(err) });
          },
        );
        tlog.info('time budget used up; answered 202', { budgetMs: budget });
        await keepSend(sendEnded(sendStart, 'in-progress', undefined, { message: 'answered 202: still booking (slow courier); the tracking run finishes it if needed' }));
        return reply(202, {
          status: 'in-progress',
          ongoingOrderId: orderId,
          message: 'accepted; the shipment is still being booked (slow courier). Its record in state shows the outcome; the scheduled tracking run finishes it if needed',
        });
      }
      if (outcome.kind === 'in-progress') {
        // The same order pressed twice: wait (within the budget) for the first press to finish, then answer as it did.
        let record = outcome.record;
        while (now() < deadline && record?.status === 'pending' && (record.leaseUntilMs ?? 0) > now()) {
          await sleep(Math.min(pollMs, Math.max(0, deadline - now())));
          record = await state.shipments.get(orderId);
        }
        await keepSend(sendEnded(sendStart, record?.status === 'pending' || !record ? 'in-progress' : record.status, record, { message: record?.lastError || 'another request was working on this order', alreadyDone: record?.status === 'done' }));
        return answerForRecord(orderId, record);
      }
      const dims = { flow: 'shipment', tenant: tenant.id };
      options.metrics?.add(METRIC.runDuration, 'Milliseconds', now() - started, dims);
      options.metrics?.add(METRIC.itemsSynced, 'Count', outcome.kind === 'done' || outcome.kind === 'pending-tracking' ? 1 : 0, dims);
      options.metrics?.add(METRIC.itemsSetAside, 'Count', outcome.kind === 'refused' ? 1 : 0, dims);
      options.metrics?.add(METRIC.runFailed, 'Count', outcome.kind === 'failed' ? 1 : 0, dims);
      await keepSend(sendOfOutcome(sendStart, outcome));
      return answerFor(orderId, outcome);
    } catch (err) {
      options.metrics?.add(METRIC.runFailed, 'Count', 1, { flow: 'shipment', tenant: tenant.id });
      tlog.error('webhook failed', { error: err instanceof Error ? err.message : String(err), errorName: err instanceof Error ? err.name : typeof err });
      return reply(500, { status: 'error', ongoingOrderId: orderId, message: `internal error; nothing more was done (request ${requestId}). Ongoing's retry will try again` });
    }
  };
}
