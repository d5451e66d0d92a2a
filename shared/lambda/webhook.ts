import { loadRuntime, loadTenants, SECRET_CACHE_SECONDS, type TenantConfig } from '../config';
import { createShipmentWebhookHandler, type ShipmentWebhookHandler, type ShipmentWebhookOptions } from '../webhook/shipment-handler';
import { createTenantServices, type Runtime } from './wiring';
import { EmfMetrics } from '../observability/metrics';

/**
 * The webhook as the Lambda runs it: tenants from the environment (TENANTS / TENANTS_FILE / single-tenant
 * variables, secrets from Secrets Manager), cached per container for as long as the secrets are, and the
 * state table and labels bucket from TABLE_NAME and LABELS_BUCKET. Nothing is read at import time.
 */
export function lambdaShipmentWebhook(overrides: Partial<ShipmentWebhookOptions> = {}): ShipmentWebhookHandler {
  let cached: { until: number; tenants: Promise<TenantConfig[]> } | undefined;
  let runtime: Runtime | undefined;
  const tenants = (): Promise<TenantConfig[]> => {
    if (!cached || cached.until <= Date.now()) {
      const loading = loadTenants();
      cached = { until: Date.now() + SECRET_CACHE_SECONDS * 1000, tenants: loading };
      // A failed load is not cached: the next request tries again.
      loading.catch(() => {
        if (cached?.tenants === loading) cached = undefined;
      });
    }
    return cached.tenants;
  };
  const runtimeConfig = (): Runtime => {
    if (runtime) return runtime;
    const env = loadRuntime();
    if (!env.tableName || !env.labelsBucket) throw new Error('TABLE_NAME and LABELS_BUCKET must be set for the shipment webhook');
    runtime = { tableName: env.tableName, labelsBucket: env.labelsBucket, setAsideRawDays: env.setAsideRawDays };
    return runtime;
  };
  return createShipmentWebhookHandler({
    tenants,
    services: (tenant, options) => createTenantServices(tenant, runtimeConfig(), options),
    metrics: new EmfMetrics(),
    ...overrides,
  });
}
