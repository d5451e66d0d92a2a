import { InMemoryBudget } from '../../shared/baselinker/budget';
import { BaseLinkerClient } from '../../shared/baselinker/client';
import { BudgetWaitExceededError } from '../../shared/baselinker/budget';
import { TokenBlockedError } from '../../shared/baselinker/errors';
import { BaseLinkerSimulator, startBaseLinkerSimulator } from '../../infra/simulators/baselinker';

const TOKEN = 'rate-limit-test-token-91c2';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let sim: BaseLinkerSimulator | undefined;

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

function clientOn(s: BaseLinkerSimulator, budget: InMemoryBudget, blockMarginMs = 250): BaseLinkerClient {
  return new BaseLinkerClient({ url: s.url, token: TOKEN, budget, blockMarginMs, retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 10 } });
}

describe('BaseLinker rate limit and token blocks', () => {
  it('stops calling a blocked token, from every client sharing the budget, until its release time', async () => {
    sim = await startBaseLinkerSimulator({ tokens: [TOKEN], rateLimit: { requestsPerWindow: 3, windowMs: 60_000, blockMs: 1_500 } });
    // A budget far above the simulator's limit: the simulator has to block, and the client must obey.
    const budget = new InMemoryBudget({ requestsPerMinute: 100_000, burst: 100 });
    const first = clientOn(sim, budget);
    const second = clientOn(sim, budget);

    for (let i = 0; i < 3; i++) await first.getOrderStatusList();
    const error = await first.getOrderStatusList().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenBlockedError);
    const release = sim.blockedUntil(TOKEN);
    expect(release).toBeInstanceOf(Date);
    expect((error as TokenBlockedError).blockedUntil.getTime()).toBeGreaterThanOrEqual(release!.getTime());
    expect(sim.blockedCount).toBe(1);
    const sentBeforeWaiting = sim.calls();

    const pending = [first.getInventories(), second.getCouriersList()];
    await sleep(300);
    // Still blocked: nothing may have reached BaseLinker.
    expect(sim.calls()).toBe(sentBeforeWaiting);

    const [inventories, couriers] = await Promise.all(pending);
    expect(inventories).toEqual([]);
    expect(couriers.length).toBeGreaterThan(0);
    const resumed = sim.requests.slice(sentBeforeWaiting);
    expect(resumed.map((r) => r.method).sort()).toEqual(['getCouriersList', 'getInventories']);
    for (const r of resumed) expect(r.at).toBeGreaterThanOrEqual(release!.getTime());
    expect(sim.rejectedWhileBlocked).toBe(0);
  });

  it('treats an injected block like a real one and does not retry into it', async () => {
    sim = await startBaseLinkerSimulator({ tokens: [TOKEN], rateLimit: { blockMs: 1_000 } });
    sim.injectFault({ method: 'getOrders', kind: 'blocked-token' });
    const budget = new InMemoryBudget({ requestsPerMinute: 100_000, burst: 100 });
    const bl = clientOn(sim, budget);
    await expect(bl.getOrders({ date_confirmed_from: 0 })).rejects.toBeInstanceOf(TokenBlockedError);
    expect(sim.calls('getOrders')).toBe(1);
    expect((await budget.inspect(bl.budgetKey)).blockedUntil).toBeInstanceOf(Date);
    await expect(bl.getOrders({ date_confirmed_from: 0 })).resolves.toMatchObject({ orders: [] });
    expect(sim.rejectedWhileBlocked).toBe(0);
  });

  it('fails fast instead of waiting out a block longer than maxBudgetWaitMs, sending nothing', async () => {
    sim = await startBaseLinkerSimulator({ tokens: [TOKEN], rateLimit: { blockMs: 5_000 } });
    sim.injectFault({ kind: 'blocked-token' });
    const budget = new InMemoryBudget({ requestsPerMinute: 100_000, burst: 100 });
    await expect(clientOn(sim, budget).getInventories()).rejects.toBeInstanceOf(TokenBlockedError);
    const impatient = new BaseLinkerClient({ url: sim.url, token: TOKEN, budget, maxBudgetWaitMs: 100 });
    const error = await impatient.getInventories().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BudgetWaitExceededError);
    expect((error as BudgetWaitExceededError).blockedUntil).toBeInstanceOf(Date);
    expect(sim.calls()).toBe(1);
    expect(impatient.requestCount).toBe(0);
  });

  it('two clients sharing one budget send 60 concurrent requests without a block', async () => {
    sim = await startBaseLinkerSimulator({ tokens: [TOKEN], rateLimit: { requestsPerWindow: 20, windowMs: 1_500, blockMs: 60_000 } });
    // Any 1.5 s of this bucket holds at most 4 + 596 * 1.5 / 60 = 18.9 requests: under the simulator's 20.
    const budget = new InMemoryBudget({ requestsPerMinute: 600, burst: 4 });
    const a = clientOn(sim, budget);
    const b = clientOn(sim, budget);
    const calls = Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? a.getOrderStatusList() : b.getCouriersList()));
    const results = await Promise.all(calls);
    expect(results.every((r) => r.length > 0)).toBe(true);
    expect(sim.calls()).toBe(60);
    expect(sim.blockedCount).toBe(0);
    expect(a.requestCount + b.requestCount).toBe(60);
  });

  it('a burst from one client never triggers a block', async () => {
    sim = await startBaseLinkerSimulator({ tokens: [TOKEN], rateLimit: { requestsPerWindow: 10, windowMs: 1_000, blockMs: 60_000 } });
    // Any 1 s holds at most 3 + 357 / 60 = 8.95 requests.
    const bl = clientOn(sim, new InMemoryBudget({ requestsPerMinute: 360, burst: 3 }));
    await Promise.all(Array.from({ length: 20 }, () => bl.getOrderStatusList()));
    expect(sim.calls('getOrderStatusList')).toBe(20);
    expect(sim.blockedCount).toBe(0);
  });

  it('the simulator blocks a client that ignores the limit (so the tests above can fail)', async () => {
    sim = await startBaseLinkerSimulator({ tokens: [TOKEN], rateLimit: { requestsPerWindow: 10, windowMs: 1_000, blockMs: 60_000 } });
    const bl = clientOn(sim, new InMemoryBudget({ requestsPerMinute: 100_000, burst: 100 }));
    const outcomes = await Promise.allSettled(Array.from({ length: 12 }, () => bl.getOrderStatusList()));
    expect(outcomes.filter((o) => o.status === 'rejected').length).toBeGreaterThan(0);
    expect(sim.blockedCount).toBe(1);
  });
});
