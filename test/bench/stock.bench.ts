import { ORDERS_PAGE_SIZE, PRODUCTS_PAGE_SIZE, STOCK_UPDATE_MAX } from '../../shared/baselinker/client';
import { runUntilComplete, seedCatalog } from './articles.bench';
import { startBenchWorld, type BenchSettings, type RunExecutor } from './harness.bench';

export interface StockStep {
  label: string;
  changed: number;
  /** Levels changed in BaseLinker by something else before the run (the drift the full sweep corrects). */
  handEdits: number;
  fullSweep: boolean;
  blCalls: number;
  blByMethod: Record<string, number>;
  minimumBlCalls: number;
  /** 1 when both are 0. */
  ratio: number;
  /** The drift check: getInventoryProductsStock pages read, against one per 1000 main products. */
  stockPages: number;
  minimumStockPages: number;
  stockPagesRatio: number;
  levelsWritten: number;
  corrected: number;
  ongoingRequests: number;
  simSeconds: number;
}

export interface StockResult {
  articles: number;
  mainProducts: number;
  /** Orders BaseLinker took stock for that are not in Ongoing: their units stay off every level pushed. */
  ordersHoldingStock: number;
  initial: StockStep;
  steps: StockStep[];
}

/** A page per 1000 main products; no total count, so an exact multiple costs one empty page more. */
export function stockPagesMinimum(mainProducts: number): number {
  return Math.floor(mainProducts / PRODUCTS_PAGE_SIZE) + 1;
}

/**
 * The fewest BaseLinker calls a run can make: the stock writes, the orders holding stock (a page of 100 per
 * holding status, whenever the run reads any level: without them no level is known), and in a full sweep
 * BaseLinker's stock to compare with.
 */
export function stockMinimumCalls(written: number, levelsRead: number, orderPages: number, full: boolean, mainProducts: number): number {
  return Math.ceil(written / STOCK_UPDATE_MAX) + (levelsRead > 0 ? orderPages : 0) + (full ? stockPagesMinimum(mainProducts) : 0);
}

const ORDERS = 30;
const ratio = (calls: number, minimum: number) => (minimum === 0 ? (calls === 0 ? 1 : Infinity) : calls / minimum);

/**
 * A synced catalog of `articles` (the articles flow ran first), stock on every article in Ongoing, 30
 * confirmed orders BaseLinker took stock for and Ongoing has not got, a first stock run (full sweep), then
 * runs after 0 / 100 / 5000 levels changed in Ongoing, and a day later the scheduled full sweep after 1 %
 * of the levels were changed by hand in BaseLinker.
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

    const bySku = new Map([...world.bl.state.products.values()].map((p) => [p.sku, p]));
    const status = tenant.baselinker.orderStatusIds[0]!;
    for (let i = 0; i < ORDERS; i++) {
      const p = bySku.get(catalog.skus[(i * 13) % catalog.skus.length]!)!;
      world.bl.addOrder({ order_status_id: status, products: [{ product_id: String(p.parent_id || p.id), variant_id: p.parent_id ? String(p.id) : '0', sku: p.sku, quantity: 1 + (i % 3) }] });
    }
    const holdingStatuses = new Set([...tenant.baselinker.orderStatusIds, ...tenant.stock.reservedStatusIds]).size;
    const orderPages = holdingStatuses * (Math.floor(ORDERS / ORDERS_PAGE_SIZE) + 1);

    let round = 0;
    const step = async (label: string, changed: number, options: { handEdits?: number; dayLater?: boolean } = {}): Promise<StockStep> => {
      round++;
      world.timeline.advance((options.dayLater ? 24 * 60 : interval) * 60_000);
      // Distinct SKUs (7 is prime to the catalog sizes used), each a level it has not had before.
      for (let i = 0; i < changed; i++) world.ongoing.setStock(goodsOwner, catalog.skus[(i * 7) % catalog.skus.length]!, 100 * round + (i % 50));
      const handEdits = options.handEdits ?? 0;
      for (let i = 0; i < handEdits; i++) bySku.get(catalog.skus[(i * 11 + 3) % catalog.skus.length]!)!.stock[world.warehouseKey] = 9999;
      world.timeline.advance(1000);
      const runs = await runUntilComplete(stockWorld, exec, settings, 'stock', interval);
      const results = runs.outcomes.map((o) => o.report.result);
      const levelsWritten = results.reduce((n, r) => n + (r?.written ?? 0), 0);
      const levelsRead = results.reduce((n, r) => n + (r?.seen ?? 0), 0);
      const full = results.some((r) => r?.counts?.fullSweep === 1);
      const stockPages = runs.blByMethod.getInventoryProductsStock ?? 0;
      const minimumStockPages = full ? stockPagesMinimum(catalog.mainProducts) : 0;
      const minimum = stockMinimumCalls(levelsWritten, levelsRead, orderPages, full, catalog.mainProducts);
      return {
        label,
        changed,
        handEdits,
        fullSweep: full,
        blCalls: runs.blCalls,
        blByMethod: runs.blByMethod,
        minimumBlCalls: minimum,
        ratio: ratio(runs.blCalls, minimum),
        stockPages,
        minimumStockPages,
        stockPagesRatio: ratio(stockPages, minimumStockPages),
        levelsWritten,
        corrected: results.reduce((n, r) => n + (r?.counts?.corrected ?? 0), 0),
        ongoingRequests: runs.outcomes.reduce((n, o) => n + o.ongoingRequests, 0),
        simSeconds: runs.simMs / 1000,
      };
    };
    const initial = await step('first run', catalog.articles);
    const steps: StockStep[] = [];
    for (const changed of changes) steps.push(await step(`${changed} changed`, changed));
    const edits = Math.max(1, Math.round(catalog.articles / 100));
    steps.push(await step(`a day later, ${edits} edited in BaseLinker`, 0, { handEdits: edits, dayLater: true }));
    return { articles: catalog.articles, mainProducts: catalog.mainProducts, ordersHoldingStock: ORDERS, initial, steps };
  } finally {
    await world.close();
  }
}
