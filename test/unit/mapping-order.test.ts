import { orderSchema, type Order } from '../../shared/baselinker/schemas';
import { PostOrderSchema } from '../../shared/ongoing/schemas';
import { bodyIssues } from '../../infra/simulators/ongoing/openapi';
import {
  CUT_MARKER,
  blOrderIdOf,
  mapOrder,
  ongoingDate,
  ongoingOrderNumber,
  orderFingerprint,
  orderRemark,
  type OrderMapping,
} from '../../shared/mapping/order';

/** A realistic order as BaseLinker sends it (PHP spellings included): two lines, one a variant, a parcel locker. */
function rawOrder(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    order_id: 90001234,
    shop_order_id: 0,
    external_order_id: 'A-77812',
    order_source: 'allegro',
    order_source_id: 8801,
    order_source_info: '-',
    order_status_id: 5501,
    date_add: 1767250000,
    date_confirmed: 1767250120,
    date_in_status: 1767250120,
    confirmed: true,
    user_login: 'pszczolka_maja',
    phone: '+48 600 100 200',
    email: 'malgorzata.zajac@example.invalid',
    user_comments: 'Proszę o dostawę po 16:00.',
    admin_comments: 'Klient VIP – zapakować na prezent',
    currency: 'pln',
    payment_method: 'Przelewy24',
    payment_method_cod: '0',
    payment_done: '349.00',
    delivery_method_id: 12,
    delivery_method: 'InPost Paczkomaty 24/7',
    delivery_price: 14.99,
    delivery_package_module: '',
    delivery_package_nr: '',
    delivery_fullname: 'Małgorzata Zając',
    delivery_company: 'Pracownia Ćma Sp. z o.o.',
    delivery_address: 'ul. Świętokrzyska 12',
    delivery_postcode: '00-916',
    delivery_city: 'Warszawa',
    delivery_state: 'mazowieckie',
    delivery_country: 'Polska',
    delivery_country_code: 'pl',
    delivery_point_id: 'WAW22A',
    delivery_point_name: 'Paczkomat WAW22A',
    delivery_point_address: 'ul. Świętokrzyska 14',
    delivery_point_postcode: '00-916',
    delivery_point_city: 'Warszawa',
    invoice_fullname: 'Jędrzej Śliwa',
    invoice_company: 'Śliwa i Syn s.c.',
    invoice_nip: 'PL5842751234',
    invoice_address: 'ul. Długa 5/3',
    invoice_postcode: '31-147',
    invoice_city: 'Kraków',
    invoice_state: 'małopolskie',
    invoice_country: 'Polska',
    invoice_country_code: 'PL',
    want_invoice: '1',
    extra_field_1: '',
    extra_field_2: '',
    order_page: 'https://shop.example.invalid/zamowienie/90001234',
    pick_state: 0,
    pack_state: 0,
    products: [
      {
        storage: 'db',
        storage_id: 1200,
        order_product_id: 300000001,
        product_id: '50011',
        variant_id: '50012',
        name: 'Koszulka żubr M',
        attributes: 'Rozmiar: M',
        sku: 'KOSZ-ZUBR-M',
        ean: '5901234000028',
        location: 'R1-03',
        warehouse_id: 31,
        auction_id: '',
        price_brutto: 49.99,
        tax_rate: 23,
        quantity: 2,
        weight: 0.2,
        bundle_id: 0,
      },
      {
        storage: 'db',
        storage_id: 1200,
        order_product_id: '300000002',
        product_id: 50020,
        variant_id: 0,
        name: 'Kubek gęś',
        attributes: '',
        sku: 'KUB-GES',
        ean: '',
        location: '',
        warehouse_id: 31,
        auction_id: '',
        price_brutto: '29.90',
        tax_rate: 23,
        quantity: '1',
        weight: '',
        bundle_id: 0,
      },
    ],
    ...overrides,
  };
}

const parse = (raw: Record<string, unknown>): Order => orderSchema().parse(raw);

function mapped(raw: Record<string, unknown> = rawOrder(), prefix?: string) {
  const result: OrderMapping = mapOrder(parse(raw), { orderNumberPrefix: prefix });
  if (!result.ok) throw new Error(`expected a mapped order, got: ${result.problems.join('; ')}`);
  return result;
}

function problemsOf(raw: Record<string, unknown>): string[] {
  const result = mapOrder(parse(raw));
  if (result.ok) throw new Error('expected the order to be refused');
  return result.problems;
}

describe('order mapping, row by row (spec table)', () => {
  const { order } = mapped();

  it('goods owner order id and number: the BaseLinker order id, as a string', () => {
    expect(order.goodsOwnerOrderId).toBe('90001234');
    expect(order.orderNumber).toBe('90001234');
  });

  it('marketplace order number: the marketplace id when the shop gives no number, with the order source', () => {
    expect(order.marketPlace).toEqual({ marketPlace: 'allegro', marketPlaceOrderNumber: 'A-77812' });
  });

  it('marketplace order number: the shop order id when there is one', () => {
    expect(mapped(rawOrder({ order_source: 'shop', shop_order_id: 412 })).order.marketPlace).toEqual({ marketPlace: 'shop', marketPlaceOrderNumber: '412' });
  });

  it('delivery date: date confirmed, unix seconds as an ISO date-time in UTC', () => {
    expect(order.deliveryDate).toBe('2026-01-01T06:48:40Z');
  });

  it('order remark: user comments, then admin comments', () => {
    expect(order.orderRemark).toBe('Proszę o dostawę po 16:00.\nKlient VIP – zapakować na prezent');
  });

  it('service point code: the delivery point id', () => {
    expect(order.servicePointCode).toBe('WAW22A');
  });

  it('customer address: address1 is the delivery address; the company goes in name after the person', () => {
    expect(order.consignee).toMatchObject({ name: 'Małgorzata Zając, Pracownia Ćma Sp. z o.o.', address1: 'ul. Świętokrzyska 12' });
    expect(order.consignee.address2).toBeUndefined();
  });

  it('customer name without a company: the full name, the street in address1', () => {
    const { consignee } = mapped(rawOrder({ delivery_company: '' })).order;
    expect(consignee.name).toBe('Małgorzata Zając');
    expect(consignee.address1).toBe('ul. Świętokrzyska 12');
    expect(consignee.address2).toBeUndefined();
  });

  it('customer name with only a company (or the company typed as the name too): the company once', () => {
    expect(mapped(rawOrder({ delivery_fullname: '' })).order.consignee).toMatchObject({ name: 'Pracownia Ćma Sp. z o.o.', address1: 'ul. Świętokrzyska 12' });
    expect(mapped(rawOrder({ delivery_fullname: 'ACME', delivery_company: 'Acme' })).order.consignee.name).toBe('ACME');
  });

  it('customer post code, city and country code (upper case); a state that is no code stays readable in address3', () => {
    expect(order.consignee).toMatchObject({ postCode: '00-916', city: 'Warszawa', countryCode: 'PL', address3: 'mazowieckie' });
    expect(order.consignee.countryStateCode).toBeUndefined();
  });

  it('customer country state code: a code as given, a known state name as its code', () => {
    const state = (delivery_state: string, delivery_country_code: string) => {
      const { consignee } = mapped(rawOrder({ delivery_state, delivery_country_code })).order;
      return [consignee.countryStateCode, consignee.address3];
    };
    expect(state('MN', 'US')).toEqual(['MN', undefined]);
    expect(state('ca', 'US')).toEqual(['CA', undefined]);
    expect(state('US-NY', 'US')).toEqual(['NY', undefined]);
    expect(state('California', 'US')).toEqual(['CA', undefined]);
    expect(state('Québec', 'CA')).toEqual(['QC', undefined]);
    expect(state('New South Wales', 'AU')).toEqual(['NSW', undefined]);
    expect(state('MI', 'IT')).toEqual(['MI', undefined]);
    expect(state('Ain', 'FR')).toEqual([undefined, 'Ain']);
    expect(state('Kalifornia', 'US')).toEqual([undefined, 'Kalifornia']);
    expect(state('', 'US')).toEqual([undefined, undefined]);
  });

  it('customer number: the order id', () => {
    expect(order.consignee.customerNumber).toBe('90001234');
  });

  it('customer email, mobile phone and telephone: on the consignee and on the order, without asking Ongoing to notify', () => {
    const contacts = {
      emailNotification: { toBeNotified: false, value: 'malgorzata.zajac@example.invalid' },
      smsNotification: { toBeNotified: false, value: '+48 600 100 200' },
      telephoneNotification: { toBeNotified: false, value: '+48 600 100 200' },
    };
    expect(order.consignee.advanced).toEqual(contacts);
    expect(order).toMatchObject(contacts);
  });

  it('customer VAT number: the invoice NIP', () => {
    expect(order.consignee.vatNumber).toBe('PL5842751234');
  });

  it('invoice address: name (person, company), address1 = the invoice address, post code, city, country, state, e-mail and phones', () => {
    expect(order.consignee.invoiceAddress).toEqual({
      name: 'Jędrzej Śliwa, Śliwa i Syn s.c.',
      address1: 'ul. Długa 5/3',
      address3: 'małopolskie',
      postCode: '31-147',
      city: 'Kraków',
      countryCode: 'PL',
      advanced: {
        emailNotification: { value: 'malgorzata.zajac@example.invalid' },
        smsNotification: { value: '+48 600 100 200' },
        telephoneNotification: { value: '+48 600 100 200' },
      },
    });
  });

  it('no invoice address when the order has none', () => {
    const none = mapped(rawOrder({ invoice_fullname: '', invoice_company: '', invoice_address: '', invoice_postcode: '', invoice_city: '', invoice_country_code: '' }));
    expect(none.order.consignee.invoiceAddress).toBeUndefined();
  });

  it('order lines: article number = SKU, row number = order_product_id, product code (variant, else product id) in externalId', () => {
    expect(order.orderLines.map((l) => [l.rowNumber, l.articleNumber, l.externalId])).toEqual([
      ['300000001', 'KOSZ-ZUBR-M', '50012'],
      ['300000002', 'KUB-GES', '50020'],
    ]);
  });

  it('order lines: number of items, customer (unit) price and line total customs value in the order currency', () => {
    expect(order.orderLines.map((l) => [l.numberOfItems, l.prices, l.lineTotalCustomsValue])).toEqual([
      [2, { customerLinePrice: 49.99, currencyCode: 'PLN' }, 99.98],
      [1, { customerLinePrice: 29.9, currencyCode: 'PLN' }, 29.9],
    ]);
    expect(order.customsInfo).toEqual({ customsValueCurrencyCode: 'PLN' });
  });

  it('lists each SKU the order needs once', () => {
    const twice = rawOrder();
    (twice.products as Record<string, unknown>[]).push({ ...(twice.products as Record<string, unknown>[])[1], order_product_id: 300000003 });
    expect(mapped(twice).articleNumbers).toEqual(['KOSZ-ZUBR-M', 'KUB-GES']);
  });

  it('gives a body Ongoing\'s request model accepts', () => {
    expect(PostOrderSchema().safeParse({ ...order, goodsOwnerId: 42 }).success).toBe(true);
  });

  it('gives bodies that fit PostOrderModel of Ongoing\'s OpenAPI with every object closed (company, code and text states, no invoice address)', () => {
    const bodies = [
      order,
      mapped(rawOrder({ delivery_state: 'CA', delivery_country_code: 'US', invoice_state: 'California', invoice_country_code: 'US' })).order,
      mapped(rawOrder({ delivery_company: '', invoice_fullname: '', invoice_company: '', invoice_address: '', email: '', phone: '' })).order,
      mapped(rawOrder({ shop_order_id: 4411, delivery_point_id: '', user_comments: '', admin_comments: '' }), 'BL-').order,
    ];
    for (const body of bodies) expect(bodyIssues('PUT /orders', { ...body, goodsOwnerId: 42 })).toEqual([]);
  });

  it('the OpenAPI check would find a company key on the consignee (there is none in the model)', () => {
    const body = { ...order, goodsOwnerId: 42, consignee: { ...order.consignee, company: 'Acme' } };
    expect(bodyIssues('PUT /orders', body).map((i) => i.path)).toEqual(['consignee.company']);
  });
});

describe('order number', () => {
  it('is the order id, or the prefix and the order id, and reads back', () => {
    expect(ongoingOrderNumber(90001234)).toBe('90001234');
    expect(ongoingOrderNumber(90001234, 'BL-')).toBe('BL-90001234');
    expect(mapped(rawOrder(), 'BL-').order).toMatchObject({ orderNumber: 'BL-90001234', goodsOwnerOrderId: '90001234', consignee: { customerNumber: 'BL-90001234' } });
    expect(blOrderIdOf('BL-90001234', 'BL-')).toBe(90001234);
    expect(blOrderIdOf('90001234')).toBe(90001234);
    expect(blOrderIdOf('MANUAL-7', 'BL-')).toBeUndefined();
    expect(blOrderIdOf('BL-12x', 'BL-')).toBeUndefined();
  });
});

describe('dates', () => {
  it('converts in UTC whatever the local zone (a Warsaw evening is the same UTC day or the previous)', () => {
    expect(ongoingDate(1767222000)).toBe('2025-12-31T23:00:00Z'); // 00:00 on 1 Jan in Warsaw
    expect(ongoingDate(0 + 86_400)).toBe('1970-01-02T00:00:00Z');
  });
});

describe('order remark', () => {
  it('is absent when both comments are empty', () => {
    expect(orderRemark('  ', '')).toBeUndefined();
  });

  it('keeps one comment alone', () => {
    expect(orderRemark('', 'tylko admin')).toBe('tylko admin');
  });

  it('cuts a long buyer comment with a visible marker and keeps the seller note whole, within 500 characters', () => {
    const remark = orderRemark('ż'.repeat(1000), 'notatka sprzedawcy')!;
    expect(remark.length).toBeLessThanOrEqual(500);
    expect(remark).toMatch(new RegExp(`^ż+${CUT_MARKER.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\nnotatka sprzedawcy$`));
  });

  it('maps a 1000-character buyer comment instead of refusing the order', () => {
    const result = mapped(rawOrder({ user_comments: 'x'.repeat(1000) }));
    expect(result.order.orderRemark!.length).toBe(500);
    expect(result.order.orderRemark).toContain(CUT_MARKER);
  });
});

describe('malformed orders', () => {
  it('refuses an order without lines', () => {
    expect(problemsOf(rawOrder({ products: [] }))).toEqual(['the order has no lines']);
  });

  it('refuses a zero quantity, naming the line and SKU', () => {
    const raw = rawOrder();
    (raw.products as Record<string, unknown>[])[1].quantity = 0;
    expect(problemsOf(raw)).toEqual(['line 2 (KUB-GES) has quantity 0; it must be more than 0']);
  });

  it('refuses a line without SKU', () => {
    const raw = rawOrder();
    (raw.products as Record<string, unknown>[])[0].sku = ' ';
    expect(problemsOf(raw)).toEqual(['line 1 ("Koszulka żubr M") has no SKU']);
  });

  it('refuses an order without address and with an invalid country code, listing every problem', () => {
    expect(problemsOf(rawOrder({ delivery_address: '', delivery_city: '', delivery_country_code: 'Polska' }))).toEqual([
      'no delivery address (delivery_address is empty)',
      'no delivery city',
      'invalid delivery country code "Polska" (expected two letters, e.g. "PL")',
    ]);
  });

  it('refuses an order without any delivery name', () => {
    expect(problemsOf(rawOrder({ delivery_fullname: '', delivery_company: '' }))).toEqual(['no delivery name (delivery_fullname and delivery_company are empty)']);
  });

  it('refuses an order number over 50 characters (a long prefix)', () => {
    const result = mapOrder(parse(rawOrder()), { orderNumberPrefix: 'P'.repeat(45) });
    expect(result.ok).toBe(false);
  });

  it('leaves out a malformed e-mail address with a warning, and still maps the order', () => {
    const result = mapped(rawOrder({ email: 'not an address' }));
    expect(result.warnings).toEqual(['e-mail address "not an address" is not well-formed; left out']);
    expect(result.order.emailNotification).toBeUndefined();
    expect(result.order.smsNotification).toEqual({ toBeNotified: false, value: '+48 600 100 200' });
  });
});

describe('fingerprint', () => {
  it('ignores status moves and changes with the content', () => {
    const a = orderFingerprint(rawOrder());
    expect(orderFingerprint(rawOrder({ order_status_id: 5502, date_in_status: 1767259999 }))).toBe(a);
    expect(orderFingerprint(rawOrder({ delivery_address: 'ul. Nowa 1' }))).not.toBe(a);
  });
});
