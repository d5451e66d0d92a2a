import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AwsSecretsProvider, ConfigError, flowSettingProblems, loadTenants, tenantsConfiguredIn, type TenantConfig } from '../../shared/config';
import { DynamoTenantRegistry, LocalSecretsStore, loadRegistryTenants } from '../../shared/tenants';

/** Tenant configuration sources; anything else (DATA_DIR, PORT, LOG_LEVEL, ...) does not leave demo mode. */
export function isConfigured(env: NodeJS.ProcessEnv): boolean {
  return tenantsConfiguredIn(env);
}

/** The demo's tenants file under DATA_DIR (written by `npm start` in demo mode). */
export function demoTenantsFile(dataDir: string): string {
  return join(dataDir, 'demo-tenants.json');
}

export interface RegistryAccess {
  dynamo: DynamoDBDocumentClient;
  tableName: string;
  /** aws: secrets from Secrets Manager; local: from the secrets folder under DATA_DIR. */
  mode: 'aws' | 'local';
}

export interface ServedTenants {
  tenants: TenantConfig[];
  /** Registry tenants that cannot run (unreadable secret, invalid settings): each with its reason. */
  failures: { id: string; problem: string }[];
  /** Where they came from, for a start-up line. */
  source: 'configuration' | 'registry' | 'demo' | 'none';
}

/**
 * The tenants a local command serves: the configured ones (TENANTS_FILE, TENANTS, single-tenant variables);
 * with none configured, the tenant registry in the state; with an empty registry, the demo tenant `npm start`
 * left under DATA_DIR (so `npm run cli -- status` works right after the demo). One tenant that cannot load
 * never keeps the others from running.
 */
export async function loadServedTenants(env: NodeJS.ProcessEnv, dataDir: string, registry?: RegistryAccess, flows: readonly string[] = []): Promise<ServedTenants> {
  if (isConfigured(env)) return { tenants: await loadTenants({ env, flows }), failures: [], source: 'configuration' };
  if (registry) {
    const secrets = registry.mode === 'aws' ? new AwsSecretsProvider() : new LocalSecretsStore(dataDir);
    const loaded = await loadRegistryTenants(new DynamoTenantRegistry(registry.dynamo, registry.tableName), secrets);
    if (loaded.tenants.length > 0 || loaded.failures.length > 0 || loaded.disabled.length > 0) {
      // A registry tenant that lacks a setting of the flow about to run fails alone, naming it.
      const tenants: TenantConfig[] = [];
      const failures = [...loaded.failures];
      for (const tenant of loaded.tenants) {
        const missing = flowSettingProblems(tenant, flows, (doc) => doc.path);
        if (missing.length > 0) failures.push({ id: tenant.id, problem: missing.join('; ') });
        else tenants.push(tenant);
      }
      return { tenants, failures, source: 'registry' };
    }
  }
  if (existsSync(demoTenantsFile(dataDir))) {
    return { tenants: await loadTenants({ env: { ...env, TENANTS_FILE: demoTenantsFile(dataDir) }, flows }), failures: [], source: 'demo' };
  }
  return { tenants: [], failures: [], source: 'none' };
}

/** loadServedTenants for commands that need at least one tenant: tenants that cannot load are reported through `warn`. */
export async function loadLocalTenants(
  env: NodeJS.ProcessEnv,
  dataDir: string,
  registry?: RegistryAccess,
  warn: (line: string) => void = (line) => console.error(line),
): Promise<TenantConfig[]> {
  const served = await loadServedTenants(env, dataDir, registry);
  for (const failure of served.failures) warn(`tenant ${failure.id} left out: ${failure.problem}`);
  if (served.source === 'none') await loadTenants({ env }); // throws; its message names every configuration source
  if (served.tenants.length === 0) {
    throw new ConfigError('tenant registry', [
      served.failures.length > 0 ? 'no tenant in the registry can run (see the lines above)' : 'every tenant in the registry is disabled (npm run cli -- tenants list)',
    ]);
  }
  return served.tenants;
}
