import { main, type CliIo } from '../../infra/cli/main';
import type { OrderStory } from '../../infra/cli/order';
import { startApiGateway, type LocalApiGateway } from '../../infra/local/api-gateway';
import { InMemoryBudget } from '../../shared/baselinker/budget';
import { ordersFlow } from '../../shared/flows/orders';
import { createTenantServices } from '../../shared/lambda/wiring';
import { createShipmentWebhookHandler } from '../../shared/webhook';
import { testDocumentClient, testS3Client } from '../support/emulators';
import { CHOSEN, orderWorld } from '../support/orders';
import { TEST_WEBHOOK_SECRET, type World } from '../support/world';

// DynamoDB only (the flow suites run on both state adapters: describeOnEachState): the operator CLI works on a
// DynamoDB table (the embedded one of `npm start` or a deployed stack's).

/** `npm run cli -- order <id>`: one order's story across both systems, by any of its ids. */

let world: World;
let gateway: LocalApiGateway;

beforeAll(async () => {
  world = await orderWorld({}, []);
  const { ongoing } = world.services();
  await ongoing.putArticle({ articleNumber: 'SKU-A', articleName: 'Kubek', weight: 0.4 });
  // The Send webhook as the packer reaches it: the Ongoing simulator's pressSend, over HTTP, to the real handler.
  const tenant = { ...world.tenant, shipment: { ...world.tenant.shipment, courierCode: 'dpd' } };
  const budget = new InMemoryBudget({ requestsPerMinute: 100_000, burst: 100_000 });
  const handler = createShipmentWebhookHandler({
    tenants: async () => [tenant],
    services: (t, options) => createTenantServices(t, { tableName: world.tableName, labelsBucket: world.labelsBucket }, { ...options, dynamo: testDocumentClient(), s3: testS3Client(), budget }),
    budgetMs: 10_000,
  });
  gateway = await startApiGateway({ routes: [{ method: 'POST', resource: '/webhook/ongoing', handler }] });
  world.ongoing.settings.webhook = { url: `${gateway.url}/webhook/ongoing`, headerName: 'X-Webhook-Secret', headerValue: TEST_WEBHOOK_SECRET };
});
afterAll(async () => {
  await gateway?.close();
  await world.close();
});

function io(): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const tenant = { ...world.tenant, shipment: { ...world.tenant.shipment, courierCode: 'dpd' } };
  return {
    out: (t) => stdout.push(t),
    err: (t) => stderr.push(t),
    stdout,
    stderr,
    tenants: [tenant],
    state: { tableName: world.tableName, labelsBucket: world.labelsBucket, dynamo: testDocumentClient(), s3: testS3Client() },
  };
}

/** A BaseLinker order the orders flow took to Ongoing; the warehouse then packed it (status Sent). */
async function transferred(): Promise<{ blOrderId: number; ongoingOrderId: number }> {
  const bl = world.bl.addOrder({
    order_status_id: CHOSEN,
    delivery_fullname: 'Jan Kowalski',
    delivery_address: 'ul. Długa 5',
    delivery_postcode: '00-002',
    delivery_city: 'Kraków',
    delivery_country_code: 'PL',
    products: [{ sku: 'SKU-A', quantity: 2, price_brutto: 10 }],
  });
  const report = await world.run('orders', ordersFlow);
  expect(report.outcome).toBe('ok');
  const record = await world.services().state.orders.get(bl.order_id);
  const ongoingOrderId = Number(record!.ongoingOrderId);
  world.ongoing.setOrderStatus(ongoingOrderId, 450);
  return { blOrderId: bl.order_id, ongoingOrderId };
}

it('tells a shipped order from the BaseLinker order id: seen, in Ongoing, Send, package, label, tracking, both systems now', async () => {
  const { blOrderId, ongoingOrderId } = await transferred();
  expect(await main(['send', String(ongoingOrderId)], io())).toBe(0);

  const out = io();
  expect(await main(['order', String(blOrderId)], out)).toBe(0);
  const text = out.stdout.join('\n');
  expect(text).toContain(`Order BaseLinker ${blOrderId}, Ongoing ${ongoingOrderId}`);
  expect(text).toContain(`seen by the orders flow (BaseLinker order ${blOrderId})`);
  expect(text).toContain(`in Ongoing as order ${ongoingOrderId}`);
  expect(text).toMatch(/shipment record opened by the first Send; 1 attempt\(s\) in all/);
  expect(text).toMatch(/package \d+ \(dpd\) booked in BaseLinker/);
  expect(text).toMatch(new RegExp(`label stored as labels/test/${ongoingOrderId}/\\d+\\.pdf`));
  expect(text).toMatch(/shipped: tracking \S+/);
  expect(text).toMatch(
    new RegExp(`Send \\(npm run cli -- send\\): shipped; package \\d+ \\(dpd\\), label labels/test/${ongoingOrderId}/\\d+\\.pdf, tracking \\S+ .*\\[Ongoing order ${ongoingOrderId}, BaseLinker order ${blOrderId}\\]`),
  );
  expect(text).toMatch(/BaseLinker now\n {2}order \d+: status \d+/);
  expect(text).toMatch(/Ongoing now\n {2}order \d+ \(number \d+\): status 450/);
  expect(text).toMatch(/files: label-\S+\.pdf/);
});

it('lists each Send, from the webhook and the CLI, with its time, outcome, package, label file, tracking and both ids, in text and JSON', async () => {
  const { blOrderId, ongoingOrderId } = await transferred();
  world.bl.config.packageRefusals.set(blOrderId, 'Brak numeru telefonu');
  expect(await world.ongoing.pressSend(ongoingOrderId)).toBe(422);
  world.bl.config.packageRefusals.delete(blOrderId);
  expect(await world.ongoing.pressSend(ongoingOrderId)).toBe(200);
  expect(await main(['send', String(ongoingOrderId)], io())).toBe(0);

  const json = io();
  expect(await main(['order', String(blOrderId), '--json'], json)).toBe(0);
  const story = JSON.parse(json.stdout.join('\n')) as OrderStory;
  expect(story.sends.map((s) => [s.via, s.outcome])).toEqual([
    ['webhook', 'refused'],
    ['webhook', 'done'],
    ['cli', 'done'],
  ]);
  const [refused, shipped, again] = story.sends;
  expect(refused).toMatchObject({ ongoingOrderId: String(ongoingOrderId), blOrderId: String(blOrderId), message: expect.stringContaining('Brak numeru telefonu') });
  expect(refused.packageId).toBeUndefined();
  expect(shipped).toMatchObject({ ongoingOrderId: String(ongoingOrderId), blOrderId: String(blOrderId), courierCode: 'dpd', packageId: expect.stringMatching(/^\d+$/), labelKey: expect.stringMatching(new RegExp(`^labels/test/${ongoingOrderId}/`)), trackingNumber: expect.any(String) });
  expect(story.baselinker.packages?.map((p) => String(p.packageId))).toEqual([shipped.packageId]);
  expect(again).toMatchObject({ alreadyDone: true, packageId: shipped.packageId, labelKey: shipped.labelKey, trackingNumber: shipped.trackingNumber });
  expect(refused.at <= shipped.at && shipped.at <= again.at).toBe(true);

  const text = io();
  expect(await main(['order', String(ongoingOrderId)], text)).toBe(0);
  const lines = text.stdout.join('\n').split('\n').filter((line) => line.includes('Send ('));
  expect(lines).toHaveLength(3);
  expect(lines[0]).toMatch(new RegExp(`Send \\(Ongoing webhook\\): refused: .*Brak numeru telefonu.*; no package, no label file, no tracking yet \\[Ongoing order ${ongoingOrderId}, BaseLinker order ${blOrderId}\\]`));
  expect(lines[1]).toContain(`Send (Ongoing webhook): shipped; package ${shipped.packageId} (dpd), label ${shipped.labelKey}, tracking ${shipped.trackingNumber}`);
  expect(lines[2]).toContain(`Send (npm run cli -- send): already shipped by an earlier Send, nothing booked; package ${shipped.packageId} (dpd)`);
});

it('finds the same story by Ongoing order id and by order number, as JSON', async () => {
  const { blOrderId, ongoingOrderId } = await transferred();
  const byOngoing = io();
  expect(await main(['order', String(ongoingOrderId), '--json'], byOngoing)).toBe(0);
  const story = JSON.parse(byOngoing.stdout.join('\n')) as OrderStory;
  expect(story.foundBy).toBe('ongoing');
  expect(story.ids).toEqual({ blOrderId: String(blOrderId), ongoingOrderId: String(ongoingOrderId), orderNumber: String(blOrderId) });
  expect(story.order?.status).toBe('done');
  expect(story.shipment).toBeUndefined();
  expect(story.ongoing.status).toBe(450);
  expect(story.baselinker.packages).toEqual([]);

  const byNumber = io();
  expect(await main(['order', String(blOrderId), '--by', 'number', '--json'], byNumber)).toBe(0);
  expect((JSON.parse(byNumber.stdout.join('\n')) as OrderStory).ids.ongoingOrderId).toBe(String(ongoingOrderId));
});

it('shows every time the order was set aside and why', async () => {
  const { blOrderId, ongoingOrderId } = await transferred();
  world.bl.config.packageRefusals.set(blOrderId, 'Kod pocztowy nie pasuje do miasta');
  expect(await main(['send', String(ongoingOrderId)], io())).toBe(1);
  const out = io();
  expect(await main(['order', String(ongoingOrderId)], out)).toBe(0);
  const text = out.stdout.join('\n');
  expect(text).toMatch(new RegExp(`set aside \\(shipment#${ongoingOrderId}, 1 time\\(s\\), now open\\): the courier refused the package: Kod pocztowy nie pasuje do miasta`));
  expect(text).toMatch(/Send failed: the courier refused the package/);
  expect(text).toMatch(new RegExp(`Send \\(npm run cli -- send\\): refused: the courier refused the package: .*no package, no label file, no tracking yet \\[Ongoing order ${ongoingOrderId}, BaseLinker order ${blOrderId}\\]`));
});

it('says so when no system knows the id, exit 2', async () => {
  const out = io();
  expect(await main(['order', '123'], out)).toBe(2);
  expect(out.stderr.join('\n')).toMatch(/no order "123" for tenant test/);
  expect(out.stdout).toEqual([]);
});

it('refuses an unknown --by, exit 2', async () => {
  const out = io();
  expect(await main(['order', '1', '--by', 'shop'], out)).toBe(2);
  expect(out.stderr.join('\n')).toContain('--by takes bl, ongoing or number');
});
