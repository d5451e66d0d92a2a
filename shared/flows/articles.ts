import { PRODUCTS_PAGE_SIZE, type BaseLinkerClient, type RejectedProduct } from '../baselinker/client';
import type { ProductData } from '../baselinker/schemas';
import {
  describe,
  mapProduct,
  measureProblem,
  sourceOf,
  type ArticleMappingOptions,
  type ArticleSource,
  type MappedArticle,
} from '../mapping/article';
import { OngoingInvalidRequestError, OngoingRefusedError } from '../ongoing/errors';
import * as z from '../util/zod';
import type { NeedsOf } from './catalogue';
import { emptyResult, type Flow, type FlowContext, type FlowResult } from './context';
import { unlessUnreadable, type ArticleRecord, type SetAsideItem } from './ports';

/**
 * Articles: BaseLinker catalog -> Ongoing articles, only what is new or changed.
 *
 * The walk goes list page (1000 main products) -> data chunks (the client's chunk size) -> one PUT per
 * article (Ongoing has no bulk write). Only a list page, one data chunk and the per-SKU hash map are held in
 * memory. Each written article's content hash is kept in state, so an unchanged article costs no write.
 *
 * A big first sync cannot finish in one run. Before each data chunk the run estimates how long the chunk
 * will take (its pace so far this run) and stops cleanly before a chunk that would pass the deadline; the
 * deadline itself stays a hard stop (a slow Ongoing can still cut a chunk). The checkpoint keeps the last
 * product fully handled and the ids already listed but not handled, so the next run reads their data first
 * and lists only the pages after them: a resumed pass costs no BaseLinker call a one-run pass would not
 * make (a chunk cut at the hard stop is read again). The hashes make a product handled half-way harmless:
 * its written variants are skipped on the second visit. A walk that reaches the end clears the
 * checkpoint, so the next run starts a fresh pass.
 *
 * Bad catalog data is set aside (kind 'article', id = BaseLinker variant or product id) and the rest goes
 * on; an item is cleared when its product comes through clean.
 *
 * The hash says what was written, not that it is still there: an article deleted in Ongoing would be skipped
 * forever. So a fresh pass, once a day, lists Ongoing's articles (Ongoing calls only) and marks the record of
 * every one that is gone, which makes the walk write it again.
 */

export const ARTICLES_CHECKPOINT = 'articles';

/** When the articles flow last compared its records with the articles Ongoing has. */
export const ARTICLES_PRESENCE_CURSOR = 'articles-presence';
export interface ArticlesPresenceCursor {
  checkedAt: string;
}
const presenceCursorSchema: z.ZodMiniType<ArticlesPresenceCursor> = z.looseObject({ checkedAt: z.string() });
/** A fresh pass checks that every recorded article is still in Ongoing at least this often. */
export const PRESENCE_CHECK_EVERY_MS = 24 * 3600_000;
/** The hash a record gets when its article is missing in Ongoing: no content has it, so the next visit writes. */
export const MISSING_IN_ONGOING = 'missing-in-ongoing';

/**
 * An article held back because it was set aside as a duplicate of a product further on in the walk:
 * whether the duplicate is gone is known only once the walk has passed that product.
 */
interface DeferredArticle {
  sku: string;
  sourceId: string;
  blProductId: number;
  blVariantId?: number;
  waitForProductId: number;
}

export interface ArticlesCheckpoint {
  /** The list page (1-based, id ASC) that holds lastProductId. */
  page: number;
  /** Every main product up to this id has been handled in the current pass. */
  lastProductId: number;
  passStartedAt: string;
  deferred: DeferredArticle[];
  /**
   * Main products listed in this pass but not handled yet, by list page, in id order: the resumed run reads
   * their data before listing anything. Absent in checkpoints written before it existed: such a resume lists
   * `page` again and skips up to lastProductId.
   */
  pending?: PendingPage[];
  /** The next list page to read (with `pending`). */
  nextPage?: number;
  /** The highest main product id listed in this pass (with `pending`): later pages are read past it. */
  listedUpTo?: number;
  /** The last list page has been read (with `pending`): only the pending products are left. */
  listEnded?: boolean;
}

export interface PendingPage {
  page: number;
  ids: number[];
}

const articlesCheckpointSchema: z.ZodMiniType<ArticlesCheckpoint> = z.looseObject({
  page: z.number(),
  lastProductId: z.number(),
  passStartedAt: z.string(),
  deferred: z.array(
    z.looseObject({ sku: z.string(), sourceId: z.string(), blProductId: z.number(), blVariantId: z.optional(z.number()), waitForProductId: z.number() }),
  ),
  pending: z.optional(z.array(z.looseObject({ page: z.number(), ids: z.array(z.number()) }))),
  nextPage: z.optional(z.number()),
  listedUpTo: z.optional(z.number()),
  listEnded: z.optional(z.boolean()),
});

type ArticlesContext = FlowContext<NeedsOf<'articles'>>;

interface SeenSku {
  source: ArticleSource;
  /** Known from state (an earlier run of this pass), not seen in this run: check before calling it a duplicate. */
  tentative: boolean;
  /** Already set aside as a duplicate. */
  duplicate?: boolean;
}

export const articlesFlow: Flow<NeedsOf<'articles'>> = async (ctx) => {
  if (!ctx.tenant.articles.enabled) return { ...emptyResult(), message: 'articles sync is off for this tenant' };
  const { inventoryId } = ctx.tenant.baselinker;
  if (inventoryId === undefined) return { ...emptyResult(), message: 'no BaseLinker inventory chosen (baselinker.inventoryId): no catalog to read for this tenant' };
  return new ArticlesRun(ctx, inventoryId).run();
};

interface WalkEntry {
  id: number;
  page: number;
}

/** Where a walk stands, as the checkpoint keeps it. */
interface WalkSnapshot {
  pending: PendingPage[];
  nextPage: number;
  listedUpTo: number;
  listEnded: boolean;
}

/**
 * Main product ids in id order, fetched a list page at a time and only when needed, so a chunk can take
 * ids from two pages and the walk costs exactly ceil(N/1000) list calls (+1 empty page when N is a multiple
 * of 1000: BaseLinker has no total count).
 *
 * Pages are offsets, so a product deleted before the position shifts later products onto the page already
 * read. The walk cannot see a deletion among products it has passed, but it learns of one whenever a
 * listed product comes back missing from its data call (`listedProductGone`): the next fetch then reads the
 * page before again, past the highest id listed, so nothing in between is skipped.
 */
class CatalogWalk {
  /** Ids carried over from the checkpoint: served before any page is listed. */
  private restored: WalkEntry[] = [];
  private queue: WalkEntry[] = [];
  private nextPage = 1;
  private listedUpTo = 0;
  private ended = false;
  /** The page to fetch may have shifted past unlisted products: step back while it starts past listedUpTo. */
  private realigning = false;
  listCalls = 0;

  constructor(
    private readonly bl: BaseLinkerClient,
    private readonly inventoryId: number,
    checkpoint?: ArticlesCheckpoint,
  ) {
    if (!checkpoint) return;
    if (checkpoint.pending) {
      this.restored = checkpoint.pending.flatMap((p) => p.ids.map((id) => ({ id, page: p.page })));
      this.nextPage = checkpoint.nextPage ?? checkpoint.page + 1;
      this.listedUpTo = checkpoint.listedUpTo ?? Math.max(checkpoint.lastProductId, ...this.restored.map((e) => e.id));
      this.ended = checkpoint.listEnded ?? false;
    } else {
      // Checkpoint of an older version: list its page again and skip what it handled.
      this.nextPage = checkpoint.page;
      this.listedUpTo = checkpoint.lastProductId;
      this.realigning = true;
    }
  }

  /**
   * The next `size` ids. Ids carried over from the checkpoint come on their own (never topped up from the
   * next page), so a deletion among them is known before that page is listed.
   */
  async next(size: number): Promise<WalkEntry[]> {
    if (this.restored.length > 0) return this.restored.splice(0, size);
    while (this.queue.length < size && !this.ended) await this.fetch();
    return this.queue.splice(0, size);
  }

  /**
   * A listed product was not returned by its data call: it was deleted, and a page listed after that may
   * have started one product late. List its page again (past the highest id listed) before going on.
   */
  listedProductGone(entry: WalkEntry): void {
    this.realigning = true;
    this.ended = false;
    this.nextPage = Math.min(this.nextPage, entry.page);
  }

  /** The walk's position with `unhandled` (listed, taken, not handled) put back in front. */
  snapshot(unhandled: WalkEntry[]): WalkSnapshot {
    const pending: PendingPage[] = [];
    for (const e of [...unhandled, ...this.restored, ...this.queue]) {
      const last = pending.at(-1);
      if (last?.page === e.page) last.ids.push(e.id);
      else pending.push({ page: e.page, ids: [e.id] });
    }
    return { pending, nextPage: this.nextPage, listedUpTo: this.listedUpTo, listEnded: this.ended };
  }

  private async fetch(): Promise<void> {
    const page = this.nextPage;
    this.listCalls++;
    const entries = (await this.bl.getInventoryProductsList({ inventory_id: this.inventoryId, filter_sort: 'id ASC', page }))
      .filter((e) => e.parent_id === 0)
      .sort((a, b) => a.id - b.id);
    const after = this.listedUpTo;
    // Products deleted before the position shift later ones onto earlier pages: if this page starts past
    // what was listed, step back so nothing between is skipped.
    if (this.realigning && page > 1 && entries.length > 0 && entries[0].id > after) {
      this.nextPage = page - 1;
      return;
    }
    this.realigning = false;
    for (const e of entries) {
      if (e.id <= after) continue;
      this.queue.push({ id: e.id, page });
      this.listedUpTo = e.id;
    }
    this.nextPage = page + 1;
    // A page of the list counts main products; the filter above may have dropped some, so use the raw size.
    if (entries.length < PRODUCTS_PAGE_SIZE) this.ended = true;
  }
}

/**
 * How long a data chunk takes in this run (the data call, the writes, the state updates), per product: the
 * slower of the run's average and the last chunk, so a catalog turning from simple products to products
 * with many variants is not underestimated for long.
 */
class ChunkPace {
  private totalMs = 0;
  private totalProducts = 0;
  private lastPerProduct = 0;

  record(products: number, ms: number): void {
    if (products <= 0) return;
    this.totalMs += ms;
    this.totalProducts += products;
    this.lastPerProduct = ms / products;
  }

  /** Undefined before the first chunk of the run: a run always gets one chunk, so every run moves on. */
  estimateMs(products: number): number | undefined {
    if (this.totalProducts === 0) return undefined;
    return products * Math.max(this.totalMs / this.totalProducts, this.lastPerProduct) * CHUNK_ESTIMATE_MARGIN;
  }
}

/** Headroom on a chunk's estimated time: a chunk cut at the deadline costs its data call again. */
const CHUNK_ESTIMATE_MARGIN = 1.1;

class ArticlesRun {
  private readonly options: ArticleMappingOptions;
  private readonly result: FlowResult;
  private readonly counts: Record<string, number> = { unchanged: 0, refused: 0, cleared: 0, deferred: 0, duplicateChecks: 0 };
  private records = new Map<string, ArticleRecord>();
  /** Open, retry or dismissed article items, by source id, and their source ids by product. */
  private readonly setAsides = new Map<string, SetAsideItem>();
  private readonly setAsidesByProduct = new Map<number, Set<string>>();
  private readonly seen = new Map<string, SeenSku>();
  private readonly deferred = new Map<string, DeferredArticle & { mapped?: MappedArticle }>();
  /** Source ids set aside or held back while handling the current product: not to be cleared. */
  private keep = new Set<string>();
  private readonly productCheckCache = new Map<number, ProductData | null>();

  constructor(
    private readonly ctx: ArticlesContext,
    private readonly inventoryId: number,
  ) {
    this.result = ctx.run.tally;
    this.options = {
      lengthUnit: ctx.tenant.articles.lengthUnit,
      textLanguage: ctx.tenant.articles.textLanguage,
      nameSource: ctx.tenant.articles.nameSource,
    };
  }

  private get deadlinePassed(): boolean {
    return this.ctx.run.deadline.passed();
  }

  async run(): Promise<FlowResult> {
    const { checkpoints, baselinker } = this.ctx;
    const { inventoryId } = this;
    const checkpoint = await this.savedCheckpoint();
    this.records = await this.ctx.articleHashes.all();
    for (const item of (await this.ctx.run.setAside.index('article')).values()) this.indexSetAside(item);
    if (!checkpoint) await this.checkPresence();
    if (checkpoint) {
      this.seedFrom(checkpoint);
      this.counts.resumed = 1;
      this.ctx.log.info('resuming the catalog walk', {
        page: checkpoint.page,
        lastProductId: checkpoint.lastProductId,
        pending: checkpoint.pending?.reduce((n, p) => n + p.ids.length, 0),
        passStartedAt: checkpoint.passStartedAt,
      });
    }
    const passStartedAt = checkpoint?.passStartedAt ?? new Date(this.ctx.now()).toISOString();
    let position = checkpoint ? { page: checkpoint.page, lastProductId: checkpoint.lastProductId } : undefined;
    const walk = new CatalogWalk(baselinker, inventoryId, checkpoint);
    const chunkSize = baselinker.productsDataChunkSize;
    const pace = new ChunkPace();
    /** The chunk in hand and how many of its products are fully handled: the rest goes back to pending. */
    let chunk: WalkEntry[] = [];
    let handled = 0;
    const save = () => this.saveCheckpoint(position, passStartedAt, walk, chunk.slice(handled));

    let stopped = false;
    let finished = false;
    try {
      for (;;) {
        if (this.deadlinePassed) {
          stopped = true;
          break;
        }
        chunk = await walk.next(chunkSize);
        handled = 0;
        if (chunk.length === 0) break;
        if (this.deadlinePassed) {
          stopped = true;
          break;
        }
        const estimate = pace.estimateMs(chunk.length);
        if (estimate !== undefined && estimate > this.ctx.run.deadline.leftMs()) {
          // Cleanly, before the data call: the next run reads this chunk once, from the checkpoint's ids.
          this.counts.stoppedBeforeChunk = 1;
          stopped = true;
          break;
        }
        const chunkStarted = this.ctx.now();
        const data = await baselinker.getInventoryProductsDataChecked({ inventory_id: inventoryId, products: chunk.map((c) => c.id) });
        const products = new Map(data.products.map((p) => [p.id, p]));
        const rejected = new Map(data.rejected.map((r) => [r.id, r]));
        for (const entry of chunk) {
          const product = products.get(entry.id);
          const unreadable = rejected.get(entry.id);
          if (!product && !unreadable) walk.listedProductGone(entry);
          if (!(await this.handleProduct(entry.id, product, unreadable))) {
            stopped = true;
            break;
          }
          handled++;
          position = { page: entry.page, lastProductId: entry.id };
          await this.resolveDeferred(entry.id);
        }
        if (stopped) break;
        pace.record(chunk.length, this.ctx.now() - chunkStarted);
        await save();
      }
      if (!stopped) {
        await this.resolveDeferred(Number.POSITIVE_INFINITY);
        await checkpoints.clear(ARTICLES_CHECKPOINT);
        finished = true;
      }
    } finally {
      // Also on an error: the next run resumes after the last product fully handled.
      if (!finished) await save().catch((err) => this.ctx.log.error('could not save the articles checkpoint', { error: String(err) }));
    }

    this.counts.listCalls = walk.listCalls;
    return {
      ...this.result,
      complete: !stopped,
      counts: this.counts,
      message: stopped
        ? `stopped ${this.counts.stoppedBeforeChunk ? 'before a chunk it could not finish by' : 'at'} its deadline after product ${position?.lastProductId ?? '(none)'}; the next run continues from there`
        : undefined,
    };
  }

  /** The unfinished pass, if any; one that cannot be read is dropped and the pass starts over. */
  private savedCheckpoint(): Promise<ArticlesCheckpoint | undefined> {
    return unlessUnreadable(this.ctx.checkpoints.read(ARTICLES_CHECKPOINT, articlesCheckpointSchema), (err) => {
      this.ctx.log.warn('starting the catalog walk over: the saved checkpoint cannot be read', { problem: err.problem });
      this.counts.checkpointUnreadable = 1;
    });
  }

  /**
   * Marks the records of articles no longer in Ongoing (deleted there by a person), at most once per
   * PRESENCE_CHECK_EVERY_MS. The mark is stored, so a pass cut by its deadline still rewrites them later.
   */
  private async checkPresence(): Promise<void> {
    const { cursors, articleHashes, ongoing } = this.ctx;
    const last = await unlessUnreadable(cursors.read(ARTICLES_PRESENCE_CURSOR, presenceCursorSchema));
    const startedAt = this.ctx.now();
    if (this.records.size === 0 || (last && startedAt - Date.parse(last.checkedAt) < PRESENCE_CHECK_EVERY_MS)) return;
    const present = new Set<string>();
    for await (const page of ongoing.listArticlePages({})) for (const a of page) present.add(a.articleNumber);
    let missing = 0;
    for (const [sku, record] of this.records) {
      if (present.has(sku) || record.hash === MISSING_IN_ONGOING) continue;
      const marked = { hash: MISSING_IN_ONGOING, articleSystemId: record.articleSystemId, blProductId: record.blProductId, blVariantId: record.blVariantId };
      await articleHashes.put(sku, marked);
      this.records.set(sku, { ...record, hash: MISSING_IN_ONGOING });
      missing++;
    }
    this.counts.presenceChecked = 1;
    if (missing > 0) {
      this.counts.missingInOngoing = missing;
      this.ctx.log.warn('articles recorded as written are missing in Ongoing; writing them again', { missing });
    }
    await cursors.write(ARTICLES_PRESENCE_CURSOR, { checkedAt: new Date(startedAt).toISOString() } satisfies ArticlesPresenceCursor);
  }

  private async saveCheckpoint(
    position: { page: number; lastProductId: number } | undefined,
    passStartedAt: string,
    walk: CatalogWalk,
    unhandled: WalkEntry[],
  ): Promise<void> {
    const where = walk.snapshot(unhandled);
    // Nothing handled and nothing listed yet: the next run simply starts the pass.
    if (!position && where.pending.length === 0 && walk.listCalls === 0) return;
    const at = position ?? { page: where.pending[0]?.page ?? 1, lastProductId: 0 };
    const value: ArticlesCheckpoint = {
      ...at,
      passStartedAt,
      // A product not fully handled is handled again, with its deferral.
      deferred: [...this.deferred.values()]
        .filter((d) => d.blProductId <= at.lastProductId)
        .map(({ mapped: _m, ...d }) => d),
      ...where,
    };
    await this.ctx.checkpoints.write(ARTICLES_CHECKPOINT, value);
  }

  /**
   * A resumed pass does not remember which SKUs it met before the checkpoint. The article records and
   * set-aside items of products up to the checkpoint stand in for them, marked tentative: a clash with one
   * is confirmed against BaseLinker before anything is called a duplicate (the record may be stale).
   */
  private seedFrom(checkpoint: ArticlesCheckpoint): void {
    for (const [sku, record] of this.records) {
      const productId = Number(record.blProductId);
      if (productId <= checkpoint.lastProductId) {
        const variantId = record.blVariantId === undefined ? undefined : Number(record.blVariantId);
        this.seen.set(sku, { source: sourceOf(productId, variantId), tentative: true });
      }
    }
    for (const item of this.setAsides.values()) {
      const sku = item.ids?.sku;
      const productId = Number(item.ids?.blProductId);
      if (sku && productId <= checkpoint.lastProductId && !this.seen.has(sku)) {
        const variantId = item.ids?.blVariantId ? Number(item.ids.blVariantId) : undefined;
        this.seen.set(sku, { source: sourceOf(productId, variantId), tentative: true });
      }
    }
    for (const d of checkpoint.deferred ?? []) {
      this.seen.set(d.sku, { source: sourceOf(d.blProductId, d.blVariantId), tentative: false });
      this.deferred.set(d.sku, d);
    }
  }

  /** False when the deadline stopped it before the product was fully handled. */
  private async handleProduct(id: number, product: ProductData | undefined, rejected: RejectedProduct | undefined): Promise<boolean> {
    this.keep = new Set();
    if (rejected) {
      this.result.seen++;
      await this.setAsideArticle(sourceOf(id), '', `product ${id} could not be read from BaseLinker: ${unreadableReason(rejected)}`, {}, rejected.raw);
      return true;
    }
    // Deleted between the list and the data call: the next pass will not see it either.
    if (!product) return true;

    for (const outcome of mapProduct(product, this.options)) {
      this.result.seen++;
      if (!outcome.ok) {
        await this.setAsideArticle(outcome.source, outcome.sku, outcome.reason);
        continue;
      }
      const prior = await this.duplicateOf(outcome);
      if (prior) {
        await this.setAsideDuplicates(outcome, prior);
        continue;
      }
      this.seen.set(outcome.sku, { source: outcome.source, tentative: false });
      if (this.mustWaitForPartner(outcome)) continue;
      if ((await this.write(outcome)) === 'stopped') return false;
    }

    // Items of this product that did not come up again are fixed (or their variant is gone).
    for (const sourceId of [...(this.setAsidesByProduct.get(id) ?? [])]) {
      if (!this.keep.has(sourceId)) await this.clearSetAside(sourceId);
    }
    return true;
  }

  private async duplicateOf(article: MappedArticle): Promise<SeenSku | undefined> {
    const prior = this.seen.get(article.sku);
    if (!prior || prior.source.sourceId === article.source.sourceId) return undefined;
    if (prior.tentative) {
      if (!(await this.stillHasSku(prior.source, article.sku))) return undefined;
      prior.tentative = false;
    }
    return prior;
  }

  /** One data call for a product met before the checkpoint: does it (or its variant) still carry this SKU? */
  private async stillHasSku(source: ArticleSource, sku: string): Promise<boolean> {
    let product = this.productCheckCache.get(source.blProductId);
    if (product === undefined) {
      this.counts.duplicateChecks++;
      const data = await this.ctx.baselinker.getInventoryProductsDataChecked({
        inventory_id: this.inventoryId,
        products: [source.blProductId],
      });
      product = data.products[0] ?? null;
      this.productCheckCache.set(source.blProductId, product);
    }
    if (!product) return false;
    return mapProduct(product, this.options).some((o) => o.source.sourceId === source.sourceId && o.sku === sku);
  }

  private async setAsideDuplicates(article: MappedArticle, prior: SeenSku): Promise<void> {
    const reason = (a: ArticleSource, b: ArticleSource) =>
      `${describe(a, article.sku)} has the same SKU as ${b.label}; a SKU must belong to one product or variant only (fix one of them in BaseLinker)`;
    const partnerIds = (b: ArticleSource) => ({ duplicateOfProductId: String(b.blProductId), duplicateOfSourceId: b.sourceId });
    await this.setAsideArticle(article.source, article.sku, reason(article.source, prior.source), partnerIds(prior.source));
    if (!prior.duplicate) {
      await this.setAsideArticle(prior.source, article.sku, reason(prior.source, article.source), partnerIds(article.source));
      prior.duplicate = true;
      this.deferred.delete(article.sku);
    }
  }

  /**
   * This article was set aside as a duplicate of a product further on. If its SKU is unchanged, writing it
   * now and clearing the item would be undone minutes later when the walk meets the partner again: hold it
   * until the walk has passed the partner (resolveDeferred).
   */
  private mustWaitForPartner(article: MappedArticle): boolean {
    const item = this.setAsides.get(article.source.sourceId);
    const partner = Number(item?.ids?.duplicateOfProductId);
    if (!item || item.ids?.sku !== article.sku || !Number.isFinite(partner) || partner <= article.source.blProductId) return false;
    this.deferred.set(article.sku, {
      sku: article.sku,
      sourceId: article.source.sourceId,
      blProductId: article.source.blProductId,
      blVariantId: article.source.blVariantId,
      waitForProductId: partner,
      mapped: article,
    });
    this.keep.add(article.source.sourceId);
    this.counts.deferred++;
    return true;
  }

  /** The walk has passed the partners of these held-back articles without meeting their SKU again. */
  private async resolveDeferred(handledUpTo: number): Promise<void> {
    for (const [sku, d] of [...this.deferred]) {
      if (d.waitForProductId > handledUpTo) continue;
      this.deferred.delete(sku);
      // Held back in an earlier run: clear the item, the next pass writes the article as usual.
      if (!d.mapped) await this.clearSetAside(d.sourceId);
      else await this.write(d.mapped);
    }
  }

  private async write(article: MappedArticle): Promise<'written' | 'unchanged' | 'refused' | 'stopped'> {
    const record = this.records.get(article.sku);
    if (record?.hash === article.hash) {
      this.counts.unchanged++;
      await this.clearSetAside(article.source.sourceId);
      return 'unchanged';
    }
    if (this.deadlinePassed) return 'stopped';
    let articleSystemId: number;
    try {
      ({ articleSystemId } = await this.ctx.ongoing.putArticle(article.article));
    } catch (err) {
      if (err instanceof OngoingRefusedError || err instanceof OngoingInvalidRequestError) {
        this.counts.refused++;
        await this.setAsideArticle(article.source, article.sku, `${describe(article.source, article.sku)} was refused by Ongoing: ${err.message}`, {}, article.article);
        return 'refused';
      }
      throw err;
    }
    const input = {
      hash: article.hash,
      articleSystemId,
      blProductId: article.source.blProductId,
      blVariantId: article.source.blVariantId,
    };
    await this.ctx.articleHashes.put(article.sku, input);
    this.records.set(article.sku, { sku: article.sku, ...input, updatedAt: new Date(this.ctx.now()).toISOString() });
    this.result.written++;
    await this.clearSetAside(article.source.sourceId);
    return 'written';
  }

  private async setAsideArticle(source: ArticleSource, sku: string, reason: string, extraIds: Record<string, string> = {}, raw?: unknown): Promise<void> {
    const ids: Record<string, string> = { blProductId: String(source.blProductId), ...extraIds };
    if (source.blVariantId !== undefined) ids.blVariantId = String(source.blVariantId);
    if (sku) ids.sku = sku;
    const item = await this.ctx.run.setAside.put({ kind: 'article', sourceId: source.sourceId, reason, ids, raw });
    this.indexSetAside(item);
    this.keep.add(source.sourceId);
    this.result.setAside++;
    this.ctx.log.warn('article set aside', { sourceId: source.sourceId, reason });
  }

  private async clearSetAside(sourceId: string): Promise<void> {
    const item = this.setAsides.get(sourceId);
    if (!item) return;
    await this.ctx.run.setAside.clear('article', sourceId);
    this.setAsides.delete(sourceId);
    this.setAsidesByProduct.get(Number(item.ids?.blProductId))?.delete(sourceId);
    this.counts.cleared++;
  }

  private indexSetAside(item: SetAsideItem): void {
    this.setAsides.set(item.sourceId, item);
    const productId = Number(item.ids?.blProductId ?? item.sourceId);
    if (!Number.isFinite(productId)) return;
    let set = this.setAsidesByProduct.get(productId);
    if (!set) this.setAsidesByProduct.set(productId, (set = new Set()));
    set.add(item.sourceId);
  }
}

/** "weight is not a number: "abc"" for the measures, else the schema's own words with the field. */
function unreadableReason(rejected: RejectedProduct): string {
  const field = rejected.fieldPath.split('.')[0];
  if (['weight', 'height', 'width', 'length'].includes(field) && rejected.raw && typeof rejected.raw === 'object') {
    const problem = measureProblem(field, (rejected.raw as Record<string, unknown>)[field]);
    if (problem) return problem;
  }
  return `${rejected.fieldPath || '(product)'}: ${rejected.problem}`;
}
