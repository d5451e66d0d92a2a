import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { BatchGetCommand, type BatchGetCommandOutput, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CATALOGUE, type FlowName } from '../flows/catalogue';
import { isDue } from '../flows/due';
import type { RunSummaryRecord } from '../flows/ports';
import { METRIC, type MetricsSink } from '../observability/metrics';
import { keys } from '../state/table';
import type { TenantRegistry } from '../tenants/registry';

/**
 * The fan-out of one scheduled flow: its EventBridge rule ticks this flow's dispatcher, which puts one SQS
 * message per due tenant on the flow's queue; the flow's worker takes one tenant-run per message (see
 * worker.ts). The dispatcher reads no secret and runs no flow, so it stays small and fast however many
 * tenants there are: one paged Query for the registry, one BatchGetItem per 100 tenants for their last runs,
 * one SendMessageBatch per 10 due tenants.
 */

/** What one message asks: run `flow` for `tenant`. `dispatchedAt` lets a worker recognise a duplicate delivery. */
export interface TenantRunMessage {
  tenant: string;
  flow: FlowName;
  /** Epoch ms of the tick that asked for this run (or of the end of the run a continuation goes on from). */
  dispatchedAt: number;
  /** A continuation: the id of the run that stopped at its deadline with work left (for the logs). */
  continues?: string;
}

/** A tenant-run message as the queue carries it: the dispatcher's tick and the worker's continuation send the same. */
export function runMessage(message: TenantRunMessage): { MessageBody: string; MessageAttributes: Record<string, { DataType: 'String'; StringValue: string }> } {
  return {
    MessageBody: JSON.stringify(message),
    // Attributes survive the move to the dead-letter queue: whoever reads it sees tenant and flow at once.
    MessageAttributes: {
      tenant: { DataType: 'String', StringValue: message.tenant },
      flow: { DataType: 'String', StringValue: message.flow },
    },
  };
}

export interface DispatchReport {
  flow: FlowName;
  /** Enabled tenants in the registry. */
  tenants: number;
  due: string[];
  sent: number;
  notDue: number;
  notTakingPart: number;
  disabled: number;
  /** Registry entries whose settings no longer validate: named here, and left out. */
  invalid: { id: string; problem: string }[];
  /**
   * Tenants whose last run of the flow started longer ago than overdueAfterMs of their own interval (never run:
   * since the registry entry was last written), with how far past that they are.
   */
  overdue: { id: string; overdueSeconds: number }[];
  /** Messages SQS refused (the next tick asks again). */
  failedToSend: string[];
  /** Requests made, for the benchmark's cost of a tick. */
  requests: { dynamoQueryPages: number; dynamoBatchGets: number; sqsBatches: number };
}

export interface DispatchOptions {
  flow: FlowName;
  registry: TenantRegistry;
  dynamo: DynamoDBDocumentClient;
  tableName: string;
  sqs: SQSClient;
  queueUrl: string;
  /** Where the heartbeat goes: RunOverdueSeconds per overdue tenant, TenantsOverdue for the flow every tick. */
  metrics?: MetricsSink;
  now?: () => number;
}

/**
 * A tenant's flow is overdue when its last run started more than two of its own intervals and five minutes
 * ago: one late or failed tick is not enough (a failed run writes its summary too, and has an alarm of its
 * own), a queue that holds runs back, a worker that never gets to the tenant or a lost message is.
 */
export function overdueAfterMs(intervalMinutes: number): number {
  return (2 * intervalMinutes + 5) * 60_000;
}

const BATCH_GET_MAX = 100;
/** The tenant dimension of a figure about all tenants of a flow (the alarms read its flow-only series). */
export const ALL_TENANTS = '(all)';
const SQS_BATCH_MAX = 10;

export async function dispatchDueTenants(options: DispatchOptions): Promise<DispatchReport> {
  const now = options.now ?? Date.now;
  const tick = now();
  const flowEntry = CATALOGUE[options.flow];
  const entries = await options.registry.list();
  const report: DispatchReport = {
    flow: options.flow,
    tenants: 0,
    due: [],
    sent: 0,
    notDue: 0,
    notTakingPart: 0,
    disabled: 0,
    invalid: [],
    overdue: [],
    failedToSend: [],
    requests: { dynamoQueryPages: Math.max(1, Math.ceil(entries.length / 1000)), dynamoBatchGets: 0, sqsBatches: 0 },
  };
  const taking: { id: string; minutes: number; writtenAt: string }[] = [];
  for (const entry of entries) {
    if (!entry.enabled) {
      report.disabled += 1;
      continue;
    }
    report.tenants += 1;
    if (!entry.settings) {
      report.invalid.push({ id: entry.id, problem: entry.problem ?? 'invalid settings' });
      continue;
    }
    if (!flowEntry.takesPart(entry.settings)) report.notTakingPart += 1;
    else taking.push({ id: entry.id, minutes: entry.settings.schedules[flowEntry.schedule], writtenAt: entry.updatedAt });
  }

  const last = await lastRuns(options, taking.map((t) => t.id), report);
  for (const tenant of taking) {
    const lastRun = last.get(tenant.id);
    if (isDue(lastRun, tenant.minutes, tick)) report.due.push(tenant.id);
    else report.notDue += 1;
    const since = Date.parse(lastRun?.startedAt ?? tenant.writtenAt);
    const pastMs = tick - since - overdueAfterMs(tenant.minutes);
    if (pastMs > 0) {
      report.overdue.push({ id: tenant.id, overdueSeconds: Math.round(pastMs / 1000) });
      options.metrics?.add(METRIC.runOverdue, 'Seconds', Math.round(pastMs / 1000), { flow: options.flow, tenant: tenant.id });
    }
  }
  options.metrics?.add(METRIC.tenantsOverdue, 'Count', report.overdue.length, { flow: options.flow, tenant: ALL_TENANTS });

  for (let i = 0; i < report.due.length; i += SQS_BATCH_MAX) {
    const batch = report.due.slice(i, i + SQS_BATCH_MAX);
    report.requests.sqsBatches += 1;
    const result = await options.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: options.queueUrl,
        Entries: batch.map((tenant, index) => ({ Id: String(index), ...runMessage({ tenant, flow: options.flow, dispatchedAt: tick }) })),
      }),
    );
    report.sent += result.Successful?.length ?? 0;
    for (const failed of result.Failed ?? []) report.failedToSend.push(batch[Number(failed.Id)]);
  }
  return report;
}

/** Each tenant's last run of the flow (eventually consistent reads: a tick is a minute apart). */
async function lastRuns(options: DispatchOptions, tenants: readonly string[], report: DispatchReport): Promise<Map<string, RunSummaryRecord>> {
  const out = new Map<string, RunSummaryRecord>();
  for (let i = 0; i < tenants.length; i += BATCH_GET_MAX) {
    let requestKeys: Record<string, unknown>[] | undefined = tenants.slice(i, i + BATCH_GET_MAX).map((tenant) => keys.run(tenant, options.flow));
    for (let attempt = 0; requestKeys && requestKeys.length > 0; attempt += 1) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
      report.requests.dynamoBatchGets += 1;
      const result: BatchGetCommandOutput = await options.dynamo.send(
        new BatchGetCommand({ RequestItems: { [options.tableName]: { Keys: requestKeys, ProjectionExpression: 'pk, startedAt, outcome' } } }),
      );
      for (const item of result.Responses?.[options.tableName] ?? []) {
        const tenant = tenantOfRunPk(String(item.pk));
        if (tenant) out.set(tenant, item as unknown as RunSummaryRecord);
      }
      requestKeys = result.UnprocessedKeys?.[options.tableName]?.Keys;
      if (attempt > 8 && requestKeys?.length) throw new Error(`DynamoDB left ${requestKeys.length} run summaries unread after 9 attempts`);
    }
  }
  return out;
}

function tenantOfRunPk(pk: string): string | undefined {
  const match = /^TENANT#(.+)#RUN$/.exec(pk);
  return match?.[1];
}
