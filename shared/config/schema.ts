import * as z from '../util/zod';

/**
 * One tenant = one Ongoing goods owner + one BaseLinker account. The schemas validate the non-secret
 * settings (which may sit in a file, an env var or the CDK app) separately from the secrets (which
 * live in Secrets Manager or, locally, inline), so a settings object can be logged and diffed safely.
 *
 * Messages are written for the person editing the config: "expected a positive integer, got -3".
 * A missing value says "required". `{{a.b}}` inside a message is a reference to another setting; the
 * loader renders it as that setting's env var or JSON path, whichever the user wrote.
 */

export const DEFAULT_BASELINKER_URL = 'https://api.baselinker.com/connector.php';

const MAX_SHOWN_INPUT = 60;

/** A short, safe rendering of a wrong value for an error message (never used for secret fields). */
export function showInput(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return input.length === 0 ? 'an empty list' : 'a list';
  if (typeof input === 'object') return 'an object';
  if (typeof input === 'string') {
    const shown = input.length > MAX_SHOWN_INPUT ? `${input.slice(0, MAX_SHOWN_INPUT)}…` : input;
    return JSON.stringify(shown);
  }
  return String(input);
}

type IssueLike = { input?: unknown; code?: string };

/** Error option for a plain setting: "required" when absent, else what was expected and what came. */
export const expected = (what: string) => ({
  error: (issue: IssueLike) =>
    issue.input === undefined ? 'required' : `expected ${what}, got ${showInput(issue.input)}`,
});

/** Error option for a secret: never echoes the value. */
const expectedSecret = (what: string) => ({
  error: (issue: IssueLike) => (issue.input === undefined ? 'required' : `expected ${what}`),
});

const positiveInt = (what = 'a positive integer') => z.int(expected(what)).check(z.positive(expected(what)));
const nonNegativeInt = (what = 'a whole number ≥ 0') => z.int(expected(what)).check(z.gte(0, expected(what)));
const intRange = (min: number, max: number, what = `a whole number from ${min} to ${max}`) =>
  z.int(expected(what)).check(z.gte(min, expected(what)), z.lte(max, expected(what)));

/** An Ongoing order status number, a fixed point on Ongoing's scale (200 Open … 450 Sent … 1000 Cancelled). */
const ongoingStatus = () => intRange(100, 1000, 'an Ongoing status number from 100 to 1000');

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && !url.username && !url.password;
  } catch {
    return false;
  }
}

const httpUrl = (what: string) =>
  z.pipe(
    z.string(expected(what)).check(z.trim(), z.refine(isHttpUrl, expected(what))),
    z.transform((url) => url.replace(/\/+$/, '')),
  );

const statusIdList = (what: string) =>
  z
    .array(positiveInt('a positive integer status id'), expected(what))
    .check(z.refine((ids) => new Set(ids).size === ids.length, { error: 'lists the same status id twice' }));

const courierCode = z
  .string(expected('a BaseLinker courier code such as "dpd"'))
  .check(z.trim(), z.regex(/^[A-Za-z0-9_-]{1,20}$/, expected('a BaseLinker courier code such as "dpd" (up to 20 letters, digits, _ or -)')));

/** Courier form fields go to createPackage as strings; numbers and booleans in a JSON file are accepted. */
const courierFieldValue = () =>
  z.pipe(
    z.union([z.string(), z.number(), z.boolean()], expected('a string value')),
    z.transform((value) => (typeof value === 'boolean' ? (value ? '1' : '0') : String(value))),
  );

const courierField = () =>
  z.strictObject({
    id: z
      .string(expected('a courier field id'))
      .check(z.trim(), z.minLength(1, expected('a courier field id')), z.maxLength(50, expected('a courier field id of at most 50 characters'))),
    value: courierFieldValue(),
  });

const courierFieldList = z.array(courierField(), expected('a list of {id, value} courier fields'));

/*
 * Schemas that several settings share, each built once (zod schemas are immutable). Building the settings schema
 * is most of what this module costs a cold start, and one instance per meaning builds it about 15 % faster.
 */
const onOff = z.boolean(expected('true or false'));
const blStatusIds = statusIdList('a list of BaseLinker order status ids');
const blStatusId = positiveInt('a positive integer BaseLinker status id');
const courierAccountId = positiveInt('a positive integer courier account id');
const minutes = intRange(1, 1440, 'a number of minutes from 1 to 1440');

const baselinkerSettings = z
  .strictObject({
    url: z._default(httpUrl('an http(s) URL of the BaseLinker connector'), DEFAULT_BASELINKER_URL),
    /** Only the articles and stock flows read the catalog (describe.ts `requiredBy`): an orders-only tenant leaves it out. */
    inventoryId: z.optional(positiveInt('a positive integer inventory (catalog) id')),
    /** Only the flows that transfer orders need it (describe.ts `requiredBy`); an articles- or stock-only tenant leaves it out. */
    orderStatusIds: z._default(blStatusIds, []),
    cancelledStatusIds: z._default(blStatusIds, []),
    statusAfterImport: z.optional(blStatusId),
    statusAfterShipment: z.optional(blStatusId),
    journal: z._default(onOff, false),
    requestsPerMinute: z._default(intRange(1, 100, 'a whole number from 1 to 100 (BaseLinker blocks a token above 100 per minute)'), 80),
    burst: z.optional(positiveInt()),
    lookbackDays: z._default(intRange(0, 365), 30),
    missingArticleRetryHours: z._default(
      z.number(expected('a number of hours > 0')).check(z.positive(expected('a number of hours > 0')), z.lte(24 * 30, expected('at most 720 hours'))),
      24,
    ),
  })
  .check(
    z.superRefine((bl, ctx) => {
      if (bl.burst !== undefined && bl.burst > bl.requestsPerMinute) {
        ctx.addIssue({
          code: 'custom',
          path: ['burst'],
          message: `must not exceed {{baselinker.requestsPerMinute}} (${bl.requestsPerMinute}), got ${bl.burst}`,
        });
      }
      const both = bl.cancelledStatusIds.filter((id) => bl.orderStatusIds.includes(id));
      if (both.length > 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['cancelledStatusIds'],
          message: `status ${both.join(', ')} is also in {{baselinker.orderStatusIds}}; an order cannot be both transferred and cancelled`,
        });
      }
    }),
  );

const ongoingSettings = z.strictObject({
  url: httpUrl('the Ongoing REST base URL ending in /api/v1').check(
    z.refine((url) => /\/api\/v1$/.test(url), {
      error: (issue) => `expected the Ongoing REST base URL ending in /api/v1 (https://<host>/<warehouse>/api/v1), got ${showInput(issue.input)}`,
    }),
  ),
  goodsOwnerId: positiveInt(),
  inWorkStatusFrom: z._default(ongoingStatus(), 300),
  orderNumberPrefix: z._default(
    z.string(expected('a short prefix such as "BL-"')).check(z.regex(/^[A-Za-z0-9_-]{0,10}$/, expected('up to 10 letters, digits, _ or - (e.g. "BL-")'))),
    '',
  ),
});

const articlesSettings = z.strictObject({
  enabled: z._default(onOff, true),
  textLanguage: z.optional(
    z
      .string(expected('a two-letter language code such as "de"'))
      .check(z.trim(), z.toLowerCase(), z.regex(/^[a-z]{2}$/, expected('a two-letter language code such as "de"'))),
  ),
  nameSource: z.optional(
    z
      .string(expected('a BaseLinker text field key such as "name|de|amazon_1"'))
      .check(
        z.trim(),
        z.regex(/^name(\|[a-z]{2}(\|[A-Za-z0-9_]+)?)?$/, expected('a BaseLinker text field key such as "name", "name|de" or "name|de|amazon_1"')),
      ),
  ),
  /**
   * Unit Ongoing expects for article length, width and height. BaseLinker gives centimetres; Ongoing does
   * not document its unit and metres is the likely one (ongoing-api §4.1), so the warehouse can say otherwise.
   */
  lengthUnit: z._default(z.enum(['m', 'cm', 'mm'], expected('"m", "cm" or "mm"')), 'm'),
});

const stockSettings = z
  .strictObject({
    enabled: z._default(onOff, false),
    warehouseKey: z.optional(
      z
        .string(expected('a BaseLinker warehouse key such as "bl_123"'))
        .check(z.trim(), z.regex(/^bl_\d+$/, expected('a writable BaseLinker warehouse key such as "bl_123" (only bl_ warehouses accept stock)'))),
    ),
    safetyBuffer: z._default(nonNegativeInt(), 0),
    reservedStatusIds: z._default(blStatusIds, []),
  })
  .check(
    z.superRefine((stock, ctx) => {
      if (stock.enabled && stock.warehouseKey === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['warehouseKey'],
          message: 'required when {{stock.enabled}} is on: the BaseLinker warehouse (e.g. "bl_123") that receives the stock levels',
        });
      }
    }),
  );

const courierChoice = z.strictObject({
  courierCode: courierCode,
  accountId: z.optional(courierAccountId),
  fields: z.optional(courierFieldList),
});

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const shipmentSettings = z.strictObject({
  courierCode: z.optional(courierCode),
  courierAccountId: z.optional(courierAccountId),
  courierFields: z._default(courierFieldList, []),
  service: z.optional(z.string(expected('a courier service id')).check(z.trim(), z.minLength(1, expected('a courier service id')))),
  byWayOfDelivery: z._default(
    z.record(
      z.string().check(z.trim(), z.minLength(1, { error: 'expected a non-empty way-of-delivery or transporter code' })),
      courierChoice,
      expected('an object keyed by Ongoing way-of-delivery or transporter code'),
    ),
    {},
  ),
  shipStatusFrom: z._default(ongoingStatus(), 450),
  /** Declare the order's gross value in the courier's insurance field (costs money at most couriers). */
  insurance: z._default(onOff, false),
  printing: z.optional(
    z.strictObject(
      {
        reportId: z.optional(positiveInt('a positive integer Ongoing report id')),
        userId: z.optional(positiveInt('a positive integer Ongoing user id')),
        workstationId: z.optional(positiveInt('a positive integer Ongoing workstation id')),
      },
      expected('an object {reportId?, userId?, workstationId?}'),
    ),
  ),
  webhookHeader: z._default(
    z.pipe(
      z.string(expected('an HTTP header name')).check(z.trim(), z.regex(HEADER_NAME, expected('an HTTP header name such as "x-webhook-secret"'))),
      z.transform((name) => name.toLowerCase()),
    ),
    'x-webhook-secret',
  ),
});

const schedulesSettings = z.strictObject({
  articlesMinutes: z._default(minutes, 15),
  stockMinutes: z._default(minutes, 15),
  /** Absent means 15, or 1 when the journal is on (then a run is one cheap journal poll). */
  ordersMinutes: z.optional(minutes),
  reconcileMinutes: z._default(minutes, 60),
  trackingMinutes: z._default(minutes, 15),
});

/** The non-secret settings of one tenant. */
export const tenantSettingsSchema = z.pipe(
  z.strictObject({
    id: z
      .string(expected('a tenant id'))
      .check(z.trim(), z.regex(/^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/, expected('a lowercase slug such as "shop-a" (a-z, 0-9 and -, up to 48 characters)'))),
    // Nothing in it is needed by every flow (the inventory and the statuses are per flow): it may be left out.
    baselinker: z.prefault(baselinkerSettings, {}),
    ongoing: ongoingSettings,
    articles: z.prefault(articlesSettings, {}),
    stock: z.prefault(stockSettings, {}),
    shipment: z.prefault(shipmentSettings, {}),
    schedules: z.prefault(schedulesSettings, {}),
  }),
  z.transform((tenant) => ({
    ...tenant,
    schedules: {
      ...tenant.schedules,
      ordersMinutes: tenant.schedules.ordersMinutes ?? (tenant.baselinker.journal ? 1 : 15),
    },
  })),
);

const secretString = (what: string) => z.string(expectedSecret(what)).check(z.minLength(1, expectedSecret(what)));

/**
 * API Gateway takes the webhook secret as the tenant's API key, and anyone who can guess it can book labels:
 * shorter secrets are refused wherever a tenant's secrets are read (env, tenants file, Secrets Manager, registry).
 */
export const MIN_WEBHOOK_SECRET_LENGTH = 32;

const webhookSecret = () =>
  secretString('a non-empty webhook secret').check(
    z.refine((value) => value.length === 0 || value.length >= MIN_WEBHOOK_SECRET_LENGTH, {
      error: `must be at least ${MIN_WEBHOOK_SECRET_LENGTH} characters (e.g. openssl rand -hex 32)`,
    }),
  );

/**
 * The secrets of one tenant: one JSON secret in Secrets Manager, or inline in a local tenants file. The webhook
 * secret is only for the Send webhook: a tenant that only syncs articles, stock or orders need not invent one
 * (without it the webhook refuses that tenant's Sends, and says why in its log).
 */
export const tenantSecretsSchema = z.object({
  baselinkerToken: secretString('a non-empty BaseLinker API token'),
  ongoingUser: secretString('a non-empty Ongoing API user name'),
  ongoingPassword: secretString('a non-empty Ongoing API password'),
  webhookSecret: z.optional(webhookSecret()),
});

export type TenantSettingsInput = z.input<typeof tenantSettingsSchema>;
export type TenantSettings = z.output<typeof tenantSettingsSchema>;
export type TenantSecrets = z.output<typeof tenantSecretsSchema>;
export type TenantConfig = TenantSettings & { secrets: TenantSecrets };

export type BaselinkerSettings = TenantSettings['baselinker'];
export type OngoingSettings = TenantSettings['ongoing'];
export type ArticlesSettings = TenantSettings['articles'];
export type StockSettings = TenantSettings['stock'];
export type ShipmentSettings = TenantSettings['shipment'];
export type CourierChoice = ShipmentSettings['byWayOfDelivery'][string];
export type CourierField = ShipmentSettings['courierFields'][number];
export type SchedulesSettings = TenantSettings['schedules'];

