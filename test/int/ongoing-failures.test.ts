import http from 'node:http';
import type { AddressInfo } from 'node:net';
import axios from 'axios';
import { OngoingClient, type OrderInput } from '../../shared/ongoing/client';
import {
  OngoingAuthError,
  OngoingError,
  OngoingRateLimitError,
  OngoingRefusedError,
  OngoingResponseError,
  OngoingTransientError,
} from '../../shared/ongoing/errors';
import {
  DEMO_API_USER,
  DEMO_GOODS_OWNER,
  demoClientSettings,
  demoSimulatorOptions,
  type OngoingSimulator,
  startOngoingSimulator,
} from '../../infra/simulators/ongoing';

const fastRetry = { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 };
const GO = DEMO_GOODS_OWNER.id;

function order(orderNumber: string, articleNumber = 'SKU-1', rowNumber = '1'): OrderInput {
  return {
    orderNumber,
    deliveryDate: '2025-03-04',
    consignee: { customerNumber: orderNumber, name: 'Anna Nowak', address1: 'ul. Prosta 1', postCode: '00-001', city: 'Warszawa', countryCode: 'PL' },
    orderLines: [{ rowNumber, articleNumber, numberOfItems: 1 }],
  };
}

function expectNoSecrets(error: unknown, password: string): void {
  const text = [String(error), (error as Error).stack ?? '', JSON.stringify(error)].join('\n');
  expect(text).not.toContain(password);
  expect(text).not.toContain(Buffer.from(`${DEMO_API_USER.user}:${password}`).toString('base64'));
  expect(text).not.toMatch(/Basic\s+[A-Za-z0-9+/=]{8,}/);
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('OngoingClient failure handling against the Ongoing simulator', () => {
  let sim: OngoingSimulator;
  let client: OngoingClient;

  beforeAll(async () => {
    sim = await startOngoingSimulator(demoSimulatorOptions());
    client = new OngoingClient({ ...demoClientSettings(sim.baseUrl), retry: fastRetry });
    await client.putArticle({ articleNumber: 'SKU-1', articleName: 'One' });
  });
  afterAll(async () => {
    await sim.close();
  });
  beforeEach(() => {
    sim.clearFaults();
    sim.resetCalls();
    sim.settings.errorShape = 'Message';
    sim.settings.writeLatencyMs = 0;
  });

  it('does not retry a 400: exactly one call, OngoingRefusedError with Ongoing\'s text', async () => {
    const error = await caught(client.putOrder(order('BL-BAD', 'NO-SUCH-ARTICLE')));
    expect(error).toBeInstanceOf(OngoingRefusedError);
    expect((error as OngoingRefusedError).status).toBe(400);
    expect((error as OngoingRefusedError).ongoingMessage).toContain("'NO-SUCH-ARTICLE' does not exist");
    expect(sim.calls('PUT /orders')).toBe(1);
  });

  it.each(['Message', 'message', 'ModelState'] as const)('takes the text from a %s error body', async (shape) => {
    sim.settings.errorShape = shape;
    const error = (await caught(client.putOrder(order(`BL-SHAPE-${shape}`, 'MISSING-ART')))) as OngoingRefusedError;
    expect(error).toBeInstanceOf(OngoingRefusedError);
    expect(error.ongoingMessage).toContain("Article with article number 'MISSING-ART' does not exist.");
    expect(error.rawBody).toContain(shape === 'ModelState' ? '"ModelState"' : `"${shape}"`);
  });

  it('refuses an update once the order is picked, with Ongoing\'s text, and does not retry it', async () => {
    const { orderId } = await client.putOrder(order('BL-PICKED'));
    sim.setOrderStatus(orderId, 400);
    sim.resetCalls();
    const error = (await caught(client.putOrder(order('BL-PICKED')))) as OngoingRefusedError;
    expect(error).toBeInstanceOf(OngoingRefusedError);
    expect(error.ongoingMessage).toMatch(/BL-PICKED can not be updated .*status 400/);
    const cancel = (await caught(client.cancelOrder(orderId))) as OngoingRefusedError;
    expect(cancel).toBeInstanceOf(OngoingRefusedError);
    expect(cancel.ongoingMessage).toContain('can not be cancelled');
    expect(sim.calls('PUT /orders')).toBe(1);
    expect(sim.calls('DELETE /orders/{orderId}')).toBe(1);
  });

  it('retries a 500 and then succeeds', async () => {
    sim.injectFault({ route: 'PUT /articles', kind: 'http500', times: 2 });
    const res = await client.putArticle({ articleNumber: 'RETRY-500' });
    expect(res.articleSystemId).toBeGreaterThan(0);
    expect(sim.calls('PUT /articles')).toBe(3);
  });

  it('retries a 429 and then succeeds', async () => {
    sim.injectFault({ route: 'GET /orders/statuses', kind: 'http429' });
    expect((await client.getOrderStatuses()).length).toBeGreaterThan(0);
    expect(sim.calls('GET /orders/statuses')).toBe(2);
  });

  it('waits at least the Retry-After the 429 asked for', async () => {
    const delays: number[] = [];
    const patient = new OngoingClient({
      ...demoClientSettings(sim.baseUrl),
      retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 200 },
      onRetry: ({ delayMs, error }) => {
        expect(error).toBeInstanceOf(OngoingRateLimitError);
        delays.push(delayMs);
      },
    });
    sim.injectFault({ route: 'GET /orders/statuses', kind: 'http429', retryAfterSeconds: 1 });
    await patient.getOrderStatuses();
    expect(delays).toHaveLength(1);
    expect(delays[0]).toBeGreaterThanOrEqual(1000);
  });

  it('gives OngoingRateLimitError when 429s outlast the retries', async () => {
    sim.injectFault({ route: 'GET /orders/statuses', kind: 'http429', times: 10, retryAfterSeconds: 0 });
    const error = await caught(client.getOrderStatuses());
    expect(error).toBeInstanceOf(OngoingRateLimitError);
    expect(sim.calls('GET /orders/statuses')).toBe(fastRetry.attempts);
  });

  it('treats a timeout and a 2xx that is not JSON as transient and retries them', async () => {
    const quick = new OngoingClient({ ...demoClientSettings(sim.baseUrl), retry: fastRetry, timeoutMs: 150 });
    sim.injectFault({ route: 'GET /orders/statuses', kind: 'timeout' });
    sim.injectFault({ route: 'GET /orders/statuses', kind: 'malformed-json' });
    expect((await quick.getOrderStatuses()).length).toBeGreaterThan(0);
    expect(sim.calls('GET /orders/statuses')).toBe(3);

    sim.injectFault({ route: 'GET /orders/statuses', kind: 'timeout', times: 5 });
    const error = (await caught(quick.getOrderStatuses())) as OngoingTransientError;
    expect(error).toBeInstanceOf(OngoingTransientError);
    expect(error.message).toContain('timed out');
  });

  it('gives OngoingAuthError for a wrong password, without the credentials in the error', async () => {
    const wrong = new OngoingClient({ ...demoClientSettings(sim.baseUrl), password: 'not-the-password', retry: fastRetry });
    const error = await caught(wrong.getOrderStatuses());
    expect(error).toBeInstanceOf(OngoingAuthError);
    expect((error as OngoingAuthError).status).toBe(401);
    expect(sim.calls('GET /orders/statuses')).toBe(1);
    expectNoSecrets(error, 'not-the-password');
  });

  it('gives OngoingAuthError for a goods owner the API user may not act for', async () => {
    const foreign = new OngoingClient({ ...demoClientSettings(sim.baseUrl), goodsOwnerId: GO + 1, retry: fastRetry });
    const error = await caught(foreign.getArticlesPage());
    expect(error).toBeInstanceOf(OngoingAuthError);
    expect((error as OngoingAuthError).status).toBe(403);
  });

  it('wraps a network failure in OngoingTransientError without the credentials', async () => {
    const closed = await startOngoingSimulator(demoSimulatorOptions());
    const url = closed.baseUrl;
    await closed.close();
    const offline = new OngoingClient({ ...demoClientSettings(url), retry: fastRetry });
    const error = await caught(offline.getOrderStatuses());
    expect(error).toBeInstanceOf(OngoingTransientError);
    expect(error).toBeInstanceOf(OngoingError);
    expect(offline.requestCount).toBe(fastRetry.attempts);
    expectNoSecrets(error, DEMO_API_USER.password);
  });

  it('sends writes of one goods owner one at a time, even from separate clients called concurrently', async () => {
    sim.settings.writeLatencyMs = 15;
    const other = new OngoingClient({ ...demoClientSettings(sim.baseUrl), retry: fastRetry });
    const writes = [
      ...[1, 2, 3].map((i) => client.putArticle({ articleNumber: `CONC-A-${i}` })),
      ...[1, 2, 3].map((i) => other.putArticle({ articleNumber: `CONC-B-${i}` })),
      client.putOrder(order('BL-CONC')),
    ];
    await Promise.all(writes);
    expect(sim.calls('PUT /articles') + sim.calls('PUT /orders')).toBe(7);
    expect(sim.maxConcurrentWrites(GO)).toBe(1);
  });

  it('measures overlapping writes when a caller does not serialise (control for the test above)', async () => {
    sim.settings.writeLatencyMs = 15;
    const auth = { username: DEMO_API_USER.user, password: DEMO_API_USER.password };
    await Promise.all(
      [1, 2, 3].map((i) =>
        axios.put(`${sim.baseUrl}/articles`, { goodsOwnerId: GO, articleNumber: `RAW-${i}` }, { auth, adapter: 'http' }),
      ),
    );
    expect(sim.maxConcurrentWrites(GO)).toBeGreaterThan(1);
  });

  it('does not hold reads back behind a queued write', async () => {
    sim.settings.writeLatencyMs = 20;
    let writeSettled = false;
    const readSentBeforeWriteSettled: boolean[] = [];
    const observed = new OngoingClient({
      ...demoClientSettings(sim.baseUrl),
      retry: fastRetry,
      onRequest: (method) => {
        if (method === 'GET') readSentBeforeWriteSettled.push(!writeSettled);
      },
    });
    const write = observed.putArticle({ articleNumber: 'SLOW-WRITE' }).finally(() => (writeSettled = true));
    await Promise.all([write, observed.getOrderStatuses()]);
    expect(readSentBeforeWriteSettled).toEqual([true]);
  });
});

describe('OngoingClient against a server that answers 2xx with the wrong body', () => {
  let server: http.Server;
  let baseUrl: string;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(req.method === 'PUT' ? { orderId: null, message: 'Order number X created/updated' } : { unexpected: true }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/demo/api/v1`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('rejects a PUT /orders 2xx without a numeric orderId as OngoingResponseError, not as success', async () => {
    const client = new OngoingClient({ ...demoClientSettings(baseUrl), retry: fastRetry });
    const error = await caught(client.putOrder(order('BL-X')));
    expect(error).toBeInstanceOf(OngoingResponseError);
    expect((error as OngoingResponseError).issues.join(' ')).toContain('orderId');
    expect(client.requestCount).toBe(1);
  });
});
