import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { BudgetPolicy, BudgetPriority } from '../../shared/baselinker/budget';
import { BaseLinkerClient } from '../../shared/baselinker/client';
import type { TenantConfig } from '../../shared/config';
import { articlesFlow } from '../../shared/flows/articles';
import type { CatalogueFlow, FlowName } from '../../shared/flows/catalogue';
import { createOrdersFlow } from '../../shared/flows/orders';
import { createReconcileFlow } from '../../shared/flows/reconcile';
import type { TenantServices } from '../../shared/flows/context';
import { stockFlow } from '../../shared/flows/stock';
import { createTrackingFlow } from '../../shared/flows/tracking';
import { LabelStore } from '../../shared/labels';
import { OngoingClient } from '../../shared/ongoing/client';
import { DynamoBudget, dynamoStatePorts, StateStore } from '../../shared/state';
import { demoClientSettings } from '../../infra/simulators/ongoing';

/**
 * What every process of a chaos seed (the test itself and its worker processes) wires the same way: clients
 * with short timeouts and fast retries (a fault costs milliseconds), the shared DynamoDB budget on the seed's
 * table, and the flows built from a plain description (it crosses the process boundary).
 */

/**
 * BaseLinker's limit (100 per 60 s, blocking the token) with its time axis shrunk: 50 per 1 s. The tenant's
 * budget stays below it: burst + 1 s of refill = 6 + 2094/60 ≈ 41 per any second, leaving room for the
 * few ms between a budget grant and the request's arrival.
 */
export const SIM_RATE_LIMIT = { requestsPerWindow: 50, windowMs: 1000, blockMs: 300 };
export const TENANT_BUDGET: BudgetPolicy = { requestsPerMinute: 2100, burst: 6 };
const FAST_RETRY = { attempts: 3, baseDelayMs: 5, maxDelayMs: 40 };
export const CLIENT_TIMEOUT_MS = 300;

/** Short claims and leases, so what a killed or frozen run holds lapses within the seed. */
export const ORDER_CLAIM_MS = 800;
export const SHIPMENT_LEASE_MS = 1000;
export const TRACKING_CLAIM_MS = 1000;
/** Every run's deadline, and how long past it a dead run's lease blocks the next run of the flow. */
export const RUN_DEADLINE_MS = 2500;
export const LEASE_GRACE_MS = 300;
/** Longest any claim or lease of a run that died holds. */
export const LONGEST_HOLD_MS = Math.max(ORDER_CLAIM_MS, SHIPMENT_LEASE_MS, TRACKING_CLAIM_MS, RUN_DEADLINE_MS + LEASE_GRACE_MS);

export interface Wiring {
  tableName: string;
  labelsBucket: string;
}

export interface WiringClients {
  dynamo: DynamoDBDocumentClient;
  s3: S3Client;
}

export function chaosServices(
  tenant: TenantConfig,
  wiring: Wiring,
  clients: WiringClients,
  options: { maxBudgetWaitMs?: number; priority?: BudgetPriority } = {},
): TenantServices {
  return {
    baselinker: new BaseLinkerClient({
      url: tenant.baselinker.url,
      token: tenant.secrets.baselinkerToken,
      budget: new DynamoBudget(clients.dynamo, wiring.tableName, TENANT_BUDGET),
      maxBudgetWaitMs: options.maxBudgetWaitMs,
      priority: options.priority,
      timeoutMs: CLIENT_TIMEOUT_MS,
      retry: FAST_RETRY,
      blockMarginMs: 50,
    }),
    ongoing: new OngoingClient({ ...demoClientSettings(tenant.ongoing.url), timeoutMs: CLIENT_TIMEOUT_MS, retry: FAST_RETRY }),
    state: dynamoStatePorts(new StateStore(clients.dynamo, wiring.tableName), tenant.id),
    labels: new LabelStore(clients.s3, wiring.labelsBucket),
  };
}

/** A flow run as a plain value: what the seed asks a process to run. */
export interface FlowSpec {
  name: FlowName;
  /** Orders: the journal's full-scan interval. */
  fullScanIntervalMs?: number;
  /** Reconcile: deletion checks per run. */
  deletionChecksPerRun?: number;
}

export function buildFlow(spec: FlowSpec): CatalogueFlow {
  switch (spec.name) {
    case 'articles':
      return articlesFlow;
    case 'stock':
      return stockFlow;
    case 'orders':
      return createOrdersFlow({ claimLeaseMs: ORDER_CLAIM_MS, fullScanIntervalMs: spec.fullScanIntervalMs ?? 0 });
    case 'reconcile':
      return createReconcileFlow({ claimLeaseMs: ORDER_CLAIM_MS, ...(spec.deletionChecksPerRun !== undefined && { deletionChecksPerRun: spec.deletionChecksPerRun }) });
    case 'tracking':
      return createTrackingFlow({ claimMs: TRACKING_CLAIM_MS });
  }
}
