import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { BaseLinkerClient } from '../../shared/baselinker/client';
import { InMemoryBudget } from '../../shared/baselinker/budget';
import { articlesFlow, ARTICLES_CHECKPOINT, ARTICLES_PRESENCE_CURSOR, type ArticlesCheckpoint } from '../../shared/flows/articles';
import { mapProduct } from '../../shared/mapping/article';
import { keys, type ArticleRecordInput } from '../../shared/state';
import { DEFAULT_SIM_TOKEN } from '../../infra/simulators/baselinker';
import { testDocumentClient } from '../support/emulators';
import { describeOnEachState, startWorld, type World } from '../support/world';

const INVENTORY = 1;
const CHUNK = 500; // the client's default getInventoryProductsData chunk, which the runner's services use

function seed(world: World, products: number): void {
  world.bl.addInventory({ inventory_id: INVENTORY });
  for (let i = 0; i < products; i++) {
    const p = world.bl.addProduct(INVENTORY, { name: `Product ${i}`, sku: `C${i}` });
    // Every tenth product has variants: they come inside their parent, so they cost no extra call.
    if (i % 10 === 0) for (let v = 0; v < 3; v++) world.bl.addVariant(p.id, { name: `v${v}`, sku: `C${i}-V${v}` });
  }
}

function simClient(world: World): BaseLinkerClient {
  return new BaseLinkerClient({ url: world.bl.url, token: DEFAULT_SIM_TOKEN, budget: new InMemoryBudget({ requestsPerMinute: 100_000 }) });
}

/**
 * Writes the article records a finished pass would have left, so a run over thousands of products is about
 * BaseLinker reads only and the test stays fast: on DynamoDB batch writes straight into the table, in memory
 * through the port (as cheap).
 */
async function recordWholeCatalog(world: World): Promise<number> {
  const client = simClient(world);
  const ids = [...world.bl.state.products.values()].filter((p) => p.parent_id === 0).map((p) => p.id);
  const records: (ArticleRecordInput & { sku: string })[] = [];
  for (const product of await client.getProductsData(INVENTORY, ids)) {
    for (const a of mapProduct(product, { lengthUnit: world.tenant.articles.lengthUnit })) {
      if (!a.ok) throw new Error(a.reason);
      records.push({ sku: a.sku, hash: a.hash, articleSystemId: 1, blProductId: a.source.blProductId, blVariantId: a.source.blVariantId });
    }
  }
  const state = world.services().state;
  if (world.memory) {
    for (const { sku, ...record } of records) await state.articleHashes.put(sku, record);
  } else {
    const doc = testDocumentClient();
    const items = records.map((r) => ({ ...keys.article('test', r.sku), tenant: 'test', ...r, updatedAt: new Date().toISOString() }));
    for (let i = 0; i < items.length; i += 25) {
      let request: Record<string, { PutRequest: { Item: Record<string, unknown> } }[]> | undefined = {
        [world.tableName]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })),
      };
      while (request && Object.keys(request).length > 0) {
        const out = await doc.send(new BatchWriteCommand({ RequestItems: request }));
        request = out.UnprocessedItems as typeof request;
      }
    }
  }
  // As a check earlier today would leave it: these records are not to be held against Ongoing's list.
  await state.cursors.write(ARTICLES_PRESENCE_CURSOR, { checkedAt: new Date().toISOString() });
  world.bl.resetCounters();
  return records.length;
}

describeOnEachState('BaseLinker requests of an articles run', (adapter) => {
  let world: World;
  afterEach(() => world?.close());

  it.each([
    // [products, list calls, data calls]: ceil(N/1000) list calls, +1 empty page when N is a multiple of 1000.
    [1234, 2, 3],
    [2000, 3, 4],
  ])('walks %i products with the minimum: %i list calls + %i data calls', async (n, listCalls, dataCalls) => {
    world = await startWorld({ state: adapter });
    seed(world, n);
    expect(Math.ceil(n / 1000) + (n % 1000 === 0 ? 1 : 0)).toBe(listCalls);
    expect(Math.ceil(n / CHUNK)).toBe(dataCalls);

    const articles = await recordWholeCatalog(world);
    expect(articles).toBe(n + Math.ceil(n / 10) * 2);

    const report = await world.run('articles', articlesFlow);

    expect(report.outcome).toBe('ok');
    expect(world.bl.calls('getInventoryProductsList')).toBe(listCalls);
    expect(world.bl.calls('getInventoryProductsData')).toBe(dataCalls);
    expect(report.baselinkerRequests).toBe(listCalls + dataCalls);
    // Every product and variant was looked at; the records say Ongoing has them all already.
    expect(report.result).toMatchObject({ seen: articles, written: 0, complete: true });
    expect(world.ongoing.calls('PUT /articles')).toBe(0);
  });
});

describe('BaseLinker product data read product by product', () => {
  let world: World;
  afterAll(() => world?.close());

  it('returns the readable products and rejects the broken one with its field, instead of failing the call', async () => {
    world = await startWorld();
    world.bl.addInventory({ inventory_id: INVENTORY });
    const good = world.bl.addProduct(INVENTORY, { sku: 'GOOD', weight: 1 });
    const bad = world.bl.addProduct(INVENTORY, { sku: 'BAD' });
    (bad as unknown as { length: unknown }).length = 'twelve';
    const client = simClient(world);

    const result = await client.getInventoryProductsDataChecked({ inventory_id: INVENTORY, products: [good.id, bad.id] });

    expect(result.products.map((p) => [p.id, p.sku])).toEqual([[good.id, 'GOOD']]);
    expect(result.rejected).toEqual([{ id: bad.id, fieldPath: 'length', problem: expect.any(String), raw: expect.objectContaining({ sku: 'BAD', length: 'twelve' }) }]);
    expect(client.requestCount).toBe(1);
    expect(client.productsDataChunkSize).toBe(500);
  });
});

describeOnEachState('resuming across list pages', (adapter) => {
  let world: World;
  afterAll(() => world?.close());

  it('steps back a page when deletions moved unhandled products onto an earlier page', async () => {
    world = await startWorld({ state: adapter });
    seed(world, 1500);
    const ids = [...world.bl.state.products.values()].filter((p) => p.parent_id === 0).map((p) => p.id).sort((a, b) => a - b);
    // A pass stopped after product #1100 (page 2); since then 300 products before it were deleted, so the
    // unhandled products #1101.. now start on page 1.
    const state = world.services().state;
    const handled = ids.slice(0, 1101);
    const checkpoint: ArticlesCheckpoint = { page: 2, lastProductId: ids[1100], passStartedAt: new Date().toISOString(), deferred: [] };
    await state.checkpoints.write(ARTICLES_CHECKPOINT, checkpoint);
    for (const id of handled.slice(0, 300)) {
      for (const p of [...world.bl.state.products.values()]) if (p.id === id || p.parent_id === id) world.bl.state.products.delete(p.id);
    }

    const report = await world.run('articles', articlesFlow);

    expect(report.outcome).toBe('ok');
    // Products #1101..#1499 are all written, none of the handled ones: page 2 (too far), page 1, page 2 again.
    const unhandled = Array.from({ length: 399 }, (_, k) => 1101 + k);
    expect(report.result!.seen).toBe(unhandled.reduce((sum, i) => sum + (i % 10 === 0 ? 3 : 1), 0));
    expect(report.result!.written).toBe(report.result!.seen);
    expect(world.bl.calls('getInventoryProductsList')).toBe(3);
  });
});
