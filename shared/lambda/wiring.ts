import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoDocumentClient } from '../aws/clients';
import { BaseLinkerClient } from '../baselinker/client';
import type { RequestBudget } from '../baselinker/budget';
import type { TenantConfig } from '../config';
import type { Runtime, ServiceRequest, TenantServices } from '../flows/context';
import type { StatePortsFactory } from '../flows/ports';
import { unavailableLabels, type LabelStorage } from '../labels/storage';
import { lazyS3Labels, s3LabelsLoadedOnFirstLabel } from '../labels/lazy';
import { OngoingClient } from '../ongoing/client';
import { DynamoBudget, dynamoStatePorts, StateStore } from '../state';

export type { Runtime, ServicesFactory, TenantServices } from '../flows/context';

/**
 * The composition root: a tenant's clients and its state ports on DynamoDB, wired the same way on AWS,
 * locally and in the integration tests. The flows and the webhook only see the ports (shared/flows/ports.ts).
 */
export interface ServiceOptions extends ServiceRequest {
  dynamo?: DynamoDBDocumentClient;
  s3?: S3Client;
  /** Budget override (tests); default: the DynamoDB budget shared by every process on the token. */
  budget?: RequestBudget;
  /** State ports override (the memory adapters in unit tests); default: the DynamoDB state table. */
  ports?: StatePortsFactory;
}

/** Makes a tenant's label storage from the labels bucket. */
export type LabelsWiring = (bucket: string, options: ServiceOptions) => LabelStorage;

/** Labels in S3 (the shipment webhook, the local host, tests). */
export const s3Labels: LabelsWiring = (bucket, options) => lazyS3Labels(bucket, options.s3);

/** Labels in S3, the S3 client's code loaded by the first label (the tracking worker: most runs store none). */
export const s3LabelsOnFirstLabel: LabelsWiring = (bucket, options) => s3LabelsLoadedOnFirstLabel(bucket, options.s3);

/** No label storage: a function wired with this bundles no S3 client (see unavailableLabels). */
export const noLabels: LabelsWiring = (bucket) => unavailableLabels(bucket);

/**
 * The same wiring as createTenantServices, with the labels store made by `labels`. A Lambda entry passes only
 * what its flow uses: esbuild leaves out whatever the chosen wiring never references (the S3 client: ~150 KB).
 */
export function tenantServicesWith(labels: LabelsWiring): (tenant: TenantConfig, runtime: Runtime, options?: ServiceOptions) => TenantServices {
  return (tenant, runtime, options = {}) => {
    let dynamo = options.dynamo;
    const table = () => (dynamo ??= dynamoDocumentClient());
    const budget =
      options.budget ??
      new DynamoBudget(table(), runtime.tableName, { requestsPerMinute: tenant.baselinker.requestsPerMinute, burst: tenant.baselinker.burst });
    return {
      baselinker: new BaseLinkerClient({
        url: tenant.baselinker.url,
        token: tenant.secrets.baselinkerToken,
        budget,
        maxBudgetWaitMs: options.maxBudgetWaitMs,
        priority: options.priority,
        log: options.log,
        deadline: options.deadline,
      }),
      ongoing: new OngoingClient({
        baseUrl: tenant.ongoing.url,
        user: tenant.secrets.ongoingUser,
        password: tenant.secrets.ongoingPassword,
        goodsOwnerId: tenant.ongoing.goodsOwnerId,
        deadline: options.deadline,
      }),
      state: options.ports ? options.ports(tenant.id) : dynamoStatePorts(new StateStore(table(), runtime.tableName, { setAsideRawDays: runtime.setAsideRawDays }), tenant.id),
      labels: labels(runtime.labelsBucket, options),
    };
  };
}

/** The clients and stores one tenant's flows use, wired the same way on AWS, locally and in tests (labels in S3). */
export function createTenantServices(tenant: TenantConfig, runtime: Runtime, options: ServiceOptions = {}): TenantServices {
  return tenantServicesWith(s3Labels)(tenant, runtime, options);
}

