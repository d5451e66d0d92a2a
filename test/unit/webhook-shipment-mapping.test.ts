import { parseTenantSettings } from '../../shared/config';
import { writeTracking } from '../../shared/flows/shipment';
import { baselinkerOrderIdOf, chooseCourier, labelFileName, labelFileType, mayShip, parcelsFor, printingInfoFor } from '../../shared/mapping/shipment';
import type { OngoingClient } from '../../shared/ongoing/client';
import type { GetOrder } from '../../shared/ongoing/schemas';

/** The pure decisions of the shipment on Send: which courier, what parcels, which file, where tracking goes. */

function order(overrides: { orderInfo?: Record<string, unknown> } & Record<string, unknown> = {}): GetOrder {
  const { orderInfo, ...rest } = overrides;
  return {
    goodsOwner: { id: 42 },
    orderInfo: { orderId: 70001, orderNumber: '90001234', goodsOwnerOrderId: '90001234', orderStatus: { number: 450 }, ...orderInfo },
    orderLines: [
      { id: 1, article: { articleNumber: 'TSHIRT-M' }, orderedNumberOfItems: 2, pickedNumberOfItems: 2 },
      { id: 2, article: { articleNumber: 'HOODIE-L' }, orderedNumberOfItems: 1, pickedNumberOfItems: 0 },
    ],
    parcels: [],
    ...rest,
  } as GetOrder;
}

const shipmentSettings = (shipment: Record<string, unknown>) =>
  parseTenantSettings({ id: 't', baselinker: { inventoryId: 1, orderStatusIds: [1] }, ongoing: { url: 'http://127.0.0.1:1/x/api/v1', goodsOwnerId: 42 }, shipment }).shipment;

describe('BaseLinker order id on the Ongoing order', () => {
  it('takes goodsOwnerOrderId, else a numeric orderNumber, else nothing', () => {
    expect(baselinkerOrderIdOf(order())).toBe(90001234);
    expect(baselinkerOrderIdOf(order({ orderInfo: { goodsOwnerOrderId: null, orderNumber: '90005555' } }))).toBe(90005555);
    expect(baselinkerOrderIdOf(order({ orderInfo: { goodsOwnerOrderId: 'abc', orderNumber: 'SHOP-1' } }))).toBeUndefined();
  });
});

describe('status that may ship', () => {
  it('ships from the configured status up to, not including, Cancelled', () => {
    expect(mayShip(449, 450)).toBe(false);
    expect(mayShip(450, 450)).toBe(true);
    expect(mayShip(500, 450)).toBe(true);
    expect(mayShip(1000, 450)).toBe(false);
    expect(mayShip(400, 400)).toBe(true);
  });
});

describe('courier choice', () => {
  const settings = shipmentSettings({
    courierCode: 'dpd',
    courierAccountId: 61,
    courierFields: [{ id: 'package_description', value: 'Clothes' }],
    service: 'next_day',
    byWayOfDelivery: {
      INPOST: { courierCode: 'paczkomaty', fields: [{ id: 'size', value: 'B' }] },
      DPDEXPRESS: { courierCode: 'dpd' },
      PLAB: { courierCode: 'pocztapolska', accountId: 84 },
    },
  });

  it('uses the default courier with its account, fields and service when the order names no mapped code', () => {
    expect(chooseCourier(settings, order())).toEqual({
      courierCode: 'dpd',
      accountId: 61,
      fields: [
        { id: 'package_description', value: 'Clothes' },
        { id: 'service', value: 'next_day' },
      ],
      chosenBy: 'default',
    });
  });

  it("picks the courier mapped to the order's way of delivery, without the default courier's fields", () => {
    expect(chooseCourier(settings, order({ orderInfo: { wayOfDelivery: { code: 'INPOST' } } }))).toEqual({
      courierCode: 'paczkomaty',
      accountId: undefined,
      fields: [{ id: 'size', value: 'B' }],
      chosenBy: 'INPOST',
    });
  });

  it('lets a mapping to the default courier borrow its account and fields', () => {
    expect(chooseCourier(settings, order({ orderInfo: { wayOfDelivery: { code: 'DPDEXPRESS' } } }))).toMatchObject({ courierCode: 'dpd', accountId: 61, fields: expect.arrayContaining([{ id: 'package_description', value: 'Clothes' }]) });
  });

  it("falls back to the transporter code when the way of delivery is not mapped", () => {
    const viaTransporter = order({ orderInfo: { wayOfDelivery: { code: 'UNMAPPED' } }, transporter: { transporterCode: 'PLAB', transporterServiceCode: 'P19' } });
    expect(chooseCourier(settings, viaTransporter)).toMatchObject({ courierCode: 'pocztapolska', accountId: 84, chosenBy: 'PLAB' });
  });

  it('refuses with a clear message when nothing names a courier', () => {
    const none = shipmentSettings({});
    expect(chooseCourier(none, order({ orderInfo: { wayOfDelivery: { code: 'FAST' } } }))).toEqual({ problem: expect.stringMatching(/shipment\.courierCode.*"FAST".*byWayOfDelivery/) });
  });
});

describe('parcel weight and size', () => {
  const articles = new Map([
    ['TSHIRT-M', { weight: 0.25 }],
    ['HOODIE-L', { weight: 0.8 }],
  ]);

  it("takes Ongoing's outbound parcels when they carry a weight, sizes included", () => {
    const withParcels = order({
      parcels: [
        { id: 1, parcelNumber: 'A', weight: 1.2345, length: 30, width: 20, height: 10 },
        { id: 2, parcelNumber: 'B', advanced: { weight: '2.5' } },
        { id: 3, parcelNumber: 'R', isReturnParcel: true, weight: 9 },
      ],
    });
    expect(parcelsFor(withParcels, articles, 'cm')).toEqual([{ weight: 1.235, length: 30, width: 20, height: 10 }, { weight: 2.5 }]);
  });

  it("converts Ongoing's parcel sizes from the tenant's length unit to the centimetres couriers take", () => {
    const inMetres = order({ parcels: [{ id: 1, parcelNumber: 'A', weight: 1, length: 0.3, width: 0.2, height: 0.105 }] });
    expect(parcelsFor(inMetres, articles, 'm')).toEqual([{ weight: 1, length: 30, width: 20, height: 10.5 }]);
    const inMillimetres = order({ parcels: [{ id: 1, parcelNumber: 'A', weight: 1, length: 300, width: 200, height: 105 }] });
    expect(parcelsFor(inMillimetres, articles, 'mm')).toEqual([{ weight: 1, length: 30, width: 20, height: 10.5 }]);
  });

  it('else sums article weights over picked items, or ordered items when nothing was picked', () => {
    // TSHIRT-M: 2 picked × 0.25; HOODIE-L: none picked, 1 ordered × 0.8.
    expect(parcelsFor(order(), articles)).toEqual([{ weight: 1.3 }]);
  });

  it('gives no parcel when nothing has a weight', () => {
    expect(parcelsFor(order(), new Map())).toEqual([]);
  });
});

describe('label files', () => {
  it.each([
    ['pdf', 'pdf', 'application/pdf'],
    ['PDF', 'pdf', 'application/pdf'],
    ['zpl', 'zpl', 'application/x-zpl'],
    ['epl', 'epl', 'application/x-epl'],
    ['dpl', 'dpl', 'application/x-dpl'],
    ['html', 'html', 'text/html'],
    ['gif', 'gif', 'image/gif'],
    ['png', 'png', 'image/png'],
    ['.xyz', 'xyz', 'application/octet-stream'],
    ['', 'bin', 'application/octet-stream'],
  ])('gives a %s label the extension %s and MIME type %s', (extension, ext, mimeType) => {
    expect(labelFileType(extension)).toEqual({ extension: ext, mimeType });
  });

  it('names the file after order and package, safe for a file system', () => {
    expect(labelFileName('90001234', 44010001, 'pdf')).toBe('label-90001234-44010001.pdf');
    expect(labelFileName('SHOP/1 2', 7, 'zpl')).toBe('label-SHOP_1_2-7.zpl');
  });

  it("builds Ongoing's printingInfo from the tenant's printing settings, and none without them", () => {
    expect(printingInfoFor(undefined)).toBeUndefined();
    expect(printingInfoFor({})).toBeUndefined();
    expect(printingInfoFor({ reportId: 7, userId: 5 })).toEqual({ reportId: 7, printAsUser: { userId: 5 } });
    expect(printingInfoFor({ workstationId: 3 })).toEqual({ printAsWorkstation: { workstationId: 3 } });
  });
});

describe('tracking on the Ongoing order', () => {
  function fakeOngoing() {
    const calls: string[] = [];
    const ongoing = {
      putOrderTracking: async (id: number, t: { waybill: string; trackingUrl: string; isReturnTracking: boolean }) => {
        calls.push(`PUT ${id} ${t.waybill} ${t.trackingUrl} ${t.isReturnTracking}`);
        return { message: null };
      },
      patchWaybill: async (id: number, waybill: string) => {
        calls.push(`PATCH ${id} ${waybill}`);
        return { orderId: id, message: null };
      },
    } as unknown as OngoingClient;
    return { ongoing, calls };
  }

  it('writes waybill and link together when BaseLinker has a link', async () => {
    const { ongoing, calls } = fakeOngoing();
    await writeTracking({ ongoing }, 7, '0044010001', 'https://tracking.example.invalid/0044010001');
    expect(calls).toEqual(['PUT 7 0044010001 https://tracking.example.invalid/0044010001 false']);
  });

  it('sets the waybill alone when BaseLinker has no link (Ongoing refuses an empty one)', async () => {
    const { ongoing, calls } = fakeOngoing();
    await writeTracking({ ongoing }, 7, '0044010001', '');
    expect(calls).toEqual(['PATCH 7 0044010001']);
  });
});
