import { CreateQueueCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createSqsClient } from '../../shared/aws/clients';
import { parseTenantSettings } from '../../shared/config';
import { ALL_TENANTS, dispatchDueTenants, overdueAfterMs } from '../../shared/fanout/dispatcher';
import { InMemoryMetrics, METRIC } from '../../shared/observability/metrics';
import { StateStore } from '../../shared/state';
import { DynamoTenantRegistry } from '../../shared/tenants';
import { startSqsEmulator, type SqsEmulator } from '../../infra/emulators';
import { freshTable, testDocumentClient, uniqueName } from '../support/emulators';

/**
 * The heartbeat of every tenant at its own interval: each dispatcher tick names the tenants whose last run of
 * the flow started more than two of their intervals and five minutes ago (RunOverdueSeconds, per tenant), and
 * counts them for the flow (TenantsOverdue, written at every tick, 0 too, so an alarm that treats silence as
 * breaching also sees a dispatcher that stopped). DynamoDB Local and SQS (fauxqs) over HTTP.
 */

const MINUTE = 60_000;
let sqsEmulator: SqsEmulator;
let sqs: SQSClient;

beforeAll(async () => {
  sqsEmulator = await startSqsEmulator();
  sqs = createSqsClient({ endpoint: sqsEmulator.endpoint });
});

afterAll(async () => {
  sqs?.destroy();
  await sqsEmulator?.stop();
});

test('names each tenant overdue at its own interval, counts them every tick, and leaves on-time tenants alone', async () => {
  const tableName = await freshTable('heartbeat');
  const dynamo = testDocumentClient();
  const registry = new DynamoTenantRegistry(dynamo, tableName);
  const state = new StateStore(dynamo, tableName);
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('orders') }));
  const put = async (id: string, ordersMinutes: number) => {
    const input = { id, baselinker: { url: 'http://127.0.0.1:9/connector.php', inventoryId: 1, orderStatusIds: [1] }, ongoing: { url: 'http://127.0.0.1:9/wh/api/v1', goodsOwnerId: 1 }, schedules: { ordersMinutes } };
    await registry.put({ input, settings: parseTenantSettings(input), secretName: `ob/${id}` });
  };
  // Every minute, last started 3 minutes ago: due, not overdue (7 minutes allowed).
  await put('minutely-fine', 1);
  // Every minute, last started 20 minutes ago: 13 minutes past the 7 allowed.
  await put('minutely-stuck', 1);
  // Every 60 minutes, last started 20 minutes ago: the same age is fine at its own interval (125 minutes allowed).
  await put('hourly', 60);
  const now = Date.now();
  const started = (agoMin: number) => ({ startedAt: new Date(now - agoMin * MINUTE).toISOString(), finishedAt: new Date(now - agoMin * MINUTE + 1000).toISOString(), outcome: 'ok' as const });
  await state.putRunSummary('minutely-fine', 'orders', started(3));
  await state.putRunSummary('minutely-stuck', 'orders', started(20));
  await state.putRunSummary('hourly', 'orders', started(20));

  const metrics = new InMemoryMetrics();
  const report = await dispatchDueTenants({ flow: 'orders', registry, dynamo, tableName, sqs, queueUrl: QueueUrl!, metrics, now: () => now });

  expect(report.overdue).toEqual([{ id: 'minutely-stuck', overdueSeconds: Math.round((20 * MINUTE - overdueAfterMs(1)) / 1000) }]);
  expect(metrics.points.filter((p) => p.name === METRIC.runOverdue).map((p) => p.tenant)).toEqual(['minutely-stuck']);
  expect(metrics.points.filter((p) => p.name === METRIC.tenantsOverdue)).toEqual([expect.objectContaining({ value: 1, flow: 'orders', tenant: ALL_TENANTS })]);
  // Overdue or not, a due tenant is still dispatched.
  expect(report.due.sort()).toEqual(['minutely-fine', 'minutely-stuck']);

  // A tenant that never ran counts from when its registry entry was written; a fresh one is not overdue yet,
  // and the flow's count is written at every tick even when it is 0.
  await put('new-tenant', 1);
  const later = new InMemoryMetrics();
  await state.putRunSummary('minutely-stuck', 'orders', started(0));
  const next = await dispatchDueTenants({ flow: 'orders', registry, dynamo, tableName, sqs, queueUrl: QueueUrl!, metrics: later, now: () => now });
  expect(next.overdue).toEqual([]);
  expect(later.points.filter((p) => p.name === METRIC.tenantsOverdue).map((p) => p.value)).toEqual([0]);

  const much = await dispatchDueTenants({ flow: 'orders', registry, dynamo, tableName, sqs, queueUrl: QueueUrl!, metrics: later, now: () => now + 30 * MINUTE });
  expect(much.overdue.map((o) => o.id).sort()).toEqual(['minutely-fine', 'minutely-stuck', 'new-tenant']);
});
