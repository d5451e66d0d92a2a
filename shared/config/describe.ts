import { DEFAULT_BASELINKER_URL } from './schema';

/**
 * Every setting, once: the JSON path in a tenant entry, the single-tenant env var and the default, and (in
 * SETTING_MEANINGS) what it means. The env loader reads its variables from this table, and the README and
 * `--help` print it, so the three cannot drift apart (unit tests also check each default against the schema, and
 * that every setting has its meaning).
 */

/** How the text of an env var becomes a value. */
export type EnvKind = 'string' | 'int' | 'number' | 'intList' | 'onoff' | 'json';

export interface SettingDoc {
  /** Path inside one tenant entry (tenants file / TENANTS), e.g. `baselinker.orderStatusIds`. */
  path: string;
  /** The single-tenant env var, when the setting has one. */
  env?: string;
  envKind?: EnvKind;
  /** `true`, or the condition under which it is required. Absent: optional (or see `requiredBy`). */
  required?: true | string;
  /**
   * Required only by these flows (names as `npm run sync` takes them): a run of another flow does not ask for it
   * (an articles-only tenant has no order statuses to give). The README's "required" cell says which.
   */
  requiredBy?: readonly string[];
  /** The value used when the setting is absent (checked against the schema by a test). */
  default?: unknown;
  /** Shown instead of `default` when the default depends on something else. */
  defaultText?: string;
  /** Secrets come from Secrets Manager (AWS), inline `secrets` (local file) or env; never logged. */
  secret?: true;
}

export interface RuntimeSettingDoc {
  env: string;
  default?: string;
  meaning: string;
}

export const TENANT_SETTINGS: readonly SettingDoc[] = [
  { path: 'id', env: 'TENANT_ID', envKind: 'string', required: 'in a tenants file', default: 'default' },

  { path: 'baselinker.url', env: 'BASELINKER_URL', envKind: 'string', default: DEFAULT_BASELINKER_URL },
  { path: 'secrets.baselinkerToken', env: 'BASELINKER_TOKEN', envKind: 'string', required: true, secret: true },
  { path: 'baselinker.inventoryId', env: 'BASELINKER_INVENTORY_ID', envKind: 'int', requiredBy: ['articles', 'stock'] },
  { path: 'baselinker.orderStatusIds', env: 'BASELINKER_ORDER_STATUS_IDS', envKind: 'intList', requiredBy: ['orders', 'reconcile'] },
  { path: 'baselinker.cancelledStatusIds', env: 'BASELINKER_CANCELLED_STATUS_IDS', envKind: 'intList', default: [] },
  { path: 'baselinker.statusAfterImport', env: 'BASELINKER_STATUS_AFTER_IMPORT', envKind: 'int' },
  { path: 'baselinker.statusAfterShipment', env: 'BASELINKER_STATUS_AFTER_SHIPMENT', envKind: 'int' },
  { path: 'baselinker.journal', env: 'BASELINKER_JOURNAL', envKind: 'onoff', default: false },
  { path: 'baselinker.requestsPerMinute', env: 'BASELINKER_REQUESTS_PER_MINUTE', envKind: 'int', default: 80 },
  { path: 'baselinker.burst', env: 'BASELINKER_BURST', envKind: 'int', defaultText: 'requestsPerMinute / 8' },
  { path: 'baselinker.lookbackDays', env: 'ORDERS_LOOKBACK_DAYS', envKind: 'int', default: 30 },
  { path: 'baselinker.missingArticleRetryHours', env: 'MISSING_ARTICLE_RETRY_HOURS', envKind: 'number', default: 24 },

  { path: 'ongoing.url', env: 'ONGOING_URL', envKind: 'string', required: true },
  { path: 'secrets.ongoingUser', env: 'ONGOING_USER', envKind: 'string', required: true, secret: true },
  { path: 'secrets.ongoingPassword', env: 'ONGOING_PASSWORD', envKind: 'string', required: true, secret: true },
  { path: 'ongoing.goodsOwnerId', env: 'ONGOING_GOODS_OWNER_ID', envKind: 'int', required: true },
  { path: 'ongoing.orderNumberPrefix', env: 'ONGOING_ORDER_NUMBER_PREFIX', envKind: 'string', default: '' },
  { path: 'ongoing.inWorkStatusFrom', env: 'ONGOING_IN_WORK_STATUS_FROM', envKind: 'int', default: 300 },

  { path: 'articles.enabled', env: 'ARTICLES_SYNC', envKind: 'onoff', default: true },
  { path: 'articles.textLanguage', env: 'ARTICLES_TEXT_LANGUAGE', envKind: 'string', defaultText: 'the catalog default' },
  { path: 'articles.nameSource', env: 'ARTICLES_NAME_SOURCE', envKind: 'string', defaultText: 'name (in textLanguage)' },
  { path: 'articles.lengthUnit', env: 'ARTICLES_LENGTH_UNIT', envKind: 'string', default: 'm' },

  { path: 'stock.enabled', env: 'STOCK_SYNC', envKind: 'onoff', default: false },
  { path: 'stock.warehouseKey', env: 'BASELINKER_STOCK_WAREHOUSE', envKind: 'string', required: 'when stock sync is on' },
  { path: 'stock.safetyBuffer', env: 'STOCK_SAFETY_BUFFER', envKind: 'int', default: 0 },
  { path: 'stock.reservedStatusIds', env: 'STOCK_RESERVED_STATUS_IDS', envKind: 'intList', default: [] },

  { path: 'shipment.courierCode', env: 'BASELINKER_COURIER_CODE', envKind: 'string', required: 'for shipments, unless byWayOfDelivery names the courier' },
  { path: 'shipment.courierAccountId', env: 'BASELINKER_COURIER_ACCOUNT_ID', envKind: 'int', defaultText: "the courier's first account" },
  { path: 'shipment.courierFields', env: 'BASELINKER_COURIER_FIELDS', envKind: 'json', default: [] },
  { path: 'shipment.service', env: 'BASELINKER_COURIER_SERVICE', envKind: 'string' },
  { path: 'shipment.byWayOfDelivery', env: 'SHIPMENT_BY_WAY_OF_DELIVERY', envKind: 'json', default: {} },
  { path: 'shipment.shipStatusFrom', env: 'SHIPMENT_STATUS_FROM', envKind: 'int', default: 450 },
  { path: 'shipment.insurance', env: 'SHIPMENT_INSURANCE', envKind: 'onoff', default: false },
  { path: 'shipment.printing.reportId', env: 'ONGOING_PRINT_REPORT_ID', envKind: 'int' },
  { path: 'shipment.printing.userId', env: 'ONGOING_PRINT_USER_ID', envKind: 'int' },
  { path: 'shipment.printing.workstationId', env: 'ONGOING_PRINT_WORKSTATION_ID', envKind: 'int' },
  { path: 'shipment.webhookHeader', env: 'WEBHOOK_HEADER', envKind: 'string', default: 'x-webhook-secret' },
  { path: 'secrets.webhookSecret', env: 'WEBHOOK_SECRET', envKind: 'string', required: 'for the Send webhook', secret: true },

  { path: 'schedules.articlesMinutes', env: 'SCHEDULE_ARTICLES_MINUTES', envKind: 'int', default: 15 },
  { path: 'schedules.stockMinutes', env: 'SCHEDULE_STOCK_MINUTES', envKind: 'int', default: 15 },
  { path: 'schedules.ordersMinutes', env: 'SCHEDULE_ORDERS_MINUTES', envKind: 'int', defaultText: '15, or 1 when the journal is on' },
  { path: 'schedules.reconcileMinutes', env: 'SCHEDULE_RECONCILE_MINUTES', envKind: 'int', default: 60 },
  { path: 'schedules.trackingMinutes', env: 'SCHEDULE_TRACKING_MINUTES', envKind: 'int', default: 15 },

  { path: 'secretName' },
  { path: 'secrets' },
];

/**
 * What each tenant setting means, for people: the README's table and `--help` (settingsMarkdown, settingsHelp).
 * Kept apart from TENANT_SETTINGS so the Lambda functions, which read that table but never print it, do not
 * carry the text (about 5.5 KB each); a unit test keeps the two keyed alike.
 */
export const SETTING_MEANINGS: Readonly<Record<string, string>> = {
  'id': 'Tenant id (lowercase slug). Keys all state, logs and labels. The default applies to env mode only.',

  'baselinker.url': 'BaseLinker API endpoint (point it at the simulator for local runs).',
  'secrets.baselinkerToken': 'BaseLinker API token (My account → API).',
  'baselinker.inventoryId': 'BaseLinker inventory (catalog) whose products become Ongoing articles and receive stock. Unset: the tenant syncs no articles and no stock (an orders-only setup, its articles kept in Ongoing otherwise).',
  'baselinker.orderStatusIds': 'BaseLinker order statuses whose orders are sent to Ongoing (env: comma separated, e.g. "1051,1052"). Unset: the tenant transfers no orders (an articles- or stock-only setup); only the orders and reconcile flows ask for it.',
  'baselinker.cancelledStatusIds': 'BaseLinker statuses that mean "cancelled": such orders are cancelled in Ongoing while not yet in work.',
  'baselinker.statusAfterImport': 'Move the BaseLinker order to this status once it exists in Ongoing (once; unset = leave it).',
  'baselinker.statusAfterShipment': 'Move the BaseLinker order to this status once its shipment is created (unset = leave it).',
  'baselinker.journal': 'Use getJournalList as a fast hint for new orders, fetched 100 a call (must be enabled by Base support; the status scan stays the safety net).',
  'baselinker.requestsPerMinute': 'Ceiling for any rolling minute on this token, across all processes (BaseLinker blocks above 100).',
  'baselinker.burst': 'Requests allowed back to back after a quiet spell (at most requestsPerMinute); also holds the priority floors: orders leave 4 tokens for Send, stock 6, the catalog walk 8.',
  'baselinker.lookbackDays': 'How far back each order scan looks (by confirmation date). 0 = only orders confirmed from the first run on.',
  'baselinker.missingArticleRetryHours': 'How long an order whose article is not yet in Ongoing keeps being retried before it is reported as failed.',

  'ongoing.url': 'Ongoing REST base including /api/v1, e.g. https://<host>/<warehouse>/api/v1.',
  'secrets.ongoingUser': 'Ongoing API user (created by the warehouse under "API for goods owners").',
  'secrets.ongoingPassword': 'Password of the Ongoing API user.',
  'ongoing.goodsOwnerId': 'Ongoing goods owner id (integer). Unique per tenant: the webhook finds its tenant by it.',
  'ongoing.orderNumberPrefix': 'Put before the BaseLinker order id in the Ongoing order number and customer number (e.g. "BL-" when several sources share one goods owner). Empty: the number is the BaseLinker order id itself. Never change it once orders were sent.',
  'ongoing.inWorkStatusFrom': 'Ongoing status from which an order counts as in work (no more updates or cancels from BaseLinker).',

  'articles.enabled': 'Articles flow: BaseLinker products and variants → Ongoing articles.',
  'articles.textLanguage': 'Two-letter language of the name and description taken from BaseLinker text fields, e.g. "de".',
  'articles.nameSource': 'BaseLinker text field key used for the article name, e.g. "name|de|amazon_1".',
  'articles.lengthUnit': 'Unit of article length, width and height in Ongoing: m, cm or mm (BaseLinker sends cm; Ongoing does not document its unit, metres is the likely one — ask the warehouse).',

  'stock.enabled': 'Stock flow: Ongoing stock levels → BaseLinker inventory (env: on/off).',
  'stock.warehouseKey': 'Writable BaseLinker warehouse that receives the stock, e.g. "bl_123".',
  'stock.safetyBuffer': 'Units held back per article when stock is pushed to BaseLinker.',
  'stock.reservedStatusIds': 'BaseLinker order statuses besides the chosen ones whose orders keep their units off the level pushed (e.g. unpaid orders the seller holds stock for); env: comma separated.',

  'shipment.courierCode': 'BaseLinker courier used for createPackage, e.g. "dpd".',
  'shipment.courierAccountId': 'BaseLinker courier account id.',
  'shipment.courierFields': 'Courier form fields for createPackage, as JSON [{"id":"…","value":"…"}] (see getCourierFields).',
  'shipment.service': 'Courier service id, for broker couriers that need one (see getCourierServices).',
  'shipment.byWayOfDelivery': 'Courier per Ongoing way-of-delivery or transporter code, as JSON {"<code>":{"courierCode":"…","accountId":1,"fields":[…]}}; wins over courierCode.',
  'shipment.shipStatusFrom': 'Ongoing status from which the webhook books the shipment (450 = Sent).',
  'shipment.insurance': "Insure each package for the order's gross value (products' gross prices × quantities) in the courier's insurance field, as getCourierFields names it.",
  'shipment.printing.reportId': 'Ongoing printingInfo.reportId for automatic label printing (ask the warehouse; unset = no printingInfo).',
  'shipment.printing.userId': 'Print as this Ongoing user (printingInfo.printAsUser).',
  'shipment.printing.workstationId': 'Print at this Ongoing workstation (printingInfo.printAsWorkstation).',
  'shipment.webhookHeader': 'Header in which Ongoing sends the webhook secret (set the same name on the Ongoing webhook).',
  'secrets.webhookSecret': 'Value Ongoing must send in the webhook header: at least 32 characters (e.g. openssl rand -hex 32); on AWS it is also the tenant\'s API key, so letters and digits only.',

  'schedules.articlesMinutes': 'Minutes between article runs.',
  'schedules.stockMinutes': 'Minutes between stock runs.',
  'schedules.ordersMinutes': 'Minutes between order runs.',
  'schedules.reconcileMinutes': 'Minutes between reconcile runs (re-check orders and shipments that did not complete).',
  'schedules.trackingMinutes': 'Minutes between polls for tracking numbers BaseLinker did not have at shipment time.',

  'secretName': 'Tenants file / TENANTS only: name or ARN of the Secrets Manager secret holding {baselinkerToken, ongoingUser, ongoingPassword, webhookSecret} as JSON.',
  'secrets': 'Tenants file only (local use): the same four secrets inline. Give either secrets or secretName.',
};

export const RUNTIME_SETTINGS: readonly RuntimeSettingDoc[] = [
  { env: 'TENANTS_FILE', meaning: 'Path of a JSON file with an array of tenant entries (paths above). Takes the place of the single-tenant env vars.' },
  { env: 'TENANTS', meaning: 'On AWS: JSON array of tenant entries, each with secretName (inline secrets are refused here).' },
  { env: 'TABLE_NAME', meaning: 'DynamoDB table for state (on AWS; set by the CDK stack).' },
  { env: 'LABELS_BUCKET', meaning: 'S3 bucket for shipping labels (on AWS; set by the CDK stack).' },
  { env: 'DATA_DIR', default: '.data', meaning: 'Folder for local state and labels when running on one machine.' },
  { env: 'LOG_LEVEL', default: 'INFO', meaning: 'TRACE, DEBUG, INFO, WARN, ERROR, CRITICAL or SILENT (npm start and the CLI: WARN unless set).' },
  { env: 'LOG_FORMAT', default: 'json', meaning: 'json: one JSON object per log line on stdout (Lambda, log tools); text: one readable line per event on stderr. npm start and the CLI use text unless this says json.' },
];

/** The env vars of single-tenant mode (every tenant setting that has one). */
export const SINGLE_TENANT_ENV_VARS: readonly string[] = TENANT_SETTINGS.flatMap((doc) => (doc.env ? [doc.env] : []));

function defaultCell(doc: SettingDoc): string {
  if (doc.defaultText) return doc.defaultText;
  if (doc.default === undefined) return '';
  return typeof doc.default === 'string' ? doc.default : JSON.stringify(doc.default);
}

/** "the orders flow", "the orders and reconcile flows". */
export function flowsPhrase(flows: readonly string[]): string {
  const list = flows.length > 1 ? `${flows.slice(0, -1).join(', ')} and ${flows[flows.length - 1]}` : (flows[0] ?? '');
  return `the ${list} flow${flows.length > 1 ? 's' : ''}`;
}

function requiredCell(doc: SettingDoc): string {
  if (doc.required === true) return 'yes';
  if (doc.requiredBy) return `for ${flowsPhrase(doc.requiredBy)}`;
  return doc.required ?? '';
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

const meaningOf = (doc: SettingDoc): string => SETTING_MEANINGS[doc.path] ?? '';

/** The settings as a markdown table, for the README. */
export function settingsMarkdown(): string {
  const lines = [
    '| env var | JSON path (tenants file) | required | default | meaning |',
    '|---|---|---|---|---|',
    ...TENANT_SETTINGS.map((doc) => {
      const byDefault = doc.defaultText ?? (doc.default === undefined ? '' : `\`${defaultCell(doc)}\``);
      const meaning = doc.secret ? `(secret) ${meaningOf(doc)}` : meaningOf(doc);
      return `| ${doc.env ? `\`${doc.env}\`` : ''} | \`${doc.path}\` | ${cell(requiredCell(doc))} | ${cell(byDefault)} | ${cell(meaning)} |`;
    }),
    '',
    '| process env var | default | meaning |',
    '|---|---|---|',
    ...RUNTIME_SETTINGS.map((doc) => `| \`${doc.env}\` | ${doc.default ? `\`${doc.default}\`` : ''} | ${cell(doc.meaning)} |`),
  ];
  return lines.join('\n');
}

/** The settings as plain text, for `--help`. */
export function settingsHelp(): string {
  const out: string[] = ['Tenant settings (env var  /  JSON path in a tenants file):', ''];
  for (const doc of TENANT_SETTINGS) {
    const head = [doc.env ?? '(file only)', doc.path].join('  /  ');
    const notes = [
      requiredCell(doc) === 'yes' ? 'required' : requiredCell(doc) ? `required ${requiredCell(doc)}` : '',
      defaultCell(doc) ? `default ${defaultCell(doc)}` : '',
      doc.secret ? 'secret' : '',
    ].filter(Boolean);
    out.push(`  ${head}${notes.length ? `  [${notes.join('; ')}]` : ''}`, `      ${meaningOf(doc)}`);
  }
  out.push('', 'Process settings:', '');
  for (const doc of RUNTIME_SETTINGS) {
    out.push(`  ${doc.env}${doc.default ? `  [default ${doc.default}]` : ''}`, `      ${doc.meaning}`);
  }
  return out.join('\n');
}
