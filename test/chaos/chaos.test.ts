import { ChaosSeed, type SeedFigures } from './harness';
import { chaosSeeds, rngFor } from './prng';

/**
 * The chaos suite: seeded random runs of sync cycles and Send presses against both simulators with faults
 * injected at random (see harness.ts), then invariants checked against the simulators' state. `npm test`
 * runs CHAOS_SEEDS (default 3) seeds; `npm run test:chaos` runs 50; CHAOS_SEED=<n> replays one seed.
 */

const SEEDS = chaosSeeds(process.env, 3);
const done: SeedFigures[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(() => process.on('unhandledRejection', onUnhandled));

afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
  const faults: Record<string, number> = {};
  for (const f of done) for (const [k, n] of Object.entries(f.faults)) faults[k] = (faults[k] ?? 0) + n;
  const sum = (key: 'cycles' | 'flowRuns' | 'sends' | 'losses' | 'duplicates' | 'blocks') => done.reduce((s, f) => s + f[key], 0);
  const faultList = Object.entries(faults)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  const total = Object.entries(faults).reduce((s, [, n]) => s + n, 0);
  const peak = Math.max(0, ...done.map((f) => f.peakWindow));
  console.log(
    `chaos: seeds ${done.length}, cycles ${sum('cycles')} (flow runs ${sum('flowRuns')}, Send presses ${sum('sends')}), ` +
      `faults injected ${total} (${faultList}), losses ${sum('losses')}, duplicates ${sum('duplicates')}, blocks ${sum('blocks')}, ` +
      `peak BaseLinker requests per second ${peak} (limit 50)`,
  );
});

describe('chaos: faults, crashes and concurrency never lose or duplicate an order, a package or an article', () => {
  it.each(SEEDS)('seed %i: after a final clean pass every invariant holds and the token was never blocked', async (seed) => {
    const rng = rngFor(seed);
    const run = new ChaosSeed(seed, rng);
    let cycles = 0;
    try {
      await run.start();
      cycles = rng.int(8, 12);
      for (let i = 0; i < cycles; i++) await run.cycle();
      await run.finalPass();
      await run.check();
    } finally {
      await run.close();
      done.push(run.figures);
    }
    if (unhandled.length) run.figures.problems.push(`unhandled rejections: ${unhandled.map(String).join('; ')}`);
    const replay = `replay with CHAOS_SEED=${seed} npx jest test/chaos`;
    expect({ seed, replay, problems: run.figures.problems }).toEqual({ seed, replay, problems: [] });
    expect(run.figures.cycles).toBe(cycles);
  });
});


describe('chaos: the invariant check itself', () => {
  it('reports an order lost on the way, a second package and a blocked token', async () => {
    const run = new ChaosSeed(0, rngFor(0));
    let lost = 0;
    let doubled = 0;
    try {
      await run.start();
      lost = run.addOrder(true);
      doubled = run.addOrder(true);
      run.world.bl.addPackage({ order_id: doubled, courier_code: 'dpd', account_id: 61 });
      run.world.bl.addPackage({ order_id: doubled, courier_code: 'dpd', account_id: 61 });
      run.world.bl.blockedCount = 1;
      await run.check();
    } finally {
      await run.close();
    }
    expect(run.figures).toMatchObject({ losses: 2, duplicates: 1, blocks: 1 });
    expect(run.figures.problems).toEqual(
      expect.arrayContaining([expect.stringMatching(new RegExp(`order ${lost} is in chosen status \\d+ but not in Ongoing`)), `order ${doubled} has 2 packages`]),
    );
  });
});
