import { articlesScenario } from '../bench/articles.bench';
import { DEFAULT_SETTINGS, inProcessExecutor } from '../bench/harness.bench';
import { ordersScenario } from '../bench/orders.bench';

/**
 * The benchmark's quick article and order scenarios, in this process, on simulated time: the request counts
 * stay within 5 % of the computed minimum and every item reaches Ongoing exactly once. No timings asserted.
 */

const quick = { ...DEFAULT_SETTINGS, quick: true };

describe('benchmark smoke (quick mode, in-process)', () => {
  it('syncs a catalog in the minimum BaseLinker calls, writes each article once, and an unchanged re-sync writes nothing', async () => {
    const result = await articlesScenario(inProcessExecutor, quick, 300);

    expect(result.first.complete).toBe(true);
    expect(result.first.ratio).toBeLessThanOrEqual(1.05);
    expect(result.first.writtenExactlyOnce).toBe(true);
    expect(result.first.ongoingWrites).toBe(300);
    expect(result.resync.ratio).toBeLessThanOrEqual(1.05);
    expect(result.resync.ongoingWrites).toBe(0);
    expect(result.resync.blStockWrites).toBe(0);
  });

  it('resumes a first sync over several runs when the budget is short, still writing each article exactly once', async () => {
    // 5 s of Ongoing latency per write: 300 writes (25 min) need several 9.5-minute runs.
    const result = await articlesScenario(inProcessExecutor, { ...quick, ongoingLatencyMs: 5_000 }, 300);

    expect(result.first.runs).toBeGreaterThan(1);
    expect(result.first.complete).toBe(true);
    expect(result.first.writtenExactlyOnce).toBe(true);
  });

  it('transfers new orders in the minimum BaseLinker calls, each order written to Ongoing once', async () => {
    const result = await ordersScenario(inProcessExecutor, quick, 250);

    expect(result.complete).toBe(true);
    expect(result.ratio).toBeLessThanOrEqual(1.05);
    expect(result.writtenExactlyOnce).toBe(true);
    expect(result.ongoingOrderWrites).toBe(250);
  });
});
