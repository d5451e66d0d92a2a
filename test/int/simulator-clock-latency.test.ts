import { BaseLinkerClient } from '../../shared/baselinker/client';
import { InMemoryBudget } from '../../shared/baselinker/budget';
import { OngoingClient } from '../../shared/ongoing/client';
import { DEFAULT_SIM_TOKEN, startBaseLinkerSimulator, type BaseLinkerSimulator } from '../../infra/simulators/baselinker';
import { demoClientSettings, demoSimulatorOptions, DEMO_GOODS_OWNER, startOngoingSimulator, type OngoingSimulator } from '../../infra/simulators/ongoing';

/** The simulator hooks the benchmark uses: Ongoing on a clock of the caller's, BaseLinker with a slow method. */

describe('Ongoing simulator on a clock of its own', () => {
  let sim: OngoingSimulator;
  let simulatedNow = Date.parse('2030-01-01T12:00:00Z');
  beforeAll(async () => {
    sim = await startOngoingSimulator(demoSimulatorOptions({ now: () => simulatedNow }));
  });
  afterAll(() => sim.close());

  it('stamps stock changes with its clock and answers stockInfoChangedFrom against it', async () => {
    const client = new OngoingClient(demoClientSettings(sim.baseUrl));
    await client.putArticle({ articleNumber: 'CLOCK-1', articleName: 'Clock one' });
    await client.putArticle({ articleNumber: 'CLOCK-2', articleName: 'Clock two' });
    simulatedNow += 3_600_000;
    const changed = sim.setStock(DEMO_GOODS_OWNER.id, 'CLOCK-2', 5);
    expect(changed.stockChangedAt.getTime()).toBe(simulatedNow);

    const since = await client.getArticlesPage({ stockInfoChangedFrom: new Date(simulatedNow - 60_000) });
    expect(since.map((a) => a.articleNumber)).toEqual(['CLOCK-2']);
    // Twenty-five simulated hours back is refused even though it is years ahead of the real clock.
    await expect(client.getArticlesPage({ stockInfoChangedFrom: new Date(simulatedNow - 25 * 3_600_000) })).rejects.toThrow(/24 hours/);
  });
});

describe('BaseLinker simulator with a slow method', () => {
  let sim: BaseLinkerSimulator;
  beforeAll(async () => {
    sim = await startBaseLinkerSimulator({ methodLatencyMs: { getOrderStatusList: 400 } });
  });
  afterAll(() => sim.close());

  it('holds only that method back: a later call to another method is answered first', async () => {
    const client = new BaseLinkerClient({ url: sim.url, token: DEFAULT_SIM_TOKEN, budget: new InMemoryBudget({ requestsPerMinute: 1000, burst: 1000 }) });
    const order: string[] = [];
    const slow = client.getOrderStatusList().then(() => order.push('getOrderStatusList'));
    await new Promise((r) => setTimeout(r, 20));
    const fast = client.getInventories().then(() => order.push('getInventories'));
    await Promise.all([slow, fast]);
    expect(order).toEqual(['getInventories', 'getOrderStatusList']);
    expect(sim.config.methodLatencyMs).toEqual({ getOrderStatusList: 400 });
  });
});
