import { DeleteCommand, GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConfigError, parseTenantSettings, type TenantSettings } from '../config';
import { queryPartition } from '../state/table';

/**
 * The tenant registry: which goods owners this deployment serves, with their settings, in the state table.
 * It is the one source of tenants on AWS (no function carries a tenant list in its environment) and the
 * default on one machine. Adding, changing or pausing a goods owner is a write here, never a deploy.
 *
 * One partition holds every tenant (`pk = TENANTS`, `sk = <tenant id>`), so listing them is one paged Query
 * and reading one is one GetItem. The item holds the settings as written (validated on the way in and again
 * on the way out, so defaults live in the schema only) and the *name* of the tenant's secret, never a secret.
 */

export const REGISTRY_PK = 'TENANTS';

/** Where a tenant's secrets live when the entry names none (Secrets Manager on AWS, the local store otherwise). */
export const DEFAULT_SECRET_PREFIX = 'ongoing-baselinker/';

export function defaultSecretName(tenantId: string): string {
  return `${DEFAULT_SECRET_PREFIX}${tenantId}`;
}

export interface RegistryEntry {
  id: string;
  /** Validated, defaults applied. Absent when the stored settings no longer pass the schema (see `problem`). */
  settings?: TenantSettings;
  /** The settings as written. */
  input: Record<string, unknown>;
  secretName: string;
  /** A disabled tenant keeps its settings and state; no schedule runs it and its webhook is refused. */
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
  /** Bumped on every write. */
  version: number;
  /** Why the stored settings are unusable (e.g. written by an older version): the tenant is skipped, not the others. */
  problem?: string;
}

export interface RegistryPut {
  input: Record<string, unknown>;
  settings: TenantSettings;
  secretName: string;
}

export interface TenantRegistry {
  list(): Promise<RegistryEntry[]>;
  get(id: string): Promise<RegistryEntry | undefined>;
  /** Creates or replaces a tenant's settings; a new tenant starts enabled, an existing one keeps its state. */
  put(entry: RegistryPut): Promise<RegistryEntry>;
  /** Undefined when there is no such tenant. */
  setEnabled(id: string, enabled: boolean): Promise<RegistryEntry | undefined>;
  /** False when there was no such tenant. */
  remove(id: string): Promise<boolean>;
}

interface RegistryItem {
  pk: string;
  sk: string;
  id: string;
  settingsJson: string;
  secretName: string;
  enabled: boolean;
  goodsOwnerId: number;
  createdAt: string;
  updatedAt: string;
  version: number;
}

function toEntry(item: Record<string, unknown>): RegistryEntry {
  const stored = item as unknown as RegistryItem;
  const base = {
    id: stored.id,
    secretName: stored.secretName,
    enabled: stored.enabled !== false,
    createdAt: stored.createdAt,
    updatedAt: stored.updatedAt,
    version: stored.version ?? 1,
  };
  let input: Record<string, unknown>;
  try {
    input = JSON.parse(stored.settingsJson) as Record<string, unknown>;
  } catch {
    return { ...base, input: {}, problem: `registry entry ${stored.id}: stored settings are not valid JSON` };
  }
  try {
    return { ...base, input, settings: parseTenantSettings(input, `registry ${stored.id}`) };
  } catch (error) {
    if (error instanceof ConfigError) return { ...base, input, problem: error.problems.join('; ') };
    throw error;
  }
}

const isConditionalCheckFailed = (err: unknown) => (err as { name?: string })?.name === 'ConditionalCheckFailedException';

export class DynamoTenantRegistry implements TenantRegistry {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => number = Date.now,
  ) {}

  list(): Promise<RegistryEntry[]> {
    return queryPartition(this.client, this.tableName, REGISTRY_PK, toEntry);
  }

  async get(id: string): Promise<RegistryEntry | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk: REGISTRY_PK, sk: id }, ConsistentRead: true }));
    return Item ? toEntry(Item) : undefined;
  }

  async put(entry: RegistryPut): Promise<RegistryEntry> {
    const at = new Date(this.now()).toISOString();
    const id = entry.settings.id;
    // One conditional update: a new item starts enabled at version 1, an existing one keeps `enabled` and `createdAt`.
    const { Attributes } = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: REGISTRY_PK, sk: id },
        UpdateExpression:
          'SET #id = :id, settingsJson = :settings, secretName = :secret, goodsOwnerId = :owner, updatedAt = :at, ' +
          'createdAt = if_not_exists(createdAt, :at), enabled = if_not_exists(enabled, :true), version = if_not_exists(version, :zero) + :one',
        ExpressionAttributeNames: { '#id': 'id' },
        ExpressionAttributeValues: {
          ':id': id,
          ':settings': JSON.stringify(entry.input),
          ':secret': entry.secretName,
          ':owner': entry.settings.ongoing.goodsOwnerId,
          ':at': at,
          ':true': true,
          ':zero': 0,
          ':one': 1,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return toEntry(Attributes ?? {});
  }

  async setEnabled(id: string, enabled: boolean): Promise<RegistryEntry | undefined> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: REGISTRY_PK, sk: id },
          UpdateExpression: 'SET enabled = :enabled, updatedAt = :at, version = version + :one',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':enabled': enabled, ':at': new Date(this.now()).toISOString(), ':one': 1 },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toEntry(Attributes ?? {});
    } catch (err) {
      if (isConditionalCheckFailed(err)) return undefined;
      throw err;
    }
  }

  async remove(id: string): Promise<boolean> {
    const { Attributes } = await this.client.send(
      new DeleteCommand({ TableName: this.tableName, Key: { pk: REGISTRY_PK, sk: id }, ReturnValues: 'ALL_OLD' }),
    );
    return Attributes !== undefined;
  }
}
