import { main, type CliIo } from '../../infra/cli/main';
import type { OrderStory } from '../../infra/cli/order';
import { ordersFlow } from '../../shared/flows/orders';
import { testDocumentClient, testS3Client } from '../support/emulators';
import { CHOSEN, orderWorld } from '../support/orders';
import type { World } from '../support/world';

/** `npm run cli -- order <id>`: one order's story across both systems, by any of its ids. */

let world: World;

beforeAll(async () => {
  world = await orderWorld({}, []);
  const { ongoing } = world.services();
  await ongoing.putArticle({ articleNumber: 'SKU-A', articleName: 'Kubek', weight: 0.4 });
});
afterAll(() => world.close());

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
  expect(text).toMatch(/Send pressed \(first time\); 1 attempt\(s\) in all/);
  expect(text).toMatch(/package \d+ \(dpd\) booked in BaseLinker/);
  expect(text).toMatch(new RegExp(`label stored as labels/test/${ongoingOrderId}/\\d+\\.pdf`));
  expect(text).toMatch(/shipped: tracking \S+/);
  expect(text).toMatch(/BaseLinker now\n {2}order \d+: status \d+/);
  expect(text).toMatch(/Ongoing now\n {2}order \d+ \(number \d+\): status 450/);
  expect(text).toMatch(/files: label-\S+\.pdf/);
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
