import { type SimArticle, type SimOrder, type SimState, sellable } from './state';

/** Response bodies in Ongoing's shapes (GetArticleModel, GetOrderModel, webhook payload). */

const STATUS_TEXTS: Record<number, string> = {
  150: 'Error',
  200: 'Open',
  300: 'Released',
  320: 'Allocated',
  400: 'Picked',
  450: 'Sent',
  500: 'Collected',
  1000: 'Cancelled',
};

export const ORDER_STATUSES = Object.entries(STATUS_TEXTS).map(([number, text]) => ({ number: Number(number), text }));

export function statusText(number: number): string {
  return STATUS_TEXTS[number] ?? `Status ${number}`;
}

const iso = (d: Date | undefined): string | null => (d ? d.toISOString() : null);
const get = (data: Record<string, unknown>, key: string): unknown => data[key] ?? null;

function goodsOwnerRef(state: SimState, id: number) {
  return { id, name: state.goodsOwners.get(id)?.name ?? null };
}

export function articleModel(state: SimState, a: SimArticle): Record<string, unknown> {
  const d = a.data;
  const unitCode = typeof d.unitCode === 'string' ? d.unitCode.toLowerCase() : null;
  return {
    goodsOwner: goodsOwnerRef(state, a.goodsOwnerId),
    articleSystemId: a.articleSystemId,
    articleNumber: a.articleNumber,
    articleName: get(d, 'articleName'),
    productCode: get(d, 'productCode'),
    unitCode,
    description: get(d, 'description'),
    isStockArticle: d.isStockArticle ?? true,
    isActive: d.isActive ?? true,
    articleKind: 'Standard',
    barCodeInfo: { barCode: null, barCodePackage: null, barCodePallet: null, alternativeBarCodes: [], ...(d.barCodeInfo as object) },
    weight: get(d, 'weight'),
    netWeight: get(d, 'netWeight'),
    length: get(d, 'length'),
    width: get(d, 'width'),
    height: get(d, 'height'),
    volume: get(d, 'volume'),
    countryOfOriginCode: get(d, 'countryOfOriginCode'),
    purcaseCurrencyCode: get(d, 'purcaseCurrencyCode'),
    articleGroup: get(d, 'articleGroup'),
    articleCategory: get(d, 'articleCategory'),
    articleDataLastUpdated: a.dataUpdatedAt.toISOString(),
    inventoryInfo: {
      numberOfItems: a.numberOfItems,
      numberOfBookedItems: a.numberOfBookedItems,
      allocatedNumberOfItems: 0,
      numberOfLockedItems: a.lockedForSaleNumberOfItems,
      lockedForSaleNumberOfItems: a.lockedForSaleNumberOfItems,
      sellableNumberOfItems: sellable(a),
      toReceiveNumberOfItems: 0,
      pickedToBeCollectedNumberOfItems: 0,
      receivedToBeFinishedNumberOfItems: 0,
      totalStockValue: 0,
      lastInDate: null,
      reported: { pickedToBeReportedNumberOfItems: 0, returnedToBeReportedNumberOfItems: 0, receivedToBeReportedNumberOfItems: 0 },
    },
  };
}

function notification(value: unknown) {
  return value ?? { toBeNotified: false, value: '' };
}

export function orderModel(state: SimState, o: SimOrder): Record<string, unknown> {
  const d = o.data;
  const consignee = (d.consignee ?? {}) as Record<string, unknown>;
  const allocated = o.status >= 320 && o.status !== 1000;
  return {
    goodsOwner: goodsOwnerRef(state, o.goodsOwnerId),
    orderInfo: {
      orderId: o.orderId,
      orderNumber: o.orderNumber,
      goodsOwnerOrderId: get(d, 'goodsOwnerOrderId'),
      referenceNumber: get(d, 'referenceNumber'),
      salesCode: get(d, 'salesCode'),
      orderRemark: get(d, 'orderRemark'),
      deliveryInstruction: get(d, 'deliveryInstruction'),
      servicePointCode: get(d, 'servicePointCode'),
      freeText1: get(d, 'freeText1'),
      freeText2: get(d, 'freeText2'),
      freeText3: get(d, 'freeText3'),
      orderType: get(d, 'orderType'),
      wayOfDelivery: get(d, 'wayOfDelivery'),
      deliveryDate: get(d, 'deliveryDate'),
      createdDate: o.createdAt.toISOString(),
      shippedTime: iso(o.shippedTime),
      wayBill: o.wayBill ?? null,
      returnWayBill: o.returnWayBill ?? null,
      orderStatus: { number: o.status, text: statusText(o.status) },
      emailNotification: notification(d.emailNotification),
      smsNotification: notification(d.smsNotification),
      telephoneNotification: notification(d.telephoneNotification),
      orderedNumberOfItems: o.lines.reduce((n, l) => n + l.numberOfItems, 0),
      allocatedNumberOfItems: allocated ? o.lines.reduce((n, l) => n + l.numberOfItems, 0) : 0,
      pickedNumberOfItems: o.lines.reduce((n, l) => n + l.pickedNumberOfItems, 0),
      customsInfo: get(d, 'customsInfo'),
      consigneeOrderNumber: get(d, 'consigneeOrderNumber'),
      warehouseInstruction: get(d, 'warehouseInstruction'),
      marketPlace: get(d, 'marketPlace'),
      customerPrice: get(d, 'customerPrice'),
      freightPrice: get(d, 'freightPrice'),
      advanced: {
        invoiceNumber: null,
        arrivalDate: null,
        deliveryDateWithTime: null,
        orderHeaderUpdated: o.updatedAt.toISOString(),
      },
    },
    consignee: {
      id: o.customerId ?? null,
      customerNumber: null,
      name: null,
      address1: null,
      address2: null,
      address3: null,
      postCode: null,
      city: null,
      countryCode: null,
      countryStateCode: null,
      remark: null,
      doorCode: null,
      ...consignee,
    },
    orderLines: o.lines.map((l) => {
      const article = state.articles.get(l.articleSystemId);
      return {
        id: l.id,
        rowNumber: l.rowNumber,
        article: {
          articleSystemId: l.articleSystemId,
          articleNumber: l.articleNumber,
          articleName: article?.data.articleName ?? null,
          productCode: article?.data.productCode ?? null,
          articleKind: 'Standard',
        },
        comment: get(l.data, 'comment'),
        orderedNumberOfItems: l.numberOfItems,
        allocatedNumberOfItems: allocated ? l.numberOfItems : 0,
        pickedNumberOfItems: l.pickedNumberOfItems,
        packedNumberOfItems: o.status >= 450 && o.status !== 1000 ? l.pickedNumberOfItems : 0,
        reportedNumberOfItems: 0,
        returnedNumberOfItems: 0,
        reportedReturnedNumberOfItems: 0,
        shouldBePicked: l.data.shouldBePicked ?? true,
        serialNumber: get(l.data, 'serialNumber'),
        batchNumber: get(l.data, 'batchNumber'),
        lineTotalCustomsValue: get(l.data, 'lineTotalCustomsValue'),
        prices: get(l.data, 'prices'),
        customerArticleNumber: get(l.data, 'customerArticleNumber'),
        externalId: get(l.data, 'externalId'),
        freeValues: get(l.data, 'lineFreeValues'),
        pickedArticleItems: [],
      };
    }),
    parcels: [],
    tracking: o.tracking
      .filter((t) => !t.isReturnTracking)
      .map((t) => ({ waybill: t.waybill, trackingUrl: t.trackingUrl, created: t.created.toISOString(), freightPrice: null })),
    returnTracking: o.tracking
      .filter((t) => t.isReturnTracking)
      .map((t) => ({ waybill: t.waybill, trackingUrl: t.trackingUrl, created: t.created.toISOString(), freightPrice: null })),
    transporter: d.transporter ?? null,
    classes: [],
  };
}

/** Ongoing's webhook timestamp: UTC, seven fractional digits, no zone designator. */
export function webhookTimestamp(d: Date): string {
  return `${d.toISOString().slice(0, 23)}0000`;
}

export function orderWebhookPayload(
  state: SimState,
  o: SimOrder,
  event: { webhookOrdersId: number; webhookEventId: number; system: string; at: Date },
): Record<string, unknown> {
  return {
    webhookOrdersId: event.webhookOrdersId,
    webhookEventId: event.webhookEventId,
    system: event.system,
    timestamp: webhookTimestamp(event.at),
    orderId: o.orderId,
    orderNumber: o.orderNumber,
    goodsOwnerId: o.goodsOwnerId,
    goodsOwnerOrderId: o.data.goodsOwnerOrderId ?? null,
    consigneeOrderNumber: o.data.consigneeOrderNumber ?? null,
    path: `/api/v1/orders/${o.orderId}`,
    orderStatus: { number: o.status },
    currentShipmentId: null,
    webhookTemplate: 'Order status changed',
    goodsOwnerName: state.goodsOwners.get(o.goodsOwnerId)?.name ?? null,
    goodsOwnerClasses: [],
    byUser: { userId: 1 },
    byComputer: { computerId: 1, computerName: 'SIMULATOR' },
    tracking: o.tracking.map((t) => ({ waybill: t.waybill, trackingUrl: t.trackingUrl, isReturn: t.isReturnTracking })),
    parcels: [],
  };
}
