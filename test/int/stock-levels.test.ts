import { articlesFlow } from '../../shared/flows/articles';
import { FLOWS } from '../../shared/flows/registry';
import { LEVEL_IN_DOUBT, STOCK_CURSOR, stockFlow, stockLevel, type StockCursor } from '../../shared/flows/stock';
import type { SimProduct } from '../../infra/simulators/baselinker/state';
import { DEMO_GOODS_OWNER } from '../../infra/simulators/ongoing';
import { nextId, type SimArticle } from '../../infra/simulators/ongoing/state';
import { describeOnEachState, savedCursor, startWorld, type StateKind, type World } from '../support/world';

const INVENTORY = 1;
const WAREHOUSE_ID = 5;
const WH = `bl_${WAREHOUSE_ID}`;

async function stockWorld(state: StateKind, stock: { enabled?: boolean; safetyBuffer?: number } = {}): Promise<World> {
  const world = await startWorld({ state, tenant: { stock: { enabled: true, warehouseKey: WH, ...stock } } });
  world.bl.addInventory({ inventory_id: INVENTORY });
  world.bl.addWarehouse({ warehouse_id: WAREHOUSE_ID, inventoryId: INVENTORY });
  return world;
}

/** An Ongoing article straight into the simulator (as if the warehouse had it already), with stock. */
function ongoingArticle(world: World, articleNumber: string, numberOfItems: number, booked = 0): SimArticle {
  const now = new Date();
  const article: SimArticle = {
    articleSystemId: nextId(world.ongoing.state, 'article'),
    goodsOwnerId: DEMO_GOODS_OWNER.id,
    articleNumber,
    data: { articleName: articleNumber },
    numberOfItems,
    numberOfBookedItems: booked,
    lockedForSaleNumberOfItems: 0,
    createdAt: now,
    dataUpdatedAt: now,
    stockChangedAt: now,
  };
  world.ongoing.state.articles.set(article.articleSystemId, article);
  return article;
}

function blStock(world: World, id: number): number | undefined {
  return world.bl.state.products.get(id)?.stock[WH];
}

function articleReads(world: World): string[] {
  return world.ongoing.callLog.filter((c) => c.route === 'GET /articles').map((c) => c.path);
}

describeOnEachState('stock levels', (adapter) => {
  let world: World;
  afterEach(() => world?.close());

  it('is registered for npm run sync', () => {
    expect(FLOWS.stock).toBe(stockFlow);
  });

  it('computes the level from sellable: negatives count as 0, the buffer is subtracted with a floor of 0', () => {
    expect(stockLevel(10, 0)).toBe(10);
    expect(stockLevel(10, 3)).toBe(7);
    expect(stockLevel(2, 3)).toBe(0);
    expect(stockLevel(-4, 0)).toBe(0);
    expect(stockLevel(7.9, 0)).toBe(7);
    expect(stockLevel(null, 0)).toBe(0);
  });

  it('makes no call to either system when stock sync is off', async () => {
    world = await stockWorld(adapter, { enabled: false });
    const p = world.bl.addProduct(INVENTORY, { sku: 'A' });
    ongoingArticle(world, 'A', 5);
    const report = await world.run('stock', stockFlow);
    expect(report).toMatchObject({ outcome: 'ok', baselinkerRequests: 0, ongoingRequests: 0 });
    expect(world.bl.calls('updateInventoryProductsStock')).toBe(0);
    expect(world.ongoing.calls()).toBe(0);
    expect(blStock(world, p.id)).toBeUndefined();
  });

  it('pushes sellable minus the safety buffer to the product or variant the articles flow recorded', async () => {
    world = await stockWorld(adapter, { safetyBuffer: 2 });
    const shirt = world.bl.addProduct(INVENTORY, { name: 'Shirt', sku: 'S' });
    const m = world.bl.addVariant(shirt.id, { name: 'M', sku: 'S-M', stock: { [WH]: 99 } });
    const l = world.bl.addVariant(shirt.id, { name: 'L', sku: 'S-L', stock: { [WH]: 99 } });
    const mug = world.bl.addProduct(INVENTORY, { name: 'Mug', sku: 'MUG', stock: { [WH]: 99 } });
    expect((await world.run('articles', articlesFlow)).result).toMatchObject({ written: 3 });
    world.ongoing.setStock(DEMO_GOODS_OWNER.id, 'S-M', 10);
    world.ongoing.setStock(DEMO_GOODS_OWNER.id, 'S-L', 1);
    const mugArticle = world.ongoing.setStock(DEMO_GOODS_OWNER.id, 'MUG', 3);
    mugArticle.numberOfBookedItems = 8; // sellable -5
    world.bl.resetCounters();

    const report = await world.run('stock', stockFlow);

    expect(report).toMatchObject({ outcome: 'ok', result: { seen: 3, written: 3, setAside: 0, complete: true } });
    expect([blStock(world, m.id), blStock(world, l.id), blStock(world, mug.id)]).toEqual([8, 0, 0]);
    expect(world.bl.calls('updateInventoryProductsStock')).toBe(1);
    // Every SKU was matched through the records: no catalog lookups. The first run is a full sweep: one page
    // of BaseLinker's stock to compare with, and one page of orders in the chosen status.
    expect(world.bl.calls('getInventoryProductsList')).toBe(0);
    expect([world.bl.calls('getInventoryProductsStock'), world.bl.calls('getOrders')]).toEqual([1, 1]);
    expect(report.baselinkerRequests).toBe(3);
  });

  it('pushes 2,500 changed levels in 3 calls, then nothing when nothing changed, reading only the changes', async () => {
    world = await stockWorld(adapter);
    const products: SimProduct[] = [];
    for (let i = 0; i < 2500; i++) {
      products.push(world.bl.addProduct(INVENTORY, { sku: `K${i}`, stock: { [WH]: 1000 } }));
      ongoingArticle(world, `K${i}`, i % 50);
    }

    const first = await world.run('stock', stockFlow);

    expect(first).toMatchObject({ outcome: 'ok', result: { seen: 2500, written: 2500, setAside: 0 } });
    expect(world.bl.calls('updateInventoryProductsStock')).toBe(3);
    // SKUs unknown to the articles flow: one walk of the catalog list (products and variants) found them.
    expect(world.bl.calls('getInventoryProductsList')).toBe(3);
    expect(products.every((p, i) => blStock(world, p.id) === i % 50)).toBe(true);
    expect(articleReads(world).every((path) => !path.includes('stockInfoChangedFrom'))).toBe(true);

    world.bl.resetCounters();
    world.ongoing.resetCalls();
    const second = await world.run('stock', stockFlow);
    expect(second).toMatchObject({ outcome: 'ok', result: { written: 0, setAside: 0 } });
    // The delta still holds these articles (their stock changed minutes ago): only the orders are read, to
    // know the level; nothing is pushed.
    expect(second.baselinkerRequests).toBe(1);
    expect(world.bl.calls('getOrders')).toBe(1);
    expect(articleReads(world).length).toBeGreaterThan(0);
    expect(articleReads(world).every((path) => path.includes('stockInfoChangedFrom'))).toBe(true);

    world.ongoing.setStock(DEMO_GOODS_OWNER.id, 'K7', 99);
    world.bl.resetCounters();
    const third = await world.run('stock', stockFlow);
    expect(third.result).toMatchObject({ written: 1 });
    expect(world.bl.calls('updateInventoryProductsStock')).toBe(1);
    expect(blStock(world, products[7].id)).toBe(99);
  });

  it('records a BaseLinker warning per product, does not count it as pushed, and retries it next cycle', async () => {
    world = await stockWorld(adapter);
    const keep = world.bl.addProduct(INVENTORY, { name: 'Keep', sku: 'KEEP' });
    const gone = world.bl.addProduct(INVENTORY, { name: 'Gone', sku: 'GONE' });
    await world.run('articles', articlesFlow);
    world.ongoing.setStock(DEMO_GOODS_OWNER.id, 'KEEP', 4);
    world.ongoing.setStock(DEMO_GOODS_OWNER.id, 'GONE', 6);
    const goneCopy = { ...gone };
    world.bl.state.products.delete(gone.id);

    const first = await world.run('stock', stockFlow);

    expect(first.result).toMatchObject({ written: 1, setAside: 1, counts: expect.objectContaining({ warned: 1 }) });
    expect(blStock(world, keep.id)).toBe(4);
    const [item] = await world.services().state.inbox.list({ kind: 'stock' });
    expect(item).toMatchObject({ sourceId: 'GONE', ids: expect.objectContaining({ problem: 'warning', blId: String(gone.id) }) });
    expect(item.reason).toBe(`BaseLinker did not take stock level 6 for product ${gone.id} (SKU "GONE") in ${WH}: Product ${gone.id} does not exist in inventory ${INVENTORY}`);
    // Not recorded as pushed: no level recorded for it but "in doubt" (what a push leaves until BaseLinker's answer is recorded).
    expect((await world.services().state.stockLevels.all()).get('GONE')?.level ?? LEVEL_IN_DOUBT).toBe(LEVEL_IN_DOUBT);

    // Next cycle: neither stock changed (as far back as the delta reads), yet GONE is read and pushed again.
    for (const a of world.ongoing.state.articles.values()) a.stockChangedAt = new Date(Date.now() - 3600_000);
    world.bl.state.products.set(gone.id, goneCopy);
    world.bl.resetCounters();
    const second = await world.run('stock', stockFlow);
    expect(second.result).toMatchObject({ seen: 1, written: 1, setAside: 0 });
    expect(world.bl.calls('updateInventoryProductsStock')).toBe(1);
    expect(blStock(world, gone.id)).toBe(6);
    expect(await world.services().state.inbox.list({ kind: 'stock' })).toEqual([]);
  });

  it('finds an unrecorded SKU (a variant too) one by one in the catalog and sets aside one BaseLinker does not have', async () => {
    world = await stockWorld(adapter);
    const parent = world.bl.addProduct(INVENTORY, { sku: 'PARENT' });
    const variant = world.bl.addVariant(parent.id, { name: 'v', sku: 'VAR-1' });
    ongoingArticle(world, 'VAR-1', 5);
    ongoingArticle(world, 'NOWHERE', 2);

    const report = await world.run('stock', stockFlow);

    expect(report.result).toMatchObject({ written: 1, setAside: 1, counts: expect.objectContaining({ unmatched: 1 }) });
    expect(blStock(world, variant.id)).toBe(5);
    expect(world.bl.calls('getInventoryProductsList')).toBe(2);
    const [item] = await world.services().state.inbox.list({ kind: 'stock' });
    expect(item).toMatchObject({ sourceId: 'NOWHERE', reason: `Ongoing article "NOWHERE" has no product or variant with that SKU in BaseLinker inventory ${INVENTORY}; its stock is not pushed` });
  });

  it('sweeps in full when the last read is older than 23 hours, and reads the delta otherwise', async () => {
    world = await stockWorld(adapter);
    world.bl.addProduct(INVENTORY, { sku: 'A' });
    ongoingArticle(world, 'A', 1);
    await world.run('stock', stockFlow);
    const state = world.services().state;
    const cursor = (await savedCursor<StockCursor>(world, STOCK_CURSOR))!;
    expect(Date.parse(cursor.lastReadAt)).toBe(Date.parse(cursor.lastFullAt));

    const old = new Date(Date.now() - 23 * 3600_000 - 1000).toISOString();
    await state.cursors.write(STOCK_CURSOR, { lastReadAt: old, lastFullAt: new Date().toISOString() });
    world.ongoing.resetCalls();
    const full = await world.run('stock', stockFlow);
    expect(full.result).toMatchObject({ counts: expect.objectContaining({ fullSweep: 1 }) });
    expect(articleReads(world).some((p) => p.includes('stockInfoChangedFrom'))).toBe(false);

    // 22 h ago: the delta starts 10 minutes before that read, still inside Ongoing's 24 h window.
    const recent = new Date(Date.now() - 22 * 3600_000);
    await state.cursors.write(STOCK_CURSOR, { lastReadAt: recent.toISOString(), lastFullAt: new Date().toISOString() });
    world.ongoing.resetCalls();
    const delta = await world.run('stock', stockFlow);
    expect(delta.outcome).toBe('ok');
    const from = new URLSearchParams(articleReads(world)[0].split('?')[1]).get('stockInfoChangedFrom');
    expect(Date.parse(from!)).toBe(recent.getTime() - 10 * 60_000);
  });
});
