import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { dynamoDocumentClient } from '../aws/clients';
import { AwsSecretsProvider, loadRuntime } from '../config';
import type { FlowName, NeedsOf } from '../flows/catalogue';
import type { Flow } from '../flows/context';
import { runFlow } from '../flows/runner';
import { noLabels, tenantServicesWith, type LabelsWiring } from './wiring';
import { rootLogger } from '../log/logger';
import { EmfMetrics } from '../observability/metrics';
import { StateStore } from '../state';
import { DynamoTenantRegistry } from '../tenants/registry';
import { handleRunMessages, type RunQueue } from '../fanout/worker';
import { memo } from '../util/memo';

/**
 * A run's budget out of the time Lambda has left: it keeps back time for checkpointing, the run summary and
 * metrics, a sixth of it between 10 and 30 s. A 30 s margin on a one-minute run left 30 s for the work of a
 * minute that Ongoing alone, one write at a time, can take 25 s of at 250 orders.
 */
export function runBudgetMs(remainingMs: number): number {
  const safety = Math.min(30_000, Math.max(10_000, remainingMs / 6));
  // Whole milliseconds: the calls' timeouts are cut to the time left, and AbortSignal.timeout takes integers only.
  return Math.floor(Math.max(remainingMs - safety, remainingMs / 2));
}

/**
 * The flow's queue, with the SQS client's code loaded when it is first used: a worker sends to its queue only to
 * continue a run cut by its deadline or to delay a failed one. The Lambda bundling builds run-queue.ts apart for
 * a require() of it (infra/cdk/bundling.ts, LAMBDA_BUNDLING.bundledApart), so the worker starts without the SQS
 * client; unbundled (tests, `npm start`) this is an ordinary require.
 */
export function runQueueLoadedOnFirstUse(queueUrl: string): RunQueue {
  const queue = memo(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { openSqsRunQueue } = require('../fanout/run-queue') as typeof import('../fanout/run-queue');
    return openSqsRunQueue(queueUrl);
  });
  return { send: async (message) => queue().send(message), retryIn: async (receiptHandle, seconds) => queue().retryIn(receiptHandle, seconds) };
}

/**
 * The Lambda entry of a flow's worker (SQS event source, batch size 1, ReportBatchItemFailures): one
 * tenant-run per message, the tenant read from the registry, its secret from Secrets Manager.
 */
export function workerHandler<F extends FlowName>(flow: F, run: Flow<NeedsOf<F>>, wiring: { labels?: LabelsWiring; queue?: (queueUrl: string) => RunQueue } = {}) {
  const openQueue = wiring.queue ?? runQueueLoadedOnFirstUse;
  const services = tenantServicesWith(wiring.labels ?? noLabels);
  const secrets = new AwsSecretsProvider();
  return async (event: SQSEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<SQSBatchResponse> => {
    const runtime = loadRuntime();
    if (!runtime.tableName || !runtime.labelsBucket) throw new Error('TABLE_NAME and LABELS_BUCKET must be set for the worker (the CDK stack sets them)');
    const { tableName, labelsBucket } = runtime;
    const remaining = context?.getRemainingTimeInMillis() ?? 15 * 60_000;
    const deadline = Date.now() + runBudgetMs(remaining);
    const dynamo = dynamoDocumentClient();
    const state = new StateStore(dynamo, tableName);
    const metrics = new EmfMetrics();
    const queueUrl = process.env.QUEUE_URL?.trim();
    // A failed tenant-run comes back after RETRY_BASE_SECONDS × its receive count (default 60 s, at most 15 min).
    const retryBaseSeconds = Number(process.env.RETRY_BASE_SECONDS) > 0 ? Number(process.env.RETRY_BASE_SECONDS) : 60;
    const result = await handleRunMessages(event, deadline, {
      flow,
      registry: new DynamoTenantRegistry(dynamo, tableName),
      secrets,
      metrics,
      recordFailure: (tenant, startedAt, message) => state.putRunSummary(tenant, flow, { startedAt, finishedAt: startedAt, outcome: 'failed', message }),
      retryDelaySeconds: (receives) => Math.min(900, retryBaseSeconds * Math.max(1, receives)),
      lastRun: async (tenant) => (await state.getRunSummaries(tenant)).find((s) => s.flow === flow),
      run: async (tenant, runDeadline) => (await runFlow(flow, run, { services, tenants: [tenant], runtime: { tableName, labelsBucket, setAsideRawDays: runtime.setAsideRawDays }, deadline: runDeadline, metrics }))[0],
      ...(queueUrl && { queue: openQueue(queueUrl) }),
    });
    for (const o of result.outcomes.filter((x) => x.outcome === 'failed')) rootLogger.error('tenant run failed; SQS retries it, then moves it to the dead-letter queue', { flow, tenant: o.tenant, detail: o.detail });
    return result.response;
  };
}
