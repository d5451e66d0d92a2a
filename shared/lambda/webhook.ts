import { dynamoDocumentClient } from '../aws/clients';
import { AwsSecretsProvider, loadRuntime, loadTenants, SECRET_CACHE_SECONDS, tenantsConfiguredIn, type TenantConfig } from '../config';
import { rootLogger } from '../log/logger';
import { EmfMetrics } from '../observability/metrics';
import { DynamoTenantRegistry } from '../tenants/registry';
import { loadRegistryTenant, loadRegistryTenants } from '../tenants/admin';
import { createShipmentWebhookHandler, type ShipmentWebhookHandler, type ShipmentWebhookOptions } from '../webhook/shipment-handler';
import { createTenantServices, type Runtime } from './wiring';

/** The route parameter that names the tenant (POST /<webhookPath>/{tenant}; infra/cdk/constructs/webhook-api.ts). */
export const TENANT_ROUTE_PARAMETER = 'tenant';

/**
 * The webhook as the Lambda runs it. Tenants come from the tenant registry in the state table (TABLE_NAME):
 * the route names the tenant, so one request reads one registry item and that tenant's secret (Secrets Manager,
 * cached per container for SECRET_CACHE_SECONDS); a disabled or unknown tenant gets no tenant, hence 401. When
 * the environment names tenants itself (TENANTS_FILE / TENANTS / single-tenant variables), those, cached as long.
 * Labels go to LABELS_BUCKET. Nothing is read at import time.
 */
export function lambdaShipmentWebhook(overrides: Partial<ShipmentWebhookOptions> = {}): ShipmentWebhookHandler {
  let cached: { until: number; tenants: Promise<TenantConfig[]> } | undefined;
  let runtime: Runtime | undefined;
  const secrets = new AwsSecretsProvider();
  const runtimeConfig = (): Runtime => {
    if (runtime) return runtime;
    const env = loadRuntime();
    if (!env.tableName || !env.labelsBucket) throw new Error('TABLE_NAME and LABELS_BUCKET must be set for the shipment webhook');
    runtime = { tableName: env.tableName, labelsBucket: env.labelsBucket, setAsideRawDays: env.setAsideRawDays };
    return runtime;
  };
  const registry = () => new DynamoTenantRegistry(dynamoDocumentClient(), runtimeConfig().tableName);
  const cachedTenants = (load: () => Promise<TenantConfig[]>): Promise<TenantConfig[]> => {
    if (!cached || cached.until <= Date.now()) {
      const loading = load();
      cached = { until: Date.now() + SECRET_CACHE_SECONDS * 1000, tenants: loading };
      // A failed load is not cached: the next request tries again.
      loading.catch(() => {
        if (cached?.tenants === loading) cached = undefined;
      });
    }
    return cached.tenants;
  };
  const tenants: ShipmentWebhookOptions['tenants'] = async (event) => {
    if (tenantsConfiguredIn(process.env)) return cachedTenants(() => loadTenants());
    const routed = event.pathParameters?.[TENANT_ROUTE_PARAMETER];
    if (routed) {
      const entry = await registry().get(routed);
      if (!entry?.enabled) return [];
      const tenant = await loadRegistryTenant(entry, secrets);
      if ('problem' in tenant) {
        rootLogger.error('the tenant cannot be served', { flow: 'shipment', tenant: routed, problem: tenant.problem });
        return [];
      }
      return [tenant];
    }
    return cachedTenants(async () => (await loadRegistryTenants(registry(), secrets)).tenants);
  };
  return createShipmentWebhookHandler({
    tenants,
    services: (tenant, options) => createTenantServices(tenant, runtimeConfig(), options),
    metrics: new EmfMetrics(),
    ...overrides,
  });
}
