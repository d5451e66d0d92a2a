import type { Flow } from '../../shared/flows/context';
import { CALL_GRACE_MS, summaryLine } from '../../shared/flows/runner';
import { main as syncMain } from '../../infra/local/sync';
import { describeOnEachState, startWorld, type World } from '../support/world';

describeOnEachState('flow runner', (adapter) => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ state: adapter });
  });
  afterAll(() => world.close());

  const countingFlow: Flow = async (ctx) => {
    await ctx.baselinker.getOrderStatusList();
    await ctx.ongoing.getOrderStatuses();
    return { seen: 3, written: 2, setAside: 1, complete: true, counts: { unchanged: 1 } };
  };

  it('runs a flow for a tenant and records a summary with the requests it made', async () => {
    const report = await world.run('articles', countingFlow);
    expect(report).toMatchObject({ outcome: 'ok', baselinkerRequests: 1, ongoingRequests: 1, result: { seen: 3, written: 2, setAside: 1 } });
    const [summary] = await world.services().state.runs.all();
    expect(summary).toMatchObject({ flow: 'articles', outcome: 'ok', runId: report.runId, counts: { seen: 3, written: 2, setAside: 1, unchanged: 1 } });
    expect(summaryLine(report)).toMatch(/^articles \[test\]: ok in [\d.]+ s: seen 3, written 2, set aside 1, unchanged 1, BaseLinker requests 1, Ongoing requests 1$/);
  });

  it('hands each flow its place in the shared BaseLinker budget', async () => {
    const asked: Record<string, string | undefined> = {};
    const services = world.services;
    for (const name of ['orders', 'stock', 'articles', 'reconcile', 'tracking'] as const) {
      await world.run(name, countingFlow, {
        services: (_tenant, _runtime, options = {}) => {
          asked[name] = options.priority;
          return services();
        },
      });
    }
    expect(asked).toEqual({ orders: 'orders', stock: 'stock', articles: 'bulk', reconcile: 'bulk', tracking: 'bulk' });
  });

  it('makes a second run of the same flow and tenant stand down while the first holds its lease', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const slowFlow: Flow = async () => {
      await held;
      return { seen: 0, written: 0, setAside: 0, complete: true };
    };
    const first = world.run('orders', slowFlow);
    await new Promise((r) => setTimeout(r, 200));
    const second = await world.run('orders', countingFlow);
    release();
    expect(second.outcome).toBe('skipped');
    expect(second.baselinkerRequests).toBe(0);
    expect((await first).outcome).toBe('ok');
    // Once the first run is over its lease is gone, so the next run goes ahead.
    expect((await world.run('orders', countingFlow)).outcome).toBe('ok');
  });

  it('records a failing run without stopping the other tenants', async () => {
    const other = world.tenantWith({ id: 'other', ongoing: { goodsOwnerId: 43 } });
    const failsForTest: Flow = async (ctx) => {
      if (ctx.tenant.id === 'test') throw new Error('Ongoing said no');
      return { seen: 1, written: 1, setAside: 0, complete: true };
    };
    const reports = await Promise.all([world.run('stock', failsForTest), world.run('stock', failsForTest, { tenant: other })]);
    expect(reports.map((r) => [r.tenant, r.outcome])).toEqual([
      ['test', 'failed'],
      ['other', 'ok'],
    ]);
    const summaries = await world.services().state.runs.all();
    expect(summaries.find((s) => s.flow === 'stock')).toMatchObject({ outcome: 'failed', message: 'Ongoing said no' });
    expect(world.metrics.sum('RunFailed', { flow: 'stock', tenant: 'test' })).toBe(1);
  });

  it('marks a run that stopped at its deadline as partial, to be continued', async () => {
    const report = await world.run('articles', async () => ({ seen: 5, written: 5, setAside: 0, complete: false }));
    expect(report.outcome).toBe('partial');
    expect(summaryLine(report)).toContain('the next run continues');
  });
});

describeOnEachState('flow runner: the unit of work in hand at the deadline', (adapter) => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ state: adapter, ongoing: { readLatencyMs: 400 } });
  });
  afterAll(() => world.close());

  it('lets a call begun before the deadline finish (CALL_GRACE_MS), so the run stops as partial instead of failing', async () => {
    let answered = false;
    const report = await world.run('orders', async (ctx) => {
      await ctx.ongoing.getOrderStatuses();
      answered = true;
      return { seen: 1, written: 0, setAside: 0, complete: !ctx.run.deadline.passed() };
    }, { deadline: Date.now() + 100 });
    expect(answered).toBe(true);
    expect(report.outcome).toBe('partial');
    expect(CALL_GRACE_MS).toBeGreaterThan(400);
  });
});

describe('npm run sync', () => {
  it('rejects an unknown flow with the usage text', async () => {
    const errors: string[] = [];
    const spy = jest.spyOn(console, 'error').mockImplementation((m) => errors.push(String(m)));
    const code = await syncMain(['bogus']);
    spy.mockRestore();
    expect(code).toBe(2);
    expect(errors.join('\n')).toContain('unknown flow "bogus"');
  });
});

describeOnEachState('scheduled runs at each tenant own interval', (adapter) => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ state: adapter, tenant: { schedules: { articlesMinutes: 30 } } });
  });
  afterAll(() => world.close());

  const quick: Flow = async () => ({ seen: 1, written: 0, setAside: 0, complete: true });

  it('skips a tenant whose own interval has not passed, and runs it once it has', async () => {
    const t0 = Date.now();
    expect((await world.run('articles', quick, { onlyDue: true, now: () => t0 })).outcome).toBe('ok');
    const early = await world.run('articles', quick, { onlyDue: true, now: () => t0 + 15 * 60_000 });
    expect(early.outcome).toBe('skipped');
    expect(early.error).toContain('runs articles every 30 min');
    // A tick within the tolerance of the interval counts as due.
    expect((await world.run('articles', quick, { onlyDue: true, now: () => t0 + 30 * 60_000 - 10_000 })).outcome).toBe('ok');
    // Without onlyDue (an operator's npm run sync) it always runs.
    expect((await world.run('articles', quick, { now: () => t0 + 31 * 60_000 })).outcome).toBe('ok');
  });

  it('continues a run that stopped at its deadline at the next tick, whatever the interval', async () => {
    const t0 = Date.now() + 3_600_000;
    expect((await world.run('stock', async () => ({ seen: 1, written: 1, setAside: 0, complete: false }), { onlyDue: true, now: () => t0 })).outcome).toBe('partial');
    expect((await world.run('stock', quick, { onlyDue: true, now: () => t0 + 60_000 })).outcome).toBe('ok');
  });
});
