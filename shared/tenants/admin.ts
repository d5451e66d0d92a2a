import { ConfigError, MIN_WEBHOOK_SECRET_LENGTH, type SecretsProvider, parseSecretValue, parseTenantEntries, SecretReadError, type TenantConfig, type TenantSecrets } from '../config';
import { defaultSecretName, type RegistryEntry, type TenantRegistry } from './registry';
import type { SecretsStore } from './secrets-store';
import { API_KEY_HEADER, API_KEY_VALUE, type WebhookKeys } from './webhook-keys';

/**
 * What the operator's `tenants` verbs do to the registry and the secrets store. Every write is validated
 * first, in full: an invalid entry is refused naming its field, and then nothing at all is stored.
 */

export interface PutResult {
  stored: RegistryEntry[];
  /** Secret names written (from inline `secrets`). */
  secretsStored: string[];
  /** Import: tenants left as they were because the registry already had them. */
  skipped: string[];
}

export interface PutOptions {
  /** Names the input in messages, e.g. `tenants put shop-a.json`. */
  source: string;
  /** Import: tenants already in the registry are left alone (so an import runs once, whatever follows). */
  skipExisting?: boolean;
  /** Inline secrets accepted (tenant files: yes; CDK context: no, secrets are in Secrets Manager already). */
  inlineSecrets?: boolean;
  /**
   * The deployed webhook edge (AWS): each tenant's secret becomes its API key there, so the secret must be a
   * valid key value and the tenant's webhook header x-api-key; the key is registered after the tenant is stored.
   */
  webhookKeys?: WebhookKeys;
}

/** The problems with one tenant's secrets (value-free), or none. */
function secretProblems(secrets: TenantSecrets | string[], where: string, edge: boolean): string[] {
  if (Array.isArray(secrets)) return secrets;
  // Optional for a flow run from a file or env (only the webhook needs it); a registered tenant always has the webhook.
  const webhookSecret = secrets.webhookSecret;
  if (webhookSecret === undefined) return [`${where}.webhookSecret: required: the Send webhook's secret (e.g. openssl rand -hex 32)`];
  // Its length the schema checked when the secrets were parsed (shared/config, MIN_WEBHOOK_SECRET_LENGTH).
  if (edge && !API_KEY_VALUE.test(webhookSecret)) {
    return [`${where}.webhookSecret: must be ${MIN_WEBHOOK_SECRET_LENGTH} to 128 letters and digits only: it is the tenant's API Gateway key (e.g. openssl rand -hex 32)`];
  }
  return [];
}

export async function putTenants(data: unknown, registry: TenantRegistry, store: SecretsStore, options: PutOptions): Promise<PutResult> {
  const entries = parseTenantEntries(data, { source: options.source, label: 'tenants', inlineSecrets: options.inlineSecrets ?? true, single: true, secretsOptional: true });
  const existing = await registry.list();
  const byId = new Map(existing.map((e) => [e.id, e]));
  const skipped = options.skipExisting ? entries.filter((e) => byId.has(e.settings.id)).map((e) => e.settings.id) : [];
  const todo = entries.filter((e) => !skipped.includes(e.settings.id));
  const problems: string[] = [];
  const edge = options.webhookKeys !== undefined;
  const webhookSecrets = new Map<string, string>();
  if (edge) {
    for (const entry of todo) {
      if (entry.settings.shipment.webhookHeader !== API_KEY_HEADER) {
        problems.push(`${entry.where}.shipment.webhookHeader: must be "${API_KEY_HEADER}" on AWS: API Gateway reads the tenant's key (its webhook secret) from that header`);
      }
    }
  }

  await Promise.all(
    todo.map(async (entry) => {
      const secretName = entry.secretName ?? byId.get(entry.settings.id)?.secretName ?? defaultSecretName(entry.settings.id);
      if (entry.secrets) {
        problems.push(...secretProblems(entry.secrets, `${entry.where}.secrets`, edge));
        if (entry.secrets.webhookSecret !== undefined) webhookSecrets.set(entry.settings.id, entry.secrets.webhookSecret);
        return;
      }
      // No inline secrets: the secret must already be stored, complete, under its name.
      let value: unknown;
      try {
        value = await store.getSecretJson(secretName);
      } catch (error) {
        const reason = error instanceof SecretReadError ? error.reason : error instanceof Error ? error.name : 'unknown error';
        problems.push(`${entry.where}: no inline "secrets" and the secret "${secretName}" could not be read from ${store.description}: ${reason}`);
        return;
      }
      const stored = parseSecretValue(value, entry.where, secretName);
      problems.push(...secretProblems(stored, `${entry.where} secret "${secretName}"`, edge));
      if (!Array.isArray(stored) && stored.webhookSecret !== undefined) webhookSecrets.set(entry.settings.id, stored.webhookSecret);
    }),
  );

  for (const entry of todo) {
    const owner = entry.settings.ongoing.goodsOwnerId;
    const other = existing.find((e) => e.id !== entry.settings.id && e.settings?.ongoing.goodsOwnerId === owner);
    if (other) {
      problems.push(`${entry.where}.ongoing.goodsOwnerId: goods owner ${owner} already belongs to tenant "${other.id}"; each goods owner belongs to one tenant (the webhook finds its tenant by it)`);
    }
  }
  if (problems.length > 0) throw new ConfigError(options.source, problems);

  const secretsStored: string[] = [];
  const stored: RegistryEntry[] = [];
  for (const entry of todo) {
    const secretName = entry.secretName ?? byId.get(entry.settings.id)?.secretName ?? defaultSecretName(entry.settings.id);
    // The secret first: a tenant is never listed without a readable secret.
    if (entry.secrets) {
      await store.putSecretJson(secretName, entry.secrets);
      secretsStored.push(secretName);
    }
    const saved = await registry.put({ input: entry.input, settings: entry.settings, secretName });
    stored.push(saved);
    await options.webhookKeys?.put(saved.id, webhookSecrets.get(saved.id)!, saved.enabled);
  }
  return { stored, secretsStored, skipped };
}

export interface RegistryTenants {
  tenants: TenantConfig[];
  /** Tenants that cannot run (unreadable secret, settings no longer valid): each names its tenant and why. */
  failures: { id: string; problem: string }[];
  /** Disabled tenants (not run). */
  disabled: string[];
}

/** One tenant with its secrets, or why it cannot run. Never throws for a tenant's own problem. */
export async function loadRegistryTenant(entry: RegistryEntry, secrets: SecretsProvider): Promise<TenantConfig | { id: string; problem: string }> {
  if (!entry.settings) return { id: entry.id, problem: entry.problem ?? 'stored settings are not valid' };
  let value: unknown;
  try {
    value = await secrets.getSecretJson(entry.secretName);
  } catch (error) {
    const reason = error instanceof SecretReadError ? error.reason : error instanceof Error ? error.name : 'unknown error';
    return { id: entry.id, problem: `could not read secret "${entry.secretName}": ${reason}` };
  }
  const parsed = parseSecretValue(value, `tenant ${entry.id}`, entry.secretName);
  if (Array.isArray(parsed)) return { id: entry.id, problem: parsed.join('; ') };
  return { ...entry.settings, secrets: parsed };
}

/** The enabled tenants of the registry with their secrets; a tenant that cannot load is reported, never fatal. */
export async function loadRegistryTenants(registry: TenantRegistry, secrets: SecretsProvider): Promise<RegistryTenants> {
  const entries = await registry.list();
  const out: RegistryTenants = { tenants: [], failures: [], disabled: [] };
  const loaded = await Promise.all(entries.filter((e) => e.enabled).map((e) => loadRegistryTenant(e, secrets)));
  for (const result of loaded) {
    if ('problem' in result) out.failures.push(result);
    else out.tenants.push(result);
  }
  out.disabled = entries.filter((e) => !e.enabled).map((e) => e.id);
  return out;
}
