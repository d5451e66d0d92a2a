/**
 * Ongoing's two limits, per API method and per calling client (here: the Basic-auth user, else the
 * remote address): a volume limit (N accepted calls in a sliding window) and a consecutive-failure limit
 * (N failed calls in a row within a window, reset by the first success). Either answers 429.
 */

export interface RateLimitRule {
  volume?: { limit: number; windowMs: number };
  consecutiveFailures?: { limit: number; windowMs: number };
  /** Sent as Retry-After (seconds) on a 429, when set. Ongoing's behaviour here is unknown. */
  retryAfterSeconds?: number;
}

export interface RateLimitConfig {
  /** Applies to every route without its own rule. */
  default?: RateLimitRule;
  /** Per route, e.g. `'PUT /orders'`. */
  routes?: Record<string, RateLimitRule>;
}

interface Bucket {
  accepted: number[];
  failures: number[];
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(public config: RateLimitConfig = {}) {}

  private rule(route: string): RateLimitRule | undefined {
    return this.config.routes?.[route] ?? this.config.default;
  }

  private bucket(route: string, client: string): Bucket {
    const key = `${route}\u0000${client}`;
    let b = this.buckets.get(key);
    if (!b) {
      b = { accepted: [], failures: [] };
      this.buckets.set(key, b);
    }
    return b;
  }

  /** Admit a call now, or say it is limited (with the Retry-After to send, if any). */
  admit(route: string, client: string, nowMs: number): { ok: true } | { ok: false; retryAfterSeconds?: number; reason: string } {
    const rule = this.rule(route);
    if (!rule) return { ok: true };
    const b = this.bucket(route, client);
    if (rule.consecutiveFailures) {
      const { limit, windowMs } = rule.consecutiveFailures;
      b.failures = b.failures.filter((t) => t > nowMs - windowMs);
      if (b.failures.length >= limit) {
        return { ok: false, retryAfterSeconds: rule.retryAfterSeconds, reason: `${limit} failed calls in a row` };
      }
    }
    if (rule.volume) {
      const { limit, windowMs } = rule.volume;
      b.accepted = b.accepted.filter((t) => t > nowMs - windowMs);
      if (b.accepted.length >= limit) {
        return { ok: false, retryAfterSeconds: rule.retryAfterSeconds, reason: `more than ${limit} calls in ${windowMs} ms` };
      }
      b.accepted.push(nowMs);
    }
    return { ok: true };
  }

  /** Record how an admitted call ended: a failure extends the run, a success ends it. */
  outcome(route: string, client: string, failed: boolean, nowMs: number): void {
    if (!this.rule(route)?.consecutiveFailures) return;
    const b = this.bucket(route, client);
    if (failed) b.failures.push(nowMs);
    else b.failures = [];
  }

  reset(): void {
    this.buckets.clear();
  }
}
