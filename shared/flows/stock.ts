import { STOCK_UPDATE_MAX, type StockUpdate } from '../baselinker/client';
import type { ArticleQuery } from '../ongoing/client';
import * as z from '../util/zod';
import type { NeedsOf } from './catalogue';
import { emptyResult, type Flow, type FlowContext, type FlowResult } from './context';
import { unlessUnreadable, type SetAsideItem, type StockRecord, type StockRecordInput } from './ports';
import { unitsOnOrdersNotInOngoing } from './stock-orders';

/**
 * Stock levels: Ongoing -> BaseLinker, off unless the tenant turns it on (then nothing is called at all).
 *
 * Level = Ongoing's `sellableNumberOfItems` (what a shop should show; it can be negative, ongoing-api §5.1)
 * minus the units on BaseLinker orders that BaseLinker has taken off its stock and Ongoing has not booked yet
 * (stock-orders.ts), minus the tenant's safety buffer, floored at 0. It goes to the BaseLinker product or
 * variant the articles flow recorded for the SKU (or found by SKU in the catalog) in the configured `bl_`
 * warehouse, in calls of at most 1000 products. The orders are read after Ongoing, right before the push,
 * so the window in which a new order can slip between the two reads stays a few seconds wide.
 *
 * What is pushed: in a delta run, the levels that differ from the last one pushed. In a full sweep, the
 * levels that differ from BaseLinker's actual stock (`getInventoryProductsStock`, a page per 1000 main
 * products), so a level changed in BaseLinker by hand or by another tool is put back ("corrected").
 *
 * Reads: `stockInfoChangedFrom` (Ongoing takes it only within the last 24 h) when the last read is under
 * 23 h old, from a little before that read; otherwise, and once a day, a full sweep. The read cursor moves
 * only when every change of the run went out, so a run stopped at its deadline is read again next time.
 *
 * A product BaseLinker answers with a warning is set aside (kind 'stock', with the warning) and not recorded
 * as pushed; the next run reads that article again and retries it.
 */

export const STOCK_CURSOR = 'stock';

export interface StockCursor {
  /** When the last complete run started reading Ongoing. */
  lastReadAt: string;
  /** When the last complete full sweep started. */
  lastFullAt: string;
}

const stockCursorSchema: z.ZodMiniType<StockCursor> = z.looseObject({ lastReadAt: z.string(), lastFullAt: z.string() });

type StockContext = FlowContext<NeedsOf<'stock'>>;

/** Ongoing refuses a stockInfoChangedFrom older than 24 h: past this age of the last read, sweep in full. */
export const DELTA_MAX_AGE_MS = 23 * 3600_000;
/** The delta starts this long before the last read: clocks differ, and a stock change may land late. */
export const DELTA_OVERLAP_MS = 10 * 60_000;
/** A full sweep at least this often: it catches articles the delta cannot see (e.g. matched only now). */
export const FULL_SWEEP_EVERY_MS = 24 * 3600_000;
/** Up to this many unknown SKUs are looked up one by one; more, and one walk of the catalog list is cheaper. */
export const SKU_LOOKUPS_ONE_BY_ONE = 20;

/**
 * The recorded level while a push is under way: BaseLinker's level is unknown until the answer is recorded. A run
 * that dies between BaseLinker's write and its record leaves this behind, so the next run pushes the level again
 * even when Ongoing has gone back to the last level recorded (it would otherwise look unchanged, and the write
 * nobody recorded would stay in BaseLinker until the next full sweep).
 */
export const LEVEL_IN_DOUBT = -1;

/**
 * The level BaseLinker gets for an Ongoing sellable count, less the units on orders BaseLinker took off its
 * stock that Ongoing has not booked yet.
 */
export function stockLevel(sellable: number | null | undefined, safetyBuffer: number, onOrders = 0): number {
  const n = Math.floor(Number(sellable ?? 0)) - Math.max(0, onOrders);
  if (!Number.isFinite(n) || n <= 0) return 0;
  return Math.max(0, n - Math.max(0, safetyBuffer));
}

interface Change {
  sku: string;
  blId: string;
  level: number;
}

interface Matched {
  sku: string;
  blId: string;
  sellable: number;
  /** The last level pushed for this SKU. */
  last?: StockRecord;
}

export interface StockFlowOptions {
  /** Sweep in full whatever the cursor says (`npm run sync -- stock --full`). */
  full?: boolean;
}

export function createStockFlow(options: StockFlowOptions = {}): Flow<NeedsOf<'stock'>> {
  return async (ctx) => {
    if (!ctx.tenant.stock.enabled) return { ...emptyResult(), message: 'stock sync is off for this tenant' };
    const { inventoryId } = ctx.tenant.baselinker;
    if (inventoryId === undefined) return { ...emptyResult(), message: 'no BaseLinker inventory chosen (baselinker.inventoryId): no catalog to push stock to for this tenant' };
    return new StockRun(ctx, inventoryId, options).run();
  };
}

export const stockFlow = createStockFlow();

class StockRun {
  private readonly result: FlowResult;
  private readonly counts: Record<string, number> = { unchanged: 0, warned: 0, unmatched: 0, cleared: 0, fullSweep: 0 };
  private open = new Map<string, SetAsideItem>();

  constructor(
    private readonly ctx: StockContext,
    private readonly inventoryId: number,
    private readonly options: StockFlowOptions = {},
  ) {
    this.result = ctx.run.tally;
  }

  private get deadlinePassed(): boolean {
    return this.ctx.run.deadline.passed();
  }

  /** Where the last complete run stood; one that cannot be read means a full sweep. */
  private savedCursor(): Promise<StockCursor | undefined> {
    return unlessUnreadable(this.ctx.cursors.read(STOCK_CURSOR, stockCursorSchema), (err) =>
      this.ctx.log.warn('sweeping every level: the saved stock cursor cannot be read', { problem: err.problem }),
    );
  }

  async run(): Promise<FlowResult> {
    const { cursors, tenant } = this.ctx;
    const warehouseKey = tenant.stock.warehouseKey;
    // The settings schema already refuses this; a clear stop beats writing to no warehouse.
    if (!warehouseKey) throw new Error('stock.warehouseKey is required when stock sync is on');

    const readStartedAt = this.ctx.now();
    const cursor = await this.savedCursor();
    const full =
      this.options.full === true ||
      !cursor ||
      readStartedAt - Date.parse(cursor.lastReadAt) >= DELTA_MAX_AGE_MS ||
      readStartedAt - Date.parse(cursor.lastFullAt) >= FULL_SWEEP_EVERY_MS;
    if (full) this.counts.fullSweep = 1;
    this.open = await this.ctx.run.setAside.index('stock');

    const sellable = await this.readSellable(full ? {} : { stockInfoChangedFrom: new Date(Date.parse(cursor!.lastReadAt) - DELTA_OVERLAP_MS) }, full);
    this.result.seen = sellable.size;

    const matched = await this.match(sellable);
    let stopped = matched === undefined;
    let changes: Change[] = [];
    if (matched && matched.length > 0) {
      const outcome = await this.changesFor(matched, full, warehouseKey);
      if (outcome === undefined) stopped = true;
      else changes = outcome;
    }

    if (!stopped) stopped = !(await this.push(changes, warehouseKey));
    if (!stopped) {
      const at = new Date(readStartedAt).toISOString();
      await cursors.write(STOCK_CURSOR, { lastReadAt: at, lastFullAt: full ? at : cursor!.lastFullAt } satisfies StockCursor);
    }
    return {
      ...this.result,
      complete: !stopped,
      counts: this.counts,
      message: stopped
        ? 'stopped at its deadline; the next run reads these levels again'
        : full
          ? `full sweep: corrected ${this.counts.corrected ?? 0} level(s) in BaseLinker (${this.counts.drifted ?? 0} of them changed there by something else)`
          : undefined,
    };
  }

  /**
   * The BaseLinker product or variant of each SKU: the articles flow's record, the last push's, or a catalog
   * search. Undefined when the deadline stopped it first.
   */
  private async match(sellable: Map<string, number>): Promise<Matched[] | undefined> {
    const [articleRecords, stockRecords] = await Promise.all([this.ctx.articleHashes.all(), this.ctx.stockLevels.all()]);
    const matched: Matched[] = [];
    const unmatched: string[] = [];
    for (const [sku, count] of sellable) {
      const article = articleRecords.get(sku);
      const last = stockRecords.get(sku);
      const blId = article ? String(article.blVariantId ?? article.blProductId) : last ? String(last.blId) : undefined;
      if (blId === undefined) unmatched.push(sku);
      else matched.push({ sku, blId, sellable: count, last });
    }
    if (unmatched.length > 0) {
      if (this.deadlinePassed) return undefined;
      const found = await this.findInCatalog(unmatched);
      for (const sku of unmatched) {
        const match = found.get(sku);
        if (match?.length === 1) matched.push({ sku, blId: match[0], sellable: sellable.get(sku)!, last: stockRecords.get(sku) });
        else await this.setAsideUnmatched(sku, match ?? []);
      }
    }
    return matched;
  }

  /**
   * The levels to push: each SKU's level with the units on orders Ongoing has not booked taken off, compared
   * with the last push (delta) or with BaseLinker's actual stock (full sweep). Undefined when the deadline
   * stopped the reads.
   */
  private async changesFor(matched: Matched[], full: boolean, warehouseKey: string): Promise<Change[] | undefined> {
    const buffer = this.ctx.tenant.stock.safetyBuffer;
    const actual = full ? await this.readBaseLinkerStock(warehouseKey) : undefined;
    if (this.deadlinePassed) return undefined;
    const onOrders = await unitsOnOrdersNotInOngoing(this.ctx, warehouseKey, this.inventoryId);
    if (!onOrders) return undefined;
    this.counts.ordersHoldingStock = onOrders.orders;
    this.counts.unitsOnOrders = [...onOrders.units.values()].reduce((a, b) => a + b, 0);

    const changes: Change[] = [];
    const settled: StockRecordInput[] = [];
    for (const m of matched) {
      const level = stockLevel(m.sellable, buffer, onOrders.units.get(m.blId));
      const last = m.last;
      const sameTarget = last !== undefined && String(last.blId) === m.blId;
      if (actual) {
        const there = actual.get(m.blId);
        if (there === level) {
          this.counts.unchanged++;
          if (!sameTarget || last!.level !== level) settled.push({ sku: m.sku, blId: m.blId, level });
          await this.clear(m.sku);
          continue;
        }
        this.counts.corrected = (this.counts.corrected ?? 0) + 1;
        if (sameTarget && last!.level === level) this.counts.drifted = (this.counts.drifted ?? 0) + 1;
      } else if (sameTarget && last!.level === level) {
        this.counts.unchanged++;
        await this.clear(m.sku);
        continue;
      }
      changes.push({ sku: m.sku, blId: m.blId, level });
    }
    // BaseLinker already shows these levels: remember them as pushed, so the next delta compares right.
    if (settled.length > 0) await this.ctx.stockLevels.putMany(settled);
    return changes;
  }

  /**
   * BaseLinker's stock in `warehouseKey` by product and variant id, a page of 1000 main products at a time
   * (variants come inside their parent). A product that shows no stock in that warehouse is left out: its level
   * is pushed, so BaseLinker holds an explicit figure.
   */
  private async readBaseLinkerStock(warehouseKey: string): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    let pages = 0;
    for await (const page of this.ctx.baselinker.listAllStock(this.inventoryId)) {
      pages++;
      for (const entry of page) {
        const own = entry.stock[warehouseKey];
        if (own !== undefined) out.set(String(entry.id), own);
        for (const [variantId, stock] of Object.entries(entry.variants)) if (stock[warehouseKey] !== undefined) out.set(String(variantId), stock[warehouseKey]!);
      }
    }
    this.counts.stockPages = pages;
    return out;
  }

  /** SKU -> Ongoing's sellable count, from one paged read; in delta mode also the SKUs whose last push BaseLinker warned about. */
  private async readSellable(query: ArticleQuery, full: boolean): Promise<Map<string, number>> {
    const levels = new Map<string, number>();
    const take = async (q: ArticleQuery) => {
      for await (const page of this.ctx.ongoing.listArticlePages(q)) {
        for (const a of page) levels.set(a.articleNumber, Number(a.inventoryInfo.sellableNumberOfItems ?? 0));
      }
    };
    await take(query);
    if (!full) {
      // Their stock may not have changed since, so the delta would not bring them back.
      const retry = [...this.open.values()].filter((i) => i.ids?.problem === 'warning' && i.state !== 'dismissed' && !levels.has(i.sourceId)).map((i) => i.sourceId);
      if (retry.length > 0) await take({ articleNumbers: retry });
    }
    return levels;
  }

  /**
   * BaseLinker ids for SKUs the articles flow has not recorded (articles made in Ongoing by hand, or not yet
   * synced). Exact SKU matches over products and variants; more than one match is reported, not guessed.
   */
  private async findInCatalog(skus: string[]): Promise<Map<string, string[]>> {
    const { baselinker } = this.ctx;
    const { inventoryId } = this;
    const found = new Map<string, string[]>();
    const add = (sku: string, id: number) => {
      const ids = found.get(sku) ?? [];
      if (!ids.includes(String(id))) ids.push(String(id));
      found.set(sku, ids);
    };
    if (skus.length <= SKU_LOOKUPS_ONE_BY_ONE) {
      for (const sku of skus) {
        // filter_sku takes at most 50 characters (baselinker-api §3.3); such a SKU cannot be an Ongoing article of ours.
        if (sku.length > 50) continue;
        const entries = await baselinker.getInventoryProductsList({ inventory_id: inventoryId, filter_sku: sku, include_variants: true });
        for (const e of entries) if (e.sku === sku) add(sku, e.id);
      }
    } else {
      const wanted = new Set(skus);
      for await (const page of baselinker.listAllProducts(inventoryId, { include_variants: true })) {
        for (const e of page) if (wanted.has(e.sku)) add(e.sku, e.id);
      }
    }
    return found;
  }

  /** False when the deadline stopped it before every change went out. */
  private async push(changes: Change[], warehouseKey: string): Promise<boolean> {
    const { baselinker, stockLevels } = this.ctx;
    for (let i = 0; i < changes.length; i += STOCK_UPDATE_MAX) {
      if (this.deadlinePassed) return false;
      const part = changes.slice(i, i + STOCK_UPDATE_MAX);
      const products: StockUpdate = {};
      for (const c of part) products[c.blId] = { [warehouseKey]: c.level };
      await stockLevels.putMany(part.map((c) => ({ sku: c.sku, blId: c.blId, level: LEVEL_IN_DOUBT })));
      const { warnings } = await baselinker.updateInventoryProductsStock(this.inventoryId, products);
      const pushed: Change[] = [];
      for (const c of part) {
        const warning = warnings[c.blId];
        if (warning === undefined) {
          pushed.push(c);
          continue;
        }
        this.counts.warned++;
        await this.setAside(c.sku, `BaseLinker did not take stock level ${c.level} for product ${c.blId} (SKU ${JSON.stringify(c.sku)}) in ${warehouseKey}: ${warning}`, {
          problem: 'warning',
          blId: c.blId,
          level: String(c.level),
        });
      }
      await stockLevels.putMany(pushed);
      this.result.written += pushed.length;
      for (const c of pushed) await this.clear(c.sku);
    }
    return true;
  }

  private async setAsideUnmatched(sku: string, ids: string[]): Promise<void> {
    this.counts.unmatched++;
    const { inventoryId } = this;
    const reason =
      ids.length === 0
        ? `Ongoing article ${JSON.stringify(sku)} has no product or variant with that SKU in BaseLinker inventory ${inventoryId}; its stock is not pushed`
        : `Ongoing article ${JSON.stringify(sku)} matches ${ids.length} BaseLinker products or variants (${ids.join(', ')}); its stock is not pushed until the SKU is unique`;
    await this.setAside(sku, reason, { problem: 'unmatched' });
  }

  private async setAside(sku: string, reason: string, ids: Record<string, string>): Promise<void> {
    await this.ctx.run.setAside.put({ kind: 'stock', sourceId: sku, reason, ids });
    this.result.setAside++;
    this.ctx.log.warn('stock level set aside', { sku, reason });
  }

  private async clear(sku: string): Promise<void> {
    if (!this.open.has(sku)) return;
    await this.ctx.run.setAside.clear('stock', sku);
    this.counts.cleared++;
  }
}
