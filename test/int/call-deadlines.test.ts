import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BudgetWaitExceededError, InMemoryBudget } from '../../shared/baselinker/budget';
import { BaseLinkerClient } from '../../shared/baselinker/client';
import { BaseLinkerTransportError } from '../../shared/baselinker/errors';
import { OngoingClient } from '../../shared/ongoing/client';
import { OngoingDeadlineError, OngoingTransientError } from '../../shared/ongoing/errors';

/**
 * Every outside call ends by the run's deadline: a request's timeout is cut to the time left, no retry starts
 * past it, and the wait for BaseLinker budget is bounded by it. The servers here never answer (or always fail),
 * so without the deadline each call would take 4 × 30 s plus back-off.
 */

let hanging: http.Server;
let failing: http.Server;
let hangingUrl: string;
let failingUrl: string;
const requests = { hanging: 0, failing: 0 };

beforeAll(async () => {
  hanging = http.createServer(() => {
    requests.hanging++;
  });
  failing = http.createServer((_req, res) => {
    requests.failing++;
    res.writeHead(503).end('busy');
  });
  await Promise.all([new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r)), new Promise<void>((r) => failing.listen(0, '127.0.0.1', r))]);
  hangingUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
  failingUrl = `http://127.0.0.1:${(failing.address() as AddressInfo).port}`;
});

afterAll(() => {
  hanging.closeAllConnections();
  hanging.close();
  failing.close();
});

beforeEach(() => {
  requests.hanging = requests.failing = 0;
});

const slowRetry = { attempts: 4, baseDelayMs: 30_000, maxDelayMs: 30_000 };

describe('BaseLinker client', () => {
  it("cuts a request's timeout to the run's time left and does not retry past the deadline", async () => {
    const bl = new BaseLinkerClient({ url: `${hangingUrl}/connector.php`, token: 't', budget: new InMemoryBudget({ requestsPerMinute: 1000 }), deadline: Date.now() + 400 });
    const err = await bl.getInventories().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BaseLinkerTransportError);
    expect((err as BaseLinkerTransportError).failure).toBe('timeout');
    // The per-request timeout (30 s) was cut to what was left of 400 ms.
    const ms = Number(/within (\d+) ms/.exec((err as Error).message)?.[1]);
    expect(ms).toBeGreaterThan(0);
    expect(ms).toBeLessThanOrEqual(400);
    expect(requests.hanging).toBe(1);
  });

  it('refuses to start a call once the deadline has passed, without sending it', async () => {
    const bl = new BaseLinkerClient({ url: `${hangingUrl}/connector.php`, token: 't', budget: new InMemoryBudget({ requestsPerMinute: 1000 }), deadline: Date.now() - 1 });
    const err = await bl.getInventories().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BaseLinkerTransportError);
    expect((err as BaseLinkerTransportError).notSent).toBe(true);
    expect(requests.hanging).toBe(0);
    expect(bl.requestCount).toBe(0);
  });

  it('bounds the wait for request budget by the time left', async () => {
    // One request a minute, none left: the next token is a minute away, the run ends in 300 ms.
    const budget = new InMemoryBudget({ requestsPerMinute: 1, burst: 1 });
    const bl = new BaseLinkerClient({ url: `${hangingUrl}/connector.php`, token: 't', budget, deadline: Date.now() + 300 });
    await budget.acquire(bl.budgetKey);
    await expect(bl.getInventories()).rejects.toBeInstanceOf(BudgetWaitExceededError);
    expect(requests.hanging).toBe(0);
  });
});

describe('Ongoing client', () => {
  it("cuts a request's timeout to the time left and makes no retry that would end past the deadline", async () => {
    const ongoing = new OngoingClient({ baseUrl: `${failingUrl}/wh/api/v1`, user: 'u', password: 'p', goodsOwnerId: 1, retry: slowRetry, deadline: Date.now() + 5_000 });
    // The back-off is drawn at random below its ceiling (full jitter): draw 15 s, past the 5 s left.
    const random = jest.spyOn(Math, 'random').mockReturnValue(0.5);
    const before = requests.failing;
    await expect(ongoing.getArticlesPage()).rejects.toBeInstanceOf(OngoingTransientError);
    random.mockRestore();
    // The back-off before a second try would end past the deadline: one request only.
    expect(requests.failing - before).toBe(1);
  });

  it('stops a hanging request at the deadline', async () => {
    const ongoing = new OngoingClient({ baseUrl: `${hangingUrl}/wh/api/v1`, user: 'u', password: 'p', goodsOwnerId: 1, retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 }, deadline: Date.now() + 300 });
    await expect(ongoing.getArticlesPage()).rejects.toThrow(/timed out/);
    expect(requests.hanging).toBe(1);
  });

  it('does not send a request once the deadline has passed', async () => {
    const ongoing = new OngoingClient({ baseUrl: `${failingUrl}/wh/api/v1`, user: 'u', password: 'p', goodsOwnerId: 1, deadline: Date.now() - 1 });
    await expect(ongoing.getArticlesPage()).rejects.toBeInstanceOf(OngoingDeadlineError);
    expect(requests.failing).toBe(0);
  });
});
