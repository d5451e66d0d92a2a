import {
  CreateTableCommand,
  DescribeTableCommand,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The state table: one DynamoDB table for every tenant and every kind of record (single-table design).
 *
 * Keys are strings: `pk` (partition) and `sk` (sort). Every record of one kind for one tenant shares a
 * partition, so "all of X for tenant T" is one paged Query and "X number N" one GetItem. Tenant ids may
 * contain '#': the kind is always the last segment of `pk`, so keys of different kinds cannot collide.
 *
 * | record             | pk                         | sk                     | access patterns                                        |
 * |--------------------|----------------------------|------------------------|--------------------------------------------------------|
 * | cursor/checkpoint  | TENANT#<t>#CURSOR          | <name>                 | get/put/delete by name                                 |
 * | article record     | TENANT#<t>#ARTICLE         | <sku>                  | all for a tenant (Query -> Map); put by SKU            |
 * | stock record       | TENANT#<t>#STOCK           | <sku>                  | all for a tenant (Query -> Map); batch put by SKU      |
 * | order record       | TENANT#<t>#ORDER           | <BaseLinker order id>  | claim/complete/release/cancel by id; list for tenant   |
 * | shipment record    | TENANT#<t>#SHIPMENT        | <Ongoing order id>     | claim/update/complete/release by id; list (by status)  |
 * | set-aside item     | TENANT#<t>#SETASIDE        | <kind>#<source id>     | upsert with count; list; retry/dismiss/clear by id     |
 * | set-aside raw      | TENANT#<t>#SETASIDE_RAW    | <kind>#<source id>     | the payload, apart; expires (setAsideRawDays)          |
 * | open order         | TENANT#<t>#OPEN_ORDER      | <BaseLinker order id>  | sparse index: pending orders only (oldest pending)     |
 * | open shipment      | TENANT#<t>#OPEN_SHIPMENT   | <Ongoing order id>     | sparse index: unfinished shipments (the tracking run)  |
 * | index sweep        | TENANT#<t>#INDEX           | open-orders / ...      | when an open index was last swept in full (daily)      |
 * | webhook event      | TENANT#<t>#EVENT           | <event id>             | remember once (conditional put), expires via TTL       |
 * | Send               | TENANT#<t>#SEND            | <Ongoing id>#<at>#<r>  | put per Send; one order's (Query by prefix), TTL       |
 * | run summary        | TENANT#<t>#RUN             | <flow>                 | latest per flow; all for a tenant (status screen)      |
 * | run lease          | LEASE                      | <lease name>           | acquire/renew/release by name                          |
 * | tenant registry    | TENANTS                    | <tenant id>            | all (Query, the dispatchers and the CLI); get by id    |
 * | request budget     | BUDGET                     | <token key (hash)>     | read, then conditional write on `version`              |
 *
 * `expiresAt` (epoch seconds) is the TTL attribute. TTL deletion lags by up to days and dynalite has none,
 * so code compares `expiresAt`/`leaseUntilMs` with the clock itself and never relies on deletion.
 *
 * Only single-item conditional writes (no transactions): every guarantee here (one claimant per order, one
 * live lease, first-event detection, the shared budget) rests on one conditional write on one item, which
 * both DynamoDB Local and dynalite implement faithfully.
 */

export const TTL_ATTRIBUTE = 'expiresAt';

export const keys = {
  cursor: (tenant: string, name: string) => ({ pk: tenantPk(tenant, 'CURSOR'), sk: nonEmpty(name, 'cursor name') }),
  article: (tenant: string, sku: string) => ({ pk: tenantPk(tenant, 'ARTICLE'), sk: nonEmpty(sku, 'SKU') }),
  stock: (tenant: string, sku: string) => ({ pk: tenantPk(tenant, 'STOCK'), sk: nonEmpty(sku, 'SKU') }),
  order: (tenant: string, blOrderId: string) => ({ pk: tenantPk(tenant, 'ORDER'), sk: nonEmpty(blOrderId, 'order id') }),
  shipment: (tenant: string, ongoingOrderId: string) => ({ pk: tenantPk(tenant, 'SHIPMENT'), sk: nonEmpty(ongoingOrderId, 'order id') }),
  /** Sparse index of unfinished records: written before a claim, deleted once the record is finished. */
  openOrder: (tenant: string, blOrderId: string) => ({ pk: tenantPk(tenant, 'OPEN_ORDER'), sk: nonEmpty(blOrderId, 'order id') }),
  openShipment: (tenant: string, ongoingOrderId: string) => ({ pk: tenantPk(tenant, 'OPEN_SHIPMENT'), sk: nonEmpty(ongoingOrderId, 'order id') }),
  /** When an open-record index was last swept in full (store.ts openEntries). */
  indexSweep: (tenant: string, index: string) => ({ pk: tenantPk(tenant, 'INDEX'), sk: nonEmpty(index, 'index') }),
  /** A set-aside item's raw payload, apart from the item so that listing items does not read it; expires. */
  setAsideRaw: (tenant: string, kind: string, sourceId: string) => ({
    pk: tenantPk(tenant, 'SETASIDE_RAW'),
    sk: `${nonEmpty(kind, 'kind')}#${nonEmpty(sourceId, 'source id')}`,
  }),
  setAside: (tenant: string, kind: string, sourceId: string) => ({
    pk: tenantPk(tenant, 'SETASIDE'),
    sk: `${nonEmpty(kind, 'kind')}#${nonEmpty(sourceId, 'source id')}`,
  }),
  event: (tenant: string, eventId: string) => ({ pk: tenantPk(tenant, 'EVENT'), sk: nonEmpty(eventId, 'event id') }),
  /** `<Ongoing order id>#` is the prefix of one order's Sends; the time orders them, the suffix keeps two at once apart. */
  send: (tenant: string, ongoingOrderId: string, at: string, suffix: string) => ({
    pk: tenantPk(tenant, 'SEND'),
    sk: `${sendPrefix(ongoingOrderId)}${nonEmpty(at, 'time')}#${suffix}`,
  }),
  run: (tenant: string, flow: string) => ({ pk: tenantPk(tenant, 'RUN'), sk: nonEmpty(flow, 'flow') }),
  lease: (name: string) => ({ pk: 'LEASE', sk: nonEmpty(name, 'lease name') }),
  budget: (tokenKey: string) => ({ pk: 'BUDGET', sk: nonEmpty(tokenKey, 'token key') }),
};

export type RecordKind = 'CURSOR' | 'ARTICLE' | 'STOCK' | 'ORDER' | 'SHIPMENT' | 'SETASIDE' | 'EVENT' | 'SEND' | 'RUN' | 'OPEN_ORDER' | 'OPEN_SHIPMENT' | 'SETASIDE_RAW' | 'INDEX';

export function sendPrefix(ongoingOrderId: string): string {
  return `${nonEmpty(ongoingOrderId, 'order id')}#`;
}

export function tenantPk(tenant: string, kind: RecordKind): string {
  return `TENANT#${nonEmpty(tenant, 'tenant')}#${kind}`;
}

function nonEmpty(value: string, what: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new Error(`State key part "${what}" must be a non-empty string`);
  return value;
}

/** CreateTable input for the state table; the CDK stack declares the same keys and billing mode. */
export function tableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
  };
}

const errorName = (err: unknown) => (err as { name?: string })?.name ?? '';

/**
 * For local runs and tests: create the table if missing, wait until it is ACTIVE, switch TTL on where the
 * emulator supports it (dynalite does not: ignored). Idempotent.
 */
export async function ensureTable(client: DynamoDBClient | DynamoDBDocumentClient, tableName: string): Promise<void> {
  // The document client passes plain (non-document) commands through unchanged.
  const send = client.send.bind(client) as DynamoDBClient['send'];
  try {
    await send(new CreateTableCommand(tableDefinition(tableName)));
  } catch (err) {
    if (errorName(err) !== 'ResourceInUseException') throw err;
  }
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { Table } = await send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') break;
    if (Date.now() > deadline) throw new Error(`Table ${tableName} is still ${Table?.TableStatus} after 30 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  try {
    await send(
      new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true } }),
    );
  } catch (err) {
    const name = errorName(err);
    // dynalite: UnknownOperationException; already enabled: ValidationException.
    if (name !== 'UnknownOperationException' && name !== 'ValidationException') throw err;
  }
}

/** Every item of one partition, page by page, read consistently (a record just written is in the answer). */
export async function queryPartition<T>(client: DynamoDBDocumentClient, tableName: string, pk: string, toRecord: (item: Record<string, unknown>) => T): Promise<T[]> {
  const out: T[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': 'pk' },
        ExpressionAttributeValues: { ':pk': pk },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) out.push(toRecord(item));
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}
