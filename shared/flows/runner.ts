import { randomUUID } from 'node:crypto';
import { TokenBlockedError } from '../baselinker/errors';
import { BudgetWaitExceededError } from '../baselinker/budget';
import type { TenantConfig } from '../config';
import { flowLogger, type Log } from '../log/logger';
import { InMemoryMetrics, METRIC, type MetricsSink } from '../observability/metrics';
import { CATALOGUE, type FlowName, type NeedsOf } from './catalogue';
import { isDue } from './due';
import { runKit, type Flow, type FlowContext, type FlowResult, type Need, type Needs, type Runtime, type ServicesFactory, type TenantServices } from './context';

export interface RunOptions {
  tenants: TenantConfig[];
  runtime: Runtime;
  /** Epoch ms after which flows start no new work (they checkpoint and the next run resumes). */
  deadline: number;
  metrics?: MetricsSink;
  /** The clients and ports of a tenant: DynamoDB and S3 (shared/lambda/wiring.ts), or memory in unit tests. */
  services: ServicesFactory;
  runId?: string;
  now?: () => number;
  /** Human progress lines (the CLI prints them); structured logs go to the logger either way. */
  onProgress?: (line: string) => void;
  /**
   * Scheduled runs: skip a tenant whose own interval for this flow (`schedules.<flow>Minutes`) has not passed
   * since its last run started. One schedule serves every tenant at the fastest tenant's rate; this keeps the
   * others at theirs. A run that stopped at its deadline (partial) continues at the next tick regardless.
   */
  onlyDue?: boolean;
  /** How long past its deadline a run's lease still blocks the next run (a run killed mid-way releases nothing). Default 60 s. */
  leaseGraceMs?: number;
}

export type Outcome = 'ok' | 'partial' | 'failed' | 'skipped';

export interface TenantRunReport {
  flow: FlowName;
  tenant: string;
  runId: string;
  outcome: Outcome;
  result?: FlowResult;
  error?: string;
  durationMs: number;
  baselinkerRequests: number;
  ongoingRequests: number;
}

/** How long past its deadline a crashed run's lease still blocks the next run. */
const LEASE_GRACE_MS = 60_000;

/**
 * How long past the run's deadline an outside call begun before it may go on. A flow starts no unit of work past
 * its deadline, but the unit in hand (an order: its lookup and its write) finishes: a write cut mid-way failed the
 * run, which then lost its journal progress and waited for SQS's back-off instead of stopping as partial and being
 * continued. The worker keeps at least 10 s back after the deadline (shared/lambda/worker.ts runBudgetMs).
 */
export const CALL_GRACE_MS = 5_000;

/**
 * Runs one flow once for every tenant: each tenant under its own lease (two runs of one flow for one
 * tenant never overlap, whatever the scheduler does), with a run summary in state and metrics. A tenant
 * that fails does not stop the others.
 */
export async function runFlow<F extends FlowName>(name: F, flow: Flow<NeedsOf<F>>, options: RunOptions): Promise<TenantRunReport[]> {
  const runId = options.runId ?? randomUUID();
  const metrics = options.metrics ?? new InMemoryMetrics();
  const reports = await Promise.all(options.tenants.map((tenant) => runForTenant(options.services, name, flow as Flow<Need>, tenant, runId, metrics, options)));
  metrics.flush();
  return reports;
}

async function runForTenant(
  makeServices: ServicesFactory,
  name: FlowName,
  flow: Flow<Need>,
  tenant: TenantConfig,
  runId: string,
  metrics: MetricsSink,
  options: RunOptions,
): Promise<TenantRunReport> {
  const now = options.now ?? Date.now;
  const started = now();
  const log: Log = flowLogger({ tenant: tenant.id, flow: name, runId });
  const dims = { flow: name, tenant: tenant.id };
  const maxBudgetWaitMs = Math.max(0, options.deadline - started);
  // Outside calls end by the deadline (and its grace) on the real clock (the run's own clock may be simulated, as in the bench).
  const callDeadline = Date.now() + maxBudgetWaitMs + CALL_GRACE_MS;
  const services = makeServices(tenant, options.runtime, { maxBudgetWaitMs, log, priority: CATALOGUE[name].budgetPriority, deadline: callDeadline });
  const report = (outcome: Outcome, extra: Partial<TenantRunReport> = {}): TenantRunReport => ({
    flow: name,
    tenant: tenant.id,
    runId,
    outcome,
    durationMs: now() - started,
    baselinkerRequests: services.baselinker.requestCount,
    ongoingRequests: services.ongoing.requestCount,
    ...extra,
  });

  if (options.onlyDue) {
    const notDue = await notDueReason(services, tenant, name, started);
    if (notDue) {
      log.debug(notDue);
      return report('skipped', { error: notDue });
    }
  }

  const leaseName = `${name}#${tenant.id}`;
  const leaseMs = Math.max(options.deadline - started, 0) + (options.leaseGraceMs ?? LEASE_GRACE_MS);
  const { leases, runs } = services.state;
  if (!(await leases.acquire(leaseName, runId, leaseMs))) {
    const holder = await leases.get(leaseName);
    const message = `another ${name} run for ${tenant.id} is still going (run ${holder?.owner ?? '?'}); this one stands down`;
    log.info(message);
    options.onProgress?.(`${name} [${tenant.id}]: skipped, ${message}`);
    return report('skipped', { error: message });
  }

  const startedAt = new Date(started).toISOString();
  await runs.put(name, { runId, startedAt, outcome: 'running' });
  options.onProgress?.(`${name} [${tenant.id}]: started (run ${runId})`);
  log.info('run started');
  try {
    const result = await flow(contextFor(name, services, {
      tenant,
      baselinker: services.baselinker,
      ongoing: services.ongoing,
      log,
      runId,
      now,
      metric: (metricName, unit, value) => metrics.add(metricName, unit, value, dims),
      run: runKit(services.state.inbox, options.deadline, now, (line) => options.onProgress?.(`${name} [${tenant.id}]: ${line}`)),
    }));
    const itemFailures = result.failed ?? 0;
    const outcome: Outcome = itemFailures > 0 ? 'failed' : result.complete ? 'ok' : 'partial';
    const failedItems = itemFailures > 0 ? `${itemFailures} item(s) failed; the next run tries them again (see the log)` : undefined;
    const done = report(outcome, { result, ...(failedItems && { error: failedItems }) });
    metrics.add(METRIC.itemsSeen, 'Count', result.seen, dims);
    metrics.add(METRIC.itemsSynced, 'Count', result.written, dims);
    metrics.add(METRIC.itemsSetAside, 'Count', result.setAside, dims);
    metrics.add(METRIC.runFailed, 'Count', itemFailures > 0 ? 1 : 0, dims);
    finishMetrics(metrics, done, dims);
    await runs.put(name, {
      runId,
      startedAt,
      finishedAt: new Date(now()).toISOString(),
      outcome,
      counts: { ...result.counts, seen: result.seen, written: result.written, setAside: result.setAside, ...(itemFailures > 0 && { failed: itemFailures }), durationMs: done.durationMs, baselinkerRequests: done.baselinkerRequests, ongoingRequests: done.ongoingRequests },
      message: [failedItems, result.message].filter(Boolean).join('; ') || undefined,
    });
    (itemFailures > 0 ? log.error.bind(log) : log.info.bind(log))('run finished', { outcome, failed: itemFailures, seen: result.seen, written: result.written, setAside: result.setAside, baselinkerRequests: done.baselinkerRequests, ongoingRequests: done.ongoingRequests, durationMs: done.durationMs });
    options.onProgress?.(summaryLine(done));
    return done;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const failed = report('failed', { error: message });
    metrics.add(METRIC.runFailed, 'Count', 1, dims);
    if (err instanceof TokenBlockedError || (err instanceof BudgetWaitExceededError && err.blockedUntil)) {
      metrics.add(METRIC.tokenBlocked, 'Count', 1, dims);
    }
    finishMetrics(metrics, failed, dims);
    log.error('run failed', { error: message, errorName: err instanceof Error ? err.name : typeof err });
    await runs
      .put(name, { runId, startedAt, finishedAt: new Date(now()).toISOString(), outcome: 'failed', message })
      .catch((summaryErr) => log.error('could not record the failed run', { error: String(summaryErr) }));
    options.onProgress?.(summaryLine(failed));
    return failed;
  } finally {
    // Failed runs too: these rise while nothing succeeds (the set-aside and oldest-pending alarms read them).
    await stateGauges(name, services.state, metrics, dims, now).catch((gaugeErr) => log.warn('could not read the set-aside and pending gauges', { error: String(gaugeErr) }));
    await leases.release(leaseName, runId).catch((leaseErr) => log.warn('could not release the run lease; it expires by itself', { error: String(leaseErr) }));
  }
}

/** The set-aside kind each flow puts items of. */
const SET_ASIDE_KIND: Partial<Record<FlowName, string>> = { orders: 'order', tracking: 'shipment', stock: 'stock', articles: 'article' };

/** Gauges read from state at the end of every run: open set-aside items of the flow's kind, the oldest pending order. */
async function stateGauges(name: FlowName, state: TenantServices['state'], metrics: MetricsSink, dims: { flow: string; tenant: string }, now: () => number): Promise<void> {
  const kind = SET_ASIDE_KIND[name];
  if (kind) metrics.add(METRIC.setAsideOpen, 'Count', (await state.inbox.list({ kind, state: 'open', withRaw: false })).length, dims);
  if (name === 'orders') {
    const since = await state.orders.oldestPendingSince();
    const at = since === undefined ? NaN : Date.parse(since);
    metrics.add(METRIC.oldestPending, 'Seconds', Number.isFinite(at) ? Math.max(0, (now() - at) / 1000) : 0, dims);
  }
}

/** The flow's context: the basics and only the ports (and labels) its catalogue entry names. */
function contextFor(name: FlowName, services: TenantServices, basics: FlowContext): FlowContext<Need> {
  const all: Needs = { ...services.state, labels: services.labels };
  const picked: Partial<Needs> = {};
  for (const need of CATALOGUE[name].needs) (picked as Record<Need, unknown>)[need] = all[need];
  return { ...basics, ...(picked as Needs) };
}

async function notDueReason(services: TenantServices, tenant: TenantConfig, name: FlowName, nowMs: number): Promise<string | undefined> {
  const minutes = tenant.schedules[CATALOGUE[name].schedule];
  const last = (await services.state.runs.all()).find((summary) => summary.flow === name);
  if (isDue(last, minutes, nowMs)) return undefined;
  const sinceMs = nowMs - Date.parse(last!.startedAt);
  return `not due yet: ${tenant.id} runs ${name} every ${minutes} min, the last run started ${Math.round(sinceMs / 60_000)} min ago`;
}

function finishMetrics(metrics: MetricsSink, report: TenantRunReport, dims: { flow: string; tenant: string }): void {
  metrics.add(METRIC.runDuration, 'Milliseconds', report.durationMs, dims);
  metrics.add(METRIC.baselinkerRequests, 'Count', report.baselinkerRequests, dims);
  metrics.add(METRIC.ongoingRequests, 'Count', report.ongoingRequests, dims);
}

/** One line per tenant: what an operator reads first. */
export function summaryLine(report: TenantRunReport): string {
  const seconds = (report.durationMs / 1000).toFixed(1);
  const head = `${report.flow} [${report.tenant}]: ${report.outcome} in ${seconds} s`;
  if ((report.outcome === 'failed' && !report.result) || report.outcome === 'skipped') return `${head}: ${report.error}`;
  const r = report.result!;
  const extras = Object.entries(r.counts ?? {})
    .filter(([, v]) => v)
    .map(([k, v]) => `${k} ${v}`);
  const parts = [`seen ${r.seen}`, `written ${r.written}`, `set aside ${r.setAside}`, ...extras, `BaseLinker requests ${report.baselinkerRequests}`, `Ongoing requests ${report.ongoingRequests}`];
  const failed = report.outcome === 'failed' ? ` — ${report.error}` : '';
  return `${head}: ${parts.join(', ')}${r.complete ? '' : ' (stopped at its time budget; the next run continues)'}${failed}${r.message ? ` — ${r.message}` : ''}`;
}
