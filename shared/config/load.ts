import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type * as z from '../util/zod';
import { flowsPhrase, SINGLE_TENANT_ENV_VARS, TENANT_SETTINGS, type SettingDoc } from './describe';
import {
  showInput,
  tenantSecretsSchema,
  tenantSettingsSchema,
  type TenantConfig,
  type TenantSecrets,
  type TenantSettings,
} from './schema';
import { LOG_LEVELS, type LogLevelName } from '../log/logger';
import { AwsSecretsProvider, SecretReadError, type SecretsProvider } from './secrets';

/**
 * Loads the tenants from exactly one of three sources:
 *   (a) TENANTS_FILE: a JSON array of tenant entries, secrets inline (local) or by secretName;
 *   (b) the single-tenant env vars (BASELINKER_TOKEN, ONGOING_URL, … see describe.ts);
 *   (c) TENANTS: a JSON array of tenant entries with secretName (AWS), secrets from Secrets Manager.
 * Setting two of them at once is an error rather than a silent precedence, because a half-applied
 * override (e.g. a stray BASELINKER_URL next to a tenants file) is exactly the mistake nobody sees.
 *
 * Every problem is collected and reported at once in a ConfigError, named the way the user wrote it:
 * the env var, or `tenants[1] (shop-b).ongoing.goodsOwnerId`. Secret values never appear: secret
 * fields are validated with value-free messages, and every message is scrubbed of every secret value
 * seen while loading, in case one was pasted into the wrong field.
 */

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid configuration (${source}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

export interface LoadTenantsOptions {
  /** Defaults to process.env. */
  env?: Env;
  /** Where `secretName` entries are read. Defaults to Secrets Manager (created only when needed). */
  secrets?: SecretsProvider;
  /** Base for a relative TENANTS_FILE. Defaults to process.cwd(). */
  cwd?: string;
  /**
   * The flows about to run (`npm run sync -- orders`: ['orders']): their own settings (describe.ts `requiredBy`)
   * are required too, named with the rest. Absent: only what every flow needs.
   */
  flows?: readonly string[];
}

/** Reads an env var; blank counts as unset (compose files and shells often export empty values). */
function envValue(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/**
 * Whether the environment names tenants itself (TENANTS_FILE, TENANTS or the single-tenant variables). When it
 * does not, the tenant registry in the state table is the source (shared/tenants).
 */
export function tenantsConfiguredIn(env: Env): boolean {
  return ['TENANTS_FILE', 'TENANTS', ...SINGLE_TENANT_ENV_VARS].some((name) => envValue(env, name) !== undefined);
}

export async function loadTenants(options: LoadTenantsOptions = {}): Promise<TenantConfig[]> {
  const env = options.env ?? process.env;
  const file = envValue(env, 'TENANTS_FILE');
  const tenantsJson = envValue(env, 'TENANTS');
  const singleVars = SINGLE_TENANT_ENV_VARS.filter((name) => envValue(env, name) !== undefined);

  const present = [file && 'TENANTS_FILE', tenantsJson && 'TENANTS', singleVars.length > 0 && `single-tenant env vars (${singleVars.join(', ')})`].filter(
    (s): s is string => typeof s === 'string',
  );
  if (present.length > 1) {
    throw new ConfigError('environment', [`set only one configuration source, found: ${present.join('; ')}`]);
  }

  const getSecrets = lazyProvider(options.secrets);
  if (file) {
    const path = resolve(options.cwd ?? process.cwd(), file);
    const source = `TENANTS_FILE ${path}`;
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'read error';
      throw new ConfigError(source, [`TENANTS_FILE: cannot read ${path} (${code})`]);
    }
    return loadEntries(parseJsonText(text, 'TENANTS_FILE', source), { source, label: 'tenants', inlineSecrets: true, getSecrets, flows: options.flows });
  }
  if (tenantsJson) {
    const source = 'TENANTS env var';
    return loadEntries(parseJsonText(tenantsJson, 'TENANTS', source), { source, label: 'TENANTS', inlineSecrets: false, getSecrets, flows: options.flows });
  }
  if (singleVars.length > 0) return [loadSingleTenantFromEnv(env, options.flows)];

  throw new ConfigError('environment', [
    `no tenant configured: add tenants to the registry (npm run cli -- tenants put <file.json>), or set TENANTS_FILE, or the single-tenant env vars (${requiredEnvVars(options.flows).join(', ')})`,
  ]);
}

/** The settings only some flows need, that the named flows need. */
function flowSettings(flows: readonly string[]): SettingDoc[] {
  return TENANT_SETTINGS.filter((doc) => doc.requiredBy?.some((flow) => flows.includes(flow)));
}

function getPath(input: unknown, path: string): unknown {
  let node = input;
  for (const key of path.split('.')) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
  return node;
}

const isUnset = (value: unknown) => value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);

/**
 * What the named flows need that these settings (as written, or validated) leave unset: "required for the orders
 * flow", each named by `name` (the env var, or the JSON path under the entry). Wrong values are the schema's.
 */
export function flowSettingProblems(settings: unknown, flows: readonly string[], name: (doc: SettingDoc) => string): string[] {
  return flowSettings(flows)
    .filter((doc) => isUnset(getPath(settings, doc.path)))
    .map((doc) => `${name(doc)}: required for ${flowsPhrase((doc.requiredBy ?? []).filter((flow) => flows.includes(flow)))}`);
}

/**
 * The setting groups that hold required settings (ongoing). A group left out entirely is parsed as
 * an empty one, so the message names each setting it lacks ("ONGOING_URL: required", ...) instead of
 * "ongoing: expected object".
 */
const REQUIRED_GROUPS = [
  ...new Set(TENANT_SETTINGS.filter((doc) => doc.required === true && doc.path.includes('.') && !doc.path.startsWith('secrets.')).map((doc) => doc.path.split('.')[0])),
];

function withRequiredGroups(input: Record<string, unknown>): Record<string, unknown> {
  const out = { ...input };
  for (const group of REQUIRED_GROUPS) if (out[group] === undefined) out[group] = {};
  return out;
}

function requiredEnvVars(flows: readonly string[] = []): string[] {
  return TENANT_SETTINGS.filter((doc) => (doc.required === true || flowSettings(flows).includes(doc)) && doc.env).map((doc) => doc.env as string);
}

function lazyProvider(given: SecretsProvider | undefined): () => SecretsProvider {
  let provider = given;
  return () => (provider ??= new AwsSecretsProvider());
}

/** JSON.parse, but the error never quotes the text (it may hold inline secrets): position only. */
function parseJsonText(text: string, name: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const position = /position (\d+)/.exec(error instanceof Error ? error.message : '');
    let where = '';
    if (position) {
      const before = text.slice(0, Number(position[1]));
      const line = before.split('\n').length;
      const column = Number(position[1]) - before.lastIndexOf('\n');
      where = ` at line ${line}, column ${column}`;
    }
    throw new ConfigError(source, [`${name}: not valid JSON${where}`]);
  }
}

// ---------------------------------------------------------------------------------------------------
// Issue rendering

type Issue = z.core.$ZodIssue;

function joinPath(base: string, path: readonly PropertyKey[]): string {
  let out = base;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

/** Renders zod issues as "<where>: <what>", `where` built by `name` from the issue's path. */
function renderIssues(issues: readonly Issue[], name: (path: readonly PropertyKey[]) => string, ref: (path: string) => string): string[] {
  const out: string[] = [];
  for (const issue of issues) {
    const message = issue.message.replace(/\{\{([\w.]+)\}\}/g, (_, path: string) => ref(path));
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push(`${name([...issue.path, key])}: unknown setting`);
    } else {
      out.push(`${name(issue.path)}: ${message}`);
    }
  }
  return out;
}

function scrub(problems: string[], secretValues: Iterable<string>): string[] {
  const values = [...new Set(secretValues)].filter((v) => v.length >= 4).sort((a, b) => b.length - a.length);
  return problems.map((problem) => values.reduce((text, value) => text.split(value).join('[redacted]'), problem));
}

function collectStrings(value: unknown, into: Set<string>, depth = 0): void {
  if (depth > 4 || value === null || value === undefined) return;
  if (typeof value === 'string') into.add(value);
  else if (typeof value === 'object') for (const v of Object.values(value)) collectStrings(v, into, depth + 1);
}

// ---------------------------------------------------------------------------------------------------
// Tenants file / TENANTS

interface EntriesContext {
  source: string;
  /** How the array is called in messages: `tenants` for the file, `TENANTS` for the env var. */
  label: string;
  inlineSecrets: boolean;
  getSecrets: () => SecretsProvider;
  /** The flows about to run: their own settings are required too. */
  flows?: readonly string[];
}

interface ParsedEntry {
  where: string;
  settings?: TenantSettings;
  /** The settings as written (without secrets / secretName): what the tenant registry stores. */
  input?: Record<string, unknown>;
  secrets?: TenantSecrets;
  secretName?: string;
}

/** One validated entry of a tenants file (or of `tenants put`): settings, and its secrets inline or by name. */
export interface TenantEntry {
  /** `tenants[1] (shop-b)`: how messages name the entry. */
  where: string;
  settings: TenantSettings;
  input: Record<string, unknown>;
  secrets?: TenantSecrets;
  secretName?: string;
}

export interface ParseEntriesOptions {
  /** Names the source in the ConfigError (`tenants put shop.json`). */
  source: string;
  /** How the array is called in messages. */
  label: string;
  inlineSecrets: boolean;
  /** Accept one entry object as well as an array (tenants put). */
  single?: boolean;
  /** Entries may give neither secrets nor secretName (the registry then uses the default secret name). */
  secretsOptional?: boolean;
}

const SECRET_NAME = /^[A-Za-z0-9/_+=.@:-]{1,2048}$/;

/**
 * Validates tenant entries the way the tenants file is validated (same schema, same JSON paths in messages)
 * without reading any secret. Throws one ConfigError naming every bad field, scrubbed of secret values.
 */
export function parseTenantEntries(data: unknown, options: ParseEntriesOptions): TenantEntry[] {
  const parsed = parseEntries(options.single && data && typeof data === 'object' && !Array.isArray(data) ? [data] : data, options);
  if (parsed.problems.length > 0) throw new ConfigError(options.source, scrub(parsed.problems, parsed.secretValues));
  return parsed.entries as TenantEntry[];
}

function parseEntries(
  data: unknown,
  ctx: Pick<ParseEntriesOptions, 'source' | 'label' | 'inlineSecrets' | 'secretsOptional'> & { flows?: readonly string[] },
): { entries: ParsedEntry[]; problems: string[]; secretValues: Set<string> } {
  if (!Array.isArray(data)) {
    throw new ConfigError(ctx.source, [`${ctx.label}: expected a JSON array of tenant entries, got ${showInput(data)}`]);
  }
  if (data.length === 0) throw new ConfigError(ctx.source, [`${ctx.label}: lists no tenant`]);

  const problems: string[] = [];
  const secretValues = new Set<string>();
  const entries: ParsedEntry[] = data.map((raw, index) => {
    const id = raw && typeof raw === 'object' && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : undefined;
    const where = `${ctx.label}[${index}]${id ? ` (${id})` : ''}`;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
      problems.push(`${where}: expected a tenant object, got ${showInput(raw)}`);
      return { where };
    }
    const { secrets: inline, secretName, ...settingsInput } = raw as Record<string, unknown>;
    collectStrings(inline, secretValues);
    const entry: ParsedEntry = { where, input: settingsInput };

    const parsed = tenantSettingsSchema.safeParse(withRequiredGroups(settingsInput));
    if (parsed.success) entry.settings = parsed.data;
    else problems.push(...renderIssues(parsed.error.issues, (path) => joinPath(where, path), (path) => path));
    problems.push(...flowSettingProblems(settingsInput, ctx.flows ?? [], (doc) => joinPath(where, doc.path.split('.'))));

    if (inline !== undefined && secretName !== undefined) {
      problems.push(`${where}: give either "secrets" or "secretName", not both`);
    } else if (inline !== undefined) {
      if (!ctx.inlineSecrets) {
        problems.push(`${where}.secrets: inline secrets are not accepted in ${ctx.label}; store them in Secrets Manager and give "secretName"`);
      } else {
        const secrets = tenantSecretsSchema.safeParse(inline);
        if (secrets.success) entry.secrets = secrets.data;
        else problems.push(...renderSecretIssues(secrets.error.issues, `${where}.secrets`));
      }
    } else if (secretName !== undefined) {
      if (typeof secretName === 'string' && SECRET_NAME.test(secretName)) entry.secretName = secretName;
      else problems.push(`${where}.secretName: expected a Secrets Manager secret name or ARN, got ${showInput(secretName)}`);
    } else if (!ctx.secretsOptional) {
      problems.push(`${where}: secrets missing: give "secretName" (Secrets Manager)${ctx.inlineSecrets ? ' or "secrets" (inline, local use)' : ''}`);
    }
    return entry;
  });

  problems.push(...duplicateProblems(entries));
  return { entries, problems, secretValues };
}

async function loadEntries(data: unknown, ctx: EntriesContext): Promise<TenantConfig[]> {
  const { entries, problems, secretValues } = parseEntries(data, ctx);

  await Promise.all(
    entries.map(async (entry) => {
      if (!entry.secretName) return;
      let value: unknown;
      try {
        value = await ctx.getSecrets().getSecretJson(entry.secretName);
      } catch (error) {
        const reason = error instanceof SecretReadError ? error.reason : error instanceof Error ? error.name : 'unknown error';
        problems.push(`${entry.where}.secretName: could not read secret "${entry.secretName}": ${reason}`);
        return;
      }
      collectStrings(value, secretValues);
      const secrets = parseSecretValue(value, entry.where, entry.secretName);
      if (Array.isArray(secrets)) problems.push(...secrets);
      else entry.secrets = secrets;
    }),
  );

  if (problems.length > 0) throw new ConfigError(ctx.source, scrub(problems, secretValues));
  return entries.map((entry) => ({ ...(entry.settings as TenantSettings), secrets: entry.secrets as TenantSecrets }));
}

/**
 * A secret's stored JSON as tenant secrets, or the value-free problems with it (`where` names the tenant).
 * Used by the loader here and by the tenant registry, which reads one tenant's secret at a time.
 */
export function parseSecretValue(value: unknown, where: string, secretName: string): TenantSecrets | string[] {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return [`${where}: secret "${secretName}" must be a JSON object with ${Object.keys(tenantSecretsSchema.shape).join(', ')}`];
  }
  const secrets = tenantSecretsSchema.safeParse(value);
  return secrets.success ? secrets.data : renderSecretIssues(secrets.error.issues, `${where} secret "${secretName}"`);
}

function renderSecretIssues(issues: readonly Issue[], where: string): string[] {
  // Secret messages are value-free by construction; the path names the missing or wrong field.
  return renderIssues(issues, (path) => joinPath(where, path), (path) => path);
}

function duplicateProblems(entries: readonly ParsedEntry[]): string[] {
  const problems: string[] = [];
  const byId = new Map<string, string>();
  const byOwner = new Map<number, string>();
  for (const entry of entries) {
    if (!entry.settings) continue;
    const { id } = entry.settings;
    const owner = entry.settings.ongoing.goodsOwnerId;
    const firstId = byId.get(id);
    if (firstId) problems.push(`${entry.where}.id: duplicate tenant id "${id}", also used by ${firstId}`);
    else byId.set(id, entry.where);
    const firstOwner = byOwner.get(owner);
    if (firstOwner) {
      problems.push(
        `${entry.where}.ongoing.goodsOwnerId: goods owner ${owner} is already used by ${firstOwner}; each goods owner belongs to one tenant (the webhook finds its tenant by it)`,
      );
    } else byOwner.set(owner, entry.where);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------
// Single tenant from env vars

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    node = (node[key] ??= {}) as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
}

const INT_TEXT = /^[+-]?\d+$/;
const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)$/;
const ON = new Set(['on', 'true', 'yes', '1']);
const OFF = new Set(['off', 'false', 'no', '0']);

type Converted = { value: unknown } | { problem: string };

/** Turns env text into the value the schema expects; numbers that don't parse stay text so the schema names them. */
function convertEnv(doc: SettingDoc, text: string): Converted {
  switch (doc.envKind) {
    case 'int':
      return { value: INT_TEXT.test(text) ? Number(text) : text };
    case 'number':
      return { value: NUMBER_TEXT.test(text) ? Number(text) : text };
    case 'intList': {
      const items = text.split(',').map((item) => item.trim()).filter(Boolean);
      if (items.every((item) => /^\d+$/.test(item))) return { value: items.map(Number) };
      return { problem: `expected comma-separated numeric status ids, got ${showInput(text)}` };
    }
    case 'onoff': {
      const lower = text.toLowerCase();
      if (ON.has(lower)) return { value: true };
      if (OFF.has(lower)) return { value: false };
      return { problem: `expected on or off, got ${showInput(text)}` };
    }
    case 'json':
      try {
        return { value: JSON.parse(text) };
      } catch {
        return { problem: `expected JSON, got ${showInput(text)}` };
      }
    default:
      return { value: text };
  }
}

/** The env var for a settings path: the documented setting with the longest matching path prefix. */
function envNameFor(path: readonly PropertyKey[]): string {
  const dotted = joinPath('', path);
  let best: SettingDoc | undefined;
  for (const doc of TENANT_SETTINGS) {
    if (!doc.env) continue;
    const matches = dotted === doc.path || dotted.startsWith(`${doc.path}.`) || dotted.startsWith(`${doc.path}[`);
    if (matches && (!best || doc.path.length > best.path.length)) best = doc;
  }
  if (!best) return dotted || 'environment';
  const rest = dotted.slice(best.path.length);
  // A list element of a comma-separated var is reported on the var itself; JSON vars keep their inner path.
  return best.envKind === 'json' ? `${best.env}${rest}` : (best.env as string);
}

function envRef(path: string): string {
  return TENANT_SETTINGS.find((doc) => doc.path === path)?.env ?? path;
}

/**
 * The single-tenant env vars as settings and secrets, converted but not yet validated, with the conversion
 * problems: what `discover` works with before the configuration is complete.
 */
export function readSingleTenantEnv(env: Env): { settings: Record<string, unknown>; secrets: Record<string, string>; problems: string[]; secretValues: Set<string> } {
  const settings: Record<string, unknown> = { id: 'default' };
  const secrets: Record<string, string> = {};
  const problems: string[] = [];
  const secretValues = new Set<string>();

  for (const doc of TENANT_SETTINGS) {
    if (!doc.env) continue;
    const text = envValue(env, doc.env);
    if (text === undefined) continue;
    if (doc.secret) {
      secretValues.add(text);
      secrets[doc.path.replace(/^secrets\./, '')] = text;
      continue;
    }
    const converted = convertEnv(doc, text);
    if ('problem' in converted) problems.push(`${doc.env}: ${converted.problem}`);
    else setPath(settings, doc.path, converted.value);
  }
  return { settings, secrets, problems, secretValues };
}

export function loadSingleTenantFromEnv(env: Env, flows: readonly string[] = []): TenantConfig {
  const { settings, secrets, problems, secretValues } = readSingleTenantEnv(env);

  const parsed = tenantSettingsSchema.safeParse(withRequiredGroups(settings));
  // A var that failed conversion is absent from `settings`; don't also report it as "required".
  const reported = new Set(problems.map((p) => p.slice(0, p.indexOf(':'))));
  if (!parsed.success) {
    for (const problem of renderIssues(parsed.error.issues, envNameFor, envRef)) {
      if (!reported.has(problem.slice(0, problem.indexOf(':')))) problems.push(problem);
    }
  }
  for (const problem of flowSettingProblems(settings, flows, (doc) => doc.env ?? doc.path)) {
    if (!reported.has(problem.slice(0, problem.indexOf(':')))) problems.push(problem);
  }
  const parsedSecrets = tenantSecretsSchema.safeParse(secrets);
  if (!parsedSecrets.success) {
    problems.push(...renderIssues(parsedSecrets.error.issues, (path) => envNameFor(['secrets', ...path]), envRef));
  }

  if (problems.length > 0 || !parsed.success || !parsedSecrets.success) {
    throw new ConfigError('environment', scrub(problems, secretValues));
  }
  return { ...parsed.data, secrets: parsedSecrets.data };
}

// ---------------------------------------------------------------------------------------------------
// Helpers for callers

/**
 * Validates one tenant's settings (e.g. in the CDK app, which only needs settings) and throws a
 * ConfigError naming each bad field under `label`.
 */
export function parseTenantSettings(input: unknown, label = 'tenant'): TenantSettings {
  const parsed = tenantSettingsSchema.safeParse(input && typeof input === 'object' && !Array.isArray(input) ? withRequiredGroups(input as Record<string, unknown>) : input);
  if (parsed.success) return parsed.data;
  throw new ConfigError(label, renderIssues(parsed.error.issues, (path) => joinPath(label, path), (path) => path));
}

/** The tenant that owns an Ongoing goods owner (goods owner ids are unique across tenants). */
export function tenantByGoodsOwnerId<T extends TenantSettings>(tenants: readonly T[], goodsOwnerId: number): T | undefined {
  return tenants.find((tenant) => tenant.ongoing.goodsOwnerId === goodsOwnerId);
}

// ---------------------------------------------------------------------------------------------------
// Process-level settings

export { LOG_LEVELS, type LogLevelName };

export interface RuntimeConfig {
  /** DynamoDB state table (AWS); absent when running on one machine with embedded state. */
  tableName?: string;
  /** S3 bucket for labels (AWS); absent when running on one machine. */
  labelsBucket?: string;
  dataDir: string;
  logLevel: LogLevelName;
  /** SET_ASIDE_RAW_DAYS: days a set-aside item's raw payload is kept (0: kept); unset: the state default (30). */
  setAsideRawDays?: number;
}

export function loadRuntime(env: Env = process.env): RuntimeConfig {
  const problems: string[] = [];
  const level = (envValue(env, 'LOG_LEVEL') ?? 'INFO').toUpperCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    problems.push(`LOG_LEVEL: expected one of ${LOG_LEVELS.join(', ')}, got ${showInput(envValue(env, 'LOG_LEVEL'))}`);
  }
  const tableName = envValue(env, 'TABLE_NAME');
  if (tableName !== undefined && !/^[A-Za-z0-9_.-]{3,255}$/.test(tableName)) {
    problems.push(`TABLE_NAME: expected a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -), got ${showInput(tableName)}`);
  }
  const labelsBucket = envValue(env, 'LABELS_BUCKET');
  if (labelsBucket !== undefined && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(labelsBucket)) {
    problems.push(`LABELS_BUCKET: expected an S3 bucket name (3-63 of a-z 0-9 . -), got ${showInput(labelsBucket)}`);
  }
  const rawDaysText = envValue(env, 'SET_ASIDE_RAW_DAYS');
  const setAsideRawDays = rawDaysText === undefined ? undefined : Number(rawDaysText);
  if (setAsideRawDays !== undefined && !(Number.isInteger(setAsideRawDays) && setAsideRawDays >= 0 && setAsideRawDays <= 3650)) {
    problems.push(`SET_ASIDE_RAW_DAYS: expected a whole number of days from 0 (keep) to 3650, got ${showInput(rawDaysText)}`);
  }
  if (problems.length > 0) throw new ConfigError('environment', problems);
  return {
    ...(setAsideRawDays !== undefined && { setAsideRawDays }),
    ...(tableName !== undefined && { tableName }),
    ...(labelsBucket !== undefined && { labelsBucket }),
    dataDir: envValue(env, 'DATA_DIR') ?? '.data',
    logLevel: level as LogLevelName,
  };
}
