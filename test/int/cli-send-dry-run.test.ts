import { main, type CliIo } from '../../infra/cli/main';
import type { SendPreview } from '../../shared/flows/shipment-preview';
import { OngoingClient } from '../../shared/ongoing/client';
import { demoClientSettings } from '../../infra/simulators/ongoing';
import { testDocumentClient, testS3Client } from '../support/emulators';
import { startWorld, type World } from '../support/world';

// DynamoDB only (the flow suites run on both state adapters: describeOnEachState): the operator CLI works on a
// DynamoDB table (the embedded one of `npm start` or a deployed stack's).

/** `npm run cli -- send <order> --dry-run`: the package a Send would book, and nothing booked or written. */

const CANCELLED = 5505;
let world: World;
let ongoing: OngoingClient;

beforeAll(async () => {
  world = await startWorld({ tenant: { baselinker: { cancelledStatusIds: [CANCELLED] }, shipment: { courierCode: 'dpd', courierAccountId: 61, courierFields: [{ id: 'package_description', value: 'Kubki' }] } } });
  ongoing = new OngoingClient(demoClientSettings(world.ongoing.baseUrl));
  await ongoing.putArticle({ articleNumber: 'MUG', articleName: 'Kubek', weight: 0.4 });
});
afterAll(() => world.close());

function io(): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    out: (t) => stdout.push(t),
    err: (t) => stderr.push(t),
    stdout,
    stderr,
    tenants: [world.tenant],
    state: { tableName: world.tableName, labelsBucket: world.labelsBucket, dynamo: testDocumentClient(), s3: testS3Client() },
  };
}

async function order(status: number, bl: Parameters<World['bl']['addOrder']>[0] = {}): Promise<{ ongoingOrderId: number; blOrderId: number }> {
  const blOrder = world.bl.addOrder({ delivery_fullname: 'Jan Kowalski', delivery_address: 'ul. Długa 5', delivery_postcode: '00-002', delivery_city: 'Kraków', ...bl });
  const { orderId } = await ongoing.putOrder({
    orderNumber: String(blOrder.order_id),
    goodsOwnerOrderId: String(blOrder.order_id),
    deliveryDate: '2026-11-27',
    consignee: { name: 'Jan Kowalski', address1: 'ul. Długa 5', postCode: '00-002', city: 'Kraków', countryCode: 'PL' },
    orderLines: [{ rowNumber: '1', articleNumber: 'MUG', numberOfItems: 2 }],
  });
  world.ongoing.setOrderStatus(orderId, status);
  return { ongoingOrderId: orderId, blOrderId: blOrder.order_id };
}

it('shows the package a Send would book (courier, account, form fields, parcels) and books, stores and writes nothing', async () => {
  const { ongoingOrderId, blOrderId } = await order(450);
  const filesBefore = world.ongoing.state.files.size;
  const out = io();
  expect(await main(['send', String(ongoingOrderId), '--dry-run', '--json'], out)).toBe(0);
  const preview = JSON.parse(out.stdout.join('\n')) as SendPreview & { dryRun: boolean };
  expect(preview.dryRun).toBe(true);
  expect(preview.kind).toBe('would-book');
  if (preview.kind !== 'would-book') return;
  expect(preview.request).toMatchObject({ order_id: blOrderId, courier_code: 'dpd', account_id: 61 });
  expect(preview.request.fields).toEqual(expect.arrayContaining([{ id: 'package_description', value: 'Kubki' }]));
  expect(preview.request.packages).toEqual([expect.objectContaining({ weight: 0.8 })]);

  expect(world.bl.calls('createPackage')).toBe(0);
  expect(world.ongoing.state.files.size).toBe(filesBefore);
  expect(await world.services().state.shipments.get(ongoingOrderId)).toBeUndefined();

  const text = io();
  expect(await main(['send', String(ongoingOrderId), '--dry-run'], text)).toBe(0);
  const shown = text.stdout.join('\n');
  expect(shown).toContain('dry run: nothing was booked or written');
  expect(shown).toMatch(/courier +dpd \(the default courier\)/);
  expect(shown).toMatch(/account +61/);
  expect(shown).toMatch(/parcel 1 +weight 0\.8/);
  expect(world.bl.calls('createPackage')).toBe(0);
});

it('plans an order the warehouse has not sent yet, saying a Send now would not be taken', async () => {
  const { ongoingOrderId } = await order(200);
  const out = io();
  expect(await main(['send', String(ongoingOrderId), '--dry-run'], out)).toBe(0);
  expect(out.stdout.join('\n')).toMatch(/a Send would book .*[\s\S]*note: the order is in Ongoing status 200; a Send is taken from status 450/);
});

it('says why a Send would be refused (a cancelled BaseLinker order), exit 1', async () => {
  const { ongoingOrderId } = await order(450, { order_status_id: CANCELLED });
  const out = io();
  expect(await main(['send', String(ongoingOrderId), '--dry-run'], out)).toBe(1);
  expect(out.stdout.join('\n')).toMatch(/a Send would be refused and set aside: BaseLinker order \d+ is cancelled/);
  expect(await world.services().state.inbox.get('shipment', String(ongoingOrderId))).toBeUndefined();
});

it('after the real Send: already shipped, nothing more would be booked; an unknown order exits 2', async () => {
  const { ongoingOrderId } = await order(450);
  expect(await main(['send', String(ongoingOrderId)], io())).toBe(0);
  const booked = world.bl.calls('createPackage');
  const out = io();
  expect(await main(['send', String(ongoingOrderId), '--dry-run'], out)).toBe(0);
  expect(out.stdout.join('\n')).toMatch(/already shipped: package \d+ \(dpd\)/);
  expect(world.bl.calls('createPackage')).toBe(booked);

  const unknown = io();
  expect(await main(['send', '999999', '--dry-run'], unknown)).toBe(2);
});
