/**
 * The malformed-input corpus, as data. Each entry says what the integration must do with it:
 * - 'written': it is odd but valid, and goes through with its text intact (checked field by field);
 * - 'set-aside': it is kept for a person with a reason matching `reason`, and nothing else in the run is lost;
 * - for webhook bodies: the HTTP status and a message matching `message` (never a 5xx, never a crash).
 */

const TEN_KB = 'Ż'.repeat(10_240);

// ---------------------------------------------------------------- catalog products (BaseLinker -> Ongoing)

export interface ProductCase {
  name: string;
  /** Fields of the simulator's product (wrong types on purpose); `sku` gets a unique default when absent. */
  product: Record<string, unknown>;
  /** Variants of it, each with its own expectation. */
  variants?: Array<{ fields: Record<string, unknown>; expect: 'written' | 'set-aside'; reason?: RegExp }>;
  expect: 'written' | 'set-aside';
  reason?: RegExp;
  /** For 'written': the article name Ongoing must hold. */
  articleName?: string;
  /** For 'written': the weight Ongoing must hold. */
  weight?: number;
}

export const PRODUCT_CASES: ProductCase[] = [
  { name: 'emoji in the name, a ZWJ sequence included', product: { name: 'Kubek ☕ 🐻‍❄️ polarny' }, expect: 'written', articleName: 'Kubek ☕ 🐻‍❄️ polarny' },
  { name: 'combining marks (decomposed Polish letters)', product: { name: 'Z\u0307o\u0301ł\u0107 kubek' }, expect: 'written', articleName: 'Z\u0307o\u0301ł\u0107 kubek' },
  { name: 'right-to-left text with an RLM mark', product: { name: 'كوب قهوة \u200Fעברית' }, expect: 'written', articleName: 'كوب قهوة \u200Fעברית' },
  { name: 'zero-width space and joiner inside the name', product: { name: 'Ku\u200Bbek\u200D' }, expect: 'written', articleName: 'Ku\u200Bbek\u200D' },
  { name: 'a byte-order mark at the start of the name', product: { name: '\uFEFFKubek' }, expect: 'written' },
  { name: 'a NUL character in the name', product: { name: 'Kubek\u0000X' }, expect: 'written' },
  { name: 'a lone high surrogate in the name', product: { name: 'Kubek \uD83D' }, expect: 'written' },
  { name: 'a lone low surrogate in the name', product: { name: '\uDE00 Kubek' }, expect: 'written' },
  { name: 'a 10 kB name', product: { name: TEN_KB }, expect: 'set-aside', reason: /name is 10240 characters long; Ongoing takes at most 200/ },
  { name: 'a 51-character SKU', product: { sku: 'X'.repeat(51) }, expect: 'set-aside', reason: /SKU is 51 characters long; Ongoing takes at most 50/ },
  { name: 'an empty SKU', product: { sku: '' }, expect: 'set-aside', reason: /no SKU/ },
  { name: 'a SKU of spaces only', product: { sku: '   ' }, expect: 'set-aside', reason: /no SKU/ },
  { name: 'a name of spaces only', product: { name: '   ' }, expect: 'set-aside', reason: /has no name/ },
  { name: 'an empty name', product: { name: '' }, expect: 'set-aside', reason: /has no name/ },
  { name: 'weight as a numeric string', product: { weight: '1.5' }, expect: 'written' },
  { name: 'weight as a word', product: { weight: 'abc' }, expect: 'set-aside', reason: /weight/ },
  { name: 'a negative weight', product: { weight: -1 }, expect: 'set-aside', reason: /weight/ },
  { name: 'a negative height', product: { height: -5 }, expect: 'set-aside', reason: /height/ },
  // BaseLinker sends null for "no weight": read as 0 (the shipment then refuses the order for want of a weight).
  { name: 'weight null', product: { weight: null }, expect: 'written', weight: 0 },
  { name: 'weight NaN (null on the wire)', product: { weight: Number.NaN }, expect: 'written', weight: 0 },
  { name: 'width as an object', product: { width: { cm: 3 } }, expect: 'set-aside', reason: /width/ },
  { name: 'length as a list', product: { length: [1, 2] }, expect: 'set-aside', reason: /length/ },
  { name: 'a 10 kB description', product: { text_fields: { description: TEN_KB } }, expect: 'written' },
  { name: 'tags as a string instead of a list', product: { tags: 'nowość' }, expect: 'written' },
  { name: '[] where a map is expected (prices, images)', product: { prices: [], images: [] }, expect: 'written' },
  {
    // A variant without a SKU takes the product's (spec: "variant SKU, or product SKU"); two of them clash.
    name: 'two variants without a SKU next to a good one',
    product: {},
    variants: [
      { fields: { sku: '', name: 'bez SKU 1' }, expect: 'set-aside', reason: /has the same SKU as variant/ },
      { fields: { sku: ' ', name: 'bez SKU 2' }, expect: 'set-aside', reason: /has the same SKU as variant/ },
      { fields: { name: 'dobry wariant' }, expect: 'written' },
    ],
    expect: 'written',
  },
  {
    name: 'a variant with emoji and a 10 kB name',
    product: {},
    variants: [
      { fields: { name: TEN_KB }, expect: 'set-aside', reason: /characters long/ },
      { fields: { name: '🧦 skarpety' }, expect: 'written' },
    ],
    expect: 'written',
  },
];

// ---------------------------------------------------------------- orders (BaseLinker -> Ongoing)

export interface OrderCase {
  name: string;
  /** Fields of the simulator's order, wrong types on purpose. Lines default to one valid line. */
  order: Record<string, unknown>;
  /** Replace the order's lines after it was added (for shapes addOrder cannot take). */
  rawProducts?: unknown;
  expect: 'written' | 'set-aside';
  reason?: RegExp;
}

export const ORDER_CASES: OrderCase[] = [
  { name: 'emoji and RTL in the delivery name', order: { delivery_fullname: 'Zofia 🌸 وردة' }, expect: 'written' },
  { name: 'combining marks and zero-width characters in the address', order: { delivery_address: 'ul. Dl\u0301uga\u200B 5' }, expect: 'written' },
  { name: 'a lone surrogate in the comments', order: { user_comments: 'proszę \uD83D szybko' }, expect: 'written' },
  { name: 'NUL in the city', order: { delivery_city: 'Kra\u0000ków' }, expect: 'written' },
  { name: 'a 10 kB buyer comment (cut to Ongoing’s limit)', order: { user_comments: TEN_KB }, expect: 'written' },
  { name: 'no delivery name or company', order: { delivery_fullname: '', delivery_company: '' }, expect: 'set-aside', reason: /no delivery name/ },
  { name: 'no delivery address', order: { delivery_address: '   ' }, expect: 'set-aside', reason: /no delivery address/ },
  { name: 'no postcode', order: { delivery_postcode: '' }, expect: 'set-aside', reason: /no delivery postcode/ },
  { name: 'a three-letter country code', order: { delivery_country_code: 'POL' }, expect: 'set-aside', reason: /country code/ },
  { name: 'an emoji as country code', order: { delivery_country_code: '🇵🇱' }, expect: 'set-aside', reason: /country code/ },
  { name: 'a 60-character service point id', order: { delivery_point_id: 'P'.repeat(60) }, expect: 'set-aside', reason: /delivery point id/ },
  { name: 'an order without lines', order: {}, rawProducts: [], expect: 'set-aside', reason: /no lines/ },
  { name: '{} instead of the list of lines', order: {}, rawProducts: {}, expect: 'set-aside', reason: /products/ },
  { name: 'a line with a negative quantity', order: {}, rawProducts: [{ sku: 'CORPUS-OK', quantity: -2 }], expect: 'set-aside', reason: /quantity/ },
  { name: 'a line with quantity as a word', order: {}, rawProducts: [{ sku: 'CORPUS-OK', quantity: 'dwa' }], expect: 'set-aside', reason: /quantity/ },
  { name: 'a line without a SKU', order: {}, rawProducts: [{ sku: '', quantity: 1 }], expect: 'set-aside', reason: /SKU|sku/ },
  // Texts that arrive as numbers are read as text.
  { name: 'the delivery name as a number', order: { delivery_fullname: 12345 }, expect: 'written' },
  { name: 'the order date as a word', order: { date_add: 'wczoraj' }, expect: 'set-aside', reason: /date_add/ },
  { name: 'the email as a list', order: { email: ['a@example.invalid'] }, expect: 'set-aside', reason: /email/ },
  { name: 'a line id as a word', order: {}, rawProducts: [{ sku: 'CORPUS-OK', quantity: 1, order_product_id: 'pierwsza' }], expect: 'set-aside', reason: /order_product_id/ },
  { name: 'the price as a numeric string', order: {}, rawProducts: [{ sku: 'CORPUS-OK', quantity: 1, price_brutto: '19.99' }], expect: 'written' },
];

// ---------------------------------------------------------------- Send webhook bodies

export interface WebhookCase {
  name: string;
  /** The raw body; objects are sent as JSON. */
  body: unknown;
  base64?: boolean;
  status: number;
  message: RegExp;
}

const event = (fields: Record<string, unknown>) => ({ webhookEventId: 555, orderId: 999_999, goodsOwnerId: 42, ...fields });

export const WEBHOOK_CASES: WebhookCase[] = [
  { name: 'no body', body: '', status: 400, message: /no body/ },
  { name: 'not JSON', body: 'orderId=5', status: 400, message: /not JSON/ },
  { name: 'truncated JSON', body: '{"orderId": 5, "goodsOw', status: 400, message: /not JSON/ },
  { name: 'a JSON list', body: '[]', status: 400, message: /not a JSON object/ },
  { name: 'JSON null', body: 'null', status: 400, message: /not a JSON object/ },
  { name: 'a JSON string', body: '"orderId"', status: 400, message: /not a JSON object/ },
  { name: 'an empty object', body: {}, status: 400, message: /orderId/ },
  { name: 'orderId missing', body: { webhookEventId: 1, goodsOwnerId: 42 }, status: 400, message: /orderId/ },
  { name: 'orderId as a word', body: event({ orderId: 'abc' }), status: 400, message: /orderId must be a whole number/ },
  { name: 'orderId negative', body: event({ orderId: -5 }), status: 400, message: /orderId must be positive/ },
  { name: 'orderId a fraction', body: event({ orderId: 1.5 }), status: 400, message: /orderId must be a whole number/ },
  { name: 'orderId as a list', body: event({ orderId: [123] }), status: 400, message: /orderId/ },
  { name: 'orderId in full-width digits', body: event({ orderId: '１２３' }), status: 400, message: /orderId must be a whole number/ },
  { name: 'orderId with a zero-width space', body: event({ orderId: '12\u200B3' }), status: 400, message: /orderId must be a whole number/ },
  { name: 'goodsOwnerId missing', body: { webhookEventId: 1, orderId: 5 }, status: 400, message: /goodsOwnerId/ },
  { name: 'webhookEventId missing', body: { orderId: 5, goodsOwnerId: 42 }, status: 400, message: /webhookEventId/ },
  { name: 'webhookEventId as an object', body: event({ webhookEventId: {} }), status: 400, message: /webhookEventId/ },
  { name: 'a goods owner this integration does not serve', body: event({ goodsOwnerId: 7 }), status: 404, message: /goods owner 7 is not configured/ },
  { name: 'ids as numeric strings, an order Ongoing does not have', body: event({ orderId: '999999', goodsOwnerId: '42' }), status: 404, message: /no order 999999/ },
  { name: 'emoji, NUL and a lone surrogate in the order number', body: event({ orderNumber: '🐻\u0000\uD800' }), status: 404, message: /no order 999999/ },
  { name: 'a 1 MB order number', body: event({ orderNumber: 'x'.repeat(1_000_000) }), status: 404, message: /no order 999999/ },
  { name: 'base64 garbage', body: Buffer.from([0xff, 0xfe, 0x00, 0x81]).toString('base64'), base64: true, status: 400, message: /not JSON/ },
];
