import type { Context, ScheduledEvent } from 'aws-lambda';
import { loadRuntime, loadTenants } from '../config';
import { rootLogger } from '../log/logger';
import { EmfMetrics } from '../observability/metrics';
import type { FlowName, NeedsOf } from '../flows/catalogue';
import type { Flow } from '../flows/context';
import { runFlow, type TenantRunReport } from '../flows/runner';
import { noLabels, tenantServicesWith, type LabelsWiring } from './wiring';

/**
 * A run's budget out of the time Lambda has left: it keeps back time for checkpointing, the run summary and
 * metrics, a sixth of it between 10 and 30 s. A 30 s margin on the one-minute orders function (journal on) left
 * 30 s for the work of a minute that Ongoing alone, one write at a time, can take 25 s of at 250 orders.
 */
export function runBudgetMs(remainingMs: number): number {
  const safety = Math.min(30_000, Math.max(10_000, remainingMs / 6));
  return Math.max(remainingMs - safety, remainingMs / 2);
}

export class RunFailedError extends Error {
  constructor(readonly reports: TenantRunReport[]) {
    super(`${reports.filter((r) => r.outcome === 'failed').map((r) => `${r.tenant}: ${r.error}`).join('; ')}`);
    this.name = 'RunFailedError';
  }
}

/**
 * The Lambda entry for a scheduled flow (EventBridge). Each function bundles only its own flow. It fails the
 * invocation when a tenant's run failed, so the function's error metric, alarm and failure destination see it;
 * the next scheduled run is the retry (the CDK stack sets no async retries on these functions).
 */
export function scheduledHandler<F extends FlowName>(name: F, flow: Flow<NeedsOf<F>>, wiring: { labels?: LabelsWiring } = {}) {
  // Only the flows that handle labels pass s3Labels: the others' bundles carry no S3 client (and have no S3 access).
  const services = tenantServicesWith(wiring.labels ?? noLabels);
  return async (_event: ScheduledEvent | Record<string, unknown>, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<TenantRunReport[]> => {
    const runtime = loadRuntime();
    if (!runtime.tableName || !runtime.labelsBucket) throw new Error('TABLE_NAME and LABELS_BUCKET must be set for the Lambda functions');
    const tenants = await loadTenants();
    const remaining = context?.getRemainingTimeInMillis() ?? 15 * 60_000;
    const reports = await runFlow(name, flow, {
      services,
      tenants,
      runtime: { tableName: runtime.tableName, labelsBucket: runtime.labelsBucket, setAsideRawDays: runtime.setAsideRawDays },
      deadline: Date.now() + runBudgetMs(remaining),
      metrics: new EmfMetrics(),
      // One rule serves every tenant at the fastest tenant's rate: the others run at their own interval.
      onlyDue: true,
    });
    if (reports.some((r) => r.outcome === 'failed')) {
      rootLogger.error('scheduled run failed for some tenants', { flow: name });
      throw new RunFailedError(reports);
    }
    return reports;
  };
}
