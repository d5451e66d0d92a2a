import {
  flag,
  intId,
  journalEntrySchema,
  mapOf,
  measure,
  numeric,
  orderSchema,
  responses,
  warnings,
} from '../../shared/baselinker/schemas';

const order = (over: Record<string, unknown> = {}) => ({
  order_id: 90001234,
  order_status_id: 5501,
  date_add: 1767250000,
  date_confirmed: 1767250120,
  confirmed: true,
  payment_method_cod: '1',
  payment_done: '50',
  want_invoice: '0',
  delivery_fullname: 'Zofia Wójcik',
  custom_extra_fields: [],
  products: [
    { order_product_id: 300000001, product_id: '50011', variant_id: '0', sku: 'KOSZ-1', price_brutto: '79.99', quantity: 2, weight: '' },
  ],
  some_field_added_next_year: { x: 1 },
  ...over,
});

describe('lenient BaseLinker value schemas', () => {
  it('reads numbers written as strings', () => {
    expect(numeric.parse('50')).toBe(50);
    expect(numeric.parse('-0.03')).toBe(-0.03);
    expect(numeric.parse(12.5)).toBe(12.5);
    expect(numeric.safeParse('12a').success).toBe(false);
    expect(intId.parse('2685')).toBe(2685);
    expect(intId.safeParse('26.5').success).toBe(false);
    expect(intId.safeParse(-1).success).toBe(false);
  });

  it('reads flags written as booleans, 0/1 and "0"/"1"', () => {
    expect([true, 1, '1'].map((v) => flag.parse(v))).toEqual([true, true, true]);
    expect([false, 0, '0'].map((v) => flag.parse(v))).toEqual([false, false, false]);
    expect(flag.safeParse('yes').success).toBe(false);
  });

  it('reads PHP empty arrays and lists as maps', () => {
    const stock = mapOf(numeric);
    expect(stock.parse([])).toEqual({});
    expect(stock.parse(null)).toEqual({});
    expect(stock.parse({ bl_31: '12' })).toEqual({ bl_31: 12 });
    expect(mapOf(numeric).parse(['7'])).toEqual({ '0': 7 });
  });

  it('reads every spelling of "no warnings" as an empty map', () => {
    expect(warnings.parse('')).toEqual({});
    expect(warnings.parse([])).toEqual({});
    expect(warnings.parse({})).toEqual({});
    expect(warnings.parse({ '50012': 'Warehouse bl_32 is not assigned' })).toEqual({ '50012': 'Warehouse bl_32 is not assigned' });
  });

  it('reads empty or missing measures as 0 but rejects garbage', () => {
    expect(measure.parse('')).toBe(0);
    expect(measure.parse(null)).toBe(0);
    expect(measure.parse(undefined)).toBe(0);
    expect(measure.parse('0.35')).toBe(0.35);
    expect(measure.safeParse('heavy').success).toBe(false);
  });
});

describe('order schema', () => {
  it('normalises PHP-style flags, amounts and variant ids, and keeps unknown fields', () => {
    const o = orderSchema().parse(order());
    expect(o.payment_method_cod).toBe(true);
    expect(o.want_invoice).toBe(false);
    expect(o.payment_done).toBe(50);
    expect(o.custom_extra_fields).toEqual({});
    expect(o.products[0]).toMatchObject({ product_id: '50011', variant_id: '', price_brutto: 79.99, quantity: 2, weight: 0 });
    expect(o.delivery_city).toBe('');
    expect((o as Record<string, unknown>).some_field_added_next_year).toEqual({ x: 1 });
  });

  it('keeps a numeric variant id as its string', () => {
    const o = orderSchema().parse(order({ products: [{ order_product_id: 1, product_id: 50011, variant_id: 50012, sku: 'A', price_brutto: 1, quantity: 1 }] }));
    expect(o.products[0]).toMatchObject({ product_id: '50011', variant_id: '50012' });
  });

  it('rejects an order whose id, status or line quantity is unusable, naming the field', () => {
    const badId = orderSchema().safeParse(order({ order_id: 'abc' }));
    expect(badId.success).toBe(false);
    expect(badId.error?.issues[0]?.path).toEqual(['order_id']);
    const noStatus = orderSchema().safeParse(order({ order_status_id: undefined }));
    expect(noStatus.error?.issues[0]?.path).toEqual(['order_status_id']);
    const badQty = orderSchema().safeParse(order({ products: [{ order_product_id: 1, sku: 'A', price_brutto: 1, quantity: 'two' }] }));
    expect(badQty.error?.issues[0]?.path).toEqual(['products', 0, 'quantity']);
  });
});

describe('catalog and shipping response schemas', () => {
  it('turns product maps into arrays carrying the id, variants nested and [] maps empty', () => {
    const r = responses.getInventoryProductsData().parse({
      products: {
        '50011': {
          sku: 'KOSZ',
          category_id: '3',
          weight: '0.2',
          stock: [],
          text_fields: { name: 'Koszulka', features: { Materiał: 'bawełna' } },
          variants: { '50012': { name: 'Koszulka M', sku: 'KOSZ-M', stock: { bl_31: '8' }, locations: [] } },
        },
      },
    });
    expect(r.products).toHaveLength(1);
    expect(r.products[0]).toMatchObject({ id: 50011, parent_id: 0, category_id: 3, weight: 0.2, stock: {} });
    expect(r.products[0]?.variants).toEqual([expect.objectContaining({ id: 50012, sku: 'KOSZ-M', stock: { bl_31: 8 }, locations: {} })]);
  });

  it('reads an empty product page written as []', () => {
    expect(responses.getInventoryProductsList().parse({ products: [] }).products).toEqual([]);
  });

  it('rejects a product map keyed by something other than an id', () => {
    const r = responses.getInventoryProductsList().safeParse({ products: { abc: { sku: 'X', stock: [] } } });
    expect(r.success).toBe(false);
  });

  it('rejects a product without a SKU', () => {
    const r = responses.getInventoryProductsList().safeParse({ products: { '1': { name: 'X', stock: [] } } });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['products', '1', 'sku']);
  });

  it('reads journal entries that say id instead of log_id', () => {
    expect(journalEntrySchema().parse({ id: '7001', order_id: 5, log_type: 18, object_id: '5502', date: 1767250000 })).toMatchObject({ log_id: 7001, object_id: 5502 });
  });

  it('reads stock updates with warnings "" and counts as strings', () => {
    expect(responses.updateInventoryProductsStock().parse({ counter: '3', warnings: '' })).toEqual({ counter: 3, warnings: {} });
  });

  it('reads package numbers as strings and string tracking codes as numbers', () => {
    const r = responses.getOrderPackages().parse({
      packages: [{ package_id: '44010001', courier_package_nr: 98765, account_id: '61', tracking_status: '5', is_return: '0' }],
    });
    expect(r.packages[0]).toMatchObject({ package_id: 44010001, courier_package_nr: '98765', account_id: 61, tracking_status: 5, is_return: false });
  });

  it('rejects a label that is not base64', () => {
    expect(responses.getLabel().safeParse({ extension: 'pdf', label: '%%not base64%%' }).success).toBe(false);
    expect(responses.getLabel().safeParse({ extension: 'pdf', label: '' }).success).toBe(false);
  });
});
