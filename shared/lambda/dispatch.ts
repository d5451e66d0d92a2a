import type { ScheduledEvent } from 'aws-lambda';
import { dynamoDocumentClient, sqsClient } from '../aws/clients';
import { loadRuntime } from '../config';
import type { FlowName } from '../flows/catalogue';
import { rootLogger } from '../log/logger';
import { EmfMetrics } from '../observability/metrics';
import { DynamoTenantRegistry } from '../tenants/registry';
import { dispatchDueTenants, type DispatchReport } from '../fanout/dispatcher';

/**
 * The Lambda entry a flow's EventBridge rule invokes: puts one message per due tenant on the flow's queue
 * (QUEUE_URL). It reads the registry and the last runs from the state table (TABLE_NAME), never a secret.
 */
export function dispatcherHandler(flow: FlowName) {
  return async (_event?: ScheduledEvent | Record<string, unknown>): Promise<DispatchReport> => {
    const env = process.env;
    const runtime = loadRuntime(env);
    if (!runtime.tableName) throw new Error('TABLE_NAME must be set for the dispatcher (the CDK stack sets it)');
    const queueUrl = env.QUEUE_URL?.trim();
    if (!queueUrl) throw new Error(`QUEUE_URL must be set for the ${flow} dispatcher (the CDK stack sets it)`);
    const dynamo = dynamoDocumentClient();
    const report = await dispatchDueTenants({ flow, registry: new DynamoTenantRegistry(dynamo, runtime.tableName), dynamo, tableName: runtime.tableName, sqs: sqsClient(), queueUrl, metrics: new EmfMetrics() });
    const { due, requests, invalid, overdue, failedToSend, ...counts } = report;
    rootLogger.info('dispatched', { ...counts, due: due.length, requests, invalid: invalid.map((i) => i.id), overdue: overdue.length, failedToSend });
    for (const late of overdue) rootLogger.warn('tenant overdue: its last run started more than two intervals and five minutes ago', { flow, tenant: late.id, overdueSeconds: late.overdueSeconds });
    for (const bad of invalid) rootLogger.error('tenant left out: invalid settings in the registry', { flow, tenant: bad.id, problem: bad.problem });
    if (failedToSend.length > 0) throw new Error(`${flow}: SQS refused the messages of ${failedToSend.join(', ')}; the next tick asks again`);
    return report;
  };
}
