import type { TenantConfig } from '../../shared/config';
import { runFlow, type TenantRunReport } from '../../shared/flows/runner';
import { createDynamoDocumentClient, createS3Client } from '../../shared/aws/clients';
import { createShipmentWebhookHandler } from '../../shared/webhook';
import { startApiGateway, type LocalApiGateway } from '../../infra/local/api-gateway';
import { buildFlow, chaosServices, LEASE_GRACE_MS, SHIPMENT_LEASE_MS, type FlowSpec, type Wiring } from './wiring';

/**
 * One worker process of a chaos seed: what a Lambda instance is in production. It runs flows when the seed
 * asks (over the IPC channel) and serves the Send webhook on its own local API Gateway, with the same shared
 * DynamoDB budget, state table and labels bucket as every other process of the seed. The seed ends it with
 * SIGKILL (no `finally`, no clean-up: a Lambda at its timeout) or pauses it with SIGSTOP/SIGCONT (a frozen
 * Lambda thawed later), so nothing here may count on running to the end.
 */

export const WEBHOOK_ROUTE = '/webhook/ongoing';

export type ToWorker = { type: 'init'; tenant: TenantConfig; wiring: Wiring } | { type: 'run'; id: number; flow: FlowSpec; deadlineMs: number };

export type FromWorker =
  | { type: 'up' }
  | { type: 'ready'; webhookUrl: string }
  | { type: 'report'; id: number; report: TenantRunReport }
  | { type: 'run-error'; id: number; message: string }
  | { type: 'problem'; message: string };

const send = (message: FromWorker) => process.send?.(message);

process.on('unhandledRejection', (reason) => send({ type: 'problem', message: `unhandled rejection in worker ${process.pid}: ${String(reason)}` }));
process.on('disconnect', () => process.exit(0));

let tenant: TenantConfig | undefined;
let wiring: Wiring | undefined;
let gateway: LocalApiGateway | undefined;
const clients = { dynamo: createDynamoDocumentClient(), s3: createS3Client() };

/** A worker serves one seed at a time: a new seed brings its own tenant, table and bucket. */
async function init(t: TenantConfig, w: Wiring): Promise<void> {
  await gateway?.close();
  tenant = t;
  wiring = w;
  const handler = createShipmentWebhookHandler({
    tenants: async () => [t],
    services: (tt, options) => chaosServices(tt, w, clients, options),
    budgetMs: 8_000,
    leaseMs: SHIPMENT_LEASE_MS,
    pollMs: 20,
  });
  gateway = await startApiGateway({ routes: [{ method: 'POST', resource: WEBHOOK_ROUTE, handler }] });
  send({ type: 'ready', webhookUrl: `${gateway.url}${WEBHOOK_ROUTE}` });
}

async function run(id: number, spec: FlowSpec, deadlineMs: number): Promise<void> {
  const [report] = await runFlow(spec.name, buildFlow(spec), {
    tenants: [tenant!],
    runtime: wiring!,
    deadline: Date.now() + deadlineMs,
    leaseGraceMs: LEASE_GRACE_MS,
    services: (t, _runtime, o) => chaosServices(t, wiring!, clients, { maxBudgetWaitMs: o?.maxBudgetWaitMs }),
  });
  send({ type: 'report', id, report: report! });
}

const describe = (err: unknown) => (err instanceof Error ? (err.stack ?? err.message) : String(err));

process.on('message', (message: ToWorker) => {
  if (message.type === 'init') init(message.tenant, message.wiring).catch((err) => send({ type: 'problem', message: `worker ${process.pid} did not start: ${describe(err)}` }));
  else run(message.id, message.flow, message.deadlineMs).catch((err) => send({ type: 'run-error', id: message.id, message: describe(err) }));
});

send({ type: 'up' });
