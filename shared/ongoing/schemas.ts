import { memo } from '../util/memo';
import * as z from '../util/zod';

/**
 * Ongoing Goods Owner REST API (v1) models: what we send and what we read.
 *
 * Requests are strict about key names (a misspelt key would be silently dropped by Ongoing, and the
 * reference says send only documented keys; note `purcaseCurrencyCode` IS the real spelling) but accept
 * null for optional values. Responses are lenient: nullable, extra keys pass through; only the things a
 * flow relies on (ids, orderNumber, status number, articleNumber, stock numbers) are required.
 *
 * As in the BaseLinker schemas, the field types below are built at load and every schema is a `memo`, built at
 * the first call that needs it (`PostOrderSchema().safeParse(…)`): a function builds only what it sends and reads.
 */

const str = z.string();
const optStr = z.nullish(z.string());
const optNum = z.nullish(z.number());
const optBool = z.nullish(z.boolean());

// ---------------------------------------------------------------- requests

export const CodeNameSchema = memo(() => z.strictObject({ code: optStr, name: optStr }));
export const NotificationSchema = memo(() => z.strictObject({ toBeNotified: z.boolean(), value: optStr }));

export const PostArticleSchema = memo(() => z.strictObject({
  goodsOwnerId: z.number().check(z.int(), z.positive()),
  articleNumber: str.check(z.minLength(1)),
  articleName: optStr,
  productCode: optStr,
  unitCode: optStr,
  description: optStr,
  isStockArticle: optBool,
  isActive: optBool,
  barCodeInfo: z.nullish(
    z.strictObject({
      barCode: optStr,
      barCodePackage: optStr,
      barCodePallet: optStr,
      alternativeBarCodes: z.nullish(z.array(z.strictObject({ barCode: str, quantityPerBarCode: optNum, barCodeType: z.nullish(CodeNameSchema()) }))),
    }),
  ),
  supplierInfo: z.nullish(z.strictObject({ supplierArticleNumber: optStr, supplierNumber: optStr, supplierName: optStr })),
  weight: optNum,
  netWeight: optNum,
  length: optNum,
  width: optNum,
  height: optNum,
  volume: optNum,
  quantityPerPackage: optNum,
  quantityPerPallet: optNum,
  purchasePrice: optNum,
  stockValuationPrice: optNum,
  customerPrice: optNum,
  purcaseCurrencyCode: optStr,
  countryOfOriginCode: optStr,
  statisticsNumber: optStr,
  customsDescription: optStr,
  articleGroup: z.nullish(CodeNameSchema()),
  articleCategory: z.nullish(CodeNameSchema()),
  articleColor: z.nullish(CodeNameSchema()),
  articleSize: z.nullish(CodeNameSchema()),
  linkToPicture: optStr,
  stockLimit: optNum,
}));
export type PostArticle = z.infer<ReturnType<typeof PostArticleSchema>>;

export const AddressSchema = memo(() => z.strictObject({
  name: optStr,
  address1: optStr,
  address2: optStr,
  address3: optStr,
  postCode: optStr,
  city: optStr,
  countryCode: optStr,
  countryStateCode: optStr,
}));

const NotificationsSchema = memo(() => z.strictObject({
  emailNotification: z.nullish(NotificationSchema()),
  smsNotification: z.nullish(NotificationSchema()),
  telephoneNotification: z.nullish(NotificationSchema()),
}));

/** The invoice address's notifications are `{value}` only in Ongoing's model. */
const InvoiceNotificationSchema = memo(() => z.strictObject({ value: optStr }));
export const InvoiceAddressSchema = memo(() => z.extend(AddressSchema(), {
  advanced: z.nullish(
    z.strictObject({
      emailNotification: z.nullish(InvoiceNotificationSchema()),
      smsNotification: z.nullish(InvoiceNotificationSchema()),
      telephoneNotification: z.nullish(InvoiceNotificationSchema()),
    }),
  ),
}));
export type InvoiceAddress = z.infer<ReturnType<typeof InvoiceAddressSchema>>;

export const PostConsigneeSchema = memo(() => z.extend(AddressSchema(), {
  customerNumber: optStr,
  remark: optStr,
  doorCode: optStr,
  vatNumber: optStr,
  organisationNumber: optStr,
  advanced: z.nullish(z.extend(NotificationsSchema(), { externalCustomerCode: optStr })),
  invoiceAddress: z.nullish(InvoiceAddressSchema()),
}));
export type PostConsignee = z.infer<ReturnType<typeof PostConsigneeSchema>>;

export const PostOrderLineSchema = memo(() => z.strictObject({
  rowNumber: str.check(z.minLength(1)),
  articleNumber: str.check(z.minLength(1)),
  numberOfItems: z.number().check(z.positive()),
  comment: optStr,
  shouldBePicked: optBool,
  serialNumber: optStr,
  batchNumber: optStr,
  customerArticleNumber: optStr,
  externalId: optStr,
  warehouseInstruction: optStr,
  lineTotalCustomsValue: optNum,
  prices: z.nullish(
    z.strictObject({
      linePrice: optNum,
      customerLinePrice: optNum,
      currencyCode: optStr,
      discountPercentage: optNum,
      totalVat: optNum,
    }),
  ),
  lineFreeValues: z.nullish(z.strictObject({ freeText1: optStr, freeDecimal1: optNum })),
}));
export type PostOrderLine = z.infer<ReturnType<typeof PostOrderLineSchema>>;

export const PostOrderSchema = memo(() => z
  .extend(
    z.strictObject({
      goodsOwnerId: z.number().check(z.int(), z.positive()),
      orderNumber: str.check(z.minLength(1), z.maxLength(50)),
      deliveryDate: str.check(z.minLength(1)),
      goodsOwnerOrderId: optStr,
      referenceNumber: optStr,
      consigneeOrderNumber: optStr,
      orderRemark: z.nullish(z.string().check(z.maxLength(500))),
      deliveryInstruction: optStr,
      warehouseInstruction: optStr,
      servicePointCode: z.nullish(z.string().check(z.maxLength(50))),
      salesCode: optStr,
      freeText1: optStr,
      freeText2: optStr,
      freeText3: optStr,
      marketPlace: z.nullish(z.strictObject({ marketPlace: optStr, marketPlaceOrderNumber: optStr })),
      orderType: z.nullish(CodeNameSchema()),
      wayOfDelivery: z.nullish(CodeNameSchema()),
      transporter: z.nullish(z.strictObject({ transporterCode: optStr, transporterServiceCode: optStr })),
      customsInfo: z.nullish(z.strictObject({ customsValueCurrencyCode: optStr })),
      freightPrice: optNum,
      customerPrice: optNum,
      preparedTransportDocumentId: optStr,
      warehouseId: optNum,
      pickingPriority: optNum,
      languageCode: optStr,
      invoiceUrl: optStr,
      consignee: PostConsigneeSchema(),
      orderLines: z.array(PostOrderLineSchema()).check(z.minLength(1)),
    }),
    NotificationsSchema().shape,
  )
  .check(
    z.superRefine((order, ctx) => {
      const seen = new Set<string>();
      order.orderLines.forEach((line, i) => {
        if (seen.has(line.rowNumber)) {
          ctx.addIssue({ code: 'custom', path: ['orderLines', i, 'rowNumber'], message: `duplicate rowNumber ${line.rowNumber}` });
        }
        seen.add(line.rowNumber);
      });
    }),
  ));
export type PostOrder = z.infer<ReturnType<typeof PostOrderSchema>>;

export const PrintingInfoSchema = memo(() => z.strictObject({
  reportId: optNum,
  printAsUser: z.nullish(z.strictObject({ userId: z.number() })),
  printAsWorkstation: z.nullish(z.strictObject({ workstationId: z.number() })),
}));
export type PrintingInfo = z.infer<ReturnType<typeof PrintingInfoSchema>>;

const base64 = str.check(z.minLength(1), z.regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64'));

/**
 * Body of `PUT /orders/{orderId}/files?fileName=` (create or replace by file name): Ongoing's model
 * (PostFileNoFilenameModel) has no printing info, so a label uploaded this way never prints by itself.
 */
export const PutFileSchema = memo(() => z.strictObject({
  mimeType: str.check(z.minLength(1)),
  fileDataBase64: base64,
}));
export type PutFile = z.infer<ReturnType<typeof PutFileSchema>>;

/** Body of `POST /orders/{orderId}/files` (always a new file) and `PUT /orders/{orderId}/files/{fileId}` (replace by id). */
export const PostFileSchema = memo(() => z.strictObject({
  fileName: str.check(z.minLength(1), z.maxLength(300)),
  mimeType: str.check(z.minLength(1)),
  fileDataBase64: base64,
  advanced: z.nullish(z.strictObject({ printingInfo: z.nullish(PrintingInfoSchema()) })),
}));
export type PostFile = z.infer<ReturnType<typeof PostFileSchema>>;

export const FileNameSchema = memo(() => str.check(z.minLength(1), z.maxLength(300)));

export const PostTrackingSchema = memo(() => z.strictObject({
  waybill: str.check(z.minLength(1), z.maxLength(50)),
  trackingUrl: str.check(z.minLength(1)),
  isReturnTracking: z.boolean(),
}));
export type PostTracking = z.infer<ReturnType<typeof PostTrackingSchema>>;

export const WaybillSchema = memo(() => str.check(z.minLength(1), z.maxLength(50)));
export const OrderRemarkSchema = memo(() => z.string().check(z.maxLength(500)));

// ---------------------------------------------------------------- responses

const LooseCodeName = memo(() => z.looseObject({ code: optStr, name: optStr }));

export const InventoryInfoSchema = memo(() => z.looseObject({
  numberOfItems: z.number(),
  numberOfBookedItems: z.number(),
  sellableNumberOfItems: z.number(),
  allocatedNumberOfItems: optNum,
  numberOfLockedItems: optNum,
  lockedForSaleNumberOfItems: optNum,
  toReceiveNumberOfItems: optNum,
  pickedToBeCollectedNumberOfItems: optNum,
  receivedToBeFinishedNumberOfItems: optNum,
  totalStockValue: optNum,
  lastInDate: optStr,
}));
export type InventoryInfo = z.infer<ReturnType<typeof InventoryInfoSchema>>;

export const GetArticleSchema = memo(() => z.looseObject({
  articleSystemId: z.number().check(z.int()),
  articleNumber: str,
  goodsOwner: z.nullish(z.looseObject({ id: z.number().check(z.int()), name: optStr })),
  articleName: optStr,
  productCode: optStr,
  unitCode: optStr,
  description: optStr,
  isStockArticle: optBool,
  isActive: optBool,
  barCodeInfo: z.nullish(z.looseObject({ barCode: optStr })),
  weight: optNum,
  netWeight: optNum,
  length: optNum,
  width: optNum,
  height: optNum,
  volume: optNum,
  articleDataLastUpdated: optStr,
  inventoryInfo: InventoryInfoSchema(),
}));
export type GetArticle = z.infer<ReturnType<typeof GetArticleSchema>>;
export const GetArticleListSchema = memo(() => z.array(GetArticleSchema()));

const LooseNotification = memo(() => z.looseObject({ toBeNotified: optBool, value: optStr }));

export const OrderTrackingSchema = memo(() => z.looseObject({
  waybill: optStr,
  trackingUrl: optStr,
  created: optStr,
}));

export const GetOrderSchema = memo(() => z.looseObject({
  goodsOwner: z.looseObject({ id: z.number().check(z.int()), name: optStr }),
  orderInfo: z.looseObject({
    orderId: z.number().check(z.int()),
    orderNumber: str,
    orderStatus: z.looseObject({ number: z.number().check(z.int()), text: optStr }),
    goodsOwnerOrderId: optStr,
    referenceNumber: optStr,
    orderRemark: optStr,
    servicePointCode: optStr,
    deliveryDate: optStr,
    createdDate: optStr,
    shippedTime: optStr,
    wayBill: optStr,
    returnWayBill: optStr,
    marketPlace: z.nullish(z.looseObject({ marketPlace: optStr, marketPlaceOrderNumber: optStr })),
    wayOfDelivery: z.nullish(LooseCodeName()),
    emailNotification: z.nullish(LooseNotification()),
    smsNotification: z.nullish(LooseNotification()),
    telephoneNotification: z.nullish(LooseNotification()),
  }),
  consignee: z.nullish(
    z.looseObject({
      id: optNum,
      customerNumber: optStr,
      name: optStr,
      address1: optStr,
      postCode: optStr,
      city: optStr,
      countryCode: optStr,
    }),
  ),
  orderLines: z.nullish(
    z.array(
      z.looseObject({
        id: z.number().check(z.int()),
        rowNumber: optStr,
        article: z.looseObject({ articleSystemId: optNum, articleNumber: str, articleName: optStr, productCode: optStr }),
        orderedNumberOfItems: optNum,
        allocatedNumberOfItems: optNum,
        pickedNumberOfItems: optNum,
        comment: optStr,
        externalId: optStr,
      }),
    ),
  ),
  tracking: z.nullish(z.array(OrderTrackingSchema())),
  returnTracking: z.nullish(z.array(OrderTrackingSchema())),
  parcels: z.nullish(
    z.array(
      z.looseObject({
        id: optNum,
        parcelNumber: optStr,
        isReturnParcel: optBool,
        tracking: z.nullish(z.looseObject({ trackingUrl: optStr })),
      }),
    ),
  ),
}));
export type GetOrder = z.infer<ReturnType<typeof GetOrderSchema>>;
export const GetOrderListSchema = memo(() => z.array(GetOrderSchema()));

export const GetFileSchema = memo(() => z.looseObject({
  fileId: z.number().check(z.int()),
  orderId: optNum,
  fileName: str,
  mimeType: optStr,
  fileDataBase64: optStr,
}));
export type GetFile = z.infer<ReturnType<typeof GetFileSchema>>;
export const GetFileListSchema = memo(() => z.array(GetFileSchema()));

export const OrderStatusSchema = memo(() => z.looseObject({ number: z.number().check(z.int()), text: optStr }));
export type OrderStatus = z.infer<ReturnType<typeof OrderStatusSchema>>;
export const OrderStatusesSchema = memo(() => z.looseObject({ orderStatuses: z.array(OrderStatusSchema()) }));

export const TransporterContractSchema = memo(() => z.looseObject({
  transporterName: optStr,
  transporterCode: optStr,
  transporterServiceCode: optStr,
  ediCode: optStr,
  transporterServices: z.nullish(z.array(z.looseObject({ transporterServiceName: optStr, transporterServiceCode: optStr }))),
}));
export type TransporterContract = z.infer<ReturnType<typeof TransporterContractSchema>>;
export const TransporterContractListSchema = memo(() => z.array(TransporterContractSchema()));

export const PutArticleResponseSchema = memo(() => z.looseObject({ articleSystemId: z.number().check(z.int()), message: optStr }));
export const OrderIdResponseSchema = memo(() => z.looseObject({ orderId: z.number().check(z.int()), message: optStr }));
export const FileResponseSchema = memo(() => z.looseObject({ fileId: z.nullish(z.number().check(z.int())), success: z.boolean(), message: optStr }));
export const SuccessResponseSchema = memo(() => z.looseObject({ success: z.boolean(), message: optStr }));

/** Order status numbers on Ongoing's standard scale (texts are localised per tenant: never compare them). */
export const ORDER_STATUS = {
  error: 150,
  open: 200,
  released: 300,
  allocated: 320,
  picked: 400,
  sent: 450,
  collected: 500,
  cancelled: 1000,
} as const;
