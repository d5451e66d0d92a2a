import { articlesFlow, ARTICLES_CHECKPOINT, ARTICLES_PRESENCE_CURSOR, MISSING_IN_ONGOING, type ArticlesCheckpoint } from '../../shared/flows/articles';
import { FLOWS } from '../../shared/flows/registry';
import type { SimProduct } from '../../infra/simulators/baselinker/state';
import { OngoingClient } from '../../shared/ongoing/client';
import { DEMO_GOODS_OWNER, demoClientSettings } from '../../infra/simulators/ongoing';
import { describeOnEachState, savedCheckpoint, startWorld, type StateKind, type World } from '../support/world';

const INVENTORY = 1;

function ongoingArticle(world: World, articleNumber: string): Record<string, unknown> | undefined {
  for (const a of world.ongoing.state.articles.values()) {
    if (a.goodsOwnerId === DEMO_GOODS_OWNER.id && a.articleNumber === articleNumber) return { articleSystemId: a.articleSystemId, ...a.data };
  }
  return undefined;
}

function ongoingArticleCount(world: World): number {
  return [...world.ongoing.state.articles.values()].filter((a) => a.goodsOwnerId === DEMO_GOODS_OWNER.id).length;
}

async function newWorld(state: StateKind): Promise<World> {
  const world = await startWorld({ state });
  world.bl.addInventory({ inventory_id: INVENTORY });
  return world;
}

function addProduct(world: World, input: Partial<SimProduct> & { text_fields?: Record<string, unknown> }): SimProduct {
  return world.bl.addProduct(INVENTORY, { ...input, text_fields: { description: `About ${input.name ?? 'it'}`, ...input.text_fields } });
}

describeOnEachState('articles flow against the simulators', (adapter) => {
  let world: World;
  afterEach(() => world?.close());

  it('is registered for npm run sync', () => {
    expect(FLOWS.articles).toBe(articlesFlow);
  });

  it('creates one article per variant and one per plain product, and records both ids', async () => {
    world = await newWorld(adapter);
    const shirt = addProduct(world, { name: 'T-shirt', sku: 'TS', ean: '5901234000011', weight: 0.2, height: 2, width: 25, length: 30 });
    const black = world.bl.addVariant(shirt.id, { name: 'black M', sku: 'TS-BLK-M', ean: '5901234000028' });
    const red = world.bl.addVariant(shirt.id, { name: 'T-shirt red L', sku: 'TS-RED-L', ean: '' });
    const mug = addProduct(world, { name: 'Kubek żółty', sku: 'MUG', ean: '', weight: 0.35, length: 12.5 });

    const report = await world.run('articles', articlesFlow);

    expect(report).toMatchObject({ outcome: 'ok', result: { seen: 3, written: 3, setAside: 0, complete: true } });
    expect(ongoingArticleCount(world)).toBe(3);
    expect(ongoingArticle(world, 'TS-BLK-M')).toMatchObject({
      articleName: 'T-shirt black M',
      productCode: String(black.id),
      barCodeInfo: { barCode: '5901234000028' },
      description: 'About T-shirt',
      weight: 0.2,
      height: 0.02,
      width: 0.25,
      length: 0.3,
    });
    expect(ongoingArticle(world, 'TS-RED-L')).toMatchObject({ articleName: 'T-shirt red L', barCodeInfo: { barCode: '5901234000011' } });
    expect(ongoingArticle(world, 'TS')).toBeUndefined();
    expect(ongoingArticle(world, 'MUG')).toMatchObject({ articleName: 'Kubek żółty', productCode: String(mug.id), barCodeInfo: { barCode: null }, length: 0.125 });

    const records = await world.services().state.articleHashes.all();
    expect(records.get('TS-RED-L')).toMatchObject({
      blProductId: shirt.id,
      blVariantId: red.id,
      articleSystemId: ongoingArticle(world, 'TS-RED-L')!.articleSystemId,
    });
    expect(records.get('MUG')).toMatchObject({ blProductId: mug.id, articleSystemId: ongoingArticle(world, 'MUG')!.articleSystemId });
    expect(records.get('MUG')!.blVariantId).toBeUndefined();
    // A finished walk leaves no checkpoint behind: the next run is a fresh pass.
    expect(await savedCheckpoint(world, ARTICLES_CHECKPOINT)).toBeUndefined();
  });

  it('writes nothing for an unchanged catalog, and exactly one article when one variant EAN changes', async () => {
    world = await newWorld(adapter);
    const variants: SimProduct[] = [];
    for (let p = 0; p < 10; p++) {
      const product = addProduct(world, { name: `Product ${p}`, sku: `P${p}` });
      for (let v = 0; v < 3; v++) variants.push(world.bl.addVariant(product.id, { name: `v${v}`, sku: `P${p}-V${v}`, ean: `59000000${p}${v}` }));
    }
    expect((await world.run('articles', articlesFlow)).result).toMatchObject({ written: 30 });

    world.ongoing.resetCalls();
    const second = await world.run('articles', articlesFlow);
    expect(world.ongoing.calls('PUT /articles')).toBe(0);
    expect(second.result).toMatchObject({ seen: 30, written: 0, counts: expect.objectContaining({ unchanged: 30 }) });

    world.bl.state.products.get(variants[17].id)!.ean = '5909999999999';
    world.ongoing.resetCalls();
    const third = await world.run('articles', articlesFlow);
    expect(world.ongoing.calls('PUT /articles')).toBe(1);
    expect(third.result).toMatchObject({ written: 1 });
    expect(ongoingArticle(world, variants[17].sku)).toMatchObject({ barCodeInfo: { barCode: '5909999999999' } });
  });

  it('stops at its deadline and resumes where it stopped, writing every article exactly once in total', async () => {
    world = await newWorld(adapter);
    let articles = 0;
    for (let p = 0; p < 25; p++) {
      const product = addProduct(world, { name: `Product ${p}`, sku: `R${p}` });
      const variantCount = p % 3;
      for (let v = 0; v < variantCount; v++) world.bl.addVariant(product.id, { name: `v${v}`, sku: `R${p}-V${v}` });
      articles += variantCount === 0 ? 1 : variantCount;
    }
    // The clock passes the deadline once Ongoing has taken 12 writes: a cut in the middle of the catalog.
    const deadline = Date.now() + 60_000;
    const first = await world.run('articles', articlesFlow, { deadline, now: () => (world.ongoing.calls('PUT /articles') >= 12 ? deadline : Date.now()) });

    expect(first.outcome).toBe('partial');
    expect(first.result).toMatchObject({ written: 12, complete: false });
    const checkpoint = await savedCheckpoint<ArticlesCheckpoint>(world, ARTICLES_CHECKPOINT);
    expect(checkpoint).toMatchObject({ page: 1 });
    expect(checkpoint!.lastProductId).toBeGreaterThan(0);

    const second = await world.run('articles', articlesFlow);
    expect(second).toMatchObject({ outcome: 'ok', result: { complete: true, counts: expect.objectContaining({ resumed: 1 }) } });
    // As many writes as articles, and every article exists: each was written exactly once.
    expect(world.ongoing.calls('PUT /articles')).toBe(articles);
    expect(ongoingArticleCount(world)).toBe(articles);
    expect(first.result!.written + second.result!.written).toBe(articles);
    expect(await savedCheckpoint(world, ARTICLES_CHECKPOINT)).toBeUndefined();

    // The pass is over: the next run starts from the top and finds nothing to write.
    world.ongoing.resetCalls();
    const third = await world.run('articles', articlesFlow);
    expect(third.result).toMatchObject({ seen: articles, written: 0 });
    expect(world.ongoing.calls('PUT /articles')).toBe(0);
  });

  it('keeps its place when Ongoing fails mid-walk, so the next run continues after the last product it finished', async () => {
    world = await newWorld(adapter);
    for (let p = 0; p < 10; p++) addProduct(world, { name: `Product ${p}`, sku: `F${p}` });
    // Ongoing starts failing after 4 writes (two 500s: the client's one retry does not help).
    let injected = false;
    const now = () => {
      if (!injected && world.ongoing.calls('PUT /articles') >= 4) {
        injected = true;
        world.ongoing.injectFault({ route: 'PUT /articles', kind: 'http500', times: 2 });
      }
      return Date.now();
    };
    const services = () => ({
      ...world.services(),
      ongoing: new OngoingClient({ ...demoClientSettings(world.ongoing.baseUrl), retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 } }),
    });

    const failed = await world.run('articles', articlesFlow, { now, services });
    expect(failed.outcome).toBe('failed');
    expect(await savedCheckpoint(world, ARTICLES_CHECKPOINT)).toMatchObject({ page: 1 });

    const resumed = await world.run('articles', articlesFlow);
    expect(resumed).toMatchObject({ outcome: 'ok', result: { written: 6, counts: expect.objectContaining({ resumed: 1 }) } });
    expect(ongoingArticleCount(world)).toBe(10);
  });

  it('sets aside duplicate and blank SKUs with readable reasons while the others sync, and clears them once fixed', async () => {
    world = await newWorld(adapter);
    const good = addProduct(world, { name: 'Good', sku: 'GOOD' });
    const first = addProduct(world, { name: 'First', sku: 'SAME' });
    const blank = addProduct(world, { name: 'Blank', sku: '  ' });
    const parent = addProduct(world, { name: 'Parent', sku: 'PARENT' });
    const dupVariant = world.bl.addVariant(parent.id, { name: 'x', sku: 'SAME' });
    const fineVariant = world.bl.addVariant(parent.id, { name: 'y', sku: 'PARENT-Y' });

    const report = await world.run('articles', articlesFlow);
    expect(report.outcome).toBe('ok');
    expect(ongoingArticle(world, 'GOOD')).toBeDefined();
    expect(ongoingArticle(world, 'PARENT-Y')).toBeDefined();

    const state = world.services().state;
    const items = new Map((await state.inbox.list({ kind: 'article' })).map((i) => [i.sourceId, i]));
    expect([...items.keys()].sort()).toEqual([String(first.id), String(blank.id), String(dupVariant.id)].sort());
    expect(items.get(String(blank.id))!.reason).toBe(`product ${blank.id} has no SKU (Ongoing needs an article number)`);
    expect(items.get(String(first.id))!.reason).toBe(
      `product ${first.id} (SKU "SAME") has the same SKU as variant ${dupVariant.id} of product ${parent.id}; a SKU must belong to one product or variant only (fix one of them in BaseLinker)`,
    );
    expect(items.get(String(dupVariant.id))!.reason).toContain(`variant ${dupVariant.id} of product ${parent.id} (SKU "SAME") has the same SKU as product ${first.id}`);
    expect(items.get(String(dupVariant.id))!.ids).toMatchObject({ sku: 'SAME', blProductId: String(parent.id), blVariantId: String(dupVariant.id) });

    // Unchanged catalog: still set aside, and the held-back article is not written in between.
    world.ongoing.resetCalls();
    await world.run('articles', articlesFlow);
    expect(world.ongoing.calls('PUT /articles')).toBe(0);
    expect((await state.inbox.list({ kind: 'article' })).map((i) => [i.sourceId, i.count]).sort()).toEqual(
      [
        [String(first.id), 2],
        [String(blank.id), 2],
        [String(dupVariant.id), 2],
      ].sort(),
    );

    // Fixed in BaseLinker: the next run syncs them and clears every item.
    world.bl.state.products.get(dupVariant.id)!.sku = 'PARENT-X';
    world.bl.state.products.get(blank.id)!.sku = 'BLANK';
    const fixed = await world.run('articles', articlesFlow);
    expect(fixed.result).toMatchObject({ setAside: 0 });
    expect(await state.inbox.list({ kind: 'article' })).toEqual([]);
    for (const sku of ['SAME', 'BLANK', 'PARENT-X', 'PARENT-Y', 'GOOD']) expect(ongoingArticle(world, sku)).toBeDefined();
    expect(ongoingArticle(world, 'SAME')).toMatchObject({ productCode: String(first.id) });
    void good;
    void fineVariant;
  });

  it('finds a duplicate SKU across a resumed run, but not against a record the catalog has moved on from', async () => {
    world = await newWorld(adapter);
    const a = addProduct(world, { name: 'A', sku: 'OLD' });
    addProduct(world, { name: 'B', sku: 'B' });
    const c = addProduct(world, { name: 'C', sku: 'C' });
    await world.run('articles', articlesFlow);
    // A's SKU moves to C (fine), and a new product D takes A's new SKU (a duplicate).
    a.sku = 'NEW';
    c.sku = 'OLD';
    const d = addProduct(world, { name: 'D', sku: 'NEW' });
    world.ongoing.resetCalls();
    const deadline = Date.now() + 60_000;
    const cut = await world.run('articles', articlesFlow, { deadline, now: () => (world.ongoing.calls('PUT /articles') >= 1 ? deadline : Date.now()) });
    expect(cut.result).toMatchObject({ written: 1, complete: false });

    world.bl.resetCounters();
    const resumed = await world.run('articles', articlesFlow);

    expect(resumed.result).toMatchObject({ complete: true, written: 1, setAside: 2, counts: expect.objectContaining({ resumed: 1, duplicateChecks: 1 }) });
    expect(ongoingArticle(world, 'OLD')).toMatchObject({ productCode: String(c.id) });
    const items = await world.services().state.inbox.list({ kind: 'article' });
    expect(items.map((i) => i.sourceId).sort()).toEqual([String(a.id), String(d.id)].sort());
    expect(items.find((i) => i.sourceId === String(d.id))!.reason).toContain(`has the same SKU as product ${a.id}`);
    // One data chunk plus one check of product A (asked once, although two SKUs pointed at it).
    expect(world.bl.calls('getInventoryProductsData')).toBe(2);
  });

  it('sets aside a product whose size is not a number, or negative, and syncs the rest', async () => {
    world = await newWorld(adapter);
    const odd = addProduct(world, { name: 'Odd', sku: 'ODD' });
    (odd as unknown as { weight: unknown }).weight = 'abc';
    const negative = addProduct(world, { name: 'Negative', sku: 'NEG', height: -3 });
    addProduct(world, { name: 'Fine', sku: 'FINE', weight: 1 });

    const report = await world.run('articles', articlesFlow);
    expect(report.result).toMatchObject({ written: 1, setAside: 2 });
    const items = new Map((await world.services().state.inbox.list({ kind: 'article' })).map((i) => [i.sourceId, i.reason]));
    expect(items.get(String(odd.id))).toBe(`product ${odd.id} could not be read from BaseLinker: weight is not a number: "abc"`);
    expect(items.get(String(negative.id))).toBe(`product ${negative.id} (SKU "NEG") height is negative: -3`);
    expect(ongoingArticle(world, 'FINE')).toBeDefined();

    odd.weight = 0.5;
    negative.height = 3;
    await world.run('articles', articlesFlow);
    expect(await world.services().state.inbox.list({ kind: 'article' })).toEqual([]);
    expect(ongoingArticle(world, 'ODD')).toMatchObject({ weight: 0.5 });
  });

  it('recreates an article deleted in Ongoing: the daily presence check of a fresh pass sees past the hash', async () => {
    world = await newWorld(adapter);
    addProduct(world, { name: 'Mug', sku: 'MUG' });
    addProduct(world, { name: 'Cup', sku: 'CUP' });
    expect((await world.run('articles', articlesFlow)).result).toMatchObject({ written: 2 });
    const second = await world.run('articles', articlesFlow);
    expect(second.result).toMatchObject({ written: 0, counts: expect.objectContaining({ presenceChecked: 1 }) });

    // A person deletes MUG in Ongoing.
    const mug = [...world.ongoing.state.articles.values()].find((a) => a.articleNumber === 'MUG')!;
    world.ongoing.state.articles.delete(mug.articleSystemId);
    world.ongoing.resetCalls();
    // Checked under a day ago: the content hash alone says "unchanged", and Ongoing is not listed.
    const soon = await world.run('articles', articlesFlow);
    expect(soon.result).toMatchObject({ written: 0 });
    expect(world.ongoing.calls('GET /articles')).toBe(0);
    expect(ongoingArticle(world, 'MUG')).toBeUndefined();

    const state = world.services().state;
    await state.cursors.write(ARTICLES_PRESENCE_CURSOR, { checkedAt: new Date(Date.now() - 24 * 3600_000 - 1000).toISOString() });
    const daily = await world.run('articles', articlesFlow);
    expect(daily.result).toMatchObject({ written: 1, counts: expect.objectContaining({ presenceChecked: 1, missingInOngoing: 1 }) });
    expect(ongoingArticle(world, 'MUG')).toMatchObject({ articleName: 'Mug' });
    expect(ongoingArticleCount(world)).toBe(2);
    expect((await state.articleHashes.get('MUG'))?.hash).not.toBe(MISSING_IN_ONGOING);
  });

  it('keeps the missing mark when the pass that found it stops before the article, so a later run still writes it', async () => {
    world = await newWorld(adapter);
    addProduct(world, { name: 'Mug', sku: 'MUG' });
    await world.run('articles', articlesFlow);
    const mug = [...world.ongoing.state.articles.values()].find((a) => a.articleNumber === 'MUG')!;
    world.ongoing.state.articles.delete(mug.articleSystemId);

    // The run's clock passes its deadline once the presence check has listed Ongoing's articles, so the walk
    // stops before the article. (A deadline already past at the start would stop the presence check's own
    // calls too: every outside call ends by the run's deadline.)
    const listedBefore = world.ongoing.calls('GET /articles');
    const deadline = Date.now() + 60_000;
    const now = () => (world.ongoing.calls('GET /articles') > listedBefore ? deadline + 1 : Date.now());
    const cut = await world.run('articles', articlesFlow, { deadline, now });
    expect(cut.result).toMatchObject({ complete: false, written: 0, counts: expect.objectContaining({ missingInOngoing: 1 }) });
    expect((await world.services().state.articleHashes.get('MUG'))?.hash).toBe(MISSING_IN_ONGOING);

    const next = await world.run('articles', articlesFlow);
    expect(next.result).toMatchObject({ written: 1 });
    expect(ongoingArticle(world, 'MUG')).toMatchObject({ articleName: 'Mug' });
  });

  it('makes no call at all when the tenant has articles sync off', async () => {
    world = await newWorld(adapter);
    addProduct(world, { name: 'A', sku: 'A' });
    const report = await world.run('articles', articlesFlow, { tenant: world.tenantWith({ articles: { enabled: false } }) });
    expect(report).toMatchObject({ outcome: 'ok', baselinkerRequests: 0, ongoingRequests: 0 });
  });
});
