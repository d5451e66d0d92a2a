import type * as z from '../util/zod';
import { UnreadableStateError, type Checkpoints, type StatePorts } from '../flows/ports';
import type { StateStore } from './store';

/** A saved value through the reader's schema: the one place a stored shape is checked. */
export function readThrough<T>(what: string, value: unknown, schema: z.ZodMiniType<T>): T | undefined {
  if (value === undefined) return undefined;
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new UnreadableStateError(what, `${issue?.path.join('.') || '(value)'}: ${issue?.message ?? 'does not match'}`);
}

/**
 * The ports of one tenant on the DynamoDB state table: each is the StateStore's single-table primitive for its
 * record kind with the tenant bound (see table.ts for the keys, store.ts for the conditional writes).
 */
export function dynamoStatePorts(store: StateStore, tenant: string): StatePorts {
  const named = (prefix: string, what: string): Checkpoints => ({
    read: async (name, schema) => readThrough(`${what} ${name} of ${tenant}`, await store.getCursor(tenant, prefix + name), schema),
    write: (name, value) => store.putCursor(tenant, prefix + name, value),
    clear: (name) => store.deleteCursor(tenant, prefix + name),
  });
  return {
    orders: {
      claim: (id, owner, leaseMs) => store.claimOrderRecord(tenant, id, owner, leaseMs),
      complete: (id, owner, result) => store.completeOrder(tenant, id, owner, result),
      release: (id, owner, lastError) => store.releaseOrderRecord(tenant, id, owner, lastError),
      cancel: (id, note) => store.markOrderCancelled(tenant, id, note),
      reopen: (id, reason) => store.reopenOrderRecord(tenant, id, reason),
      get: (id) => store.getOrderRecord(tenant, id),
      list: () => store.listOrderRecords(tenant),
      oldestPendingSince: () => store.oldestPendingOrderSince(tenant),
    },
    shipments: {
      claim: (id, owner, leaseMs) => store.claimShipmentRecord(tenant, id, owner, leaseMs),
      update: (id, owner, fields) => store.updateShipment(tenant, id, owner, fields),
      complete: (id, owner, fields) => store.completeShipment(tenant, id, owner, fields),
      renew: (id, owner, leaseMs) => store.renewShipmentRecord(tenant, id, owner, leaseMs),
      release: (id, owner, fields) => store.releaseShipmentRecord(tenant, id, owner, fields),
      get: (id) => store.getShipment(tenant, id),
      list: (filter) => store.listShipments(tenant, filter),
      open: () => store.openShipments(tenant),
    },
    inbox: {
      put: (input) => store.setAside(tenant, input),
      clear: (kind, sourceId) => store.clearSetAside(tenant, kind, sourceId),
      get: (kind, sourceId) => store.getSetAside(tenant, kind, sourceId),
      list: (filter) => store.listSetAside(tenant, filter),
      markForRetry: (kind, sourceId) => store.markSetAsideForRetry(tenant, kind, sourceId),
      dismiss: (kind, sourceId, note) => store.dismissSetAside(tenant, kind, sourceId, note),
    },
    cursors: named('', 'cursor'),
    checkpoints: named('checkpoint:', 'checkpoint'),
    articleHashes: {
      all: () => store.getArticleRecords(tenant),
      get: (sku) => store.getArticleRecord(tenant, sku),
      put: (sku, record) => store.putArticleRecord(tenant, sku, record),
      delete: (sku) => store.deleteArticleRecord(tenant, sku),
    },
    stockLevels: {
      all: () => store.getStockRecords(tenant),
      putMany: (records) => store.putStockRecords(tenant, records),
    },
    events: { remember: (eventId, ttlSeconds) => store.rememberEvent(tenant, eventId, ttlSeconds) },
    sends: {
      record: (send) => store.recordSend(tenant, send),
      list: (ongoingOrderId) => store.listSends(tenant, ongoingOrderId),
    },
    leases: {
      acquire: (name, owner, ttlMs) => store.acquireLease(name, owner, ttlMs),
      renew: (name, owner, ttlMs) => store.renewLease(name, owner, ttlMs),
      release: (name, owner) => store.releaseLease(name, owner),
      get: (name) => store.getLease(name),
    },
    runs: {
      put: (flow, summary) => store.putRunSummary(tenant, flow, summary),
      all: () => store.getRunSummaries(tenant),
    },
  };
}
