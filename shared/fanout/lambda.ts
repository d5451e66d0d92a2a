import type { Context, ScheduledEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { dynamoDocumentClient, sqsClient } from '../aws/clients';
import { AwsSecretsProvider, loadRuntime, type Env } from '../config';
import type { Flow, FlowName } from '../flows/context';
import { runFlowWith } from '../flows/runner';
import { noLabels, tenantServicesWith, type LabelsWiring } from '../flows/services';
import { rootLogger } from '../log/logger';
import { EmfMetrics } from '../observability/metrics';
import { StateStore } from '../state';
import { DynamoTenantRegistry } from '../tenants';
import { dispatchDueTenants, type DispatchReport } from './dispatcher';
import { handleRunMessages } from './worker';

/** Time kept back from Lambda's timeout for checkpointing, the run summary and metrics. */
const SAFETY_MS = 30_000;

function required(env: Env, name: string, what: string): string {
  const value = env[name]?.trim();
  if (!value) throw new Error(`${name} must be set for the ${what} (the CDK stack sets it)`);
  return value;
}

/**
 * The Lambda entry a flow's EventBridge rule invokes: puts one message per due tenant on the flow's queue
 * (QUEUE_URL). It reads the registry and the last runs from the state table (TABLE_NAME), never a secret.
 */
export function dispatcherHandler(flow: FlowName) {
  return async (_event?: ScheduledEvent | Record<string, unknown>): Promise<DispatchReport> => {
    const env = process.env;
    const runtime = loadRuntime(env);
    if (!runtime.tableName) throw new Error('TABLE_NAME must be set for the dispatcher (the CDK stack sets it)');
    const queueUrl = required(env, 'QUEUE_URL', `${flow} dispatcher`);
    const dynamo = dynamoDocumentClient();
    const report = await dispatchDueTenants({ flow, registry: new DynamoTenantRegistry(dynamo, runtime.tableName), dynamo, tableName: runtime.tableName, sqs: sqsClient(), queueUrl });
    const { due, requests, invalid, failedToSend, ...counts } = report;
    rootLogger.info('dispatched', { ...counts, due: due.length, requests, invalid: invalid.map((i) => i.id), failedToSend });
    for (const bad of invalid) rootLogger.error('tenant left out: invalid settings in the registry', { flow, tenant: bad.id, problem: bad.problem });
    if (failedToSend.length > 0) throw new Error(`${flow}: SQS refused the messages of ${failedToSend.join(', ')}; the next tick asks again`);
    return report;
  };
}

/**
 * The Lambda entry of a flow's worker (SQS event source, batch size 1, ReportBatchItemFailures): one
 * tenant-run per message, the tenant read from the registry, its secret from Secrets Manager.
 */
export function workerHandler(flow: FlowName, run: Flow, wiring: { labels?: LabelsWiring } = {}) {
  const services = tenantServicesWith(wiring.labels ?? noLabels);
  const secrets = new AwsSecretsProvider();
  return async (event: SQSEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<SQSBatchResponse> => {
    const runtime = loadRuntime();
    if (!runtime.tableName || !runtime.labelsBucket) throw new Error('TABLE_NAME and LABELS_BUCKET must be set for the worker (the CDK stack sets them)');
    const { tableName, labelsBucket } = runtime;
    const remaining = context?.getRemainingTimeInMillis() ?? 15 * 60_000;
    const deadline = Date.now() + Math.max(remaining - SAFETY_MS, remaining / 2);
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
      run: async (tenant, runDeadline) => (await runFlowWith(services, flow, run, { tenants: [tenant], runtime: { tableName, labelsBucket }, deadline: runDeadline, metrics }))[0],
      ...(queueUrl && { sqs: { client: sqsClient(), queueUrl } }),
    });
    for (const o of result.outcomes.filter((x) => x.outcome === 'failed')) rootLogger.error('tenant run failed; SQS retries it, then moves it to the dead-letter queue', { flow, tenant: o.tenant, detail: o.detail });
    return result.response;
  };
}
