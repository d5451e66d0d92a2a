import { assertClockInSync, provenClockOffsetMs } from '../aws/clock';
import { DEFAULT_SET_ASIDE_RAW_DAYS as DEFAULT_SET_ASIDE_RAW_DAYS_VALUE } from './bounded';
import {
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { boundedJson, boundedText } from './bounded';
import { keys, queryPartition, sendPrefix, tenantPk } from './table';
import {
  ClaimLostError,
  type ArticleRecord,
  type ArticleRecordInput,
  type Claim,
  type ClaimResult,
  type CursorRecord,
  type ExternalId,
  type LeaseRecord,
  type OrderRecord,
  type RunSummary,
  type RunSummaryRecord,
  SEND_LOG_DAYS,
  SEND_LOG_LIMIT,
  type SendInput,
  type SendRecord,
  type SetAsideInput,
  type SetAsideItem,
  type SetAsideKind,
  type SetAsideState,
  type ShipmentFields,
  type ShipmentProgress,
  type ShipmentRecord,
  type ShipmentStatus,
  type StockRecordInput,
  type StockRecord,
} from '../flows/ports';


/**
 * Everything the flows remember between runs, on the single state table (see table.ts for the key design).
 *
 * Claims (orders, shipments) and leases share one rule, enforced by a single conditional write: a record
 * may be taken when nobody holds it, when its holder's lease has run out (a crashed run), or by the holder
 * itself; a finished record is never taken again. Lease times are compared with this process's clock.
 */

export interface StateStoreOptions {
  /** Clock in epoch ms; tests pass a fake one to let leases expire without sleeping. */
  now?: () => number;
  /**
   * Days a set-aside item's raw payload (an order as BaseLinker sent it: customer data) is kept after the item
   * was last seen; 0 keeps it. Default 30 (SET_ASIDE_RAW_DAYS, the CDK setting setAsideRawDays).
   */
  setAsideRawDays?: number;
}

export { DEFAULT_SET_ASIDE_RAW_DAYS } from './bounded';

/**
 * Where the open-record indexes note their last full sweep: once for records written before the index existed,
 * then daily for a record whose entry a crash kept from being written (the entry follows the claim).
 */
const OPEN_INDEX_BUILT = { order: 'open-orders', shipment: 'open-shipments' } as const;
const OPEN_INDEX_RESWEEP_MS = 24 * 3600_000;

export function isConditionalCheckFailed(err: unknown): boolean {
  return (err as { name?: string })?.name === 'ConditionalCheckFailedException';
}

/** Builds expression attribute names/values: every attribute goes through a #name, so reserved words are safe. */
class Expr {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  private i = 0;

  n(attr: string): string {
    this.names[`#${attr}`] = attr;
    return `#${attr}`;
  }

  v(value: unknown): string {
    const key = `:v${this.i++}`;
    this.values[key] = value;
    return key;
  }

  /** `#a = :v` for every defined entry. */
  sets(fields: Record<string, unknown>): string[] {
    return Object.entries(fields)
      .filter(([, value]) => value !== undefined)
      .map(([attr, value]) => `${this.n(attr)} = ${this.v(value)}`);
  }

  params(): { ExpressionAttributeNames: Record<string, string>; ExpressionAttributeValues?: Record<string, unknown> } {
    return {
      ExpressionAttributeNames: this.names,
      ...(Object.keys(this.values).length ? { ExpressionAttributeValues: this.values } : {}),
    };
  }
}

function stripKeys<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest as T;
}

function updateExpression(parts: { set?: string[]; add?: string[]; remove?: string[] }): string {
  const out: string[] = [];
  if (parts.set?.length) out.push(`SET ${parts.set.join(', ')}`);
  if (parts.add?.length) out.push(`ADD ${parts.add.join(', ')}`);
  if (parts.remove?.length) out.push(`REMOVE ${parts.remove.join(', ')}`);
  return out.join(' ');
}

export class StateStore {
  private readonly now: () => number;
  private readonly rawTtlSeconds: number;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    readonly tableName: string,
    options: StateStoreOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.rawTtlSeconds = Math.max(0, options.setAsideRawDays ?? DEFAULT_SET_ASIDE_RAW_DAYS_VALUE) * 86_400;
  }

  /**
   * Claims, leases and budget compare times written by other processes: a writer whose clock is provably off
   * may not take them (shared/aws/clock). Reads one item first when this process has no DynamoDB answer yet.
   */
  private async clockChecked(key: { pk: string; sk: string }): Promise<void> {
    if (provenClockOffsetMs() === undefined) await this.get(key);
    assertClockInSync();
  }

  // ---- open-record indexes (sparse: only unfinished records have an entry) ------------------------------

  private async markOpen(key: { pk: string; sk: string }): Promise<void> {
    const now = this.iso();
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key,
        UpdateExpression: 'SET #since = if_not_exists(#since, :now)',
        ExpressionAttributeNames: { '#since': 'since' },
        ExpressionAttributeValues: { ':now': now },
      }),
    );
  }

  private async markFinished(key: { pk: string; sk: string }): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: key }));
  }

  /**
   * The open entries of a kind; the full partition is swept for missing entries once a day (and the first time).
   */
  private async openEntries(tenant: string, kind: 'order' | 'shipment'): Promise<Array<{ id: string; since: string }>> {
    const built = OPEN_INDEX_BUILT[kind];
    const last = await this.get<{ builtAt?: string }>(keys.indexSweep(tenant, built));
    if (last?.builtAt === undefined || this.now() - Date.parse(last.builtAt) > OPEN_INDEX_RESWEEP_MS) {
      const all = await this.queryAll<{ status: string; firstSeenAt?: string; blOrderId?: string; ongoingOrderId?: string }>(tenantPk(tenant, kind === 'order' ? 'ORDER' : 'SHIPMENT'));
      for (const r of all) {
        const open = kind === 'order' ? r.status === 'pending' : r.status === 'pending' || r.status === 'pending-tracking';
        const id = kind === 'order' ? r.blOrderId : r.ongoingOrderId;
        if (open && id) await this.markOpen(kind === 'order' ? keys.openOrder(tenant, id) : keys.openShipment(tenant, id));
      }
      await this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...keys.indexSweep(tenant, built), builtAt: this.iso() } }));
    }
    return this.queryAll(tenantPk(tenant, kind === 'order' ? 'OPEN_ORDER' : 'OPEN_SHIPMENT'), (item) => ({ id: String(item.sk), since: String(item.since) }));
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }

  private async get<T>(key: { pk: string; sk: string }): Promise<T | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    return Item ? stripKeys<T>(Item) : undefined;
  }

  private queryAll<T>(pk: string, toRecord: (item: Record<string, unknown>) => T = stripKeys<T>): Promise<T[]> {
    return queryPartition(this.client, this.tableName, pk, toRecord);
  }

  /** Runs a conditional write; false when the condition did not hold. */
  private async conditional(write: () => Promise<unknown>): Promise<boolean> {
    try {
      await write();
      return true;
    } catch (err) {
      if (isConditionalCheckFailed(err)) return false;
      throw err;
    }
  }

  // ---- cursors and checkpoints -------------------------------------------------------------------------

  async getCursor<T>(tenant: string, name: string): Promise<T | undefined> {
    const item = await this.get<{ value?: T }>(keys.cursor(tenant, name));
    return item?.value;
  }

  async putCursor(tenant: string, name: string, value: unknown): Promise<void> {
    await this.client.send(
      new PutCommand({ TableName: this.tableName, Item: { ...keys.cursor(tenant, name), value, updatedAt: this.iso() } }),
    );
  }

  async deleteCursor(tenant: string, name: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: keys.cursor(tenant, name) }));
  }

  /** Every cursor and checkpoint of a tenant (checkpoints named `checkpoint:<name>`), by name: for status screens. */
  async listCursors(tenant: string): Promise<CursorRecord[]> {
    // The name is the sort key, which the other readers strip.
    const out = await this.queryAll<CursorRecord>(tenantPk(tenant, 'CURSOR'), (item) => ({ name: String(item.sk), value: item.value, updatedAt: item.updatedAt as string | undefined }));
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  getCheckpoint<T>(tenant: string, name: string): Promise<T | undefined> {
    return this.getCursor<T>(tenant, `checkpoint:${name}`);
  }

  putCheckpoint(tenant: string, name: string, value: unknown): Promise<void> {
    return this.putCursor(tenant, `checkpoint:${name}`, value);
  }

  clearCheckpoint(tenant: string, name: string): Promise<void> {
    return this.deleteCursor(tenant, `checkpoint:${name}`);
  }

  // ---- article records ---------------------------------------------------------------------------------

  async getArticleRecords(tenant: string): Promise<Map<string, ArticleRecord>> {
    const items = await this.queryAll<ArticleRecord & { tenant?: string }>(tenantPk(tenant, 'ARTICLE'));
    return new Map(items.map(({ tenant: _t, ...record }) => [record.sku, record]));
  }

  async getArticleRecord(tenant: string, sku: string): Promise<ArticleRecord | undefined> {
    const item = await this.get<ArticleRecord & { tenant?: string }>(keys.article(tenant, sku));
    if (!item) return undefined;
    const { tenant: _t, ...record } = item;
    return record;
  }

  async putArticleRecord(tenant: string, sku: string, record: ArticleRecordInput): Promise<void> {
    const item: ArticleRecord & { tenant: string } = {
      tenant,
      sku,
      hash: record.hash,
      articleSystemId: record.articleSystemId,
      blProductId: record.blProductId,
      blVariantId: record.blVariantId,
      updatedAt: this.iso(),
    };
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...keys.article(tenant, sku), ...item } }));
  }

  async deleteArticleRecord(tenant: string, sku: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: keys.article(tenant, sku) }));
  }

  // ---- stock records -----------------------------------------------------------------------------------

  async getStockRecords(tenant: string): Promise<Map<string, StockRecord>> {
    const items = await this.queryAll<StockRecord & { tenant?: string }>(tenantPk(tenant, 'STOCK'));
    return new Map(items.map(({ tenant: _t, ...record }) => [record.sku, record]));
  }

  /** Saves many levels in batches of 25 (BatchWriteItem's limit), retrying what DynamoDB leaves unprocessed. */
  async putStockRecords(tenant: string, records: readonly StockRecordInput[]): Promise<void> {
    const pushedAt = this.iso();
    // One request may not name an item twice: the last level per SKU wins.
    const unique = [...new Map(records.map((r) => [r.sku, r])).values()];
    for (let i = 0; i < unique.length; i += 25) {
      let pending: Record<string, unknown>[] = unique.slice(i, i + 25).map((r) => ({
        PutRequest: { Item: { ...keys.stock(tenant, r.sku), tenant, sku: r.sku, level: r.level, blId: r.blId, pushedAt } },
      }));
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** attempt, 2000)));
        if (attempt > 10) throw new Error(`DynamoDB left ${pending.length} stock records unprocessed after ${attempt} attempts`);
        const out = await this.client.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending as never } }));
        pending = (out.UnprocessedItems?.[this.tableName] ?? []) as Record<string, unknown>[];
      }
    }
  }

  /** Runs a conditional write answering ALL_NEW; undefined when the condition did not hold. */
  private async conditionalRecord<T>(command: UpdateCommand): Promise<T | undefined> {
    try {
      const out = await this.client.send(command);
      return stripKeys<T>(out.Attributes ?? {});
    } catch (err) {
      if (isConditionalCheckFailed(err)) return undefined;
      throw err;
    }
  }

  // ---- claims (orders and shipments share the rule) ----------------------------------------------------

  /**
   * One conditional update takes the claim: the record is absent, or not terminal and either free (lease
   * passed, or released) or already ours. `firstSeenAt` survives every later claim. Answers the record
   * as the claim left it; undefined when the claim was refused.
   */
  private async claim<T>(
    key: { pk: string; sk: string },
    owner: string,
    leaseMs: number,
    terminal: string[],
    identity: Record<string, unknown>,
    initialStatus: string,
  ): Promise<T | undefined> {
    await this.clockChecked(key);
    const now = this.now();
    const e = new Expr();
    const set = [
      ...e.sets({ ...identity, owner, leaseUntilMs: now + leaseMs, updatedAt: new Date(now).toISOString() }),
      `${e.n('firstSeenAt')} = if_not_exists(${e.n('firstSeenAt')}, ${e.v(new Date(now).toISOString())})`,
      `${e.n('status')} = if_not_exists(${e.n('status')}, ${e.v(initialStatus)})`,
    ];
    const notTerminal = terminal.map((s) => `${e.n('status')} <> ${e.v(s)}`).join(' AND ');
    const free = `(attribute_not_exists(${e.n('leaseUntilMs')}) OR ${e.n('leaseUntilMs')} < ${e.v(now)} OR ${e.n('owner')} = ${e.v(owner)})`;
    return this.conditionalRecord<T>(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key,
        UpdateExpression: updateExpression({ set, add: [`${e.n('attempts')} ${e.v(1)}`] }),
        ConditionExpression: `attribute_not_exists(${e.n('pk')}) OR (${notTerminal} AND ${free})`,
        ReturnValues: 'ALL_NEW',
        ...e.params(),
      }),
    );
  }

  /**
   * Updates a record only while `owner` holds it (its claim may have lapsed as long as nobody took it over).
   * `release` frees the claim in the same write. Answers the record after the write; undefined when not held.
   */
  private updateHeld<T>(
    key: { pk: string; sk: string },
    owner: string,
    fields: Record<string, unknown>,
    options: { release?: boolean; terminal: string[] },
  ): Promise<T | undefined> {
    const e = new Expr();
    const set = e.sets({ ...fields, updatedAt: this.iso(), ...(options.release ? { leaseUntilMs: 0 } : {}) });
    const notTerminal = options.terminal.map((s) => `${e.n('status')} <> ${e.v(s)}`).join(' AND ');
    return this.conditionalRecord<T>(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key,
        UpdateExpression: updateExpression({ set, remove: options.release ? [e.n('owner')] : [] }),
        ConditionExpression: `${e.n('owner')} = ${e.v(owner)} AND ${notTerminal}`,
        ReturnValues: 'ALL_NEW',
        ...e.params(),
      }),
    );
  }

  // ---- orders ------------------------------------------------------------------------------------------

  async claimOrderRecord(tenant: string, blOrderId: ExternalId, owner: string, leaseMs: number): Promise<Claim<OrderRecord>> {
    const id = String(blOrderId);
    const key = keys.order(tenant, id);
    const claimed = await this.claim<OrderRecord>(key, owner, leaseMs, ['done', 'cancelled'], { tenant, blOrderId: id }, 'pending');
    if (claimed) return { result: 'claimed', record: claimed };
    const current = await this.get<OrderRecord>(key);
    return current && current.status !== 'pending' ? { result: 'done', record: current } : { result: 'busy', record: current };
  }

  async claimOrder(tenant: string, blOrderId: ExternalId, owner: string, leaseMs: number): Promise<ClaimResult> {
    return (await this.claimOrderRecord(tenant, blOrderId, owner, leaseMs)).result;
  }

  /** Records the order as created in Ongoing. Throws ClaimLostError when another run holds or finished it. */
  async completeOrder(
    tenant: string,
    blOrderId: ExternalId,
    owner: string,
    result: { ongoingOrderId: ExternalId; orderNumber: string },
  ): Promise<OrderRecord> {
    const id = String(blOrderId);
    const key = keys.order(tenant, id);
    const done = await this.updateHeld<OrderRecord>(
      key,
      owner,
      { status: 'done', ongoingOrderId: result.ongoingOrderId, orderNumber: result.orderNumber, completedBy: owner, completedAt: this.iso() },
      { release: true, terminal: ['done', 'cancelled'] },
    );
    if (done) {
      // Only an order claimed before (given back, or its run died) can have an entry: the usual one costs no extra write.
      if (done.attempts > 1) await this.markFinished(keys.openOrder(tenant, id));
      return done;
    }
    const current = await this.get<OrderRecord>(key);
    // A retried completion of our own finished work is fine.
    if (current?.status === 'done' && current.completedBy === owner) return current;
    throw new ClaimLostError(`Order ${id} of ${tenant}`, owner, current);
  }

  /** Gives the claim back (the work failed or was postponed); undefined if `owner` no longer held it. */
  async releaseOrderRecord(tenant: string, blOrderId: ExternalId, owner: string, lastError?: string): Promise<OrderRecord | undefined> {
    const released = await this.updateHeld<OrderRecord>(
      keys.order(tenant, String(blOrderId)),
      owner,
      { lastError: lastError === undefined ? undefined : boundedText(lastError) },
      { release: true, terminal: ['done', 'cancelled'] },
    );
    // An order given back stays pending past this run: it goes into the open-orders index (oldest pending).
    if (released) await this.markOpen(keys.openOrder(tenant, String(blOrderId)));
    return released;
  }

  async releaseOrder(tenant: string, blOrderId: ExternalId, owner: string, lastError?: string): Promise<boolean> {
    return (await this.releaseOrderRecord(tenant, blOrderId, owner, lastError)) !== undefined;
  }

  /**
   * A 'done' order turned out to be missing in Ongoing (reconciliation): it becomes claimable again, with
   * the reason in `lastError`. Undefined when the record is not 'done' (pending, cancelled or absent).
   */
  async reopenOrderRecord(tenant: string, blOrderId: ExternalId, reason: string): Promise<OrderRecord | undefined> {
    await this.markOpen(keys.openOrder(tenant, String(blOrderId)));
    const e = new Expr();
    const set = e.sets({ status: 'pending', leaseUntilMs: 0, lastError: boundedText(reason), updatedAt: this.iso() });
    return this.conditionalRecord<OrderRecord>(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.order(tenant, String(blOrderId)),
        UpdateExpression: updateExpression({ set, remove: [e.n('owner'), e.n('completedBy'), e.n('completedAt'), e.n('ongoingOrderId')] }),
        ConditionExpression: `${e.n('status')} = ${e.v('done')}`,
        ReturnValues: 'ALL_NEW',
        ...e.params(),
      }),
    );
  }

  async reopenOrder(tenant: string, blOrderId: ExternalId, reason: string): Promise<boolean> {
    return (await this.reopenOrderRecord(tenant, blOrderId, reason)) !== undefined;
  }

  getOrderRecord(tenant: string, blOrderId: ExternalId): Promise<OrderRecord | undefined> {
    return this.get<OrderRecord>(keys.order(tenant, String(blOrderId)));
  }

  listOrderRecords(tenant: string): Promise<OrderRecord[]> {
    return this.queryAll<OrderRecord>(tenantPk(tenant, 'ORDER'));
  }

  /** When the oldest pending order was first seen, from the open-orders index (entries of finished orders are dropped). */
  async oldestPendingOrderSince(tenant: string): Promise<string | undefined> {
    for (const entry of (await this.openEntries(tenant, 'order')).sort((a, b) => a.since.localeCompare(b.since))) {
      const record = await this.getOrderRecord(tenant, entry.id);
      if (record?.status === 'pending') return record.firstSeenAt ?? entry.since;
      // Finished (or gone) since: a left-over entry (the run stopped between the two writes).
      await this.markFinished(keys.openOrder(tenant, entry.id));
    }
    return undefined;
  }

  /**
   * The order must never be sent (again). Unconditional: a run that holds the claim right now gets a
   * ClaimLostError from completeOrder and learns of the cancellation there.
   */
  async markOrderCancelled(tenant: string, blOrderId: ExternalId, note?: string): Promise<OrderRecord> {
    const id = String(blOrderId);
    const e = new Expr();
    const now = this.iso();
    const set = [
      ...e.sets({ tenant, blOrderId: id, status: 'cancelled', cancelledAt: now, updatedAt: now, leaseUntilMs: 0, note }),
      `${e.n('firstSeenAt')} = if_not_exists(${e.n('firstSeenAt')}, ${e.v(now)})`,
      `${e.n('attempts')} = if_not_exists(${e.n('attempts')}, ${e.v(0)})`,
    ];
    const out = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.order(tenant, id),
        UpdateExpression: updateExpression({ set, remove: [e.n('owner')] }),
        ReturnValues: 'ALL_NEW',
        ...e.params(),
      }),
    );
    await this.markFinished(keys.openOrder(tenant, id));
    return stripKeys<OrderRecord>(out.Attributes ?? {});
  }

  // ---- shipments ---------------------------------------------------------------------------------------

  async claimShipmentRecord(tenant: string, ongoingOrderId: ExternalId, owner: string, leaseMs: number): Promise<Claim<ShipmentRecord>> {
    const id = String(ongoingOrderId);
    const key = keys.shipment(tenant, id);
    const claimed = await this.claim<ShipmentRecord>(key, owner, leaseMs, ['done'], { tenant, ongoingOrderId: id }, 'pending');
    if (claimed) {
      // A shipment that stops here (a crash before this write) is found by the daily re-sweep of the index.
      await this.markOpen(keys.openShipment(tenant, id));
      return { result: 'claimed', record: claimed };
    }
    const current = await this.get<ShipmentRecord>(key);
    return current?.status === 'done' ? { result: 'done', record: current } : { result: 'busy', record: current };
  }

  async claimShipment(tenant: string, ongoingOrderId: ExternalId, owner: string, leaseMs: number): Promise<ClaimResult> {
    return (await this.claimShipmentRecord(tenant, ongoingOrderId, owner, leaseMs)).result;
  }

  /** Saves progress (package made, label stored...) while holding the claim; returns the record. */
  async updateShipment(tenant: string, ongoingOrderId: ExternalId, owner: string, fields: ShipmentProgress): Promise<ShipmentRecord> {
    const id = String(ongoingOrderId);
    const key = keys.shipment(tenant, id);
    const updated = await this.updateHeld<ShipmentRecord>(key, owner, this.shipmentFields(fields), { terminal: ['done'] });
    if (updated) return updated;
    throw new ClaimLostError(`Shipment for order ${id} of ${tenant}`, owner, await this.get<ShipmentRecord>(key));
  }

  async completeShipment(tenant: string, ongoingOrderId: ExternalId, owner: string, fields: ShipmentFields): Promise<ShipmentRecord> {
    const id = String(ongoingOrderId);
    const key = keys.shipment(tenant, id);
    const done = await this.updateHeld<ShipmentRecord>(
      key,
      owner,
      { ...this.shipmentFields(fields), status: 'done', completedAt: this.iso(), completedBy: owner },
      { release: true, terminal: ['done'] },
    );
    if (done) {
      await this.markFinished(keys.openShipment(tenant, id));
      return done;
    }
    const current = await this.get<ShipmentRecord>(key);
    if (current?.status === 'done' && current.completedBy === owner) return current;
    throw new ClaimLostError(`Shipment for order ${id} of ${tenant}`, owner, current);
  }

  /**
   * Extends the claim to `leaseMs` from now, only while `owner` still holds it (its lease may have lapsed as
   * long as nobody took it over). Call it right before a step that must never run twice (createPackage): a
   * worker that was paused past its lease learns here that another one took over, and stops.
   */
  renewShipmentRecord(tenant: string, ongoingOrderId: ExternalId, owner: string, leaseMs: number): Promise<ShipmentRecord | undefined> {
    return this.updateHeld<ShipmentRecord>(keys.shipment(tenant, String(ongoingOrderId)), owner, { leaseUntilMs: this.now() + leaseMs }, { terminal: ['done'] });
  }

  async renewShipment(tenant: string, ongoingOrderId: ExternalId, owner: string, leaseMs: number): Promise<boolean> {
    return (await this.renewShipmentRecord(tenant, ongoingOrderId, owner, leaseMs)) !== undefined;
  }

  /** Frees the claim, optionally recording the outcome so far (e.g. 'pending-tracking' or 'failed'). */
  async releaseShipmentRecord(tenant: string, ongoingOrderId: ExternalId, owner: string, fields: ShipmentProgress = {}): Promise<ShipmentRecord | undefined> {
    const released = await this.updateHeld<ShipmentRecord>(keys.shipment(tenant, String(ongoingOrderId)), owner, this.shipmentFields(fields), {
      release: true,
      terminal: ['done'],
    });
    // A failed shipment waits for a person (its set-aside item), not for the tracking run.
    if (released?.status === 'failed') await this.markFinished(keys.openShipment(tenant, String(ongoingOrderId)));
    // A failed one claimed again keeps its status while held, so a tracking run may have dropped its entry
    // meanwhile: given back for the tracking run, it is in the index again.
    else if (released?.status === 'pending' || released?.status === 'pending-tracking') await this.markOpen(keys.openShipment(tenant, String(ongoingOrderId)));
    return released;
  }

  async releaseShipment(tenant: string, ongoingOrderId: ExternalId, owner: string, fields: ShipmentProgress = {}): Promise<boolean> {
    return (await this.releaseShipmentRecord(tenant, ongoingOrderId, owner, fields)) !== undefined;
  }

  getShipment(tenant: string, ongoingOrderId: ExternalId): Promise<ShipmentRecord | undefined> {
    return this.get<ShipmentRecord>(keys.shipment(tenant, String(ongoingOrderId)));
  }

  /** The unfinished shipments, from the open-shipments index; entries of finished ones are dropped on the way. */
  async openShipments(tenant: string): Promise<ShipmentRecord[]> {
    const out: ShipmentRecord[] = [];
    for (const entry of await this.openEntries(tenant, 'shipment')) {
      const record = await this.getShipment(tenant, entry.id);
      if (record && (record.status === 'pending' || record.status === 'pending-tracking')) out.push(record);
      else await this.markFinished(keys.openShipment(tenant, entry.id));
    }
    return out;
  }

  async listShipments(tenant: string, filter: { status?: ShipmentStatus } = {}): Promise<ShipmentRecord[]> {
    const all = await this.queryAll<ShipmentRecord>(tenantPk(tenant, 'SHIPMENT'));
    return filter.status ? all.filter((s) => s.status === filter.status) : all;
  }

  private shipmentFields(fields: ShipmentFields & { status?: ShipmentStatus }): Record<string, unknown> {
    return { ...fields, lastError: fields.lastError === undefined ? undefined : boundedText(fields.lastError) };
  }

  // ---- run leases --------------------------------------------------------------------------------------

  /** True when `owner` now holds the lease: it was free, expired (a crashed run), or already ours. */
  async acquireLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    await this.clockChecked(keys.lease(name));
    const now = this.now();
    const until = now + ttlMs;
    return this.conditional(() =>
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.lease(name),
            name,
            owner,
            leaseUntilMs: until,
            acquiredAt: new Date(now).toISOString(),
            // Housekeeping only; an hour after it lapsed the row can go.
            expiresAt: Math.ceil(until / 1000) + 3600,
          },
          ConditionExpression: 'attribute_not_exists(#pk) OR #leaseUntilMs < :now OR #owner = :owner',
          ExpressionAttributeNames: { '#pk': 'pk', '#leaseUntilMs': 'leaseUntilMs', '#owner': 'owner' },
          ExpressionAttributeValues: { ':now': now, ':owner': owner },
        }),
      ),
    );
  }

  /** Extends the lease; false when someone else took it over (ours had lapsed). */
  renewLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const until = this.now() + ttlMs;
    return this.conditional(() =>
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.lease(name),
          UpdateExpression: 'SET #leaseUntilMs = :until, #expiresAt = :expiresAt',
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#leaseUntilMs': 'leaseUntilMs', '#expiresAt': 'expiresAt', '#owner': 'owner' },
          ExpressionAttributeValues: { ':until': until, ':expiresAt': Math.ceil(until / 1000) + 3600, ':owner': owner },
        }),
      ),
    );
  }

  releaseLease(name: string, owner: string): Promise<boolean> {
    return this.conditional(() =>
      this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: keys.lease(name),
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': owner },
        }),
      ),
    );
  }

  /** The lease if someone holds it now. */
  async getLease(name: string): Promise<LeaseRecord | undefined> {
    const item = await this.get<LeaseRecord & { expiresAt?: number }>(keys.lease(name));
    if (!item || item.leaseUntilMs < this.now()) return undefined;
    const { expiresAt: _e, ...lease } = item;
    return lease;
  }

  // ---- set-aside items ---------------------------------------------------------------------------------

  /**
   * Records (or re-records) a problem a person must look at. Keeps first seen, bumps last seen and count.
   * An item a person asked to retry opens again; a dismissed one stays dismissed (counting on).
   */
  async setAside(tenant: string, input: SetAsideInput): Promise<SetAsideItem> {
    const key = keys.setAside(tenant, input.kind, input.sourceId);
    const write = (reopen: boolean) => {
      const e = new Expr();
      const now = this.iso();
      const set = [
        ...e.sets({
          tenant,
          kind: input.kind,
          sourceId: input.sourceId,
          reason: boundedText(input.reason),
          ids: input.ids,
          lastSeenAt: now,
          ...(reopen ? { state: 'open' } : {}),
        }),
        `${e.n('firstSeenAt')} = if_not_exists(${e.n('firstSeenAt')}, ${e.v(now)})`,
      ];
      return this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: updateExpression({ set, add: [`${e.n('count')} ${e.v(1)}`] }),
          ...(reopen ? { ConditionExpression: `attribute_not_exists(${e.n('state')}) OR ${e.n('state')} <> ${e.v('dismissed')}` } : {}),
          ReturnValues: 'ALL_NEW',
          ...e.params(),
        }),
      );
    };
    let result;
    try {
      result = await write(true);
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
      result = await write(false);
    }
    const item = stripKeys<SetAsideItem>(result.Attributes ?? {});
    if (input.raw !== undefined) {
      const raw = boundedJson(input.raw);
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.setAsideRaw(tenant, input.kind, input.sourceId), raw, ...(this.rawTtlSeconds > 0 && { expiresAt: Math.ceil(this.now() / 1000) + this.rawTtlSeconds }) },
        }),
      );
      return { ...item, raw };
    }
    return this.withRaw(tenant, item);
  }

  /** The raw payload unless it expired (TTL deletion lags: an expired one counts as gone). */
  private liveRaw(item: Record<string, unknown> | undefined): string | undefined {
    if (!item || typeof item.raw !== 'string') return undefined;
    const expiresAt = typeof item.expiresAt === 'number' ? item.expiresAt : undefined;
    return expiresAt !== undefined && expiresAt <= Math.floor(this.now() / 1000) ? undefined : item.raw;
  }

  private async withRaw(tenant: string, item: SetAsideItem): Promise<SetAsideItem> {
    const raw = this.liveRaw(await this.get<Record<string, unknown>>(keys.setAsideRaw(tenant, item.kind, item.sourceId)));
    const { raw: _inline, ...rest } = item;
    // Items written before the payloads moved apart keep theirs inline.
    return raw !== undefined ? { ...rest, raw } : item;
  }

  async listSetAside(tenant: string, filter: { kind?: SetAsideKind; state?: SetAsideState; withRaw?: boolean } = {}): Promise<SetAsideItem[]> {
    const all = await this.queryAll<SetAsideItem>(tenantPk(tenant, 'SETASIDE'));
    const items = all
      .filter((i) => (filter.kind === undefined || i.kind === filter.kind) && (filter.state === undefined || i.state === filter.state))
      .sort((a, b) => b.lastSeenAt.localeCompare(a.lastSeenAt));
    if (filter.withRaw === false || items.length === 0) return items;
    const raws = new Map(
      (await this.queryAll<Record<string, unknown>>(tenantPk(tenant, 'SETASIDE_RAW'), (item) => item)).map((r) => [String(r.sk), this.liveRaw(r)] as const),
    );
    return items.map((i) => {
      const raw = raws.get(`${i.kind}#${i.sourceId}`);
      return raw !== undefined ? { ...i, raw } : i;
    });
  }

  async getSetAside(tenant: string, kind: SetAsideKind, sourceId: string): Promise<SetAsideItem | undefined> {
    const item = await this.get<SetAsideItem>(keys.setAside(tenant, kind, sourceId));
    return item && this.withRaw(tenant, item);
  }

  /** The problem is gone (the item went through): forget it, and its payload. */
  async clearSetAside(tenant: string, kind: SetAsideKind, sourceId: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: keys.setAside(tenant, kind, sourceId) }));
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: keys.setAsideRaw(tenant, kind, sourceId) }));
  }

  markSetAsideForRetry(tenant: string, kind: SetAsideKind, sourceId: string): Promise<boolean> {
    return this.changeSetAside(tenant, kind, sourceId, { state: 'retry', retryRequestedAt: this.iso() });
  }

  dismissSetAside(tenant: string, kind: SetAsideKind, sourceId: string, note: string): Promise<boolean> {
    return this.changeSetAside(tenant, kind, sourceId, { state: 'dismissed', dismissedAt: this.iso(), note: boundedText(note) });
  }

  private changeSetAside(tenant: string, kind: SetAsideKind, sourceId: string, fields: Record<string, unknown>): Promise<boolean> {
    const e = new Expr();
    const set = e.sets(fields);
    return this.conditional(() =>
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.setAside(tenant, kind, sourceId),
          UpdateExpression: updateExpression({ set }),
          ConditionExpression: `attribute_exists(${e.n('pk')})`,
          ...e.params(),
        }),
      ),
    );
  }

  // ---- webhook event de-duplication --------------------------------------------------------------------

  /** 'first' exactly once per event id within `ttlSeconds`, however many deliveries race. */
  async rememberEvent(tenant: string, eventId: string, ttlSeconds: number): Promise<'first' | 'duplicate'> {
    const nowSec = Math.floor(this.now() / 1000);
    const first = await this.conditional(() =>
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.event(tenant, eventId), expiresAt: nowSec + ttlSeconds, receivedAt: this.iso() },
          // TTL deletion lags: an expired row counts as absent.
          ConditionExpression: 'attribute_not_exists(#pk) OR #expiresAt <= :now',
          ExpressionAttributeNames: { '#pk': 'pk', '#expiresAt': 'expiresAt' },
          ExpressionAttributeValues: { ':now': nowSec },
        }),
      ),
    );
    return first ? 'first' : 'duplicate';
  }

  // ---- Sends -------------------------------------------------------------------------------------------

  async recordSend(tenant: string, send: SendInput): Promise<void> {
    const ongoingOrderId = String(send.ongoingOrderId);
    const item: SendRecord = {
      ...send,
      tenant,
      ongoingOrderId,
      packageId: send.packageId === undefined ? undefined : String(send.packageId),
      message: send.message === undefined ? undefined : boundedText(send.message),
    };
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.send(tenant, ongoingOrderId, send.at, `${this.now()}${Math.random().toString(36).slice(2, 8)}`), ...item, expiresAt: Math.floor(this.now() / 1000) + SEND_LOG_DAYS * 86_400 },
      }),
    );
  }

  async listSends(tenant: string, ongoingOrderId: string | number): Promise<SendRecord[]> {
    const page = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
        ExpressionAttributeValues: { ':pk': tenantPk(tenant, 'SEND'), ':prefix': sendPrefix(String(ongoingOrderId)) },
        ScanIndexForward: false,
        Limit: SEND_LOG_LIMIT,
        ConsistentRead: true,
      }),
    );
    // TTL deletion lags: an expired Send counts as gone.
    const nowSec = Math.floor(this.now() / 1000);
    return (page.Items ?? [])
      .filter((item) => typeof item.expiresAt !== 'number' || item.expiresAt > nowSec)
      .map((item) => {
        const { expiresAt: _expires, ...record } = stripKeys<SendRecord & { expiresAt?: number }>(item);
        return record;
      })
      .reverse();
  }

  // ---- run summaries -----------------------------------------------------------------------------------

  async putRunSummary(tenant: string, flow: string, summary: RunSummary): Promise<void> {
    const item: RunSummaryRecord = {
      ...summary,
      message: summary.message === undefined ? undefined : boundedText(summary.message),
      flow,
      updatedAt: this.iso(),
    };
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...keys.run(tenant, flow), ...item } }));
  }

  async getRunSummaries(tenant: string): Promise<RunSummaryRecord[]> {
    const all = await this.queryAll<RunSummaryRecord>(tenantPk(tenant, 'RUN'));
    return all.sort((a, b) => a.flow.localeCompare(b.flow));
  }
}
