import { BaseLinkerClient } from '../../shared/baselinker/client';
import { InMemoryBudget } from '../../shared/baselinker/budget';
import { articlesFlow, ARTICLES_CHECKPOINT, type ArticlesCheckpoint } from '../../shared/flows/articles';
import type { TenantRunReport } from '../../shared/flows/runner';
import { DEFAULT_SIM_TOKEN } from '../../infra/simulators/baselinker';
import { DEMO_GOODS_OWNER } from '../../infra/simulators/ongoing';
import { describeOnEachState, savedCheckpoint, startWorld, type World } from '../support/world';

// Each test drives a few thousand state writes through several runs: on DynamoDB Local over a minute on a busy
// 2-core machine, in memory a few seconds.
jest.setTimeout(240_000);

/**
 * A first sync too big for one run, cut into several runs, on a simulated clock: every BaseLinker call
 * costs 150 ms and every Ongoing write 100 ms (real time does not count, so the cuts are deterministic).
 * A small data chunk (100) keeps the catalog small while still crossing a list page (1000 products).
 */

const INVENTORY = 1;
const CHUNK = 100;
const BL_MS = 150;
const WRITE_MS = 100;
/** Room for three chunks of ~12 s and not four. */
const RUN_BUDGET_MS = 45_000;

interface Catalog {
  mainProducts: number;
  skus: string[];
  /** Main product ids in id order. */
  ids: number[];
}

/** Every tenth product has three variants (the variants are the articles, their parent is not). */
function seed(world: World, mainProducts: number): Catalog {
  world.bl.addInventory({ inventory_id: INVENTORY });
  const skus: string[] = [];
  const ids: number[] = [];
  for (let i = 0; i < mainProducts; i++) {
    const p = world.bl.addProduct(INVENTORY, { name: `Product ${i}`, sku: `P${i}` });
    ids.push(p.id);
    if (i % 10 === 0) {
      for (let v = 0; v < 3; v++) skus.push(world.bl.addVariant(p.id, { name: `v${v}`, sku: `P${i}-V${v}` }).sku);
    } else {
      skus.push(`P${i}`);
    }
  }
  return { mainProducts, skus, ids };
}

/** One pass in one run: ceil(N/1000) list pages (+1 empty page when N is a multiple of 1000) + data chunks. */
function minimumCalls(mainProducts: number): { list: number; data: number } {
  return { list: Math.floor(mainProducts / 1000) + 1, data: Math.ceil(mainProducts / CHUNK) };
}

class ScheduledRuns {
  /** Simulated ms added by the slow Ongoing on top of the per-request cost. */
  extraMs = 0;
  readonly reports: TenantRunReport[] = [];
  private readonly start = Date.now();

  constructor(private readonly world: World) {}

  now = (): number =>
    this.start + this.world.bl.calls() * BL_MS + this.world.ongoing.calls('PUT /articles') * WRITE_MS + this.extraMs;

  async run(): Promise<TenantRunReport> {
    const client = new BaseLinkerClient({
      url: this.world.bl.url,
      token: DEFAULT_SIM_TOKEN,
      budget: new InMemoryBudget({ requestsPerMinute: 1_000_000, burst: 1_000_000 }),
      productsDataChunk: CHUNK,
    });
    const report = await this.world.run('articles', articlesFlow, {
      deadline: this.now() + RUN_BUDGET_MS,
      now: this.now,
      services: () => ({ ...this.world.services(), baselinker: client }),
    });
    this.reports.push(report);
    if (report.outcome === 'failed') throw new Error(`articles run failed: ${report.error}`);
    return report;
  }

  async untilComplete(maxRuns = 20): Promise<void> {
    for (let i = 0; i < maxRuns; i++) if ((await this.run()).result?.complete) return;
    throw new Error(`not complete after ${maxRuns} runs`);
  }
}

function ongoingArticleNumbers(world: World): string[] {
  return [...world.ongoing.state.articles.values()].filter((a) => a.goodsOwnerId === DEMO_GOODS_OWNER.id).map((a) => a.articleNumber);
}

function expectEachWrittenOnce(world: World, skus: string[]): void {
  const numbers = ongoingArticleNumbers(world);
  expect(world.ongoing.calls('PUT /articles')).toBe(skus.length);
  expect(new Set(numbers).size).toBe(numbers.length);
  expect([...numbers].sort()).toEqual([...skus].sort());
}

describeOnEachState('a first sync resumed over several runs', (adapter) => {
  let world: World;
  afterEach(() => world?.close());

  it('makes exactly the one-run minimum of BaseLinker calls and writes each article once', async () => {
    world = await startWorld({ state: adapter });
    const catalog = seed(world, 1_500);
    const runs = new ScheduledRuns(world);

    const first = await runs.run();
    // Stopped cleanly before a chunk it could not finish: every product it read was handled.
    expect(first).toMatchObject({ outcome: 'partial', result: { complete: false, counts: expect.objectContaining({ stoppedBeforeChunk: 1 }) } });
    const checkpoint = await savedCheckpoint<ArticlesCheckpoint>(world, ARTICLES_CHECKPOINT);
    const handled = catalog.ids.indexOf(checkpoint!.lastProductId) + 1;
    expect(handled % CHUNK).toBe(0);
    // The rest of page 1, listed but not handled, rides in the checkpoint; the next page to list is 2.
    expect(checkpoint).toMatchObject({ page: 1, nextPage: 2, listEnded: false, pending: [{ page: 1, ids: catalog.ids.slice(handled, 1000) }] });

    await runs.untilComplete();

    const min = minimumCalls(catalog.mainProducts);
    expect(runs.reports.length).toBeGreaterThanOrEqual(3);
    expect(world.bl.calls('getInventoryProductsList')).toBe(min.list);
    expect(world.bl.calls('getInventoryProductsData')).toBe(min.data);
    expect(world.bl.calls()).toBe(min.list + min.data);
    expectEachWrittenOnce(world, catalog.skus);
    expect(runs.reports.slice(1).every((r) => r.result?.counts?.resumed === 1)).toBe(true);
    expect(await savedCheckpoint(world, ARTICLES_CHECKPOINT)).toBeUndefined();
  });

  it('keeps the minimum when the catalog ends exactly on a full list page, reading the empty page once', async () => {
    world = await startWorld({ state: adapter });
    const catalog = seed(world, 1_000);
    const runs = new ScheduledRuns(world);

    await runs.untilComplete();

    expect(runs.reports.length).toBeGreaterThanOrEqual(3);
    expect(world.bl.calls('getInventoryProductsList')).toBe(2);
    expect(world.bl.calls('getInventoryProductsData')).toBe(10);
    expectEachWrittenOnce(world, catalog.skus);
  });

  it('reads one data chunk again, and nothing else, when a slow Ongoing cuts a chunk at the deadline', async () => {
    world = await startWorld({ state: adapter });
    const catalog = seed(world, 1_200);
    const runs = new ScheduledRuns(world);

    // Ongoing stalls for 40 s on the 250th write of the first run: the run is cut in the middle of a chunk.
    const stall = runs.now;
    let stalled = false;
    runs.now = () => {
      if (!stalled && world.ongoing.calls('PUT /articles') >= 250) {
        stalled = true;
        runs.extraMs += 40_000;
      }
      return stall();
    };
    const cut = await runs.run();
    expect(cut.result).toMatchObject({ complete: false });
    expect(cut.result!.counts?.stoppedBeforeChunk).toBeUndefined();

    await runs.untilComplete();

    const min = minimumCalls(catalog.mainProducts);
    expect(world.bl.calls('getInventoryProductsList')).toBe(min.list);
    expect(world.bl.calls('getInventoryProductsData')).toBe(min.data + 1);
    expectEachWrittenOnce(world, catalog.skus);
  });

  it('lists a page again when products were deleted between runs, so the products shifted onto it are not skipped', async () => {
    world = await startWorld({ state: adapter });
    const catalog = seed(world, 1_500);
    const runs = new ScheduledRuns(world);

    await runs.run();
    const checkpoint = await savedCheckpoint<ArticlesCheckpoint>(world, ARTICLES_CHECKPOINT);
    const pending = checkpoint!.pending![0].ids;
    expect(checkpoint!.nextPage).toBe(2);
    // Two products not handled yet and one already handled are deleted: the first three products of page 2
    // now sit at the end of page 1, which the resumed run had no reason to list again.
    const deletedPending = [pending[3], pending[4]];
    const deleted = new Set([...deletedPending, catalog.ids[5]]);
    for (const p of [...world.bl.state.products.values()]) if (deleted.has(p.id) || deleted.has(p.parent_id)) world.bl.state.products.delete(p.id);
    const writtenBefore = world.ongoing.calls('PUT /articles');

    await runs.untilComplete();

    // Every article whose product still exists (or was handled before it was deleted) is in Ongoing, once.
    const productOf = (sku: string) => catalog.ids[Number(/^P(\d+)/.exec(sku)![1])];
    const expected = catalog.skus.filter((sku) => !deletedPending.includes(productOf(sku)));
    expect(expected.length).toBeLessThan(catalog.skus.length);
    expect(ongoingArticleNumbers(world).sort()).toEqual(expected.sort());
    const handledFirst = catalog.ids.indexOf(checkpoint!.lastProductId) + 1;
    const unhandled = catalog.ids.slice(handledFirst).filter((id) => !deleted.has(id));
    expect(world.ongoing.calls('PUT /articles') - writtenBefore).toBe(expected.filter((sku) => unhandled.includes(productOf(sku))).length);
    // One list call more than the minimum: page 1 again, once the deletion showed in a data call.
    expect(world.bl.calls('getInventoryProductsList')).toBe(minimumCalls(catalog.mainProducts).list + 1);
  });
});
