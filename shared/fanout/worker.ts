import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { SecretsProvider, TenantConfig } from '../config';
import { CATALOGUE, type FlowName } from '../flows/catalogue';
import { flowLogger, type Log } from '../log/logger';
import { METRIC, type MetricsSink } from '../observability/metrics';
import type { TenantRunReport } from '../flows/runner';
import { loadRegistryTenant } from '../tenants/admin';
import type { TenantRegistry } from '../tenants/registry';
import { runMessage, type TenantRunMessage } from './dispatcher';

/**
 * A flow's worker: one tenant-run per SQS message. What makes the fan-out safe:
 *  - the tenant is read from the registry at run time (settings and secret), so a change needs no deploy and
 *    a disabled or removed tenant's queued message is dropped;
 *  - a tenant that cannot load (unreadable secret, invalid settings) or whose run failed fails its message
 *    only: SQS redelivers it after a back-off and, after the queue's maxReceiveCount, moves it to the
 *    dead-letter queue, attributes `tenant` and `flow` included. Other tenants' messages never wait for it;
 *  - a message delivered twice (SQS is at-least-once) runs once: a run of this tenant and flow that started
 *    after the message was dispatched and did not fail means the work was done;
 *  - the runner's per-tenant lease still keeps two runs of one tenant's flow from overlapping;
 *  - a run that stopped at its deadline with work left, or outlasted its interval, is continued at once
 *    (see `continuesAtOnce`).
 */

export interface WorkerOptions {
  flow: FlowName;
  registry: TenantRegistry;
  secrets: SecretsProvider;
  /** Runs the flow for one tenant (the runner: lease, run summary, metrics). */
  run: (tenant: TenantConfig, deadline: number) => Promise<TenantRunReport>;
  /** The tenant's last run of this flow, to recognise a duplicate delivery. */
  lastRun: (tenant: string) => Promise<{ startedAt: string; outcome: string } | undefined>;
  metrics: MetricsSink;
  /** Records a run that could not start (the tenant would not load), so the dispatcher waits its interval. */
  recordFailure: (tenant: string, startedAt: string, message: string) => Promise<void>;
  /**
   * The flow's queue: for the back-off of a failed message (without it SQS redelivers after the queue's
   * visibility timeout) and for the continuation of a run that stopped at its deadline (without it the next tick
   * continues it).
   */
  queue?: RunQueue;
  /** Seconds before a failed message is tried again, by how often it was received. Default 60 s × receives, at most 15 min. */
  retryDelaySeconds?: (receiveCount: number) => number;
  now?: () => number;
}

/** The flow's queue as the worker uses it (on SQS: shared/fanout/run-queue.ts). */
export interface RunQueue {
  /** Puts a tenant-run message (runMessage) on the queue. */
  send(message: ReturnType<typeof runMessage>): Promise<void>;
  /** Makes a received message visible again in `seconds`. */
  retryIn(receiptHandle: string, seconds: number): Promise<void>;
}

export type WorkerOutcome = 'ran' | 'failed' | 'duplicate' | 'dropped';

export interface WorkerResult {
  response: SQSBatchResponse;
  outcomes: { messageId: string; tenant?: string; outcome: WorkerOutcome; detail?: string; continued?: boolean }[];
}

/**
 * Whether a run is continued at once: it stopped at its deadline with work left (partial), or it finished but
 * outlasted its own interval (a tick came while it ran, found the tenant due and stood down at the lease). The
 * next tick would run it anyway, but up to a tick later, idle while the work waits: at 1,000 orders a minute,
 * Ongoing taking one write at a time, that idle time is lag every order behind it carries. The worker puts a
 * message for the same tenant and flow back on the queue once the run has ended (its lease released), so SQS
 * hands it to a worker straight away. Nothing runs twice: the lease keeps any two runs apart, and of a
 * continuation and a tick's message for the same tenant the one taken second finds a run started after it was
 * sent and is dropped as a duplicate (or, that run still going, stands down).
 *
 * A partial run is continued only if it worked for at least half its budget (`budgetMs`): one cut by its deadline
 * did. One that stopped early with work left stopped for something time does not cure (a chunk it could not finish
 * in the time left, a BaseLinker budget it could not get): continued at once it would stop again at once, and a
 * tenant would spin invocations until the cause passed. It waits for the next tick instead.
 */
export function continuesAtOnce(report: Pick<TenantRunReport, 'outcome' | 'durationMs'>, intervalMinutes: number, budgetMs: number): boolean {
  if (report.outcome === 'partial') return report.durationMs >= budgetMs / 2;
  return report.outcome === 'ok' && report.durationMs >= intervalMinutes * 60_000;
}

const defaultRetryDelay = (receiveCount: number) => Math.min(900, 60 * Math.max(1, receiveCount));

export function parseRunMessage(record: Pick<SQSRecord, 'body'>, flow: FlowName): TenantRunMessage | string {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    return 'the message body is not JSON';
  }
  const message = body as Partial<TenantRunMessage>;
  if (!message || typeof message.tenant !== 'string' || !message.tenant) return 'the message names no tenant';
  if (message.flow !== flow) return `the message is for flow "${String(message.flow)}", this worker runs ${flow}`;
  return {
    tenant: message.tenant,
    flow,
    dispatchedAt: typeof message.dispatchedAt === 'number' ? message.dispatchedAt : 0,
    ...(typeof message.continues === 'string' && { continues: message.continues }),
  };
}

export async function handleRunMessages(event: Pick<SQSEvent, 'Records'>, deadline: number, options: WorkerOptions): Promise<WorkerResult> {
  const result: WorkerResult = { response: { batchItemFailures: [] }, outcomes: [] };
  // One at a time: the event source's MaximumConcurrency is the bound on parallel tenant-runs.
  for (const record of event.Records) {
    const outcome = await handleOne(record, deadline, options);
    result.outcomes.push({ messageId: record.messageId, ...outcome });
    if (outcome.outcome === 'failed') {
      result.response.batchItemFailures.push({ itemIdentifier: record.messageId });
      await backOff(record, options, outcome.log);
    }
  }
  options.metrics.flush();
  return result;
}

async function handleOne(
  record: SQSRecord,
  deadline: number,
  options: WorkerOptions,
): Promise<{ tenant?: string; outcome: WorkerOutcome; detail?: string; continued?: boolean; log?: Log }> {
  const message = parseRunMessage(record, options.flow);
  if (typeof message === 'string') {
    // Malformed: it can never succeed; failing it sends it to the dead-letter queue for a person to read.
    flowLogger({ flow: options.flow, tenant: '?' }).error('unusable message', { reason: message, messageId: record.messageId });
    return { outcome: 'failed', detail: message };
  }
  const log = flowLogger({ flow: options.flow, tenant: message.tenant });
  const dims = { flow: options.flow, tenant: message.tenant };
  const entry = await options.registry.get(message.tenant);
  if (!entry || !entry.enabled) {
    const detail = entry ? 'the tenant is disabled' : 'the tenant is no longer in the registry';
    log.info('message dropped', { reason: detail });
    return { tenant: message.tenant, outcome: 'dropped', detail };
  }

  const last = await options.lastRun(message.tenant);
  if (last && Date.parse(last.startedAt) >= message.dispatchedAt && last.outcome !== 'failed') {
    const detail = `a run started ${last.startedAt} after this message was dispatched (${last.outcome})`;
    log.info('duplicate delivery: already run', { detail });
    return { tenant: message.tenant, outcome: 'duplicate', detail };
  }

  const tenant = await loadRegistryTenant(entry, options.secrets);
  if ('problem' in tenant) {
    log.error('tenant cannot run', { problem: tenant.problem });
    options.metrics.add(METRIC.runFailed, 'Count', 1, dims);
    await options.recordFailure(message.tenant, new Date((options.now ?? Date.now)()).toISOString(), tenant.problem).catch((error) =>
      log.warn('could not record the failed run', { error: error instanceof Error ? error.name : String(error) }),
    );
    return { tenant: message.tenant, outcome: 'failed', detail: tenant.problem, log };
  }
  const runStartedAt = (options.now ?? Date.now)();
  const report = await options.run(tenant, deadline);
  if (report.outcome === 'failed') return { tenant: message.tenant, outcome: 'failed', detail: report.error, log };
  const interval = tenant.schedules[CATALOGUE[options.flow].schedule];
  const continued = continuesAtOnce(report, interval, deadline - runStartedAt) && (await continueRun(message.tenant, report.runId, options, log));
  return { tenant: message.tenant, outcome: 'ran', detail: report.outcome, ...(continued && { continued }) };
}

/** Puts the continuation of a run on the queue; false (and the next tick continues it) if SQS refuses. */
async function continueRun(tenant: string, runId: string, options: WorkerOptions, log: Log): Promise<boolean> {
  if (!options.queue) return false;
  const message: TenantRunMessage = { tenant, flow: options.flow, dispatchedAt: (options.now ?? Date.now)(), continues: runId };
  try {
    await options.queue.send(runMessage(message));
    log.info('run stopped at its deadline or outlasted its interval: continued at once', { runId });
    return true;
  } catch (error) {
    log.warn('could not queue the continuation; the next tick continues the run', { runId, error: error instanceof Error ? error.name : String(error) });
    return false;
  }
}

async function backOff(record: SQSRecord, options: WorkerOptions, log: Log | undefined): Promise<void> {
  if (!options.queue) return;
  const receives = Number(record.attributes?.ApproximateReceiveCount ?? '1') || 1;
  const delay = (options.retryDelaySeconds ?? defaultRetryDelay)(receives);
  try {
    await options.queue.retryIn(record.receiptHandle, delay);
  } catch (error) {
    // The queue's own visibility timeout then decides when it comes back: later, never lost.
    (log ?? flowLogger({ flow: options.flow, tenant: '?' })).warn('could not set the retry delay', { error: error instanceof Error ? error.name : String(error) });
  }
}
