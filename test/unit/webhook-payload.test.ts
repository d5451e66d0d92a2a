import { parseOrderWebhook } from '../../shared/webhook/payload';

/** Ongoing's order webhook, shaped as in its documentation (see reference/ongoing-api.md §8.2). */
const ongoingExample = {
  webhookOrdersId: 12,
  webhookEventId: 98765,
  system: 'examplewarehouse',
  timestamp: '2025-03-05T13:45:10.1234567',
  orderId: 70211,
  orderNumber: 'BL-100234',
  goodsOwnerId: 42,
  goodsOwnerOrderId: '100234',
  consigneeOrderNumber: null,
  path: '/api/v1/orders/70211',
  orderStatus: { number: 450 },
  currentShipmentId: null,
  webhookTemplate: 'Order status changed',
  goodsOwnerName: 'Example Shop',
  goodsOwnerClasses: [],
  byUser: { userId: 7 },
  byComputer: { computerId: 3, computerName: 'PACK-1' },
  tracking: [],
  parcels: [],
};

describe('Ongoing order webhook payload', () => {
  it('reads order id, goods owner id, event id and status from Ongoing’s payload, keeping the rest', () => {
    const parsed = parseOrderWebhook(JSON.stringify(ongoingExample));
    expect(parsed).toMatchObject({ ok: true, payload: { orderId: 70211, goodsOwnerId: 42, webhookEventId: '98765', orderStatus: { number: 450 }, system: 'examplewarehouse' } });
  });

  it('accepts ids sent as numeric strings and a base64 body', () => {
    const body = Buffer.from(JSON.stringify({ ...ongoingExample, orderId: '70211', goodsOwnerId: '42', webhookEventId: 'evt-1' })).toString('base64');
    expect(parseOrderWebhook(body, true)).toMatchObject({ ok: true, payload: { orderId: 70211, goodsOwnerId: 42, webhookEventId: 'evt-1' } });
  });

  it('names what is wrong with a malformed body', () => {
    expect(parseOrderWebhook(undefined)).toEqual({ ok: false, problem: 'the request has no body' });
    expect(parseOrderWebhook('{"orderId": 1')).toEqual({ ok: false, problem: 'the body is not JSON' });
    expect(parseOrderWebhook('[1,2]')).toEqual({ ok: false, problem: 'the body is not a JSON object' });
    const { orderId: _o, ...noOrder } = ongoingExample;
    expect(parseOrderWebhook(JSON.stringify(noOrder))).toMatchObject({ ok: false, problem: expect.stringContaining('orderId') });
    expect(parseOrderWebhook(JSON.stringify({ ...ongoingExample, goodsOwnerId: -3 }))).toMatchObject({ ok: false, problem: expect.stringContaining('goodsOwnerId') });
    expect(parseOrderWebhook(JSON.stringify({ ...ongoingExample, orderId: 'seven' }))).toMatchObject({ ok: false, problem: expect.stringContaining('orderId') });
    const { webhookEventId: _e, ...noEvent } = ongoingExample;
    expect(parseOrderWebhook(JSON.stringify(noEvent))).toMatchObject({ ok: false, problem: expect.stringContaining('webhookEventId') });
  });
});
