import { createHash } from 'node:crypto';
import { sleep } from '../util/retry';

/**
 * The BaseLinker request budget: one token bucket per API token, shared by every process that uses
 * the token. BaseLinker blocks a token for minutes once it passes ~100 requests/min (whether the window
 * is fixed or sliding is undocumented), so the bucket is sized so that ANY rolling 60 s holds at most
 * `requestsPerMinute` requests: capacity (the burst) + 60 s of refill == requestsPerMinute.
 *
 * Stores (in memory for one process, DynamoDB for many) only persist `BucketState`; the arithmetic is
 * `takeToken`, so every store enforces the same rule.
 */

export interface BudgetPolicy {
  /** Hard ceiling for any rolling 60 s window. Default 80, leaving room for the seller's other tools. */
  requestsPerMinute: number;
  /** How many requests may go out back to back after a quiet spell. Default requestsPerMinute / 8. */
  burst?: number;
}

export const DEFAULT_BUDGET: BudgetPolicy = { requestsPerMinute: 80 };

export interface BucketState {
  tokens: number;
  refilledAtMs: number;
  /** 0 when not blocked. */
  blockedUntilMs: number;
}

export interface BucketParams {
  capacity: number;
  refillPerMs: number;
}

export function bucketParams(policy: BudgetPolicy): BucketParams {
  const limit = Math.max(1, Math.floor(policy.requestsPerMinute));
  const capacity = Math.max(1, Math.min(limit, Math.floor(policy.burst ?? Math.max(1, limit / 8))));
  const refillPerMinute = Math.max(limit - capacity, 1);
  return { capacity, refillPerMs: refillPerMinute / 60_000 };
}

export type TakeResult = { taken: true; next: BucketState } | { taken: false; waitMs: number; blocked: boolean };

/**
 * Who is asking, highest first. Every process on a token takes from the same bucket, so priority is a floor:
 * each class takes only while the bucket holds more than the tokens it must leave for the classes above it
 * (`BUDGET_RESERVES`). The packer waiting at Send ('interactive': the webhook, `cli send`) may take the last
 * token; the orders flow leaves enough for a Send; the stock flow leaves that and a little for orders; the
 * catalog walk and the other background flows ('bulk') take what is left. A waiting caller of a higher class
 * needs fewer tokens, so it wakes and takes first as the bucket refills. The refill rate is the same for all,
 * so the rolling-minute ceiling holds whoever takes, and a class alone on the token still gets the full rate.
 */
export type BudgetPriority = 'interactive' | 'orders' | 'stock' | 'bulk';

/** Highest first. */
export const BUDGET_PRIORITIES: readonly BudgetPriority[] = ['interactive', 'orders', 'stock', 'bulk'];

/**
 * Tokens each class leaves in the bucket (never more than the bucket holds minus one, so with a small burst
 * the lower classes share a floor). 4 is one Send (getOrderPackages, createPackage, getLabel, setOrderStatus);
 * stock leaves 2 more for an orders poll (a journal page and an order page); the catalog walk 2 more for a
 * stock push. With the default burst (requestsPerMinute / 8 = 10) all four floors are distinct.
 */
export const BUDGET_RESERVES: Readonly<Record<BudgetPriority, number>> = { interactive: 0, orders: 4, stock: 6, bulk: 8 };

/** Tokens every scheduled flow leaves for a Send. */
export const INTERACTIVE_RESERVE = BUDGET_RESERVES.orders;

export function reserveFor(priority: BudgetPriority, params: BucketParams): number {
  return Math.min(BUDGET_RESERVES[priority], Math.max(0, params.capacity - 1));
}

/**
 * A refill time this far ahead of the reader's clock is a writer's wrong clock, not a refill: it is read as
 * "now" so one bad write cannot starve every process (writers that far off are refused anyway, shared/aws/clock).
 */
export const MAX_REFILL_AHEAD_MS = 60_000;

/**
 * One step of the bucket: take a token now, or say how long until one is free (or the block ends).
 *
 * Every process uses its own clock. The refill time never moves backwards: a writer whose clock is behind
 * refills nothing and leaves the time as it found it, so the next writer cannot count the gap twice; a writer
 * whose clock is ahead refills at most the gap once (no more than the burst) and the others then refill nothing
 * until their clocks pass its time. So a clock off by d over-fills by at most d of refill, once.
 */
export function takeToken(state: BucketState | undefined, nowMs: number, params: BucketParams, priority: BudgetPriority = 'bulk'): TakeResult {
  const current: BucketState = state ?? { tokens: params.capacity, refilledAtMs: nowMs, blockedUntilMs: 0 };
  if (current.blockedUntilMs > nowMs) {
    return { taken: false, waitMs: current.blockedUntilMs - nowMs, blocked: true };
  }
  const refilledAtMs = current.refilledAtMs > nowMs + MAX_REFILL_AHEAD_MS ? nowMs : current.refilledAtMs;
  const elapsed = Math.max(0, nowMs - refilledAtMs);
  const tokens = Math.min(params.capacity, current.tokens + elapsed * params.refillPerMs);
  const needed = 1 + reserveFor(priority, params);
  if (tokens >= needed) {
    return { taken: true, next: { tokens: tokens - 1, refilledAtMs: Math.max(refilledAtMs, nowMs), blockedUntilMs: 0 } };
  }
  return { taken: false, waitMs: Math.ceil((needed - tokens) / params.refillPerMs), blocked: false };
}

export class BudgetWaitExceededError extends Error {
  constructor(
    readonly waitMs: number,
    readonly blockedUntil: Date | undefined,
  ) {
    super(
      blockedUntil
        ? `BaseLinker token is blocked until ${blockedUntil.toISOString()}; not waiting ${Math.round(waitMs / 1000)} s`
        : `BaseLinker request budget would need a ${Math.round(waitMs / 1000)} s wait, more than this run may spend`,
    );
    this.name = 'BudgetWaitExceededError';
  }
}

export interface AcquireOptions {
  /** Give up (BudgetWaitExceededError) rather than wait longer than this. Default: wait as long as needed. */
  maxWaitMs?: number;
  /** Default 'bulk' (see BudgetPriority). */
  priority?: BudgetPriority;
}

export interface RequestBudget {
  /** Resolves when one request on this token may be sent; waits rather than fails, up to maxWaitMs. */
  acquire(tokenKey: string, options?: AcquireOptions): Promise<void>;
  /** BaseLinker said the token is blocked until `until`: every acquire on it, in every process, waits past it. */
  block(tokenKey: string, until: Date): Promise<void>;
  /** For status screens and metrics. */
  inspect(tokenKey: string): Promise<{ blockedUntil?: Date; tokensLeft: number }>;
}


/** Shared acquire loop for stores that can read a bucket and write it back atomically. */
export async function acquireWith(
  step: (nowMs: number) => Promise<TakeResult>,
  options: AcquireOptions = {},
  now: () => number = Date.now,
): Promise<void> {
  const started = now();
  for (;;) {
    const result = await step(now());
    if (result.taken) return;
    const spent = now() - started;
    if (options.maxWaitMs !== undefined && spent + result.waitMs > options.maxWaitMs) {
      throw new BudgetWaitExceededError(result.waitMs, result.blocked ? new Date(now() + result.waitMs) : undefined);
    }
    // A little jitter so callers that woke together do not collide on the same write again.
    await sleep(result.waitMs + Math.floor(Math.random() * 25));
  }
}

/** One process only (tests, a single local run). Across processes use the DynamoDB budget in shared/state. */
export class InMemoryBudget implements RequestBudget {
  private readonly buckets = new Map<string, BucketState>();
  private readonly params: BucketParams;

  constructor(policy: BudgetPolicy = DEFAULT_BUDGET) {
    this.params = bucketParams(policy);
  }

  acquire(tokenKey: string, options?: AcquireOptions): Promise<void> {
    return acquireWith(async (nowMs) => {
      const result = takeToken(this.buckets.get(tokenKey), nowMs, this.params, options?.priority);
      if (result.taken) this.buckets.set(tokenKey, result.next);
      return result;
    }, options);
  }

  async block(tokenKey: string, until: Date): Promise<void> {
    const current = this.buckets.get(tokenKey) ?? { tokens: 0, refilledAtMs: Date.now(), blockedUntilMs: 0 };
    this.buckets.set(tokenKey, { ...current, tokens: 0, blockedUntilMs: Math.max(current.blockedUntilMs, until.getTime()) });
  }

  async inspect(tokenKey: string): Promise<{ blockedUntil?: Date; tokensLeft: number }> {
    const s = this.buckets.get(tokenKey);
    if (!s) return { tokensLeft: this.params.capacity };
    const tokens = Math.min(this.params.capacity, s.tokens + (Date.now() - s.refilledAtMs) * this.params.refillPerMs);
    return { blockedUntil: s.blockedUntilMs > Date.now() ? new Date(s.blockedUntilMs) : undefined, tokensLeft: Math.floor(tokens) };
  }
}

/** The budget key for a token: never the token itself, so it can sit in a table and a log line. */
export function tokenKey(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 20);
}
