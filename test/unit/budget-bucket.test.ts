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
