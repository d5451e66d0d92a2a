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
 * Who is asking. A person waits behind an interactive call (the Send webhook), nobody behind a bulk one (a
 * catalog walk): bulk callers leave `INTERACTIVE_RESERVE` tokens in the bucket, so a Send arriving while the
 * articles flow drains the budget still finds tokens. The refill rate is the same for both, so the rolling-minute
 * ceiling holds whoever takes.
 */
export type BudgetPriority = 'bulk' | 'interactive';

/** Tokens a bulk caller leaves for interactive ones (never more than the bucket can hold minus one). */
export const INTERACTIVE_RESERVE = 2;

function reserveFor(priority: BudgetPriority, params: BucketParams): number {
  return priority === 'interactive' ? 0 : Math.min(INTERACTIVE_RESERVE, Math.max(0, params.capacity - 1));
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
  /** Default 'bulk'. */
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
