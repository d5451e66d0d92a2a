import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as z from '../../shared/util/zod';
import { ConfigError, LOG_LEVELS, parseTenantSettings, type LogLevelName, type TenantSettings } from '../../shared/config';
import { METRICS_NAMESPACE } from '../../shared/observability/metrics';
import { DEFAULT_SECRET_PREFIX } from '../../shared/tenants/registry';

/**
 * Tenant-runs of one flow at once by default. The limits it guards are each tenant's own (its BaseLinker token,
 * its goods owner's serial writes), so it bounds only how fast a tick drains: 10 starts every run of 500 tenants
 * within the minute even at the first orders tick, when every tenant imports at once (`npm run bench -- --only=tenants`:
 * 500 runs of 0.82 s need 7 workers), and 5 flows x 10 stay far below an account's default 1,000.
 */
export const DEFAULT_WORKER_CONCURRENCY = 10;

/**
 * Everything a deployment is configured with, read from CDK context (`cdk.json` "context", or `-c key=value`)
 * and validated at synth time, so a typo fails `cdk synth` on the operator's machine rather than a Lambda at
 * 3 a.m. Tenant settings go through the project's own schema (shared/config), the same one the functions
 * use when they read `TENANTS`; secrets never pass through here: only each tenant's Secrets Manager name.
 */

/** One tenant as deployed: its validated settings, the settings as written, and where its secrets live. */
export interface DeployedTenant {
  /** Validated, defaults applied: what the stack decides with (schedules, which flows run). */
  settings: TenantSettings;
  /**
   * The settings as written (validated). This is what the functions receive in `TENANTS`: they re-validate
   * with the same schema, so defaults are applied in one place and the 4 KB Lambda environment goes further.
   */
  input: Record<string, unknown>;
  /** Secrets Manager secret (name or ARN) holding the tenant's JSON secrets; referenced, never read. */
  secretName: string;
}

export interface DeploymentSettings {
  /**
   * Tenants written in the CDK context by an older version of this app. The stack no longer uses them (tenants
   * live in the registry: `npm run cli -- tenants import --cdk` moves them there once); empty when none.
   */
  tenants: DeployedTenant[];
  /** Where the tenants came from, for messages. */
  tenantsSource: string;
  /** Labels are deleted this many days after upload; 0 keeps them forever. */
  labelsExpiryDays: number;
  labelsVersioning: boolean;
  logRetentionDays: number;
  logLevel: LogLevelName;
  /** Subscribed to the alarm topic when set. */
  alarmEmail?: string;
  /** The order-lag alarm fires when a tenant's OrderLagSeconds exceeds this. */
  orderLagAlarmSeconds: number;
  /** The oldest-pending-shipment alarm fires when a shipment has been pending longer than this. */
  shipmentPendingAlarmSeconds: number;
  /** Raw payloads kept with set-aside items expire this many days after the item was last seen (0: never). */
  setAsideRawDays: number;
  /** Reserve concurrency 1 for each scheduled function (off only for accounts with a concurrency limit of 10). */
  reserveConcurrency: boolean;
  /** Tenant-runs of one flow at once: the worker's SQS event source MaximumConcurrency (2 to 1000). */
  workerConcurrency: number;
  memoryMb: number;
  /** Path of the Send webhook under the API stage, without leading or trailing slash. */
  webhookPath: string;
  webhookRateLimit: number;
  webhookBurstLimit: number;
  metricsNamespace: string;
  /** SERVICE_NAME: the `service` key of every log line and the `service` dimension of every metric. */
  serviceName: string;
}

/** The context keys this app reads (documented in infra/cdk/README.md). */
export const CONTEXT_KEYS = [
  'tenants',
  'tenantsFile',
  'labelsExpiryDays',
  'labelsVersioning',
  'logRetentionDays',
  'logLevel',
  'alarmEmail',
  'orderLagAlarmSeconds',
  'shipmentPendingAlarmSeconds',
  'setAsideRawDays',
  'reserveConcurrency',
  'workerConcurrency',
  'memoryMb',
  'webhookPath',
  'webhookRateLimit',
  'webhookBurstLimit',
  'metricsNamespace',
  'serviceName',
] as const;


/** CloudWatch Logs accepts only these retention periods. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** Context read with `-c key=value` arrives as text; cdk.json gives JSON values. Both are accepted. */
const fromText = (value: unknown): unknown => {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (/^[+-]?\d+$/.test(text)) return Number(text);
  if (text === 'true') return true;
  if (text === 'false') return false;
  return text;
};

const intSetting = (min: number, max: number, fallback: number) =>
  z.pipe(
    z.transform(fromText),
    z._default(
      z
        .int({ error: `expected a whole number from ${min} to ${max}` })
        .check(z.gte(min, { error: `expected a whole number from ${min} to ${max}` }), z.lte(max, { error: `expected a whole number from ${min} to ${max}` })),
      fallback,
    ),
  );

const boolSetting = (fallback: boolean) => z.pipe(z.transform(fromText), z._default(z.boolean({ error: 'expected true or false' }), fallback));

const deploymentSchema = z.object({
  labelsExpiryDays: intSetting(0, 3650, 90),
  labelsVersioning: boolSetting(false),
  logRetentionDays: z.pipe(
    z.transform(fromText),
    z._default(
      z
        .int({ error: `expected one of ${LOG_RETENTION_DAYS.join(', ')}` })
        .check(z.refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), { error: `expected one of ${LOG_RETENTION_DAYS.join(', ')}` })),
      30,
    ),
  ),
  logLevel: z.pipe(
    z.transform((v) => (typeof v === 'string' ? v.trim().toUpperCase() : v)),
    z._default(z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(', ')}` }), 'INFO'),
  ),
  alarmEmail: z.optional(z.email({ error: 'expected an e-mail address' })),
  orderLagAlarmSeconds: intSetting(60, 7 * 24 * 3600, 3600),
  shipmentPendingAlarmSeconds: intSetting(300, 14 * 24 * 3600, 4 * 3600),
  setAsideRawDays: intSetting(0, 3650, 30),
  reserveConcurrency: boolSetting(true),
  // Lambda's SQS event source accepts 2 to 1000; see DEFAULT_WORKER_CONCURRENCY.
  workerConcurrency: intSetting(2, 1000, DEFAULT_WORKER_CONCURRENCY),
  memoryMb: intSetting(128, 10240, 512),
  webhookPath: z._default(
    z
      .pipe(
        z.string({ error: 'expected a URL path such as "webhook/ongoing"' }),
        z.transform((path) => path.trim().replace(/^\/+|\/+$/g, '')),
      )
      .check(z.refine((path) => /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(path), { error: 'expected a URL path such as "webhook/ongoing" (letters, digits, . _ - and /)' })),
    'webhook/ongoing',
  ),
  webhookRateLimit: intSetting(1, 10_000, 10),
  webhookBurstLimit: intSetting(1, 5_000, 20),
  metricsNamespace: z._default(
    z.string({ error: 'expected a CloudWatch namespace' }).check(z.regex(/^[A-Za-z0-9._/#:-]{1,255}$/, { error: 'expected a CloudWatch namespace (letters, digits, . _ / # : -)' })),
    METRICS_NAMESPACE,
  ),
  serviceName: z._default(
    z.string({ error: 'expected a service name' }).check(z.regex(/^[A-Za-z0-9._-]{1,64}$/, { error: 'expected a service name (letters, digits, . _ -)' })),
    'ongoing-baselinker',
  ),
});

/** What a construct tree offers: `app.node` or `stack.node`. */
export interface ContextSource {
  tryGetContext(key: string): unknown;
}

/**
 * Reads and validates the deployment settings. Every problem is collected into one ConfigError naming the
 * context key (or `tenants[1] (shop-b).ongoing.goodsOwnerId`), the way the rest of the project reports config.
 */
export function readDeploymentSettings(context: ContextSource, cwd: string = process.cwd()): DeploymentSettings {
  const problems: string[] = [];
  const raw: Record<string, unknown> = {};
  for (const key of CONTEXT_KEYS) {
    const value = context.tryGetContext(key);
    if (value !== undefined && value !== null && value !== '') raw[key] = value;
  }

  const parsed = deploymentSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`context ${issue.path.join('.') || '?'}: ${issue.message}`);
  }

  let tenants: DeployedTenant[] = [];
  let tenantsSource = '';
  try {
    const source = tenantEntries(raw, cwd);
    tenantsSource = source.name;
    if (source.entries !== undefined) tenants = parseTenantEntries(source.entries, source.label, problems);
  } catch (error) {
    if (error instanceof ConfigError) problems.push(...error.problems);
    else throw error;
  }

  if (problems.length > 0 || !parsed.success) throw new ConfigError('CDK context', problems);
  const { alarmEmail, ...rest } = parsed.data;
  return { ...rest, ...(alarmEmail !== undefined && { alarmEmail }), tenants, tenantsSource };
}

interface EntriesSource {
  /** Undefined when the context names no tenants (the usual case: tenants live in the registry). */
  entries: unknown;
  /** How entries are named in messages. */
  label: string;
  name: string;
}

function tenantEntries(raw: Record<string, unknown>, cwd: string): EntriesSource {
  const inline = raw.tenants;
  const file = raw.tenantsFile;
  if (inline !== undefined && file !== undefined) {
    throw new ConfigError('CDK context', ['context: give either "tenants" or "tenantsFile", not both']);
  }
  if (file !== undefined) {
    if (typeof file !== 'string') throw new ConfigError('CDK context', ['context tenantsFile: expected a path to a JSON file']);
    const path = resolve(cwd, file);
    return { entries: readJsonFile(path, 'context tenantsFile'), label: 'tenants', name: `tenantsFile ${path}` };
  }
  if (inline !== undefined) {
    let entries = inline;
    if (typeof inline === 'string') {
      try {
        entries = JSON.parse(inline);
      } catch {
        throw new ConfigError('CDK context', ['context tenants: expected a JSON array of tenant entries']);
      }
    }
    return { entries, label: 'tenants', name: 'context "tenants"' };
  }
  return { entries: undefined, label: 'tenants', name: 'none (the tenant registry)' };
}

function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError('CDK context', [`${what}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'read error'})`]);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ConfigError('CDK context', [`${what}: ${path} is not valid JSON`]);
  }
}

const SECRET_NAME = /^[A-Za-z0-9/_+=.@:-]{1,512}$/;

function parseTenantEntries(entries: unknown, label: string, problems: string[]): DeployedTenant[] {
  if (!Array.isArray(entries)) {
    problems.push(`${label}: expected a JSON array of tenant entries`);
    return [];
  }
  if (entries.length === 0) {
    problems.push(`${label}: lists no tenant (leave "tenants" out: tenants live in the registry)`);
    return [];
  }
  const tenants: DeployedTenant[] = [];
  entries.forEach((entry, index) => {
    const id = entry && typeof entry === 'object' && typeof (entry as { id?: unknown }).id === 'string' ? (entry as { id: string }).id : undefined;
    const where = `${label}[${index}]${id ? ` (${id})` : ''}`;
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
      problems.push(`${where}: expected a tenant object`);
      return;
    }
    const { secrets, secretName, ...input } = entry as Record<string, unknown>;
    if (secrets !== undefined) {
      // Never echo the value: it may be a real token pasted into the wrong file.
      problems.push(`${where}.secrets: secrets do not belong in the CDK app; put them in Secrets Manager and give "secretName"`);
    }
    if (secretName !== undefined && (typeof secretName !== 'string' || !SECRET_NAME.test(secretName))) {
      problems.push(`${where}.secretName: expected a Secrets Manager secret name such as "ongoing-baselinker/${id ?? 'shop-a'}"`);
    }
    let settings: TenantSettings;
    try {
      settings = parseTenantSettings(input, where);
    } catch (error) {
      if (error instanceof ConfigError) {
        problems.push(...error.problems);
        return;
      }
      throw error;
    }
    tenants.push({ settings, input, secretName: typeof secretName === 'string' ? secretName : `${DEFAULT_SECRET_PREFIX}${settings.id}` });
  });
  problems.push(...duplicates(tenants, label));
  return tenants;
}

function duplicates(tenants: readonly DeployedTenant[], label: string): string[] {
  const problems: string[] = [];
  const seen = { id: new Map<string, string>(), owner: new Map<number, string>() };
  for (const { settings } of tenants) {
    if (seen.id.has(settings.id)) problems.push(`${label}: tenant id "${settings.id}" is used twice`);
    seen.id.set(settings.id, settings.id);
    const owner = settings.ongoing.goodsOwnerId;
    const first = seen.owner.get(owner);
    if (first !== undefined && first !== settings.id) {
      problems.push(`${label}: goods owner ${owner} is used by both "${first}" and "${settings.id}"; the webhook finds its tenant by goods owner`);
    }
    seen.owner.set(owner, settings.id);
  }
  return problems;
}
