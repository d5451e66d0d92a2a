import { OngoingClient } from '../../shared/ongoing/client';
import { main, type CliIo } from '../../infra/cli/main';
import { demoClientSettings } from '../../infra/simulators/ongoing';
import { testDocumentClient, testS3Client } from '../support/emulators';
import { startWorld, type World } from '../support/world';
import { ongoingTwin } from '../support/ongoing-twin';

// DynamoDB only (the flow suites run on both state adapters: describeOnEachState): the operator CLI works on a
// DynamoDB table (the embedded one of `npm start` or a deployed stack's).

/** `npm run cli -- send <order>`: the shipment flow for one order without the webhook, safe to repeat. */

let world: World;
let ongoing: OngoingClient;

beforeAll(async () => {
  world = await startWorld({ tenant: { shipment: { courierCode: 'dpd' } } });
  ongoing = new OngoingClient(demoClientSettings(world.ongoing.baseUrl));
  await ongoing.putArticle({ articleNumber: 'MUG', articleName: 'Kubek', weight: 0.4 });
});
afterAll(() => world.close());

function io(): CliIo & { text(): string } {
  const lines: string[] = [];
  return {
    out: (t) => lines.push(t),
    err: (t) => lines.push(t),
    text: () => lines.join('\n'),
    tenants: [world.tenant],
    state: { tableName: world.tableName, labelsBucket: world.labelsBucket, dynamo: testDocumentClient(), s3: testS3Client() },
  };
}

async function pickedOrder(): Promise<number> {
  const bl = world.bl.addOrder({ delivery_fullname: 'Jan Kowalski', delivery_address: 'ul. Długa 5', delivery_postcode: '00-002', delivery_city: 'Kraków' });
  const orderId = await ongoingTwin(ongoing, world.ongoing, bl.order_id, {
    deliveryDate: '2026-11-27',
    consignee: { name: 'Jan Kowalski', address1: 'ul. Długa 5', postCode: '00-002', city: 'Kraków', countryCode: 'PL' },
    orderLines: [{ rowNumber: '1', articleNumber: 'MUG', numberOfItems: 2 }],
    status: 450,
  });
  return orderId;
}

it('ships one order with a package, a label and tracking, and books nothing more when repeated', async () => {
  const orderId = await pickedOrder();
  const first = io();
  expect(await main(['send', String(orderId)], first)).toBe(0);
  expect(first.text()).toMatch(new RegExp(`order ${orderId} \\[test\\]: shipped: package \\d+ \\(dpd\\), label labels/test/${orderId}/\\d+\\.pdf, tracking `));
  const again = io();
  expect(await main(['send', String(orderId)], again)).toBe(0);
  expect(again.text()).toContain('already shipped');
  expect(world.bl.calls('createPackage')).toBe(1);
  expect(world.ongoing.state.orders.get(orderId)?.tracking?.length ?? 0).toBeGreaterThan(0);
});

it('refuses an order id that is not a number, with exit code 2', async () => {
  const out = io();
  expect(await main(['send', 'abc'], out)).toBe(2);
  expect(out.text()).toContain('"abc" is not an Ongoing order id');
});

it('reports an unknown order and exits 2, as --help says for an unknown id', async () => {
  const out = io();
  expect(await main(['send', '999999'], out)).toBe(2);
  expect(out.text()).toContain('order-not-found');
});
