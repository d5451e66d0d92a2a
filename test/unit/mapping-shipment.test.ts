import { cancelledProblem, linkFrom, linkPatternAfterBooking, linkPatternKey, linkPatternOf, packageMayExist, samePattern } from '../../shared/mapping/shipment';

/** The pure decisions of a Send about BaseLinker: may a package exist already, is the order cancelled, how a courier's links are made. */

describe('packageMayExist: when getOrderPackages must be asked before booking', () => {
  const none = { delivery_package_module: '', delivery_package_nr: '' };
  it('not for a first attempt on an order that shows no shipment', () => {
    expect(packageMayExist(none, { retried: false })).toBe(false);
    expect(packageMayExist({ delivery_package_module: ' ', delivery_package_nr: '' }, { retried: false })).toBe(false);
  });
  it('when the order shows a shipment (courier or number), our record knows a package, or an earlier attempt may have booked', () => {
    expect(packageMayExist({ delivery_package_module: 'dpd', delivery_package_nr: '' }, { retried: false })).toBe(true);
    expect(packageMayExist({ delivery_package_module: '', delivery_package_nr: '0044010001' }, { retried: false })).toBe(true);
    expect(packageMayExist(none, { packageId: 44010001, retried: false })).toBe(true);
    expect(packageMayExist(none, { retried: true })).toBe(true);
  });
});

describe('cancelledProblem', () => {
  it("names the order and its status when the status is one of the tenant's cancelled ones, else nothing", () => {
    expect(cancelledProblem({ order_id: 9001, order_status_id: 5503 }, [5503])).toMatch(/BaseLinker order 9001 is cancelled \(status 5503\); no package was booked/);
    expect(cancelledProblem({ order_id: 9001, order_status_id: 5501 }, [5503])).toBeUndefined();
  });
});

describe("a courier's link pattern", () => {
  it('is the text around the number, and makes the link of another number', () => {
    const pattern = linkPatternOf('0044010001', 'https://tracktrace.example.invalid/parcelDetails?typ=1&p1=0044010001', [44010001, '00-001']);
    expect(pattern).toEqual({ kind: 'around-number', prefix: 'https://tracktrace.example.invalid/parcelDetails?typ=1&p1=', suffix: '' });
    expect(linkFrom(pattern!, '0044010002')).toBe('https://tracktrace.example.invalid/parcelDetails?typ=1&p1=0044010002');
  });

  it('is none for a courier BaseLinker lists no link for, and then the link is empty', () => {
    expect(linkPatternOf('0044010001', '', [])).toEqual({ kind: 'none' });
    expect(linkFrom({ kind: 'none' }, '0044010002')).toBe('');
  });

  it('is not made when the link holds more of the package than its number: the postcode (any spelling), the package id', () => {
    expect(linkPatternOf('PL123456789', 'https://t.example.invalid/?n=PL123456789&zip=00-950', ['00-950'])).toBeUndefined();
    expect(linkPatternOf('PL123456789', 'https://t.example.invalid/?n=PL123456789&zip=00950', ['00-950'])).toBeUndefined();
    expect(linkPatternOf('PL123456789', 'https://t.example.invalid/PL123456789-NL-1234%20AB', ['1234 AB'])).toBeUndefined();
    expect(linkPatternOf('PL123456789', 'https://t.example.invalid/?id=44010001&n=PL123456789', [44010001])).toBeUndefined();
  });

  it('is not made when the number is not in the link exactly once, is short, or would need encoding', () => {
    expect(linkPatternOf('PL123456789', 'https://t.example.invalid/?n=PL123456789&again=PL123456789', [])).toBeUndefined();
    expect(linkPatternOf('PL123456789', 'https://t.example.invalid/?n=other', [])).toBeUndefined();
    expect(linkPatternOf('12345', 'https://t.example.invalid/12345', [])).toBeUndefined();
    expect(linkPatternOf('PL 123 456', 'https://t.example.invalid/PL%20123%20456', [])).toBeUndefined();
    expect(linkFrom({ kind: 'around-number', prefix: 'https://t.example.invalid/', suffix: '' }, 'PL 123 456')).toBeUndefined();
  });

  it('agrees with another only when both prefix and suffix are the same', () => {
    const a = { kind: 'around-number' as const, prefix: 'https://t.example.invalid/', suffix: '' };
    expect(samePattern(a, { ...a })).toBe(true);
    expect(samePattern(a, { ...a, suffix: '?lang=pl' })).toBe(false);
    expect(samePattern(a, { kind: 'none' })).toBe(false);
    expect(samePattern({ kind: 'none' }, { kind: 'none' })).toBe(true);
  });

  it('is learned from a booking only when BaseLinker lists the number createPackage answered (else that number is not final)', () => {
    const listed = { found: true, trackingNumber: '0044010001', trackingUrl: 'https://t.example.invalid/0044010001', carrier: '' };
    expect(linkPatternAfterBooking('0044010001', listed, [])).toEqual({ kind: 'around-number', prefix: 'https://t.example.invalid/', suffix: '' });
    expect(linkPatternAfterBooking('00440100', listed, [])).toBeUndefined();
    expect(linkPatternAfterBooking('0044010001', { ...listed, found: false }, [])).toBeUndefined();
  });

  it('is not learned from a package a broker courier handed to a carrier of its choice (courier_other_name)', () => {
    const listed = { found: true, trackingNumber: '0044010001', trackingUrl: 'https://t.example.invalid/0044010001', carrier: 'DPD' };
    expect(linkPatternAfterBooking('0044010001', listed, [])).toBeUndefined();
  });

  it('is kept per courier, account and fixed fields (a service field may choose the carrier), whatever their order', () => {
    const dpd = { courierCode: 'dpd', accountId: 61, fields: [{ id: 'service', value: 'classic' }, { id: 'package_description', value: 'Clothes' }] };
    expect(linkPatternKey(dpd)).toBe(linkPatternKey({ ...dpd, fields: [...dpd.fields].reverse() }));
    expect(linkPatternKey(dpd)).not.toBe(linkPatternKey({ ...dpd, accountId: 62 }));
    expect(linkPatternKey(dpd)).not.toBe(linkPatternKey({ ...dpd, fields: [{ id: 'service', value: 'next_day' }] }));
    expect(linkPatternKey(dpd)).not.toBe(linkPatternKey({ ...dpd, courierCode: 'gls' }));
  });
});
