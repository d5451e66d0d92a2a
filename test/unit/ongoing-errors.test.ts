import { parseRetryAfter } from '../../shared/ongoing/client';
import { OngoingRefusedError, ongoingErrorText } from '../../shared/ongoing/errors';
import { GetOrderSchema, PostArticleSchema, PostOrderSchema } from '../../shared/ongoing/schemas';

describe('ongoingErrorText', () => {
  it('prefers message, then Message', () => {
    expect(ongoingErrorText('{"message":"lower","Message":"upper"}')).toBe('lower');
    expect(ongoingErrorText('{"Message":"An error has occurred."}')).toBe('An error has occurred.');
  });

  it('uses ModelState when there is no message, and appends it to a generic Message', () => {
    expect(ongoingErrorText('{"ModelState":{"order.orderNumber":["too long","required"]}}')).toBe('order.orderNumber: too long, required');
    expect(ongoingErrorText('{"Message":"The request is invalid.","ModelState":{"order.x":["bad"]}}')).toBe(
      'The request is invalid. (order.x: bad)',
    );
  });

  it('falls back to the raw body, cut short, and says when it was empty', () => {
    expect(ongoingErrorText('<html>Bad gateway</html>')).toBe('<html>Bad gateway</html>');
    expect(ongoingErrorText('x'.repeat(2000))).toHaveLength(500);
    expect(ongoingErrorText('')).toBe('(empty body)');
    expect(ongoingErrorText('"plain json string"')).toBe('plain json string');
  });

  it('keeps status, text and the raw body on a refusal, and names the call in the message', () => {
    const error = new OngoingRefusedError({ method: 'PUT', path: '/orders' }, 400, 'Order X can not be updated', '{"Message":"Order X can not be updated"}');
    expect(error.message).toBe('Ongoing refused PUT /orders (400): Order X can not be updated');
    expect(error.name).toBe('OngoingRefusedError');
    expect(error.rawBody).toContain('"Message"');
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, and ignores anything else', () => {
    const now = Date.parse('2025-03-05T12:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Wed, 05 Mar 2025 12:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Wed, 05 Mar 2025 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('Ongoing schemas', () => {
  const order = {
    goodsOwnerId: 42,
    orderNumber: 'BL-1',
    deliveryDate: '2025-03-04',
    consignee: { name: 'A' },
    orderLines: [
      { rowNumber: '1', articleNumber: 'A', numberOfItems: 1 },
      { rowNumber: '1', articleNumber: 'B', numberOfItems: 1 },
    ],
  };

  it('rejects duplicate rowNumbers and misspelt keys in what we send', () => {
    const dup = PostOrderSchema().safeParse(order);
    expect(dup.success).toBe(false);
    expect(JSON.stringify(dup.error?.issues)).toContain('duplicate rowNumber 1');
    expect(PostArticleSchema().safeParse({ goodsOwnerId: 42, articleNumber: 'A', purchaseCurrencyCode: 'SEK' }).success).toBe(false);
    expect(PostArticleSchema().safeParse({ goodsOwnerId: 42, articleNumber: 'A', purcaseCurrencyCode: 'SEK' }).success).toBe(true);
  });

  it('reads an order leniently (nulls, extra keys) but requires its ids and status number', () => {
    const body = {
      goodsOwner: { id: 42, name: null },
      orderInfo: { orderId: 7, orderNumber: 'BL-1', orderStatus: { number: 500, text: 'Hämtad' }, wayBill: null, brandNewField: 1 },
      consignee: null,
      orderLines: [],
    };
    const parsed = GetOrderSchema().parse(body);
    expect((parsed.orderInfo as Record<string, unknown>).brandNewField).toBe(1);
    expect(GetOrderSchema().safeParse({ ...body, orderInfo: { ...body.orderInfo, orderId: null } }).success).toBe(false);
    expect(GetOrderSchema().safeParse({ ...body, orderInfo: { ...body.orderInfo, orderStatus: { text: 'Sent' } } }).success).toBe(false);
  });
});
