import { PRODUCTS_PAGE_SIZE } from '../../shared/baselinker/client';
import type { FlowName } from '../../shared/flows/catalogue';
import { runBudgetMs, startBenchWorld, type BenchSettings, type BenchWorld, type RunExecutor, type RunOutcome } from './harness.bench';

/** The client's default getInventoryProductsData chunk (shared/baselinker/client.ts). */
export const DATA_CHUNK = 500;
const MAX_RUNS = 60;

export interface Catalog {
  mainProducts: number;
  articles: number;
  /** SKU -> BaseLinker id (product or variant). */
  skus: string[];
}

/**
 * A catalog of `articles` sellable items: half simple products, half variants in groups of five (a variant
 * is the article, its parent is not). Realistic fields so mapping does real work.
 */
export function seedCatalog(world: BenchWorld, articles: number): Catalog {
  const { bl } = world;
  const inventoryId = world.tenant.baselinker.inventoryId;
  if (inventoryId === undefined) throw new Error('the bench tenant names its inventory');
  const skus: string[] = [];
  let main = 0;
  const simple = Math.ceil(articles / 2);
  for (let i = 0; i < simple; i++, main++) {
    const sku = `S-${String(i).padStart(6, '0')}`;
    bl.addProduct(inventoryId, {
      sku,
      ean: String(5_900_000_000_000 + i),
      name: `Produkt ${i} – kubek ceramiczny`,
      text_fields: { description: `Opis produktu ${i}: ręcznie malowany, 350 ml.` },
      prices: { '7': 10 + (i % 90) },
      weight: 0.35,
      height: 10,
      width: 9,
      length: 12,
    });
    skus.push(sku);
  }
  for (let p = 0; skus.length < articles; p++, main++) {
    const parent = bl.addProduct(inventoryId, {
      sku: `V-${String(p).padStart(6, '0')}`,
      name: `Koszulka ${p}`,
      text_fields: { description: `Koszulka ${p} z bawełny organicznej.` },
      prices: { '7': 79.99 },
      weight: 0.2,
      height: 2,
      width: 25,
      length: 30,
    });
    for (const size of ['XS', 'S', 'M', 'L', 'XL']) {
      if (skus.length >= articles) break;
      const sku = `V-${String(p).padStart(6, '0')}-${size}`;
      bl.addVariant(parent.id, { sku, ean: '', name: `Koszulka ${p} – ${size}`, prices: { '7': 79.99 } });
      skus.push(sku);
    }
  }
  return { mainProducts: main, articles: skus.length, skus };
}

/** One pass over P main products: list pages (one more when P is a multiple of 1000) plus data chunks. */
export function articlesMinimumCalls(mainProducts: number, chunk = DATA_CHUNK): number {
  return Math.floor(mainProducts / PRODUCTS_PAGE_SIZE) + 1 + Math.ceil(mainProducts / chunk);
}

export interface ScheduledRuns {
  runs: number;
  outcomes: RunOutcome[];
  complete: boolean;
  /** First start to last end, simulated ms. */
  simMs: number;
  blCalls: number;
  blByMethod: Record<string, number>;
  peakRssBytes?: number;
  baselineRssBytes?: number;
}

/** Runs a flow on its schedule (every `intervalMinutes` simulated) until a run completes. */
export async function runUntilComplete(world: BenchWorld, exec: RunExecutor, settings: BenchSettings, flow: FlowName, intervalMinutes: number, maxRuns = MAX_RUNS): Promise<ScheduledRuns> {
  const outcomes: RunOutcome[] = [];
  const firstStart = world.timeline.now();
  let start = firstStart;
  for (let i = 0; i < maxRuns; i++) {
    world.timeline.set(start);
    const outcome = await exec({
      flow,
      tenant: world.tenant,
      runtime: world.runtime,
      startAt: start,
      budgetMs: runBudgetMs(flow, intervalMinutes),
      latency: { blMs: settings.blLatencyMs, ongoingMs: settings.ongoingLatencyMs },
    });
    outcomes.push(outcome);
    world.timeline.set(outcome.simEnd);
    if (outcome.report.outcome === 'failed') throw new Error(`${flow} run failed: ${outcome.report.error}`);
    if (outcome.report.result?.complete) break;
    start = Math.max(outcome.simEnd, start + intervalMinutes * 60_000);
  }
  const blByMethod: Record<string, number> = {};
  for (const o of outcomes) for (const [m, n] of Object.entries(o.blByMethod)) blByMethod[m] = (blByMethod[m] ?? 0) + n;
  const peaks = outcomes.map((o) => o.peakRssBytes).filter((v): v is number => v !== undefined);
  return {
    runs: outcomes.length,
    outcomes,
    complete: outcomes.at(-1)?.report.result?.complete === true,
    simMs: (outcomes.at(-1)?.simEnd ?? firstStart) - firstStart,
    blCalls: Object.values(blByMethod).reduce((a, b) => a + b, 0),
    blByMethod,
    peakRssBytes: peaks.length ? Math.max(...peaks) : undefined,
    baselineRssBytes: outcomes.find((o) => o.baselineRssBytes !== undefined)?.baselineRssBytes,
  };
}

export interface ArticlesPhase {
  runs: number;
  complete: boolean;
  blCalls: number;
  blByMethod: Record<string, number>;
  minimumBlCalls: number;
  ratio: number;
  ongoingWrites: number;
  blStockWrites: number;
  simMinutes: number;
  realSeconds: number;
  peakRssMB?: number;
  baselineRssMB?: number;
}

export interface ArticlesResult {
  variants: number;
  mainProducts: number;
  budgetMinutes: number;
  first: ArticlesPhase & { articlesInOngoing: number; writtenExactlyOnce: boolean };
  resync: ArticlesPhase;
}

const MB = 1024 * 1024;

function phase(world: BenchWorld, runs: ScheduledRuns, minimum: number, writesBefore: number, realMs: number): ArticlesPhase {
  return {
    runs: runs.runs,
    complete: runs.complete,
    blCalls: runs.blCalls,
    blByMethod: runs.blByMethod,
    minimumBlCalls: minimum,
    ratio: runs.blCalls / minimum,
    ongoingWrites: world.ongoing.calls('PUT /articles') - writesBefore,
    blStockWrites: runs.blByMethod.updateInventoryProductsStock ?? 0,
    simMinutes: runs.simMs / 60_000,
    realSeconds: realMs / 1000,
    peakRssMB: runs.peakRssBytes !== undefined ? runs.peakRssBytes / MB : undefined,
    baselineRssMB: runs.baselineRssBytes !== undefined ? runs.baselineRssBytes / MB : undefined,
  };
}

/** First sync of a catalog (as many scheduled runs as it takes), then an unchanged re-sync. */
export async function articlesScenario(exec: RunExecutor, settings: BenchSettings, variants: number): Promise<ArticlesResult> {
  const world = await startBenchWorld({ tenant: { articles: { enabled: true } } });
  try {
    const catalog = seedCatalog(world, variants);
    const minimum = articlesMinimumCalls(catalog.mainProducts);
    const interval = world.tenant.schedules.articlesMinutes;

    let t0 = Date.now();
    const first = await runUntilComplete(world, exec, settings, 'articles', interval);
    const firstPhase = phase(world, first, minimum, 0, Date.now() - t0);
    const inOngoing = [...world.ongoing.state.articles.values()].filter((a) => a.goodsOwnerId === world.tenant.ongoing.goodsOwnerId);
    const numbers = new Set(inOngoing.map((a) => a.articleNumber));
    const writtenExactlyOnce = firstPhase.ongoingWrites === catalog.articles && numbers.size === catalog.articles && catalog.skus.every((s) => numbers.has(s));

    const writesBefore = world.ongoing.calls('PUT /articles');
    world.timeline.advance(interval * 60_000);
    t0 = Date.now();
    const resync = await runUntilComplete(world, exec, settings, 'articles', interval);
    return {
      variants: catalog.articles,
      mainProducts: catalog.mainProducts,
      budgetMinutes: Math.round(runBudgetMs('articles', interval) / 6_000) / 10,
      first: { ...firstPhase, articlesInOngoing: numbers.size, writtenExactlyOnce },
      resync: phase(world, resync, minimum, writesBefore, Date.now() - t0),
    };
  } finally {
    await world.close();
  }
}
