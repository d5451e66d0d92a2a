import {
  ClaimLostError,
  type Checkpoints,
  type Claim,
  type LeaseRecord,
  type OrderRecord,
  type RunSummaryRecord,
  SEND_LOG_DAYS,
  SEND_LOG_LIMIT,
  type SendRecord,
  type SetAsideItem,
  type ShipmentFields,
  type ShipmentRecord,
  type StatePorts,
  type StockRecord,
  type ArticleRecord,
} from '../flows/ports';
import { boundedJson, boundedText, DEFAULT_SET_ASIDE_RAW_DAYS } from './bounded';
import { readThrough } from './dynamo-ports';

/**
 * The ports in memory, with the DynamoDB adapters' rules (the same contract suite runs on both): for unit
 * tests of the flows and the chaos suite. One MemoryState is one "table": every tenant's ports made from it
 * share the leases, as they share them on DynamoDB. Records are copied in and out, as a database would.
 */
export class MemoryState {
  private readonly tables = new Map<string, Map<string, unknown>>();
  private readonly now: () => number;

  private readonly rawTtlMs: number;

  constructor(options: { now?: () => number; setAsideRawDays?: number } = {}) {
    this.now = options.now ?? Date.now;
    this.rawTtlMs = Math.max(0, options.setAsideRawDays ?? DEFAULT_SET_ASIDE_RAW_DAYS) * 86_400_000;
  }

  private table<T>(name: string): Map<string, T> {
    let t = this.tables.get(name);
    if (!t) this.tables.set(name, (t = new Map()));
    return t as Map<string, T>;
  }

  ports(tenant: string): StatePorts {
    if (typeof tenant !== 'string' || tenant.length === 0) throw new Error('State key part "tenant" must be a non-empty string');
    const now = this.now;
    const iso = () => new Date(now()).toISOString();
    const copy = <T>(value: T): T => (value === undefined ? value : structuredClone(value));
    const id = (value: string | number, what: string) => {
      const s = String(value);
      if (s.length === 0) throw new Error(`State key part "${what}" must be a non-empty string`);
      return s;
    };
    const defined = (fields: Record<string, unknown>) => Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));

    type Held = { owner?: string; leaseUntilMs?: number; status: string; attempts: number; firstSeenAt: string; updatedAt: string };
    const claim = <R extends Held>(rows: Map<string, R>, key: string, owner: string, leaseMs: number, terminal: string[], identity: Record<string, unknown>): R | undefined => {
      const at = now();
      const current = rows.get(key);
      if (current && (terminal.includes(current.status) || !(current.leaseUntilMs === undefined || current.leaseUntilMs < at || current.owner === owner))) return undefined;
      const next = {
        ...current,
        ...identity,
        owner,
        leaseUntilMs: at + leaseMs,
        updatedAt: new Date(at).toISOString(),
        firstSeenAt: current?.firstSeenAt ?? new Date(at).toISOString(),
        status: current?.status ?? 'pending',
        attempts: (current?.attempts ?? 0) + 1,
      } as R;
      rows.set(key, next);
      return copy(next);
    };
    const updateHeld = <R extends Held>(rows: Map<string, R>, key: string, owner: string, fields: Record<string, unknown>, options: { release?: boolean; terminal: string[] }): R | undefined => {
      const current = rows.get(key);
      if (!current || current.owner !== owner || options.terminal.includes(current.status)) return undefined;
      const next = { ...current, ...defined(fields), updatedAt: iso(), ...(options.release ? { leaseUntilMs: 0 } : {}) } as R;
      if (options.release) delete next.owner;
      rows.set(key, next);
      return copy(next);
    };
    // A partition's items in sort-key order, as a DynamoDB query answers them (UTF-8 byte order of the key).
    const byKey = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
    const inKeyOrder = <T>(rows: Map<string, T>): T[] => [...rows.entries()].sort(([a], [b]) => byKey(a, b)).map(([, row]) => row);
    const shipmentFields = (fields: ShipmentFields & { status?: string }) => ({ ...fields, lastError: fields.lastError === undefined ? undefined : boundedText(fields.lastError) });

    const orders = this.table<OrderRecord>(`${tenant}#ORDER`);
    // The open-orders index of the DynamoDB store: an entry (since when) for each order given back or reopened,
    // dropped once the order is finished. (Its daily full re-sweep repairs entries lost to a crash between two
    // writes, which cannot happen here.)
    const openOrders = this.table<string>(`${tenant}#OPEN_ORDER`);
    const markOpen = (key: string) => void (openOrders.has(key) || openOrders.set(key, iso()));
    const shipments = this.table<ShipmentRecord>(`${tenant}#SHIPMENT`);
    const setAside = this.table<SetAsideItem>(`${tenant}#SETASIDE`);
    const cursors = this.table<unknown>(`${tenant}#CURSOR`);
    const articles = this.table<ArticleRecord>(`${tenant}#ARTICLE`);
    const stock = this.table<StockRecord>(`${tenant}#STOCK`);
    const events = this.table<number>(`${tenant}#EVENT`);
    // Each Send with when it expires (epoch seconds), as the DynamoDB item's TTL attribute.
    const sends = this.table<{ record: SendRecord; expiresAt: number }[]>(`${tenant}#SEND`);
    const runs = this.table<RunSummaryRecord>(`${tenant}#RUN`);
    const leases = this.table<LeaseRecord>('LEASE');

    const named = (prefix: string, what: string): Checkpoints => ({
      read: async (name, schema) => readThrough(`${what} ${name} of ${tenant}`, copy(cursors.get(prefix + id(name, 'cursor name'))), schema),
      write: async (name, value) => void cursors.set(prefix + id(name, 'cursor name'), copy(value)),
      clear: async (name) => void cursors.delete(prefix + id(name, 'cursor name')),
    });
    const saKey = (kind: string, sourceId: string) => `${id(kind, 'kind')}#${id(sourceId, 'source id')}`;
    // Raw payloads apart from the items, expiring like the DynamoDB ones (StateStoreOptions.setAsideRawDays).
    const raws = this.table<{ raw: string; expiresAtMs?: number }>(`${tenant}#SETASIDE_RAW`);
    const rawTtlMs = this.rawTtlMs;
    const withRaw = (item: SetAsideItem): SetAsideItem => {
      const stored = raws.get(saKey(item.kind, item.sourceId));
      const live = stored && (stored.expiresAtMs === undefined || stored.expiresAtMs > now()) ? stored.raw : undefined;
      return copy(live !== undefined ? { ...item, raw: live } : item);
    };
    const changeSetAside = (kind: string, sourceId: string, fields: Partial<SetAsideItem>): boolean => {
      const current = setAside.get(saKey(kind, sourceId));
      if (!current) return false;
      setAside.set(saKey(kind, sourceId), { ...current, ...fields });
      return true;
    };

    return {
      orders: {
        claim: async (blOrderId, owner, leaseMs): Promise<Claim<OrderRecord>> => {
          const key = id(blOrderId, 'order id');
          const claimed = claim(orders, key, owner, leaseMs, ['done', 'cancelled'], { tenant, blOrderId: key });
          if (claimed) return { result: 'claimed', record: claimed };
          const current = copy(orders.get(key));
          return current && current.status !== 'pending' ? { result: 'done', record: current } : { result: 'busy', record: current };
        },
        complete: async (blOrderId, owner, result) => {
          const key = id(blOrderId, 'order id');
          const fields = { status: 'done', ongoingOrderId: result.ongoingOrderId, orderNumber: result.orderNumber, completedBy: owner, completedAt: iso() };
          const done = updateHeld(orders, key, owner, fields, { release: true, terminal: ['done', 'cancelled'] });
          if (done) {
            openOrders.delete(key);
            return done;
          }
          const current = copy(orders.get(key));
          if (current?.status === 'done' && current.completedBy === owner) return current;
          throw new ClaimLostError(`Order ${key} of ${tenant}`, owner, current);
        },
        release: async (blOrderId, owner, lastError) => {
          const key = id(blOrderId, 'order id');
          const released = updateHeld(orders, key, owner, { lastError: lastError === undefined ? undefined : boundedText(lastError) }, { release: true, terminal: ['done', 'cancelled'] });
          if (released) markOpen(key);
          return released;
        },
        cancel: async (blOrderId, note) => {
          const key = id(blOrderId, 'order id');
          const current = orders.get(key);
          const at = iso();
          const next: OrderRecord = {
            ...current,
            ...defined({ tenant, blOrderId: key, status: 'cancelled', cancelledAt: at, updatedAt: at, leaseUntilMs: 0, note }),
            firstSeenAt: current?.firstSeenAt ?? at,
            attempts: current?.attempts ?? 0,
          } as OrderRecord;
          delete next.owner;
          orders.set(key, next);
          openOrders.delete(key);
          return copy(next);
        },
        reopen: async (blOrderId, reason) => {
          const key = id(blOrderId, 'order id');
          // Marked before the conditional write, as on DynamoDB; an entry whose order is not pending is dropped when read.
          markOpen(key);
          const current = orders.get(key);
          if (current?.status !== 'done') return undefined;
          const { owner: _o, completedBy: _b, completedAt: _a, ongoingOrderId: _i, ...rest } = current;
          const next: OrderRecord = { ...rest, status: 'pending', leaseUntilMs: 0, lastError: boundedText(reason), updatedAt: iso() };
          orders.set(key, next);
          return copy(next);
        },
        get: async (blOrderId) => copy(orders.get(id(blOrderId, 'order id'))),
        list: async () => inKeyOrder(orders).map(copy),
        // The first entry given back (by since) whose order is still pending, held again by a run or not.
        oldestPendingSince: async () => {
          const since = (key: string) => openOrders.get(key)!;
          for (const key of [...openOrders.keys()].sort(byKey).sort((a, b) => since(a).localeCompare(since(b)))) {
            const record = orders.get(key);
            if (record?.status === 'pending') return record.firstSeenAt ?? since(key);
            openOrders.delete(key);
          }
          return undefined;
        },
      },
      shipments: {
        claim: async (ongoingOrderId, owner, leaseMs): Promise<Claim<ShipmentRecord>> => {
          const key = id(ongoingOrderId, 'order id');
          const claimed = claim(shipments, key, owner, leaseMs, ['done'], { tenant, ongoingOrderId: key });
          if (claimed) return { result: 'claimed', record: claimed };
          const current = copy(shipments.get(key));
          return current?.status === 'done' ? { result: 'done', record: current } : { result: 'busy', record: current };
        },
        update: async (ongoingOrderId, owner, fields) => {
          const key = id(ongoingOrderId, 'order id');
          const updated = updateHeld(shipments, key, owner, shipmentFields(fields), { terminal: ['done'] });
          if (updated) return updated;
          throw new ClaimLostError(`Shipment for order ${key} of ${tenant}`, owner, copy(shipments.get(key)));
        },
        complete: async (ongoingOrderId, owner, fields) => {
          const key = id(ongoingOrderId, 'order id');
          const done = updateHeld(shipments, key, owner, { ...shipmentFields(fields), status: 'done', completedAt: iso(), completedBy: owner }, { release: true, terminal: ['done'] });
          if (done) return done;
          const current = copy(shipments.get(key));
          if (current?.status === 'done' && current.completedBy === owner) return current;
          throw new ClaimLostError(`Shipment for order ${key} of ${tenant}`, owner, current);
        },
        renew: async (ongoingOrderId, owner, leaseMs) => updateHeld(shipments, id(ongoingOrderId, 'order id'), owner, { leaseUntilMs: now() + leaseMs }, { terminal: ['done'] }),
        release: async (ongoingOrderId, owner, fields = {}) => updateHeld(shipments, id(ongoingOrderId, 'order id'), owner, shipmentFields(fields), { release: true, terminal: ['done'] }),
        get: async (ongoingOrderId) => copy(shipments.get(id(ongoingOrderId, 'order id'))),
        list: async (filter = {}) => inKeyOrder(shipments).filter((s) => !filter.status || s.status === filter.status).map(copy),
        open: async () => inKeyOrder(shipments).filter((s) => s.status === 'pending' || s.status === 'pending-tracking').map(copy),
      },
      inbox: {
        put: async (input) => {
          const key = saKey(input.kind, input.sourceId);
          const current = setAside.get(key);
          const at = iso();
          const next: SetAsideItem = {
            ...current,
            ...defined({
              tenant,
              kind: input.kind,
              sourceId: input.sourceId,
              reason: boundedText(input.reason),
              ids: input.ids,
            }),
            lastSeenAt: at,
            firstSeenAt: current?.firstSeenAt ?? at,
            count: (current?.count ?? 0) + 1,
            state: current?.state === 'dismissed' ? 'dismissed' : 'open',
          } as SetAsideItem;
          setAside.set(key, next);
          if (input.raw !== undefined) raws.set(key, { raw: boundedJson(input.raw), expiresAtMs: rawTtlMs > 0 ? now() + rawTtlMs : undefined });
          return withRaw(next);
        },
        clear: async (kind, sourceId) => {
          setAside.delete(saKey(kind, sourceId));
          raws.delete(saKey(kind, sourceId));
        },
        get: async (kind, sourceId) => {
          const item = setAside.get(saKey(kind, sourceId));
          return item && withRaw(item);
        },
        list: async (filter = {}) =>
          inKeyOrder(setAside)
            .filter((i) => (filter.kind === undefined || i.kind === filter.kind) && (filter.state === undefined || i.state === filter.state))
            .sort((a, b) => b.lastSeenAt.localeCompare(a.lastSeenAt))
            .map((i) => (filter.withRaw === false ? copy(i) : withRaw(i))),
        markForRetry: async (kind, sourceId) => changeSetAside(kind, sourceId, { state: 'retry', retryRequestedAt: iso() }),
        dismiss: async (kind, sourceId, note) => changeSetAside(kind, sourceId, { state: 'dismissed', dismissedAt: iso(), note: boundedText(note) }),
      },
      cursors: named('', 'cursor'),
      checkpoints: named('checkpoint:', 'checkpoint'),
      articleHashes: {
        all: async () => new Map(inKeyOrder(articles).map((r) => [r.sku, copy(r)])),
        get: async (sku) => copy(articles.get(id(sku, 'SKU'))),
        put: async (sku, record) =>
          void articles.set(id(sku, 'SKU'), {
            sku,
            hash: record.hash,
            articleSystemId: record.articleSystemId,
            blProductId: record.blProductId,
            blVariantId: record.blVariantId,
            updatedAt: iso(),
          }),
        delete: async (sku) => void articles.delete(id(sku, 'SKU')),
      },
      stockLevels: {
        all: async () => new Map(inKeyOrder(stock).map((r) => [r.sku, copy(r)])),
        putMany: async (records) => {
          const pushedAt = iso();
          for (const r of records) stock.set(id(r.sku, 'SKU'), { sku: r.sku, level: r.level, blId: r.blId, pushedAt });
        },
      },
      events: {
        remember: async (eventId, ttlSeconds) => {
          const key = id(eventId, 'event id');
          const nowSec = Math.floor(now() / 1000);
          const expiresAt = events.get(key);
          if (expiresAt !== undefined && expiresAt > nowSec) return 'duplicate';
          events.set(key, nowSec + ttlSeconds);
          return 'first';
        },
      },
      sends: {
        record: async (send) => {
          const key = id(send.ongoingOrderId, 'order id');
          const record: SendRecord = {
            ...defined({ ...send, message: send.message === undefined ? undefined : boundedText(send.message) }),
            tenant,
            ongoingOrderId: key,
            ...(send.packageId !== undefined && { packageId: String(send.packageId) }),
          } as SendRecord;
          const expiresAt = Math.floor(now() / 1000) + SEND_LOG_DAYS * 86_400;
          sends.set(key, [...(sends.get(key) ?? []), { record: copy(record), expiresAt }].sort((a, b) => a.record.at.localeCompare(b.record.at)));
        },
        // The newest SEND_LOG_LIMIT, then those not expired (TTL deletion lags: an expired Send counts as gone).
        list: async (ongoingOrderId) => {
          const nowSec = Math.floor(now() / 1000);
          return (sends.get(id(ongoingOrderId, 'order id')) ?? [])
            .slice(-SEND_LOG_LIMIT)
            .filter((s) => s.expiresAt > nowSec)
            .map((s) => copy(s.record));
        },
      },
      leases: {
        acquire: async (name, owner, ttlMs) => {
          const at = now();
          const current = leases.get(id(name, 'lease name'));
          if (current && !(current.leaseUntilMs < at || current.owner === owner)) return false;
          leases.set(name, { name, owner, leaseUntilMs: at + ttlMs, acquiredAt: new Date(at).toISOString() });
          return true;
        },
        renew: async (name, owner, ttlMs) => {
          const current = leases.get(id(name, 'lease name'));
          if (!current || current.owner !== owner) return false;
          leases.set(name, { ...current, leaseUntilMs: now() + ttlMs });
          return true;
        },
        release: async (name, owner) => {
          const current = leases.get(id(name, 'lease name'));
          if (!current || current.owner !== owner) return false;
          leases.delete(name);
          return true;
        },
        get: async (name) => {
          const current = leases.get(id(name, 'lease name'));
          return current && current.leaseUntilMs >= now() ? copy(current) : undefined;
        },
      },
      runs: {
        put: async (flow, summary) =>
          void runs.set(id(flow, 'flow'), { ...summary, message: summary.message === undefined ? undefined : boundedText(summary.message), flow, updatedAt: iso() }),
        all: async () => [...runs.values()].map(copy).sort((a, b) => a.flow.localeCompare(b.flow)),
      },
    };
  }
}
