import { randomUUID } from 'node:crypto';
import { ordersFlow } from '../../shared/flows/orders';
import { shipOrder } from '../../shared/flows/shipment';
import { flowLogger, forgetCustomerData, rootLogger } from '../../shared/log/logger';
import { OngoingClient } from '../../shared/ongoing/client';
import { demoClientSettings } from '../../infra/simulators/ongoing';
import { CHOSEN, orderWorld } from '../support/orders';
import type { World } from '../support/world';
import { ongoingTwin } from '../support/ongoing-twin';

// DynamoDB only (the flow suites run on both state adapters: describeOnEachState): its subject is what reaches the
// log, which the state adapter does not write to; one adapter suffices.

/**
 * No customer data in any log line: the flows run against the simulators with logging on and every line
 * written to stdout is read back. A name or a street has no shape; the values come from the orders read.
 */

const CUSTOMER = {
  name: 'Zofia Przybylska',
  street: 'ul. Wiosenna 17',
  city: 'Kórnik',
  postcode: '62-035',
  phone: '+48 601 234 567',
  malformedEmail: 'zofia..przybylska@@poczta',
  emailWithoutAt: 'zofia.przybylska.poczta.example',
};

let world: World;
let lines: string[] = [];
let restore: () => void;

beforeAll(async () => {
  world = await orderWorld({}, ['SKU-A', 'MUG']);
  await new OngoingClient(demoClientSettings(world.ongoing.baseUrl)).putArticle({ articleNumber: 'MUG', articleName: 'Kubek', weight: 0.4 });
  rootLogger.setLogLevel('DEBUG');
  // JSON lines: INFO and below on stdout, WARN and ERROR on stderr.
  const capture = (chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  };
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
  restore = () => {
    out.mockRestore();
    err.mockRestore();
  };
});

afterAll(async () => {
  restore();
  rootLogger.setLogLevel('SILENT');
  forgetCustomerData();
  await world.close();
});

beforeEach(() => {
  lines = [];
});

function logText(): string {
  return lines.join('');
}

function expectNoCustomerData(text: string): void {
  for (const value of Object.values(CUSTOMER)) expect(text).not.toContain(value);
  expect(text).not.toContain('601 234 567');
  expect(text).not.toContain('Przybylska');
}

it('keeps a malformed e-mail (and the rest of the customer) out of the orders run log', async () => {
  const order = world.bl.addOrder({
    order_status_id: CHOSEN,
    products: [{ sku: 'SKU-A', quantity: 1, price_brutto: 10 }],
    email: CUSTOMER.malformedEmail,
    phone: CUSTOMER.phone,
    delivery_fullname: CUSTOMER.name,
    delivery_address: CUSTOMER.street,
    delivery_city: CUSTOMER.city,
    delivery_postcode: CUSTOMER.postcode,
  });
  const run = await world.run('orders', ordersFlow);
  expect(run.outcome).toBe('ok');
  const text = logText();
  // The line about the left-out e-mail is there, with the value replaced.
  expect(text).toContain('order transferred with data left out');
  expect(text).toContain(String(order.order_id));
  expect(text).toMatch(/e-mail address \\"\[(email|customer)\]\\" is not well-formed/);
  expectNoCustomerData(text);
});

it('keeps an e-mail without any shape out of the log too, by its value', async () => {
  world.bl.addOrder({
    order_status_id: CHOSEN,
    products: [{ sku: 'SKU-A', quantity: 1, price_brutto: 10 }],
    email: CUSTOMER.emailWithoutAt,
    delivery_fullname: CUSTOMER.name,
  });
  await world.run('orders', ordersFlow);
  const text = logText();
  expect(text).toContain('order transferred with data left out');
  expect(text).toContain('[customer]');
  expectNoCustomerData(text);
});

it("keeps a courier error quoting the address out of the log and out of the error's message", async () => {
  const ongoing = new OngoingClient(demoClientSettings(world.ongoing.baseUrl));
  const bl = world.bl.addOrder({ delivery_fullname: CUSTOMER.name, delivery_address: CUSTOMER.street, delivery_postcode: CUSTOMER.postcode, delivery_city: CUSTOMER.city, phone: CUSTOMER.phone });
  const orderId = await ongoingTwin(ongoing, world.ongoing, bl.order_id, {
    deliveryDate: '2026-11-27',
    consignee: { name: CUSTOMER.name, address1: CUSTOMER.street, postCode: CUSTOMER.postcode, city: CUSTOMER.city, countryCode: 'PL' },
    orderLines: [{ rowNumber: '1', articleNumber: 'MUG', numberOfItems: 1 }],
    status: 450,
  });
  const courierSays = `Kurier odrzucił przesyłkę: adres ${CUSTOMER.name}, ${CUSTOMER.street}, ${CUSTOMER.postcode} ${CUSTOMER.city}, tel. ${CUSTOMER.phone} poza zasięgiem`;
  world.bl.refusePackages(courierSays, bl.order_id);
  const tenant = { ...world.tenant, shipment: { ...world.tenant.shipment, courierCode: 'dpd' } };
  const services = world.services(tenant);
  const deps = { tenant, ...services, ...services.state, log: flowLogger({ tenant: tenant.id, flow: 'shipment' }), now: Date.now };

  const outcome = await shipOrder(deps, orderId, { owner: randomUUID(), leaseMs: 60_000 });
  expect(outcome.kind).toBe('refused');
  // The person who fixes the address still reads what the courier said (set-aside record, Ongoing's answer) ...
  expect(outcome.kind === 'refused' && outcome.courierMessage).toBe(courierSays);
  // ... but the error message and the log line do not carry it.
  expect(outcome.kind === 'refused' && outcome.message).toContain('poza zasięgiem');
  expectNoCustomerData(outcome.kind === 'refused' ? outcome.message : '');
  const text = logText();
  expect(text).toContain('shipment refused');
  expectNoCustomerData(text);
});
