import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { BUDGET_PRIORITIES, BUDGET_RESERVES, BudgetWaitExceededError, INTERACTIVE_RESERVE, bucketParams, type BudgetPriority } from '../../shared/baselinker/budget';
import { DynamoBudget } from '../../shared/state/budget';
import { keys } from '../../shared/state/table';
import { closeTestClients, freshTable, testDocumentClient } from '../support/emulators';

/**
 * Two DynamoBudget instances on two clients and one table stand in for two processes sharing a BaseLinker
 * token. Outcomes are counted (how many acquires went through, what the bucket item says), never timed.
 */

let table: string;
const policy = { requestsPerMinute: 20, burst: 5 }; // capacity 5, then one token per 4 s

beforeAll(async () => {
  table = await freshTable('budget');
});

afterAll(() => closeTestClients());

async function bucketItem(tokenKey: string) {
  const { Item } = await testDocumentClient().send(new GetCommand({ TableName: table, Key: keys.budget(tokenKey), ConsistentRead: true }));
  return Item;
}

async function settle(calls: Promise<void>[]) {
  const results = await Promise.allSettled(calls);
  const through = results.filter((r) => r.status === 'fulfilled').length;
  const refused = results.filter((r) => r.status === 'rejected');
  for (const r of refused) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(BudgetWaitExceededError);
  return { through, refused: refused.length };
}

it('lets no more than the burst through at once when two processes race 40 acquires on one token', async () => {
  expect(bucketParams(policy).capacity).toBe(5);
  let now = Date.now();
  const clock = () => now;
  const p1 = new DynamoBudget(testDocumentClient(), table, policy, { now: clock });
  const p2 = new DynamoBudget(testDocumentClient(), table, policy, { now: clock });

  // A frozen clock is "the first instant": nothing refills, so whatever goes through came from the burst.
  // Interactive callers may take the whole bucket (bulk ones leave a reserve: next test).
  const first = await settle(Array.from({ length: 40 }, (_, i) => (i % 2 ? p1 : p2).acquire('tok-race', { maxWaitMs: 1000, priority: 'interactive' })));
  expect(first.through).toBe(5);
  expect(first.refused).toBe(35);

  // The item agrees: one version per token handed out, and the bucket is empty.
  const item = await bucketItem('tok-race');
  expect(item?.version).toBe(5);
  expect(item?.tokens).toBeLessThan(1);
  expect(item?.blockedUntilMs).toBe(0);

  // 8 s later the bucket rule allows exactly two more, whichever process asks.
  now += 8_000;
  const second = await settle(Array.from({ length: 10 }, (_, i) => (i % 2 ? p1 : p2).acquire('tok-race', { maxWaitMs: 1000, priority: 'interactive' })));
  expect(second.through).toBe(2);
  expect((await bucketItem('tok-race'))?.version).toBe(7);
  expect((await p1.inspect('tok-race')).tokensLeft).toBe(0);
});

it('keeps separate buckets per token key', async () => {
  const now = Date.now();
  const budget = new DynamoBudget(testDocumentClient(), table, policy, { now: () => now });
  const a = await settle(Array.from({ length: 7 }, () => budget.acquire('tok-a', { maxWaitMs: 0, priority: 'interactive' })));
  const b = await settle(Array.from({ length: 7 }, () => budget.acquire('tok-b', { maxWaitMs: 0, priority: 'interactive' })));
  expect([a.through, b.through]).toEqual([5, 5]);
});

it('keeps a reserve that bulk callers cannot take, so a Send finds tokens while a catalog walk drains the bucket', async () => {
  const now = Date.now();
  const walk = new DynamoBudget(testDocumentClient(), table, policy, { now: () => now });
  const send = new DynamoBudget(testDocumentClient(), table, policy, { now: () => now });
  // Frozen clock: no refill. Bulk takes all but INTERACTIVE_RESERVE (4) of the 5-token burst...
  const bulk = await settle(Array.from({ length: 10 }, () => walk.acquire('tok-reserve', { maxWaitMs: 0 })));
  expect(bulk.through).toBe(5 - INTERACTIVE_RESERVE);
  // ...and the interactive caller still gets the rest, and no more.
  const interactive = await settle(Array.from({ length: 4 }, () => send.acquire('tok-reserve', { maxWaitMs: 0, priority: 'interactive' })));
  expect(interactive.through).toBe(INTERACTIVE_RESERVE);
  expect((await bucketItem('tok-reserve'))?.version).toBe(5);
});

it('gives each class down to its own floor of the burst, one process per class (frozen clock)', async () => {
  const now = Date.now();
  const burst10 = { requestsPerMinute: 80, burst: 10 };
  const through: Record<string, number> = {};
  // Lowest first: each class takes what the classes below left, down to its own reserve.
  for (const priority of [...BUDGET_PRIORITIES].reverse()) {
    const process = new DynamoBudget(testDocumentClient(), table, burst10, { now: () => now });
    through[priority] = (await settle(Array.from({ length: 12 }, () => process.acquire('tok-floors', { maxWaitMs: 0, priority })))).through;
  }
  expect(through).toEqual({ bulk: 10 - BUDGET_RESERVES.bulk, stock: BUDGET_RESERVES.bulk - BUDGET_RESERVES.stock, orders: BUDGET_RESERVES.stock - BUDGET_RESERVES.orders, interactive: BUDGET_RESERVES.orders });
  // Highest first: the packer may empty the bucket, and then nobody below gets a token.
  const first = await settle(Array.from({ length: 12 }, () => new DynamoBudget(testDocumentClient(), table, burst10, { now: () => now }).acquire('tok-floors-2', { maxWaitMs: 0, priority: 'interactive' })));
  expect(first.through).toBe(10);
  for (const priority of ['orders', 'stock', 'bulk'] as const) {
    expect((await settle([new DynamoBudget(testDocumentClient(), table, burst10, { now: () => now }).acquire('tok-floors-2', { maxWaitMs: 0, priority })])).through).toBe(0);
  }
});

it('serves waiting processes in priority order as the bucket refills: packer, orders, stock, then the catalog walk', async () => {
  // One token every ~545 ms; two tokens (~1.1 s) between one class's floor and the next.
  const fast = { requestsPerMinute: 120, burst: 10 };
  const drain = new DynamoBudget(testDocumentClient(), table, fast);
  // Take until the bucket says wait: then only the packer could take the next token.
  for (;;) {
    try {
      await drain.acquire('tok-order', { maxWaitMs: 0, priority: 'interactive' });
    } catch (err) {
      expect(err).toBeInstanceOf(BudgetWaitExceededError);
      break;
    }
  }
  expect((await drain.inspect('tok-order')).tokensLeft).toBeLessThanOrEqual(BUDGET_RESERVES.orders);

  const finished: BudgetPriority[] = [];
  // Started lowest class first, each class in a process of its own: the start order must not matter.
  const waiting = [...BUDGET_PRIORITIES].reverse().flatMap((priority) => {
    const process = new DynamoBudget(testDocumentClient(), table, fast);
    return [0, 1].map(() => process.acquire('tok-order', { maxWaitMs: 30_000, priority }).then(() => void finished.push(priority)));
  });
  await Promise.all(waiting);
  expect(finished).toEqual(BUDGET_PRIORITIES.flatMap((p) => [p, p]));
});

it('makes every process wait out a block, or throw when the block outlasts maxWaitMs', async () => {
  // A block empties the bucket; a fast refill keeps the wait after the block short.
  const fast = { requestsPerMinute: 600, burst: 5 };
  const p1 = new DynamoBudget(testDocumentClient(), table, fast);
  const p2 = new DynamoBudget(testDocumentClient(), table, fast);
  await p2.acquire('tok-block');
  const until = new Date(Date.now() + 1200);
  await p1.block('tok-block', until);

  const refused = p2.acquire('tok-block', { maxWaitMs: 200 });
  await expect(refused).rejects.toBeInstanceOf(BudgetWaitExceededError);
  await expect(refused).rejects.toMatchObject({ blockedUntil: expect.any(Date) });
  expect((await p2.inspect('tok-block')).blockedUntil?.getTime()).toBe(until.getTime());

  await p2.acquire('tok-block', { maxWaitMs: 10_000 });
  // Not a speed check: the token must not have been used before the block ended.
  expect(Date.now()).toBeGreaterThanOrEqual(until.getTime());
  expect((await bucketItem('tok-block'))?.blockedUntilMs).toBe(0);
});

it('never moves a block earlier', async () => {
  const budget = new DynamoBudget(testDocumentClient(), table, policy);
  const later = new Date(Date.now() + 60_000);
  await budget.block('tok-mono', later);
  await budget.block('tok-mono', new Date(Date.now() + 1_000));
  expect((await budget.inspect('tok-mono')).blockedUntil?.getTime()).toBe(later.getTime());
  await expect(budget.acquire('tok-mono', { maxWaitMs: 5_000 })).rejects.toBeInstanceOf(BudgetWaitExceededError);
});
