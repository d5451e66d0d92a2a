import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SINGLE_TENANT_ENV_VARS, loadTenants, type TenantConfig } from '../../shared/config';

/** Tenant configuration sources; anything else (DATA_DIR, PORT, LOG_LEVEL, ...) does not leave demo mode. */
const CONFIG_VARS = ['TENANTS_FILE', 'TENANTS', ...SINGLE_TENANT_ENV_VARS];

export function isConfigured(env: NodeJS.ProcessEnv): boolean {
  return CONFIG_VARS.some((name) => (env[name] ?? '').trim() !== '');
}

/** The demo's tenants file under DATA_DIR (written by `npm start` in demo mode). */
export function demoTenantsFile(dataDir: string): string {
  return join(dataDir, 'demo-tenants.json');
}

/**
 * Tenants for the local commands (sync, cli): the configured ones, or, with nothing configured, the demo tenant
 * `npm start` left under DATA_DIR, so `npm run cli -- status` works right after the demo.
 */
export async function loadLocalTenants(env: NodeJS.ProcessEnv, dataDir: string): Promise<TenantConfig[]> {
  if (!isConfigured(env) && existsSync(demoTenantsFile(dataDir))) return loadTenants({ env: { ...env, TENANTS_FILE: demoTenantsFile(dataDir) } });
  return loadTenants({ env });
}

