import { InMemoryBudget } from '../../shared/baselinker/budget';
import { BaseLinkerClient, BaseLinkerClientOptions } from '../../shared/baselinker/client';
import { BaseLinkerApiError } from '../../shared/baselinker/errors';
import { BaseLinkerSimulator, startBaseLinkerSimulator } from '../../infra/simulators/baselinker';

const TOKEN = 'paging-test-token-4d8e';

let sim: BaseLinkerSimulator;
let inventoryId: number;
let blKey: string;
let shopKey: string;

function client(over: Partial<BaseLinkerClientOptions> = {}): BaseLinkerClient {
  return new BaseLinkerClient({
    url: sim.url,
    token: TOKEN,
    budget: new InMemoryBudget({ requestsPerMinute: 100_000, burst: 1_000 }),
    retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 10 },
    ...over,
  });
}

/** `count` main products, every 10th with two variants. Returns main product ids. */
function addProducts(count: number): number[] {
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const p = sim.addProduct(inventoryId, { sku: `P-${i}`, stock: { [blKey]: i % 7 } });
    ids.push(p.id);
    if (i % 10 === 0) {
      sim.addVariant(p.id, { sku: `P-${i}-A`, stock: { [blKey]: 1 } });
      sim.addVariant(p.id, { sku: `P-${i}-B`, stock: { [blKey]: 2 } });
    }
  }
  return ids;
}

beforeEach(async () => {
  sim = await startBaseLinkerSimulator({ tokens: [TOKEN], rateLimit: { requestsPerWindow: 10_000 } });
  inventoryId = sim.addInventory().inventory_id;
  blKey = sim.addWarehouse({ inventoryId });
  shopKey = sim.addWarehouse({ inventoryId, warehouse_type: 'shop', warehouse_id: 77, stock_edition: false });
});

afterEach(async () => {
  await sim.close();
});

describe('BaseLinker paging and batching', () => {
  it('walks 2,500 products in exactly 3 list calls, stopping on the short page', async () => {
    const ids = addProducts(2500);
    const bl = client();
    const seen: number[] = [];
    const pageSizes: number[] = [];
    for await (const page of bl.listAllProducts(inventoryId)) {
      pageSizes.push(page.length);
      seen.push(...page.map((p) => p.id));
    }
    expect(pageSizes).toEqual([1000, 1000, 500]);
    expect(seen).toEqual(ids);
    expect(bl.requestsByMethod.getInventoryProductsList).toBe(Math.ceil(2500 / 1000));
    expect(sim.calls('getInventoryProductsList')).toBe(3);
  });

  it('walks a catalog smaller than one page in a single call', async () => {
    addProducts(999);
    const bl = client();
    let total = 0;
    for await (const page of bl.listAllProducts(inventoryId)) total += page.length;
    expect(total).toBe(999);
    expect(sim.calls('getInventoryProductsList')).toBe(1);
  });

  it('walks stock pages with the variants nested under their parents', async () => {
    addProducts(1200);
    const bl = client();
    let mains = 0;
    let variants = 0;
    for await (const page of bl.listAllStock(inventoryId)) {
      mains += page.length;
      variants += page.reduce((n, p) => n + Object.keys(p.variants).length, 0);
    }
    expect(mains).toBe(1200);
    expect(variants).toBe(240);
    expect(sim.calls('getInventoryProductsStock')).toBe(2);
  });

  it('fetches product data in chunks of the configured size', async () => {
    const ids = addProducts(1200);
    const bl = client({ productsDataChunk: 500 });
    const data = await bl.getProductsData(inventoryId, ids);
    expect(data).toHaveLength(1200);
    expect(data.find((p) => p.id === ids[0])?.variants.map((v) => v.sku)).toEqual(['P-0-A', 'P-0-B']);
    expect(sim.calls('getInventoryProductsData')).toBe(3);
  });

  it('gets an ERROR from the simulator when one data call asks for more than its cap', async () => {
    const ids = addProducts(30);
    sim.config.productsDataCap = 20;
    const error = await client().getInventoryProductsData({ inventory_id: inventoryId, products: ids }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BaseLinkerApiError);
    expect(sim.calls('getInventoryProductsData')).toBe(1);
  });

  it('updates 2,500 products in exactly 3 calls and surfaces every refused product', async () => {
    const ids = addProducts(2497);
    const update: Record<string, Record<string, number>> = {};
    for (const id of ids) update[id] = { [blKey]: 42 };
    update[ids[5]!] = { [shopKey]: 3 };
    update['888888'] = { [blKey]: 1 };
    update['888889'] = { [blKey]: 1 };
    update['888890'] = { [blKey]: 1 };
    expect(Object.keys(update)).toHaveLength(2500);

    const bl = client();
    const result = await bl.updateInventoryProductsStock(inventoryId, update);
    expect(sim.calls('updateInventoryProductsStock')).toBe(3);
    expect(bl.requestsByMethod.updateInventoryProductsStock).toBe(3);
    expect(result.counter).toBe(2496);
    expect(Object.keys(result.warnings).sort()).toEqual([String(ids[5]), '888888', '888889', '888890'].sort());
    expect(result.warnings[String(ids[5])]).toContain(shopKey);
    expect(sim.state.products.get(ids[100]!)?.stock[blKey]).toBe(42);
    expect(sim.state.products.get(ids[5]!)?.stock[shopKey]).toBeUndefined();
  });

  it('gets an ERROR from the simulator for more than 1,000 products in one stock call', async () => {
    const products = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [String(i + 1), { [blKey]: 1 }]));
    const error = await client()
      .callRaw('updateInventoryProductsStock', { inventory_id: inventoryId, products })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BaseLinkerApiError);
  });

  it('makes no call for an empty stock update', async () => {
    const bl = client();
    expect(await bl.updateInventoryProductsStock(inventoryId, {})).toEqual({ counter: 0, warnings: {} });
    expect(sim.calls()).toBe(0);
  });
});
