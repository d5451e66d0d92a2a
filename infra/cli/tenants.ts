import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { secretsManagerClient } from '../../shared/aws/clients';
import { ConfigError, loadRuntime, type Env } from '../../shared/config';
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import {
  ApiGatewayWebhookKeys,
  AwsSecretsStore,
  DynamoTenantRegistry,
  LocalSecretsStore,
  putTenants,
  type RegistryEntry,
  type SecretsStore,
  type TenantRegistry,
  type WebhookKeys,
} from '../../shared/tenants';
import { readDeploymentSettings } from '../cdk/settings';
import { CliError } from './errors';
import { table, when } from './format';
import type { CliState } from './state';

/**
 * `npm run cli -- tenants <verb>`: the tenant registry, where a deployment learns its goods owners. Changes
 * take effect at the next scheduled tick and the next webhook call: no deploy, no restart.
 */

export const TENANTS_USAGE = `usage: npm run cli -- tenants <verb> [--json] [--aws|--local]
  put <file.json>      add or change tenants: one entry or an array, the same JSON as a tenants file
                       (validated by the same schema; one invalid entry and nothing is stored). Inline
                       "secrets" go to the secrets store under the tenant's "secretName" (default
                       ongoing-baselinker/<id>): Secrets Manager with --aws, DATA_DIR/secrets otherwise;
                       never into the table. Without inline secrets the named secret must exist already.
                       The webhook secret must be at least 32 characters. With --aws it is also the
                       tenant's API key at the webhook's gateway (32-128 letters and digits; header
                       x-api-key): put, enable, disable and remove keep the key in step, which needs
                       WEBHOOK_USAGE_PLAN_ID (the stack output WebhookUsagePlanId).
  list                 every tenant: enabled or not, goods owner, secret name, last change
  show <id>            one tenant's settings (defaults filled in) and its secret's name; never a secret
  disable <id>         pause a tenant: no schedule runs it and its webhook is refused; state is kept
  enable <id>          resume a paused tenant
  remove <id>          take a tenant out of the registry (its state and its secret are kept)
  import [file]        one-off move of an existing configuration into the registry: the tenants of a
                       tenants file (default TENANTS_FILE) or, with --cdk, of the CDK context (cdk.json
                       "tenants"/"tenantsFile"). Tenants already in the registry are left as they are.
  --json               machine-readable output on stdout
  --cdk                import: read the CDK context instead of a tenants file`;

export interface TenantsCommandContext {
  state: CliState;
  mode: 'aws' | 'local';
  env: Env;
  json: boolean;
  cdk: boolean;
  out: (text: string) => void;
  now: () => number;
  /** Tests: a secrets store of their own. */
  secrets?: SecretsStore;
  /** Tests: the webhook keys at the edge (AWS mode makes them from WEBHOOK_USAGE_PLAN_ID). */
  webhookKeys?: WebhookKeys;
}

export const TENANT_VERBS = ['put', 'list', 'show', 'disable', 'enable', 'remove', 'import'] as const;

/** On AWS every registry change is mirrored to the tenant's API key at the webhook's edge. */
function webhookKeysFor(ctx: TenantsCommandContext): WebhookKeys | undefined {
  if (ctx.webhookKeys) return ctx.webhookKeys;
  if (ctx.mode !== 'aws') return undefined;
  const plan = ctx.env.WEBHOOK_USAGE_PLAN_ID?.trim();
  if (!plan) {
    throw new CliError('tenants --aws needs WEBHOOK_USAGE_PLAN_ID (the stack output WebhookUsagePlanId): each tenant\'s webhook secret is its API key at the gateway');
  }
  return new ApiGatewayWebhookKeys(new APIGatewayClient({}), plan);
}

function secretsFor(ctx: TenantsCommandContext): SecretsStore {
  if (ctx.secrets) return ctx.secrets;
  return ctx.mode === 'aws' ? new AwsSecretsStore(secretsManagerClient()) : new LocalSecretsStore(loadRuntime(ctx.env).dataDir);
}

/** The JSON view of a registry entry: settings with defaults, the secret's name; never a secret value. */
function view(entry: RegistryEntry): Record<string, unknown> {
  return {
    id: entry.id,
    enabled: entry.enabled,
    secretName: entry.secretName,
    goodsOwnerId: entry.settings?.ongoing.goodsOwnerId,
    createdAt: entry.createdAt,
    updatedAt: entry.updatedAt,
    version: entry.version,
    ...(entry.problem ? { problem: entry.problem } : {}),
    settings: entry.settings ?? entry.input,
  };
}

async function readJson(path: string, verb: string): Promise<unknown> {
  const full = resolve(path);
  let text: string;
  try {
    text = await readFile(full, 'utf8');
  } catch (error) {
    throw new CliError(`tenants ${verb}: cannot read ${full} (${(error as NodeJS.ErrnoException).code ?? 'read error'})`);
  }
  try {
    return JSON.parse(text);
  } catch {
    // Never quote the text: it may hold inline secrets.
    throw new CliError(`tenants ${verb}: ${full} is not valid JSON`);
  }
}

async function requireEntry(registry: TenantRegistry, id: string | undefined, verb: string): Promise<RegistryEntry> {
  if (!id) throw new CliError(`tenants ${verb} needs a tenant id`, 'tenants');
  const entry = await registry.get(id);
  if (!entry) {
    const known = (await registry.list()).map((e) => e.id);
    throw new CliError(`unknown tenant "${id}"; the registry has ${known.length ? known.join(', ') : 'no tenant'}`);
  }
  return entry;
}

export async function tenantsCommand(ctx: TenantsCommandContext, verb: string | undefined, args: string[]): Promise<number> {
  const registry = new DynamoTenantRegistry(ctx.state.dynamo, ctx.state.tableName, ctx.now);
  const print = (value: unknown, text: string) => ctx.out(ctx.json ? JSON.stringify(value, null, 2) : text);
  if (!verb || !(TENANT_VERBS as readonly string[]).includes(verb)) {
    throw new CliError(verb ? `unknown tenants verb "${verb}"` : 'tenants needs a verb', 'tenants');
  }
  const maxArgs = verb === 'list' ? 0 : 1;
  if (args.length > maxArgs) throw new CliError(`unexpected argument "${args[maxArgs]}"`, 'tenants');
  if (ctx.cdk && verb !== 'import') throw new CliError('--cdk goes with tenants import only', 'tenants');

  switch (verb) {
    case 'put':
    case 'import': {
      let data: unknown;
      let source: string;
      let inlineSecrets = true;
      if (verb === 'import' && ctx.cdk) {
        if (args[0]) throw new CliError('tenants import --cdk reads cdk.json; give no file', 'tenants');
        const cdkJson = (await readJson('cdk.json', verb)) as { context?: Record<string, unknown> };
        try {
          const settings = readDeploymentSettings({ tryGetContext: (key) => cdkJson.context?.[key] });
          if (settings.tenants.length === 0) throw new CliError('tenants import --cdk: the CDK context lists no tenant ("tenants" or "tenantsFile" in cdk.json)');
          data = settings.tenants.map((t) => ({ ...t.input, secretName: t.secretName }));
        } catch (error) {
          if (error instanceof ConfigError) throw new CliError(error.message);
          throw error;
        }
        source = 'CDK context';
        inlineSecrets = false;
      } else {
        const file = args[0] ?? (verb === 'import' ? ctx.env.TENANTS_FILE?.trim() : undefined);
        if (!file) throw new CliError(verb === 'put' ? 'tenants put needs a JSON file' : 'tenants import needs a tenants file (or TENANTS_FILE, or --cdk)', 'tenants');
        data = await readJson(file, verb);
        source = `tenants ${verb} ${file}`;
      }
      let result;
      try {
        result = await putTenants(data, registry, secretsFor(ctx), { source, inlineSecrets, skipExisting: verb === 'import', webhookKeys: webhookKeysFor(ctx) });
      } catch (error) {
        if (error instanceof ConfigError) throw new CliError(`${error.message}\nNothing was stored.`);
        throw error;
      }
      const lines = result.stored.map(
        (e) => `stored ${e.id} (version ${e.version}, ${e.enabled ? 'enabled' : 'disabled'}; secret ${e.secretName}${result.secretsStored.includes(e.secretName) ? ` written to ${secretsFor(ctx).description}` : ''})`,
      );
      for (const id of result.skipped) lines.push(`skipped ${id}: already in the registry (change it with tenants put)`);
      print({ stored: result.stored.map(view), secretsStored: result.secretsStored, skipped: result.skipped }, lines.join('\n') || 'nothing to store');
      return 0;
    }
    case 'list': {
      const entries = await registry.list();
      const rows = entries.map((e) => [e.id, e.enabled ? 'enabled' : 'disabled', String(e.settings?.ongoing.goodsOwnerId ?? '-'), e.secretName, when(e.updatedAt, ctx.now()), e.problem ?? '']);
      print(entries.map(view), entries.length ? table(['tenant', 'state', 'goods owner', 'secret', 'changed', 'problem'], rows) : 'the registry has no tenant (add one with npm run cli -- tenants put <file.json>)');
      return 0;
    }
    case 'show': {
      const entry = await requireEntry(registry, args[0], verb);
      print(view(entry), JSON.stringify(view(entry), null, 2));
      return 0;
    }
    case 'disable':
    case 'enable': {
      await requireEntry(registry, args[0], verb);
      const keys = webhookKeysFor(ctx);
      const entry = (await registry.setEnabled(args[0], verb === 'enable'))!;
      await keys?.setEnabled(entry.id, entry.enabled);
      print(view(entry), `${entry.id} ${entry.enabled ? 'enabled: runs from the next scheduled tick' : 'disabled: no schedule runs it and its webhook is refused; its state is kept'}`);
      return 0;
    }
    case 'remove': {
      const entry = await requireEntry(registry, args[0], verb);
      const keys = webhookKeysFor(ctx);
      await registry.remove(entry.id);
      await keys?.remove(entry.id);
      print({ removed: entry.id, secretName: entry.secretName }, `removed ${entry.id}; its state and its secret ${entry.secretName} are kept (put it back with tenants put)`);
      return 0;
    }
  }
  return 0;
}
