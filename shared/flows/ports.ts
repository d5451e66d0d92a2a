import type * as z from '../util/zod';

/**
 * The ports: what the flows remember between runs, one port per record kind, each bound to one tenant (the
 * leases and the request budget are shared by every tenant). Declared here, beside the use cases that need
 * them; implemented on DynamoDB (shared/state, the single table) and in memory (shared/state/memory.ts: unit
 * tests, the chaos suite). Both implementations pass the same contract suite (test/support/state-contract.ts).
 *
 * Claims (orders, shipments) and leases share one rule: a record may be taken when nobody holds it, when its
 * holder's lease has run out (a crashed run), or by the holder itself; a finished record is never taken again.
 * Every write of a ledger answers with the record as it is after the write (undefined: the write did not
 * apply because the caller no longer held the claim), so no flow re-reads what it just wrote.
 */

export type ClaimResult = 'claimed' | 'done' | 'busy';
export type ExternalId = string | number;

export interface ArticleRecord {
  sku: string;
  /** Content hash of what was last written to Ongoing for this SKU. */
  hash: string;
  articleSystemId?: number;
  blProductId: ExternalId;
  blVariantId?: ExternalId;
  updatedAt: string;
}

export type ArticleRecordInput = Pick<ArticleRecord, 'hash' | 'articleSystemId' | 'blProductId' | 'blVariantId'>;

/** The stock level last pushed to BaseLinker for one SKU (Ongoing article number). */
export interface StockRecord {
  sku: string;
  level: number;
  /** The BaseLinker product or variant id the level went to. */
  blId: ExternalId;
  pushedAt: string;
}

export type StockRecordInput = Pick<StockRecord, 'sku' | 'level' | 'blId'>;

export type OrderStatus = 'pending' | 'done' | 'cancelled';

export interface OrderRecord {
  tenant: string;
  blOrderId: string;
  /** pending: seen, not yet in Ongoing (maybe claimed right now); done: in Ongoing; cancelled: never to be sent. */
  status: OrderStatus;
  /** The run holding the claim; absent when released or finished. */
  owner?: string;
  /** Epoch ms; the claim is free once this has passed. 0 when released. */
  leaseUntilMs?: number;
  /** How many times the order was claimed. */
  attempts: number;
  firstSeenAt: string;
  updatedAt: string;
  ongoingOrderId?: ExternalId;
  orderNumber?: string;
  completedBy?: string;
  completedAt?: string;
  cancelledAt?: string;
  lastError?: string;
  note?: string;
}

export type ShipmentStatus = 'pending' | 'pending-tracking' | 'done' | 'failed';

export interface ShipmentFields {
  blOrderId?: string;
  packageId?: ExternalId;
  courierCode?: string;
  trackingNumber?: string;
  trackingUrl?: string;
  labelKey?: string;
  lastError?: string;
}

export interface ShipmentRecord extends ShipmentFields {
  tenant: string;
  ongoingOrderId: string;
  /** pending: claimed, no package yet; pending-tracking: package made, tracking number not yet known. */
  status: ShipmentStatus;
  owner?: string;
  leaseUntilMs?: number;
  attempts: number;
  firstSeenAt: string;
  updatedAt: string;
  completedBy?: string;
  completedAt?: string;
}

/**
 * One Send: Ongoing's webhook (the packer pressed Send) or `npm run cli -- send`, with the outcome its caller got.
 * The shipment record keeps the latest state only; these keep each press, for the order's story.
 */
export interface SendInput {
  ongoingOrderId: ExternalId;
  blOrderId?: string;
  via: 'webhook' | 'cli';
  /** When the Send arrived (ISO). */
  at: string;
  /** done, pending-tracking, in-progress, refused, failed, not-shippable, order-not-found or error. */
  outcome: string;
  message?: string;
  packageId?: ExternalId;
  courierCode?: string;
  labelKey?: string;
  trackingNumber?: string;
  trackingUrl?: string;
  /** The package an earlier Send booked was used: this one booked nothing new. */
  reusedPackage?: boolean;
  /** An earlier Send had shipped the order already. */
  alreadyDone?: boolean;
}

export interface SendRecord extends Omit<SendInput, 'ongoingOrderId' | 'packageId'> {
  tenant: string;
  ongoingOrderId: string;
  packageId?: string;
}

/** The Sends of each order, kept a year (SEND_LOG_DAYS); written after the outcome, so a killed Send leaves none. */
export interface SendLog {
  record(send: SendInput): Promise<void>;
  /** Oldest first: the newest SEND_LOG_LIMIT of the order. */
  list(ongoingOrderId: ExternalId): Promise<SendRecord[]>;
}

export const SEND_LOG_LIMIT = 100;
export const SEND_LOG_DAYS = 400;

export type SetAsideKind = 'article' | 'order' | 'shipment' | 'stock' | (string & {});
export type SetAsideState = 'open' | 'retry' | 'dismissed';

export interface SetAsideInput {
  kind: SetAsideKind;
  /** The id in the source system (SKU, BaseLinker order id, Ongoing order id...). */
  sourceId: string;
  reason: string;
  /** The payload that caused it; stored as JSON text, cut to 64 KB with a visible marker. */
  raw?: unknown;
  ids?: Record<string, string>;
}

export interface SetAsideItem {
  tenant: string;
  kind: SetAsideKind;
  sourceId: string;
  reason: string;
  raw?: string;
  ids?: Record<string, string>;
  firstSeenAt: string;
  lastSeenAt: string;
  /** How many times it was set aside. */
  count: number;
  /** open: waits for a person; retry: a person asked for another attempt; dismissed: a person said ignore it. */
  state: SetAsideState;
  note?: string;
  retryRequestedAt?: string;
  dismissedAt?: string;
}

export interface RunSummary {
  runId?: string;
  startedAt: string;
  finishedAt?: string;
  outcome: 'running' | 'ok' | 'partial' | 'failed' | 'skipped';
  counts?: Record<string, number>;
  message?: string;
}

export interface RunSummaryRecord extends RunSummary {
  flow: string;
  updatedAt: string;
}

export interface CursorRecord {
  name: string;
  value: unknown;
  updatedAt?: string;
}

export interface LeaseRecord {
  name: string;
  owner: string;
  leaseUntilMs: number;
  acquiredAt: string;
}

/** A claim holder tried to finish work on a record that someone else has taken (or finished) since. */
export class ClaimLostError extends Error {
  constructor(what: string, owner: string, current: { owner?: string; status?: string } | undefined) {
    super(
      `${what}: the claim of ${owner} is gone (now ${current ? `status ${current.status}, held by ${current.owner ?? 'nobody'}` : 'no record'})`,
    );
    this.name = 'ClaimLostError';
  }
}


/** The answer of a claim: the record as the claim left it (claimed), or as someone else keeps it (done, busy). */
export type Claim<R> = { result: 'claimed' | 'done'; record: R } | { result: 'busy'; record: R | undefined };

/** The idempotency record per BaseLinker order (orders and reconcile flows). */
export interface OrdersLedger {
  /** Takes the order for `owner`; 'done' when it is in Ongoing or cancelled. */
  claim(blOrderId: ExternalId, owner: string, leaseMs: number): Promise<Claim<OrderRecord>>;
  /** Records the order as created in Ongoing. Throws ClaimLostError when another run holds or finished it. */
  complete(blOrderId: ExternalId, owner: string, result: { ongoingOrderId: ExternalId; orderNumber: string }): Promise<OrderRecord>;
  /** Gives the claim back (the work failed or was postponed); undefined if `owner` no longer held it. */
  release(blOrderId: ExternalId, owner: string, lastError?: string): Promise<OrderRecord | undefined>;
  /**
   * The order must never be sent (again). Unconditional: a run that holds the claim right now gets a
   * ClaimLostError from complete and learns of the cancellation there.
   */
  cancel(blOrderId: ExternalId, note?: string): Promise<OrderRecord>;
  /** A 'done' order is missing in Ongoing: claimable again, the reason in lastError. Undefined unless it was 'done'. */
  reopen(blOrderId: ExternalId, reason: string): Promise<OrderRecord | undefined>;
  get(blOrderId: ExternalId): Promise<OrderRecord | undefined>;
  list(): Promise<OrderRecord[]>;
  /**
   * When the oldest order given back and still pending (a run claimed it and could not transfer it: Ongoing
   * refused or was down) was first seen; undefined if none. From a sparse index: transferred orders cost nothing.
   */
  oldestPendingSince(): Promise<string | undefined>;
}

export type ShipmentProgress = ShipmentFields & { status?: Exclude<ShipmentStatus, 'done'> };

/** The shipment record per Ongoing order (the Send webhook, the tracking flow). */
export interface ShipmentsLedger {
  claim(ongoingOrderId: ExternalId, owner: string, leaseMs: number): Promise<Claim<ShipmentRecord>>;
  /** Saves progress (package made, label stored...) while holding the claim. Throws ClaimLostError otherwise. */
  update(ongoingOrderId: ExternalId, owner: string, fields: ShipmentProgress): Promise<ShipmentRecord>;
  /** Finishes the shipment. Throws ClaimLostError when someone else holds or finished it. */
  complete(ongoingOrderId: ExternalId, owner: string, fields: ShipmentFields): Promise<ShipmentRecord>;
  /**
   * Extends the claim to `leaseMs` from now, only while `owner` still holds it. Called right before a step
   * that must never run twice (createPackage): a worker paused past its lease learns here that another took over.
   */
  renew(ongoingOrderId: ExternalId, owner: string, leaseMs: number): Promise<ShipmentRecord | undefined>;
  /** Frees the claim, recording the outcome so far ('pending-tracking', 'failed'); undefined if not held. */
  release(ongoingOrderId: ExternalId, owner: string, fields?: ShipmentProgress): Promise<ShipmentRecord | undefined>;
  get(ongoingOrderId: ExternalId): Promise<ShipmentRecord | undefined>;
  list(filter?: { status?: ShipmentStatus }): Promise<ShipmentRecord[]>;
  /**
   * The unfinished shipments only ('pending', 'pending-tracking'), read from a sparse index: what a tracking run
   * works on, without reading every shipment ever written.
   */
  open(): Promise<ShipmentRecord[]>;
}

/** Problems a person must look at (set-aside items). */
export interface SetAsideInbox {
  /**
   * Records (or re-records) a problem. Keeps first seen, bumps last seen and count. An item a person asked
   * to retry opens again; a dismissed one stays dismissed (counting on).
   */
  put(input: SetAsideInput): Promise<SetAsideItem>;
  /** The problem is gone (the item went through): forget it. */
  clear(kind: SetAsideKind, sourceId: string): Promise<void>;
  get(kind: SetAsideKind, sourceId: string): Promise<SetAsideItem | undefined>;
  /**
   * Newest first. Raw payloads are kept apart (they expire, see StateStoreOptions.setAsideRawDays): `withRaw:
   * false` reads the items alone, as the runs do.
   */
  list(filter?: { kind?: SetAsideKind; state?: SetAsideState; withRaw?: boolean }): Promise<SetAsideItem[]>;
  /** A person asks for another attempt; false when there is no such item. */
  markForRetry(kind: SetAsideKind, sourceId: string): Promise<boolean>;
  /** A person says ignore it; false when there is no such item. */
  dismiss(kind: SetAsideKind, sourceId: string, note: string): Promise<boolean>;
}

/** A saved value did not match its schema (written by another version, or damaged). */
export class UnreadableStateError extends Error {
  constructor(
    readonly what: string,
    readonly problem: string,
  ) {
    super(`the saved ${what} cannot be read: ${problem}`);
    this.name = 'UnreadableStateError';
  }
}

/** What `read` gives, or undefined when the saved value cannot be read (`onUnreadable` hears why); other errors go up. */
export async function unlessUnreadable<T>(read: Promise<T>, onUnreadable?: (err: UnreadableStateError) => void): Promise<T | undefined> {
  try {
    return await read;
  } catch (err) {
    if (!(err instanceof UnreadableStateError)) throw err;
    onUnreadable?.(err);
    return undefined;
  }
}

/**
 * Named values a flow keeps between runs: cursors (where a flow stands) and checkpoints (an unfinished pass).
 * Every read goes through the schema the flow gives, so a flow never works on a value of the wrong shape.
 */
export interface Checkpoints {
  /** The saved value, undefined when none; throws UnreadableStateError when it does not match the schema. */
  read<T>(name: string, schema: z.ZodMiniType<T>): Promise<T | undefined>;
  write(name: string, value: unknown): Promise<void>;
  clear(name: string): Promise<void>;
}

/** The content hash last written to Ongoing, per SKU (articles flow; the stock flow reads it). */
export interface ArticleHashes {
  all(): Promise<Map<string, ArticleRecord>>;
  get(sku: string): Promise<ArticleRecord | undefined>;
  put(sku: string, record: ArticleRecordInput): Promise<void>;
  delete(sku: string): Promise<void>;
}

/** The stock level last pushed to BaseLinker, per SKU (stock flow). */
export interface StockLevels {
  all(): Promise<Map<string, StockRecord>>;
  putMany(records: readonly StockRecordInput[]): Promise<void>;
}

/** Webhook deliveries seen (Ongoing retries a delivery). */
export interface WebhookEvents {
  /** 'first' exactly once per event id within `ttlSeconds`, however many deliveries race. */
  remember(eventId: string, ttlSeconds: number): Promise<'first' | 'duplicate'>;
}

/** Run leases, by name (shared by every tenant: the name carries the tenant). */
export interface Leases {
  /** True when `owner` now holds the lease: it was free, expired (a crashed run), or already ours. */
  acquire(name: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Extends the lease; false when someone else took it over (ours had lapsed). */
  renew(name: string, owner: string, ttlMs: number): Promise<boolean>;
  release(name: string, owner: string): Promise<boolean>;
  /** The lease if someone holds it now. */
  get(name: string): Promise<LeaseRecord | undefined>;
}

/** The latest run of each flow (the runner writes it; status screens and the schedule read it). */
export interface RunSummaries {
  put(flow: string, summary: RunSummary): Promise<void>;
  /** By flow name. */
  all(): Promise<RunSummaryRecord[]>;
}

/** Every port of one tenant. A flow is handed only the ones its catalogue entry names. */
export interface StatePorts {
  orders: OrdersLedger;
  shipments: ShipmentsLedger;
  inbox: SetAsideInbox;
  cursors: Checkpoints;
  checkpoints: Checkpoints;
  articleHashes: ArticleHashes;
  stockLevels: StockLevels;
  events: WebhookEvents;
  sends: SendLog;
  leases: Leases;
  runs: RunSummaries;
}

export type PortName = keyof StatePorts;

/** Makes a tenant's ports (DynamoDB on AWS and locally, memory in unit tests). */
export type StatePortsFactory = (tenant: string) => StatePorts;
