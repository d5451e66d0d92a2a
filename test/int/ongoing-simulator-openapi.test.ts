import { existsSync, readFileSync } from 'node:fs';
import axios from 'axios';
import { bodyIssues, BODY_ROUTES, type TrimmedOpenApi } from '../../infra/simulators/ongoing/openapi';
import { cutFromReference, REFERENCE, TRIMMED } from '../../infra/simulators/ongoing/openapi-cut';
import { OngoingClient } from '../../shared/ongoing/client';
import { mapOrder } from '../../shared/mapping/order';
import {
  DEMO_API_USER,
  DEMO_GOODS_OWNER,
  demoClientSettings,
  demoSimulatorOptions,
  type OngoingSimulator,
  startOngoingSimulator,
} from '../../infra/simulators/ongoing';

/**
 * The Ongoing simulator takes request bodies only as Ongoing's OpenAPI models have them, every object closed:
 * a key outside the model is one Ongoing would drop silently, so the simulator answers 400 naming its path.
 */

describe('the simulator\'s copy of the OpenAPI request models', () => {
  const committed = JSON.parse(readFileSync(TRIMMED, 'utf8')) as TrimmedOpenApi;

  it('covers every route with a body, and every $ref it holds resolves inside it', () => {
    expect(Object.keys(committed.operations).sort()).toEqual(Object.keys(BODY_ROUTES).sort());
    const refs = JSON.stringify(committed.schemas).match(/#\/components\/schemas\/[A-Za-z0-9_]+/g) ?? [];
    for (const ref of refs) expect(committed.schemas[ref.split('/').pop()!]).toBeDefined();
  });

  // On a user's clone ../shared is absent and only the check above can run; CI and development have the reference.
  const withReference = existsSync(REFERENCE);
  it(`equals a fresh cut of the reference (${withReference ? 'reference present' : 'reference absent: compared with itself'})`, () => {
    const fresh = withReference ? cutFromReference() : readFileSync(TRIMMED, 'utf8');
    expect(readFileSync(TRIMMED, 'utf8')).toBe(fresh);
  });
});

describe('bodyIssues (objects closed)', () => {
  const file = { fileName: 'a.pdf', mimeType: 'application/pdf', fileDataBase64: 'JVBERi0=' };

  it('passes a body that fits the model', () => {
    expect(bodyIssues('POST /orders/{orderId}/files', { ...file, advanced: { printingInfo: { reportId: 1, printAsUser: { userId: 2 } } } })).toEqual([]);
  });

  it('names the path of an unknown key, a missing required field, a wrong type and a null where none is allowed', () => {
    expect(bodyIssues('POST /orders/{orderId}/files', { ...file, advanced: { printingInfo: { reportId: 1, printer: 'x' } } })).toEqual([
      { path: 'advanced.printingInfo.printer', message: expect.stringMatching(/not a field/) },
    ]);
    expect(bodyIssues('PUT /orders/{orderId}/files', file)).toEqual([{ path: 'fileName', message: expect.stringMatching(/not a field/) }]);
    expect(bodyIssues('PUT /orders/{orderId}/orderTracking', { waybill: 'W', trackingUrl: 'u' })).toEqual([{ path: 'isReturnTracking', message: 'is required' }]);
    expect(bodyIssues('PATCH /orders/{orderId}/waybill', { waybill: 5 })).toEqual([{ path: 'waybill', message: 'must be a string' }]);
    expect(bodyIssues('PATCH /orders/{orderId}/waybill', { waybill: 'W'.repeat(51) })).toEqual([{ path: 'waybill', message: expect.stringMatching(/at most 50/) }]);
    expect(bodyIssues('PUT /orders/{orderId}/orderTracking', { waybill: 'W', trackingUrl: 'u', isReturnTracking: null })).toEqual([
      { path: 'isReturnTracking', message: 'must not be null' },
    ]);
    expect(bodyIssues('PUT /orders', { orderLines: [{ rowNumber: '1', articleNumber: 'A', numberOfItems: 1, colour: 'red' }] })).toEqual(
      expect.arrayContaining([{ path: 'orderLines[0].colour', message: expect.stringMatching(/not a field/) }]),
    );
  });

  it('takes {value} only on the invoice address notifications, {toBeNotified, value} on the consignee', () => {
    const consignee = (invoiceNote: object) => ({
      goodsOwnerId: 1,
      orderNumber: 'N',
      deliveryDate: '2026-12-01T00:00:00Z',
      consignee: { name: 'A', advanced: { emailNotification: { toBeNotified: false, value: 'a@example.invalid' } }, invoiceAddress: { name: 'B', advanced: { emailNotification: invoiceNote } } },
    });
    expect(bodyIssues('PUT /orders', consignee({ value: 'b@example.invalid' }))).toEqual([]);
    expect(bodyIssues('PUT /orders', consignee({ toBeNotified: false, value: 'b@example.invalid' }))).toEqual([
      { path: 'consignee.invoiceAddress.advanced.emailNotification.toBeNotified', message: expect.stringMatching(/not a field/) },
    ]);
  });
});

describe('the Ongoing simulator over HTTP', () => {
  let sim: OngoingSimulator;
  const GO = DEMO_GOODS_OWNER.id;
  const http = () => axios.create({ baseURL: sim.baseUrl, auth: { username: DEMO_API_USER.user, password: DEMO_API_USER.password }, validateStatus: () => true });

  beforeAll(async () => {
    sim = await startOngoingSimulator(demoSimulatorOptions({ errorShape: 'ModelState' }));
    await http().put('/articles', { goodsOwnerId: GO, articleNumber: 'SKU-1', articleName: 'One' });
  });
  afterAll(() => sim.close());

  it('answers 400 naming the path of a key Ongoing would ignore, and stores nothing', async () => {
    const before = sim.state.orders.size;
    const res = await http().put('/orders', {
      goodsOwnerId: GO,
      orderNumber: 'OAPI-1',
      deliveryDate: '2026-12-01T00:00:00Z',
      consignee: { name: 'A', invoiceAddress: { name: 'B', advanced: { smsNotification: { toBeNotified: true, value: '+48 1' } } } },
      orderLines: [{ rowNumber: '1', articleNumber: 'SKU-1', numberOfItems: 1 }],
    });
    expect(res.status).toBe(400);
    expect(res.data.ModelState).toEqual({
      'order.consignee.invoiceAddress.advanced.smsNotification.toBeNotified': ['consignee.invoiceAddress.advanced.smsNotification.toBeNotified is not a field of this model (Ongoing would ignore it).'],
    });
    expect(sim.state.orders.size).toBe(before);
  });

  it('takes what our order mapping sends for an order with an invoice address and contacts', async () => {
    const mapped = mapOrder(
      {
        order_id: 7001, shop_order_id: 0, external_order_id: '', order_source: 'shop', order_status_id: 1, date_confirmed: 1_767_250_000,
        user_comments: '', admin_comments: '', currency: 'PLN', email: 'a@example.invalid', phone: '+48 600 100 200',
        delivery_fullname: 'Anna Nowak', delivery_company: '', delivery_address: 'ul. Prosta 1', delivery_postcode: '00-001', delivery_city: 'Warszawa',
        delivery_country_code: 'PL', delivery_state: '', delivery_point_id: '', invoice_fullname: 'Anna Nowak', invoice_company: 'Nowak sp. z o.o.',
        invoice_nip: 'PL1234567890', invoice_address: 'ul. Krzywa 2', invoice_postcode: '00-002', invoice_city: 'Warszawa', invoice_country_code: 'PL', invoice_state: '',
        products: [{ order_product_id: 1, sku: 'SKU-1', name: 'One', quantity: 1, price_brutto: 10, product_id: '1', variant_id: '0' }],
      } as never,
    );
    if (!mapped.ok) throw new Error(mapped.problems.join('; '));
    const client = new OngoingClient(demoClientSettings(sim.baseUrl));
    await expect(client.putOrder(mapped.order)).resolves.toMatchObject({ orderId: expect.any(Number) });
  });
});
