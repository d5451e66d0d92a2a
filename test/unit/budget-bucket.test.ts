import { BUDGET_PRIORITIES, BUDGET_RESERVES, bucketParams, takeToken, type BucketState } from '../../shared/baselinker/budget';

/** The token bucket every budget store applies: its ceiling over any rolling minute, whoever takes. */
describe('request budget bucket', () => {
  const params = bucketParams({ requestsPerMinute: 80 });

  function drain(priority: 'bulk' | 'interactive', fromMs: number, toMs: number, stepMs: number, start?: BucketState) {
    let state = start;
    const taken: number[] = [];
    for (let t = fromMs; t <= toMs; t += stepMs) {
      const r = takeToken(state, t, params, priority);
      if (r.taken) {
        state = r.next;
        taken.push(t);
      }
    }
    return { taken, state };
  }

  it.each(['bulk', 'interactive'] as const)('never lets more than requestsPerMinute through in any rolling minute (%s callers)', (priority) => {
    // A caller that asks every 10 ms for 5 minutes: as greedy as it gets.
    const { taken } = drain(priority, 0, 5 * 60_000, 10);
    let max = 0;
    for (let i = 0, j = 0; i < taken.length; i++) {
      while (taken[i] - taken[j] >= 60_000) j++;
      max = Math.max(max, i - j + 1);
    }
    expect(max).toBeLessThanOrEqual(80);
    expect(max).toBeGreaterThan(60);
  });

  it('gives an interactive caller tokens a bulk caller has to leave, and says how long a bulk caller waits', () => {
    // A frozen clock: a bulk caller takes until the bucket says wait.
    let state: BucketState | undefined;
    for (let i = 0; i < 100; i++) {
      const r = takeToken(state, 0, params, 'bulk');
      if (!r.taken) break;
      state = r.next;
    }
    const bulkWait = takeToken(state, 0, params, 'bulk');
    expect(bulkWait.taken).toBe(false);
    expect(takeToken(state, 0, params, 'interactive').taken).toBe(true);
    if (!bulkWait.taken) expect(bulkWait.waitMs).toBeGreaterThan(0);
  });

  it('makes everyone wait out a block', () => {
    const blocked: BucketState = { tokens: 10, refilledAtMs: 0, blockedUntilMs: 5_000 };
    const r = takeToken(blocked, 1_000, params, 'interactive');
    expect(r).toEqual({ taken: false, waitMs: 4_000, blocked: true });
  });
});

describe('budget priority', () => {
  const params = bucketParams({ requestsPerMinute: 80 });

  it('lets a class take only above its floor, each floor higher than the one of the class above it', () => {
    expect(params.capacity).toBe(10);
    for (let tokens = 0; tokens <= 10; tokens++) {
      const state: BucketState = { tokens, refilledAtMs: 0, blockedUntilMs: 0 };
      const may = BUDGET_PRIORITIES.filter((p) => takeToken(state, 0, params, p).taken);
      // Whoever may take, every class above it may too.
      expect(may).toEqual(BUDGET_PRIORITIES.slice(0, may.length));
      expect(may.length).toBe(BUDGET_PRIORITIES.filter((p) => tokens > BUDGET_RESERVES[p]).length);
    }
  });

  it('tells a lower class to wait longer than a higher one for the same bucket', () => {
    const empty: BucketState = { tokens: 0, refilledAtMs: 0, blockedUntilMs: 0 };
    const waits = BUDGET_PRIORITIES.map((p) => {
      const r = takeToken(empty, 0, params, p);
      return r.taken ? 0 : r.waitMs;
    });
    for (let i = 1; i < waits.length; i++) expect(waits[i]).toBeGreaterThan(waits[i - 1]!);
  });

  it('keeps the reserves under the bucket size when the burst is small', () => {
    const tiny = bucketParams({ requestsPerMinute: 10, burst: 3 });
    for (const p of BUDGET_PRIORITIES) expect(takeToken({ tokens: 3, refilledAtMs: 0, blockedUntilMs: 0 }, 0, tiny, p).taken).toBe(true);
  });
});

/** Writers whose clocks disagree share one bucket (the CLI on a laptop and the Lambda functions on AWS). */
describe('request budget bucket with clocks that are off', () => {
  const params = bucketParams({ requestsPerMinute: 80 });

  /** Greedy takers, one after the other every 10 ms of real time, each reading its own clock; real take times. */
  function shared(offsetsMs: number[], minutes: number): number[] {
    let state: BucketState | undefined;
    const taken: number[] = [];
    let turn = 0;
    for (let real = 0; real <= minutes * 60_000; real += 10) {
      const r = takeToken(state, real + offsetsMs[turn++ % offsetsMs.length]!, params, 'bulk');
      if (r.taken) {
        state = r.next;
        taken.push(real);
      }
    }
    return taken;
  }

  function maxPerRollingMinute(taken: number[]): number {
    let max = 0;
    for (let i = 0, j = 0; i < taken.length; i++) {
      while (taken[i]! - taken[j]! >= 60_000) j++;
      max = Math.max(max, i - j + 1);
    }
    return max;
  }

  it('never over-fills when one writer is 30 s behind: it cannot count the gap to the others twice', () => {
    const taken = shared([0, -30_000], 5);
    expect(maxPerRollingMinute(taken)).toBeLessThanOrEqual(80);
  });

  it('over-fills by at most the skew of refill, once, when one writer is ahead (and then the others refill nothing)', () => {
    const skewMs = 3_000;
    const taken = shared([0, skewMs], 5);
    const extra = Math.ceil(skewMs * params.refillPerMs);
    expect(maxPerRollingMinute(taken)).toBeLessThanOrEqual(80 + extra);
    // Over the whole five minutes the skewed writer bought nothing lasting.
    expect(taken.length).toBeLessThanOrEqual(params.capacity + 5 * 60_000 * params.refillPerMs + extra);
  });

  it('lets a refill time far in the future (a clock hours ahead) starve nobody', () => {
    const future: BucketState = { tokens: 0, refilledAtMs: 10 * 3600_000, blockedUntilMs: 0 };
    const r = takeToken(future, 60_000, params, 'bulk');
    expect(r.taken).toBe(false);
    expect(!r.taken && r.waitMs).toBeLessThan(60_000);
  });

  it('was over-filled before refill times were kept monotonic (the fault these tests look for)', () => {
    // The old rule, written out: the refill time is the taker's own clock, backwards included.
    const oldTake = (state: BucketState | undefined, nowMs: number): BucketState | undefined => {
      const current = state ?? { tokens: params.capacity, refilledAtMs: nowMs, blockedUntilMs: 0 };
      const tokens = Math.min(params.capacity, current.tokens + Math.max(0, nowMs - current.refilledAtMs) * params.refillPerMs);
      return tokens >= 1 + 2 ? { tokens: tokens - 1, refilledAtMs: nowMs, blockedUntilMs: 0 } : undefined;
    };
    let state: BucketState | undefined;
    const taken: number[] = [];
    let turn = 0;
    for (let real = 0; real <= 5 * 60_000; real += 10) {
      const next = oldTake(state, real + [0, -30_000][turn++ % 2]!);
      if (next) {
        state = next;
        taken.push(real);
      }
    }
    expect(maxPerRollingMinute(taken)).toBeGreaterThan(80);
  });
});
