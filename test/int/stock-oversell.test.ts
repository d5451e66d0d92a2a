import { articlesFlow } from '../../shared/flows/articles';
import { ordersFlow } from '../../shared/flows/orders';
import { summaryLine } from '../../shared/flows/runner';
import { STOCK_CURSOR, stockFlow, type StockCursor } from '../../shared/flows/stock';
import { stockTakenBy } from '../../shared/flows/stock-orders';
import { flowForArgs } from '../../infra/local/sync';
import type { SimProduct } from '../../infra/simulators/baselinker/state';
import { DEMO_GOODS_OWNER } from '../../infra/simulators/ongoing';
import { nextId, type SimArticle } from '../../infra/simulators/ongoing/state';
import { orderProductSchema } from '../../shared/baselinker/schemas';
import { describeOnEachState, savedCursor, startWorld, type World } from '../support/world';

/**
 * The oversell window and drift, over HTTP on both simulators. BaseLinker (the simulator, like the service)
 * takes a confirmed order's units off its stock at once; Ongoing books them when the order is created there.
 */

const INVENTORY = 1;
const WH = 'bl_5';
const CHOSEN = 5501;
const UNPAID = 5502;
const OTHER = 5503;
const CANCELLED = 5505;
const GO = DEMO_GOODS_OWNER.id;

describeOnEachState('stock: oversell and drift', (adapter) => {
  let world: World;
  afterEach(() => world?.close());

  async function stockWorld(): Promise<World> {
    const w = await startWorld({
      state: adapter,
      tenant: {
        baselinker: { orderStatusIds: [CHOSEN], cancelledStatusIds: [CANCELLED] },
        stock: { enabled: true, warehouseKey: WH, reservedStatusIds: [UNPAID] },
      },
    });
    w.bl.addInventory({ inventory_id: INVENTORY });
    w.bl.addWarehouse({ warehouse_id: 5, inventoryId: INVENTORY });
    return w;
  }

  /** An Ongoing article straight into the simulator, as if the warehouse had it already, with stock. */
  function ongoingArticle(articleNumber: string, numberOfItems: number): void {
    const now = new Date();
    const article: SimArticle = {
      articleSystemId: nextId(world.ongoing.state, 'article'),
      goodsOwnerId: GO,
      articleNumber,
      data: { articleName: articleNumber },
      numberOfItems,
      numberOfBookedItems: 0,
      lockedForSaleNumberOfItems: 0,
      createdAt: now,
      dataUpdatedAt: now,
      stockChangedAt: now,
    };
    world.ongoing.state.articles.set(article.articleSystemId, article);
  }

  const blStock = (p: SimProduct) => world.bl.state.products.get(p.id)!.stock[WH];
  const line = (p: SimProduct, quantity: number) => ({ product_id: String(p.parent_id || p.id), variant_id: p.parent_id ? String(p.id) : '0', sku: p.sku, quantity });

  /** Products A (10 in BaseLinker) and a variant B-1 (4), their articles in Ongoing with the same stock, levels in sync. */
  async function inSync() {
    const a = world.bl.addProduct(INVENTORY, { sku: 'A', stock: { [WH]: 10 } });
    const b = world.bl.addProduct(INVENTORY, { sku: 'B' });
    const b1 = world.bl.addVariant(b.id, { sku: 'B-1', name: '1', stock: { [WH]: 4 } });
    expect((await world.run('articles', articlesFlow)).outcome).toBe('ok');
    world.ongoing.setStock(GO, 'A', 10);
    world.ongoing.setStock(GO, 'B-1', 4);
    expect((await world.run('stock', stockFlow)).outcome).toBe('ok');
    expect([blStock(a), blStock(b1)]).toEqual([10, 4]);
    // An hour ago, as far as the next delta read is concerned.
    for (const article of world.ongoing.state.articles.values()) article.stockChangedAt = new Date(Date.now() - 3600_000);
    return { a, b1 };
  }

  describe('stock: no oversell window', () => {
    it('pushes Ongoing sellable minus the units on BaseLinker orders Ongoing has not booked, and counts an order in Ongoing once', async () => {
      world = await stockWorld();
      const { a, b1 } = await inSync();
      const c = world.bl.addProduct(INVENTORY, { sku: 'C-NOT-IN-ONGOING', stock: { [WH]: 9 } });

      // Confirmed in BaseLinker, so BaseLinker takes the units at once; the orders flow has not run yet.
      const o1 = world.bl.addOrder({ order_status_id: CHOSEN, products: [line(a, 3), line(b1, 1)] });
      world.bl.addOrder({ order_status_id: UNPAID, products: [line(a, 1)] });
      world.bl.addOrder({ order_status_id: OTHER, products: [line(b1, 2)] });
      world.bl.addOrder({ order_status_id: CHOSEN, products: [{ product_id: '', sku: 'A', quantity: 5 }] }, { confirmedAt: null });
      expect([blStock(a), blStock(b1)]).toEqual([6, 1]);

      // A delivery arrives in Ongoing (+5 of A): the delta holds A, and its level leaves the orders' units out.
      world.ongoing.setStock(GO, 'A', 15);
      const during = await world.run('stock', stockFlow);
      expect(during.result).toMatchObject({ written: 1, counts: expect.objectContaining({ ordersHoldingStock: 2, unitsOnOrders: 5 }) });
      expect(blStock(a)).toBe(15 - 3 - 1);

      // The orders flow sends o1 to Ongoing (which books it); an order waiting for an article still holds its units.
      world.bl.addOrder({ order_status_id: CHOSEN, products: [line(a, 2), line(c, 1)] });
      expect(blStock(a)).toBe(9);
      const orders = await world.run('orders', ordersFlow);
      expect(orders.result).toMatchObject({ written: 1, counts: expect.objectContaining({ waitingForArticles: 1 }) });
      const inOngoing = [...world.ongoing.state.orders.values()].map((o) => o.orderNumber);
      expect(inOngoing).toEqual([String(o1.order_id)]);

      const after = await world.run('stock', stockFlow);
      expect(after.outcome).toBe('ok');
      // Ongoing: 15 - 3 booked = 12 sellable; less the unpaid order (1) and the waiting one (2): 9, as BaseLinker shows.
      expect(blStock(a)).toBe(9);
      expect(after.result!.counts).toMatchObject({ ordersHoldingStock: 2 });
      // B-1: 4 - 1 booked = 3; the order in a status that holds nothing is not counted (the seller's choice).
      expect(blStock(b1)).toBe(3);
    });

    it('does not count an order Ongoing has although the state never recorded it (a run died before its record)', async () => {
      world = await stockWorld();
      const { a } = await inSync();
      const order = world.bl.addOrder({ order_status_id: CHOSEN, products: [line(a, 4)] });
      const { ongoing } = world.services();
      await ongoing.putOrder({
        orderNumber: String(order.order_id),
        deliveryDate: '2026-12-01T10:00:00Z',
        consignee: { name: 'Zofia Wójcik', address1: 'ul. Długa 5/3', postCode: '31-147', city: 'Kraków', countryCode: 'PL' },
        orderLines: [{ rowNumber: '1', articleNumber: 'A', numberOfItems: 4 }],
      });

      const report = await world.run('stock', stockFlow);

      expect(report.result!.counts).toMatchObject({ ordersHoldingStock: 0 });
      expect(blStock(a)).toBe(6);
    });

    it('counts a line only when BaseLinker took it from this catalog and warehouse', () => {
      const base = { order_product_id: 1, storage: 'db', storage_id: INVENTORY, product_id: '7', variant_id: '0', warehouse_id: 5, quantity: 1, price_brutto: 1 };
      const parse = (l: Record<string, unknown>) => orderProductSchema().parse({ name: 'n', attributes: '', sku: 'S', ean: '', location: '', auction_id: '', tax_rate: 23, weight: 0, bundle_id: 0, ...base, ...l });
      expect(stockTakenBy(parse({}), INVENTORY, WH)).toBe('7');
      expect(stockTakenBy(parse({ variant_id: '8' }), INVENTORY, WH)).toBe('8');
      expect(stockTakenBy(parse({ storage_id: 0, warehouse_id: 0 }), INVENTORY, WH)).toBe('7');
      expect(stockTakenBy(parse({ storage: 'shop' }), INVENTORY, WH)).toBeUndefined();
      expect(stockTakenBy(parse({ product_id: '' }), INVENTORY, WH)).toBeUndefined();
      expect(stockTakenBy(parse({ storage_id: 99 }), INVENTORY, WH)).toBeUndefined();
      expect(stockTakenBy(parse({ warehouse_id: 6 }), INVENTORY, WH)).toBeUndefined();
    });
  });

  describe('stock: drift is put right', () => {
    it('undoes a hand edit in BaseLinker with `sync stock --full` and with the scheduled full sweep, orders still counted', async () => {
      world = await stockWorld();
      const { a, b1 } = await inSync();
      world.bl.addOrder({ order_status_id: UNPAID, products: [line(a, 2)] });
      expect(blStock(a)).toBe(8);

      // By hand in BaseLinker (or another tool on the token): Ongoing did not change, so a delta run leaves it.
      world.bl.state.products.get(a.id)!.stock[WH] = 50;
      world.bl.state.products.get(b1.id)!.stock[WH] = 0;
      const delta = await world.run('stock', stockFlow);
      expect(delta.result).toMatchObject({ seen: 0, written: 0 });
      expect(blStock(a)).toBe(50);

      world.bl.resetCounters();
      const full = await world.run('stock', flowForArgs('stock', ['--full'])!);
      expect(full.result).toMatchObject({ written: 2, counts: expect.objectContaining({ fullSweep: 1, corrected: 2, drifted: 1, stockPages: 1 }) });
      expect([blStock(a), blStock(b1)]).toEqual([8, 4]);
      expect(summaryLine(full)).toContain('full sweep: corrected 2 level(s) in BaseLinker (1 of them changed there by something else)');
      expect(world.bl.calls('getInventoryProductsStock')).toBe(1);
      expect(world.bl.calls('updateInventoryProductsStock')).toBe(1);

      // A day later the scheduled run sweeps in full by itself and corrects the next edit; equal levels cost no write.
      world.bl.state.products.get(b1.id)!.stock[WH] = 40;
      const state = world.services().state;
      const cursor = (await savedCursor<StockCursor>(world, STOCK_CURSOR))!;
      const dayAgo = new Date(Date.now() - 24 * 3600_000 - 1000).toISOString();
      await state.cursors.write(STOCK_CURSOR, { ...cursor, lastFullAt: dayAgo } satisfies StockCursor);
      const scheduled = await world.run('stock', stockFlow);
      expect(scheduled.result).toMatchObject({ written: 1, counts: expect.objectContaining({ fullSweep: 1, corrected: 1, drifted: 1, unchanged: 1 }) });
      expect([blStock(a), blStock(b1)]).toEqual([8, 4]);
    });

    it('compares 2,500 products read in 3 pages of getInventoryProductsStock and corrects every difference, variants too', async () => {
      world = await stockWorld();
      const products: SimProduct[] = [];
      for (let i = 0; i < 2400; i++) products.push(world.bl.addProduct(INVENTORY, { sku: `P${i}`, stock: { [WH]: i % 7 } }));
      const parent = world.bl.addProduct(INVENTORY, { sku: 'PARENT' });
      for (let i = 0; i < 100; i++) products.push(world.bl.addVariant(parent.id, { sku: `V${i}`, name: `v${i}`, stock: { [WH]: i % 7 } }));
      // The articles straight into Ongoing (the stock run finds their products in one walk of the catalog list).
      for (const p of products) ongoingArticle(p.sku, 3);
      world.bl.resetCounters();

      const full = await world.run('stock', flowForArgs('stock', ['--full'])!);

      expect(full.outcome).toBe('ok');
      expect(products.every((p) => blStock(p) === 3)).toBe(true);
      // i % 7 === 3 already matched: 2,500 less those.
      const already = products.filter((_, i) => (i < 2400 ? i : i - 2400) % 7 === 3).length;
      expect(full.result).toMatchObject({ written: 2500 - already, counts: expect.objectContaining({ corrected: 2500 - already, unchanged: already }) });
      expect(world.bl.calls('getInventoryProductsStock')).toBe(3);
    });
  });
});
