import { STOCK_UPDATE_MAX } from '../../shared/baselinker/client';
import { runUntilComplete, seedCatalog } from './articles.bench';
import { startBenchWorld, type BenchSettings, type RunExecutor } from './harness.bench';

export interface StockStep {
  changed: number;
  blCalls: number;
  blByMethod: Record<string, number>;
  minimumBlCalls: number;
  /** 1 when both are 0. */
  ratio: number;
  levelsWritten: number;
  ongoingRequests: number;
  simSeconds: number;
}

export interface StockResult {
  articles: number;
  initial: StockStep;
  steps: StockStep[];
}

export function stockMinimumCalls(changed: number): number {
  return Math.ceil(changed / STOCK_UPDATE_MAX);
}

/**
 * A synced catalog of `articles` (the articles flow ran first), stock on every article in Ongoing, a first
 * stock run (full sweep: every level goes out), then runs after 0 / 100 / 5000 levels changed in Ongoing.
 */
export async function stockScenario(exec: RunExecutor, settings: BenchSettings, articles: number, changes: number[]): Promise<StockResult> {
  const world = await startBenchWorld({ tenant: { articles: { enabled: true } } });
  try {
    const catalog = seedCatalog(world, articles);
    await runUntilComplete(world, exec, settings, 'articles', world.tenant.schedules.articlesMinutes);
    const goodsOwner = world.tenant.ongoing.goodsOwnerId;
    catalog.skus.forEach((sku, i) => world.ongoing.setStock(goodsOwner, sku, 10 + (i % 50)));
    const tenant = { ...world.tenant, stock: { ...world.tenant.stock, enabled: true, warehouseKey: world.warehouseKey } };
    const stockWorld = { ...world, tenant };
    const interval = tenant.schedules.stockMinutes;

    let round = 0;
    const step = async (changed: number): Promise<StockStep> => {
      round++;
      world.timeline.advance(interval * 60_000);
      // Distinct SKUs (7 is prime to the catalog sizes used), each a level it has not had before.
      for (let i = 0; i < changed; i++) world.ongoing.setStock(goodsOwner, catalog.skus[(i * 7) % catalog.skus.length]!, 100 * round + (i % 50));
      world.timeline.advance(1000);
      const runs = await runUntilComplete(stockWorld, exec, settings, 'stock', interval);
      const minimum = stockMinimumCalls(changed);
      return {
        changed,
        blCalls: runs.blCalls,
        blByMethod: runs.blByMethod,
        minimumBlCalls: minimum,
        ratio: minimum === 0 ? (runs.blCalls === 0 ? 1 : Infinity) : runs.blCalls / minimum,
        levelsWritten: runs.outcomes.reduce((n, o) => n + (o.report.result?.written ?? 0), 0),
        ongoingRequests: runs.outcomes.reduce((n, o) => n + o.ongoingRequests, 0),
        simSeconds: runs.simMs / 1000,
      };
    };
    const initial = await step(catalog.articles);
    const steps: StockStep[] = [];
    for (const changed of changes) steps.push(await step(changed));
    return { articles: catalog.articles, initial, steps };
  } finally {
    await world.close();
  }
}
