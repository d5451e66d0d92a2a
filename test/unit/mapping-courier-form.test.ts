import type { CourierFields, Order } from '../../shared/baselinker/schemas';
import { codAmount, formFields, packageEntries, productsGross, readCourierForm } from '../../shared/mapping/courier-form';

/** createPackage's parcel keys and form fields come from the courier's own form; COD is what the buyer still owes. */

const field = (id: string, name: string, type = 'text') => ({ id, name, type, desc: '', function: '' });
const form = (fields: CourierFields['fields'], packageIds: string[]): CourierFields => ({
  multi_packages: true,
  fields,
  package_fields: packageIds.map((id) => field(id, id)),
});

const dpd = readCourierForm(form([field('cod', 'Pobranie (kwota)'), field('insurance', 'Ubezpieczenie (kwota)'), field('service', 'Usługa', 'select')], ['weight', 'size_length', 'size_width', 'size_height']));
const gls = readCourierForm(form([field('cod_amount', 'Cash on delivery amount'), field('declared_value', 'Insurance: declared value')], ['weight', 'length', 'width', 'height']));
const locker = readCourierForm(form([field('size', 'Gabaryt', 'select')], ['weight']));

function order(overrides: Partial<Order> = {}): Order {
  return {
    order_id: 90001,
    currency: 'PLN',
    payment_method_cod: true,
    payment_done: 0,
    delivery_price: 14.99,
    products: [
      { price_brutto: 49.9, quantity: 2 },
      { price_brutto: 10, quantity: 1 },
    ],
    ...overrides,
  } as unknown as Order;
}

describe('the courier form', () => {
  it('takes the parcel keys from package_fields, whichever spelling the courier uses', () => {
    const parcels = [{ weight: 1.2, length: 30, width: 20, height: 10 }];
    expect(packageEntries(parcels, dpd)).toEqual([{ weight: 1.2, size_length: 30, size_width: 20, size_height: 10 }]);
    expect(packageEntries(parcels, gls)).toEqual([{ weight: 1.2, length: 30, width: 20, height: 10 }]);
    expect(packageEntries(parcels, locker)).toEqual([{ weight: 1.2 }]);
  });

  it('refuses a form without a weight field rather than guess a key', () => {
    expect(packageEntries([{ weight: 1 }], readCourierForm(form([], ['size_length'])))).toEqual({ problem: expect.stringMatching(/no weight field/) });
  });

  it('finds the COD and insurance fields by id, else by their name', () => {
    expect(dpd).toMatchObject({ codFieldId: 'cod', insuranceFieldId: 'insurance' });
    expect(gls).toMatchObject({ codFieldId: 'cod_amount', insuranceFieldId: 'declared_value' });
    expect(readCourierForm(form([field('pobranie_kwota', 'Kwota pobrania')], ['weight'])).codFieldId).toBe('pobranie_kwota');
    expect(locker.codFieldId).toBeUndefined();
  });
});

describe('cash on delivery', () => {
  it('is the products gross × quantity plus delivery minus what was paid, to the cent', () => {
    expect(codAmount(order())).toEqual({ collect: true, amount: 124.79, currency: 'PLN' });
    expect(codAmount(order({ payment_done: 24.79 }))).toEqual({ collect: true, amount: 100, currency: 'PLN' });
    expect(productsGross(order())).toBe(109.8);
  });

  it('collects nothing on an order that is not COD, or paid in full', () => {
    expect(codAmount(order({ payment_method_cod: false }))).toEqual({ collect: false });
    expect(codAmount(order({ payment_done: 124.79 }))).toEqual({ collect: false });
  });

  it('is a problem when it cannot be computed, or the order does not say whether it is COD', () => {
    expect(codAmount(order({ payment_done: Number.NaN }))).toEqual({ problem: expect.stringMatching(/cannot be computed/) });
    expect(codAmount(order({ delivery_price: Number.NaN }))).toEqual({ problem: expect.stringMatching(/cannot be computed/) });
    expect(codAmount(order({ payment_method_cod: undefined }))).toEqual({ problem: expect.stringMatching(/does not say whether it is cash on delivery/) });
    expect(codAmount(order({ currency: '' }))).toEqual({ problem: expect.stringMatching(/no currency/) });
    expect(codAmount(order({ payment_done: 200 }))).toEqual({ problem: expect.stringMatching(/more than its total/) });
  });
});

describe('createPackage fields', () => {
  const cod = codAmount(order());

  it("puts the amount in the courier's COD field, and the tenant's fixed fields win where they set it", () => {
    expect(formFields(dpd, { fixed: [{ id: 'service', value: 'classic' }], cod })).toEqual([
      { id: 'service', value: 'classic' },
      { id: 'cod', value: '124.79' },
    ]);
    expect(formFields(gls, { fixed: [], cod })).toEqual([{ id: 'cod_amount', value: '124.79' }]);
    expect(formFields(dpd, { fixed: [{ id: 'cod', value: '130.00' }], cod })).toEqual([{ id: 'cod', value: '130.00' }]);
  });

  it('refuses a COD order whose courier form has no COD field', () => {
    expect(formFields(locker, { fixed: [], cod })).toEqual({ problem: expect.stringMatching(/has no cash-on-delivery field/) });
    expect(formFields(dpd, { fixed: [], cod: codAmount(order({ payment_done: Number.NaN })) })).toEqual({ problem: expect.stringMatching(/cannot be computed/) });
  });

  it('insures for the given value only when asked, in the courier insurance field', () => {
    const notCod = codAmount(order({ payment_method_cod: false }));
    expect(formFields(dpd, { fixed: [], cod: notCod })).toEqual([]);
    expect(formFields(dpd, { fixed: [], cod: notCod, insureFor: 109.8 })).toEqual([{ id: 'insurance', value: '109.80' }]);
    expect(formFields(locker, { fixed: [], cod: notCod, insureFor: 109.8 })).toEqual([]);
  });
});
