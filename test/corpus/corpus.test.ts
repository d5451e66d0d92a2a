import type { APIGatewayProxyEvent } from 'aws-lambda';
import { articlesFlow } from '../../shared/flows/articles';
import { ordersFlow } from '../../shared/flows/orders';
import { createShipmentWebhookHandler } from '../../shared/webhook';
import { createTenantServices } from '../../shared/lambda/wiring';
import { InMemoryBudget } from '../../shared/baselinker/budget';
import { testDocumentClient, testS3Client } from '../support/emulators';
import { startWorld, TEST_WEBHOOK_SECRET, type World } from '../support/world';
import { ORDER_CASES, PRODUCT_CASES, WEBHOOK_CASES } from './inputs';

// DynamoDB only (the flow suites run on both state adapters: describeOnEachState): its subject is bad input from
// outside (what the mapping and the clients make of it); one adapter suffices, and the flows on both adapters run
// in test/int.

/**
 * Feeds the malformed-input corpus (inputs.ts) through the real flows and the webhook: each input gives a
 * clear error or is set aside with its reason, the valid items of the same run go through, and no run fails
 * or leaves an unhandled rejection behind.
 */

const CHOSEN = 5501;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => process.on('unhandledRejection', onUnhandled));
afterAll(() => process.off('unhandledRejection', onUnhandled));
afterEach(() => expect(unhandled).toEqual([]));

describe('corpus: catalog products', () => {
  let world: World;
  const ids: Array<{ id: number; sku: string; expect: 'written' | 'set-aside'; reason?: RegExp; articleName?: string; weight?: number; label: string }> = [];
  let outcome: string;
  let error: string | undefined;

  beforeAll(async () => {
    world = await startWorld({ tenant: { baselinker: { inventoryId: 1 } } });
    world.bl.addInventory({ inventory_id: 1 });
    const good = world.bl.addProduct(1, { sku: 'CORPUS-GOOD-1', name: 'Dobry produkt', weight: 0.5 });
    ids.push({ id: good.id, sku: good.sku, expect: 'written', label: 'a valid product before the corpus' });
    PRODUCT_CASES.forEach((c, i) => {
      const p = world.bl.addProduct(1, { sku: `CORPUS-${i}`, name: `Produkt ${i}`, weight: 0.3 });
      const { text_fields, ...rest } = c.product;
      Object.assign(p, rest);
      if (text_fields) p.text_fields = text_fields as Record<string, unknown>;
      (c.variants ?? []).forEach((v, j) => {
        const variant = world.bl.addVariant(p.id, { sku: `CORPUS-${i}-V${j}`, name: `wariant ${j}` });
        Object.assign(variant, v.fields);
        ids.push({ id: variant.id, sku: variant.sku, expect: v.expect, reason: v.reason, label: `${c.name}, variant ${j}` });
      });
      if (!c.variants) ids.push({ id: p.id, sku: p.sku, expect: c.expect, reason: c.reason, articleName: c.articleName, weight: c.weight, label: c.name });
    });
    const last = world.bl.addProduct(1, { sku: 'CORPUS-GOOD-2', name: 'Drugi dobry produkt', weight: 0.5 });
    ids.push({ id: last.id, sku: last.sku, expect: 'written', label: 'a valid product after the corpus' });
    const report = await world.run('articles', articlesFlow);
    outcome = report.outcome;
    error = report.error;
  });
  afterAll(() => world?.close());

  it('finishes the run (no failed outcome) with every malformed product set aside and the rest written', () => {
    expect({ outcome, error }).toEqual({ outcome: 'ok', error: undefined });
  });

  it.each(PRODUCT_CASES.map((c) => [c.name]))('%s: the expected outcome, with its reason', async (name) => {
    const { state } = world.services();
    const aside = new Map((await state.inbox.list({ kind: 'article' })).map((i) => [i.sourceId, i]));
    const articles = [...world.ongoing.state.articles.values()];
    for (const item of ids.filter((x) => x.label === name || x.label.startsWith(`${name}, variant`))) {
      const article = articles.find((a) => a.articleNumber === item.sku);
      const setAside = aside.get(String(item.id));
      if (item.expect === 'written') {
        expect({ label: item.label, written: Boolean(article), setAside: setAside?.reason }).toEqual({ label: item.label, written: true, setAside: undefined });
        if (item.articleName !== undefined) expect(article!.data.articleName).toBe(item.articleName);
        if (item.weight !== undefined) expect(article!.data.weight).toBe(item.weight);
      } else {
        expect({ label: item.label, written: Boolean(article) }).toEqual({ label: item.label, written: false });
        expect(setAside?.reason).toMatch(item.reason!);
      }
    }
  });

  it('writes the valid products of the same run', () => {
    const numbers = new Set([...world.ongoing.state.articles.values()].map((a) => a.articleNumber));
    expect(numbers.has('CORPUS-GOOD-1') && numbers.has('CORPUS-GOOD-2')).toBe(true);
  });
});

describe('corpus: orders', () => {
  let world: World;
  const cases: Array<{ id: number; name: string }> = [];
  let good: number[] = [];
  let outcome: string;
  let error: string | undefined;

  beforeAll(async () => {
    world = await startWorld({ tenant: { baselinker: { orderStatusIds: [CHOSEN] } } });
    await world.services().ongoing.putArticle({ articleNumber: 'CORPUS-OK', articleName: 'Artykuł korpusu' });
    const line = { sku: 'CORPUS-OK', quantity: 1, price_brutto: 10 };
    const addGood = () => world.bl.addOrder({ order_status_id: CHOSEN, products: [line] }).order_id;
    good.push(addGood());
    for (const c of ORDER_CASES) {
      const products = Array.isArray(c.rawProducts) ? (c.rawProducts as Array<Record<string, unknown>>) : [line];
      const order = world.bl.addOrder({ order_status_id: CHOSEN, products });
      Object.assign(order, c.order);
      if (c.rawProducts !== undefined && !Array.isArray(c.rawProducts)) (order as unknown as Record<string, unknown>).products = c.rawProducts;
      cases.push({ id: order.order_id, name: c.name });
    }
    good.push(addGood());
    const report = await world.run('orders', ordersFlow);
    outcome = report.outcome;
    error = report.error;
  });
  afterAll(() => world?.close());

  it('finishes the run (no failed outcome) and transfers the valid orders of the same run', () => {
    expect({ outcome, error }).toEqual({ outcome: 'ok', error: undefined });
    const numbers = new Set([...world.ongoing.state.orders.values()].map((o) => o.orderNumber));
    expect(good.filter((id) => !numbers.has(String(id)))).toEqual([]);
  });

  it.each(ORDER_CASES.map((c) => [c.name, c]))('%s: the expected outcome, with its reason', async (name, c) => {
    const { id } = cases.find((x) => x.name === name)!;
    const { state } = world.services();
    const setAside = await state.inbox.get('order', String(id));
    const inOngoing = [...world.ongoing.state.orders.values()].some((o) => o.orderNumber === String(id));
    if (c.expect === 'written') {
      expect({ inOngoing, setAside: setAside?.reason }).toEqual({ inOngoing: true, setAside: undefined });
    } else {
      expect({ inOngoing }).toEqual({ inOngoing: false });
      expect(setAside?.reason).toMatch(c.reason!);
    }
  });
});

describe('corpus: Send webhook bodies', () => {
  let world: World;
  let handler: ReturnType<typeof createShipmentWebhookHandler>;
  const HEADER = 'X-Webhook-Secret';

  beforeAll(async () => {
    world = await startWorld({ tenant: { shipment: { courierCode: 'dpd', webhookHeader: HEADER } } });
    const runtime = { tableName: world.tableName, labelsBucket: world.labelsBucket };
    const budget = new InMemoryBudget({ requestsPerMinute: 100_000, burst: 100_000 });
    handler = createShipmentWebhookHandler({
      tenants: async () => [world.tenant],
      services: (tenant, options) => createTenantServices(tenant, runtime, { ...options, dynamo: testDocumentClient(), s3: testS3Client(), budget }),
      budgetMs: 5_000,
    });
  });
  afterAll(() => world?.close());

  it.each(WEBHOOK_CASES.map((c) => [c.name, c]))('%s: answers its status with a message that says what is wrong', async (_name, c) => {
    const body = typeof c.body === 'string' ? c.body : JSON.stringify(c.body);
    const res = await handler({
      httpMethod: 'POST',
      headers: { [HEADER]: TEST_WEBHOOK_SECRET, 'Content-Type': 'application/json' },
      multiValueHeaders: {},
      body,
      isBase64Encoded: Boolean(c.base64),
    } as unknown as APIGatewayProxyEvent);
    const answer = JSON.parse(res.body) as { message?: string };
    expect({ status: res.statusCode, message: answer.message }).toEqual({ status: c.status, message: expect.stringMatching(c.message) });
  });
});
