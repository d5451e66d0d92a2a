import { SINGLE_TENANT_ENV_VARS } from '../../shared/config/describe';
import { ConfigError, loadRuntime, loadTenants } from '../../shared/config/load';
import { DEFAULT_BASELINKER_URL } from '../../shared/config/schema';
import type { SecretsProvider } from '../../shared/config/secrets';

const SECRETS = {
  BASELINKER_TOKEN: '3001-12345-TOKENVALUE-abcdef',
  ONGOING_USER: 'WSI-user-9c1e',
  ONGOING_PASSWORD: 'pa55-word-7f3b',
  WEBHOOK_SECRET: 'hook-secret-5d2a91-0123456789abcdef',
};

const REQUIRED = {
  ...SECRETS,
  BASELINKER_INVENTORY_ID: '7',
  BASELINKER_ORDER_STATUS_IDS: '1051, 1052',
  ONGOING_URL: 'http://127.0.0.1:4200/wh/api/v1',
  ONGOING_GOODS_OWNER_ID: '42',
};

const noSecretsManager: SecretsProvider = {
  getSecretJson: async () => {
    throw new Error('env mode must not read Secrets Manager');
  },
};

const load = (env: Record<string, string | undefined>, flows?: string[]) => loadTenants({ env, secrets: noSecretsManager, flows });

async function problemsOf(env: Record<string, string | undefined>, flows?: string[]): Promise<readonly string[]> {
  const error = await load(env, flows).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  const message = (error as ConfigError).message;
  for (const secret of Object.values(SECRETS)) expect(message).not.toContain(secret);
  return (error as ConfigError).problems;
}

describe('single-tenant configuration from env vars', () => {
  it('builds one tenant with defaults from the required vars alone', async () => {
    const [tenant, ...rest] = await load(REQUIRED);
    expect(rest).toEqual([]);
    expect(tenant.id).toBe('default');
    expect(tenant.baselinker).toMatchObject({ url: DEFAULT_BASELINKER_URL, inventoryId: 7, orderStatusIds: [1051, 1052], requestsPerMinute: 80 });
    expect(tenant.ongoing).toEqual({ url: 'http://127.0.0.1:4200/wh/api/v1', goodsOwnerId: 42, inWorkStatusFrom: 300, orderNumberPrefix: '' });
    expect(tenant.stock.enabled).toBe(false);
    expect(tenant.articles.enabled).toBe(true);
    expect(tenant.secrets).toEqual({
      baselinkerToken: SECRETS.BASELINKER_TOKEN,
      ongoingUser: SECRETS.ONGOING_USER,
      ongoingPassword: SECRETS.ONGOING_PASSWORD,
      webhookSecret: SECRETS.WEBHOOK_SECRET,
    });
  });

  it('reads every documented env var into its setting', async () => {
    const optional: Record<string, string> = {
      TENANT_ID: 'shop-a',
      BASELINKER_URL: 'http://127.0.0.1:4100/connector.php',
      BASELINKER_CANCELLED_STATUS_IDS: '1060,1061',
      BASELINKER_STATUS_AFTER_IMPORT: '1053',
      BASELINKER_STATUS_AFTER_SHIPMENT: '1054',
      BASELINKER_JOURNAL: 'on',
      BASELINKER_REQUESTS_PER_MINUTE: '60',
      BASELINKER_BURST: '6',
      ORDERS_LOOKBACK_DAYS: '0',
      MISSING_ARTICLE_RETRY_HOURS: '1.5',
      ONGOING_IN_WORK_STATUS_FROM: '320',
      ONGOING_ORDER_NUMBER_PREFIX: 'BL-',
      ARTICLES_SYNC: 'off',
      ARTICLES_TEXT_LANGUAGE: 'de',
      ARTICLES_NAME_SOURCE: 'name|de|amazon_1',
      ARTICLES_LENGTH_UNIT: 'cm',
      STOCK_SYNC: 'on',
      BASELINKER_STOCK_WAREHOUSE: 'bl_31',
      STOCK_SAFETY_BUFFER: '2',
      STOCK_RESERVED_STATUS_IDS: '5507, 5508',
      BASELINKER_COURIER_CODE: 'dpd',
      BASELINKER_COURIER_ACCOUNT_ID: '61',
      BASELINKER_COURIER_FIELDS: '[{"id":"package_description","value":"Clothes"},{"id":"cod","value":"0"}]',
      BASELINKER_COURIER_SERVICE: 'express',
      SHIPMENT_BY_WAY_OF_DELIVERY: '{"DHL":{"courierCode":"dhl","accountId":5}}',
      SHIPMENT_STATUS_FROM: '400',
      SHIPMENT_INSURANCE: 'on',
      ONGOING_PRINT_REPORT_ID: '11',
      ONGOING_PRINT_USER_ID: '12',
      ONGOING_PRINT_WORKSTATION_ID: '13',
      WEBHOOK_HEADER: 'X-Auth-Token',
      SCHEDULE_ARTICLES_MINUTES: '30',
      SCHEDULE_STOCK_MINUTES: '10',
      SCHEDULE_ORDERS_MINUTES: '2',
      SCHEDULE_RECONCILE_MINUTES: '120',
      SCHEDULE_TRACKING_MINUTES: '5',
    };
    // The test covers the whole documented list: a new env var must be added here too.
    expect([...Object.keys(REQUIRED), ...Object.keys(optional)].sort()).toEqual([...SINGLE_TENANT_ENV_VARS].sort());

    const [tenant] = await load({ ...REQUIRED, ...optional });
    const { secrets, ...settings } = tenant;
    expect(secrets.baselinkerToken).toBe(SECRETS.BASELINKER_TOKEN);
    expect(settings).toEqual({
      id: 'shop-a',
      baselinker: {
        url: 'http://127.0.0.1:4100/connector.php',
        inventoryId: 7,
        orderStatusIds: [1051, 1052],
        cancelledStatusIds: [1060, 1061],
        statusAfterImport: 1053,
        statusAfterShipment: 1054,
        journal: true,
        requestsPerMinute: 60,
        burst: 6,
        lookbackDays: 0,
        missingArticleRetryHours: 1.5,
      },
      ongoing: { url: 'http://127.0.0.1:4200/wh/api/v1', goodsOwnerId: 42, inWorkStatusFrom: 320, orderNumberPrefix: 'BL-' },
      articles: { enabled: false, textLanguage: 'de', nameSource: 'name|de|amazon_1', lengthUnit: 'cm' },
      stock: { enabled: true, warehouseKey: 'bl_31', safetyBuffer: 2, reservedStatusIds: [5507, 5508] },
      shipment: {
        courierCode: 'dpd',
        courierAccountId: 61,
        courierFields: [
          { id: 'package_description', value: 'Clothes' },
          { id: 'cod', value: '0' },
        ],
        service: 'express',
        byWayOfDelivery: { DHL: { courierCode: 'dhl', accountId: 5 } },
        shipStatusFrom: 400,
        insurance: true,
        printing: { reportId: 11, userId: 12, workstationId: 13 },
        webhookHeader: 'x-auth-token',
      },
      schedules: { articlesMinutes: 30, stockMinutes: 10, ordersMinutes: 2, reconcileMinutes: 120, trackingMinutes: 5 },
    });
  });

  it('treats a blank env var as unset', async () => {
    const [tenant] = await load({ ...REQUIRED, BASELINKER_URL: '', BASELINKER_COURIER_CODE: '  ' });
    expect(tenant.baselinker.url).toBe(DEFAULT_BASELINKER_URL);
    expect(tenant.shipment.courierCode).toBeUndefined();
  });

  it('refuses STOCK_SYNC=on without a warehouse, naming the env var', async () => {
    const problems = await problemsOf({ ...REQUIRED, STOCK_SYNC: 'on' });
    expect(problems).toEqual([expect.stringMatching(/^BASELINKER_STOCK_WAREHOUSE: required when STOCK_SYNC is on/)]);
  });

  it('names the env var and the bad value', async () => {
    expect(await problemsOf({ ...REQUIRED, BASELINKER_ORDER_STATUS_IDS: 'new,paid' })).toEqual([
      'BASELINKER_ORDER_STATUS_IDS: expected comma-separated numeric status ids, got "new,paid"',
    ]);
    expect(await problemsOf({ ...REQUIRED, ONGOING_GOODS_OWNER_ID: 'abc' })).toEqual([
      'ONGOING_GOODS_OWNER_ID: expected a positive integer, got "abc"',
    ]);
    expect(await problemsOf({ ...REQUIRED, STOCK_SYNC: 'maybe' })).toEqual(['STOCK_SYNC: expected on or off, got "maybe"']);
    expect(await problemsOf({ ...REQUIRED, BASELINKER_COURIER_FIELDS: '[{"id":"cod"}]' })).toEqual([
      'BASELINKER_COURIER_FIELDS[0].value: required',
    ]);
    expect(await problemsOf({ ...REQUIRED, BASELINKER_ORDER_STATUS_IDS: '1051,0' })).toEqual([
      'BASELINKER_ORDER_STATUS_IDS: expected a positive integer status id, got 0',
    ]);
  });

  it('lists several problems at once, missing secrets included', async () => {
    const problems = await problemsOf({
      BASELINKER_TOKEN: SECRETS.BASELINKER_TOKEN,
      BASELINKER_INVENTORY_ID: '0',
      BASELINKER_ORDER_STATUS_IDS: 'new',
      ONGOING_URL: 'not a url',
      BASELINKER_BURST: '-1',
    });
    expect([...problems].sort()).toEqual(
      [
        'BASELINKER_BURST: expected a positive integer, got -1',
        'BASELINKER_INVENTORY_ID: expected a positive integer inventory (catalog) id, got 0',
        'BASELINKER_ORDER_STATUS_IDS: expected comma-separated numeric status ids, got "new"',
        'ONGOING_GOODS_OWNER_ID: required',
        'ONGOING_PASSWORD: required',
        'ONGOING_URL: expected the Ongoing REST base URL ending in /api/v1, got "not a url"',
        'ONGOING_USER: required',
      ].sort(),
    );
  });

  it('names every missing variable when whole groups are missing (only the token set)', async () => {
    const problems = await problemsOf({ BASELINKER_TOKEN: SECRETS.BASELINKER_TOKEN });
    expect([...problems].sort()).toEqual(
      [
        'ONGOING_GOODS_OWNER_ID: required',
        'ONGOING_PASSWORD: required',
        'ONGOING_URL: required',
        'ONGOING_USER: required',
      ].sort(),
    );
    expect(problems.join('\n')).not.toMatch(/expected object/);
  });

  it("names every missing variable of the flow being run, its own settings with the rest", async () => {
    const problems = await problemsOf({ BASELINKER_TOKEN: SECRETS.BASELINKER_TOKEN }, ['orders']);
    expect([...problems].sort()).toEqual(
      [
        'BASELINKER_ORDER_STATUS_IDS: required for the orders flow',
        'ONGOING_GOODS_OWNER_ID: required',
        'ONGOING_PASSWORD: required',
        'ONGOING_URL: required',
        'ONGOING_USER: required',
      ].sort(),
    );
    const { BASELINKER_ORDER_STATUS_IDS: _statuses, ...noStatuses } = REQUIRED;
    expect(await problemsOf(noStatuses, ['reconcile'])).toEqual(['BASELINKER_ORDER_STATUS_IDS: required for the reconcile flow']);
    expect(await problemsOf({ ...noStatuses, BASELINKER_ORDER_STATUS_IDS: ' , ' }, ['orders'])).toEqual(['BASELINKER_ORDER_STATUS_IDS: required for the orders flow']);
    // A bad value is named once, as a bad value, not also as missing.
    expect(await problemsOf({ ...noStatuses, BASELINKER_ORDER_STATUS_IDS: 'new' }, ['orders'])).toEqual([
      'BASELINKER_ORDER_STATUS_IDS: expected comma-separated numeric status ids, got "new"',
    ]);
  });

  it('does not ask an articles-only or stock-only setup for order statuses', async () => {
    const { BASELINKER_ORDER_STATUS_IDS: _statuses, WEBHOOK_SECRET: _hook, ...articlesOnly } = REQUIRED;
    const [articles] = await load(articlesOnly, ['articles']);
    expect(articles.baselinker.orderStatusIds).toEqual([]);
    const [stock] = await load({ ...articlesOnly, ARTICLES_SYNC: 'off', STOCK_SYNC: 'on', BASELINKER_STOCK_WAREHOUSE: 'bl_31' }, ['stock']);
    expect(stock.stock).toMatchObject({ enabled: true, warehouseKey: 'bl_31' });
    // What stock needs it still asks for.
    expect(await problemsOf({ ...articlesOnly, STOCK_SYNC: 'on' }, ['stock'])).toEqual([expect.stringMatching(/^BASELINKER_STOCK_WAREHOUSE: required when STOCK_SYNC is on/)]);
  });

  it('does not ask an orders-only setup for the inventory, which only the articles and stock flows read', async () => {
    const { BASELINKER_INVENTORY_ID: _inventory, ...ordersOnly } = REQUIRED;
    for (const flow of ['orders', 'reconcile', 'tracking']) {
      const [tenant] = await load(ordersOnly, [flow]);
      expect(tenant.baselinker.inventoryId).toBeUndefined();
    }
    expect(await problemsOf(ordersOnly, ['articles'])).toEqual(['BASELINKER_INVENTORY_ID: required for the articles flow']);
    expect(await problemsOf(ordersOnly, ['stock'])).toEqual(['BASELINKER_INVENTORY_ID: required for the stock flow']);
    expect([...(await problemsOf({ BASELINKER_TOKEN: SECRETS.BASELINKER_TOKEN, ONGOING_URL: REQUIRED.ONGOING_URL }, ['articles', 'orders']))].sort()).toEqual(
      [
        'BASELINKER_INVENTORY_ID: required for the articles flow',
        'BASELINKER_ORDER_STATUS_IDS: required for the orders flow',
        'ONGOING_GOODS_OWNER_ID: required',
        'ONGOING_PASSWORD: required',
        'ONGOING_USER: required',
      ].sort(),
    );
  });

  it('says which variables the flow needs when nothing is set', async () => {
    expect((await problemsOf({}, ['orders']))[0]).toMatch(/^no tenant configured: .*BASELINKER_ORDER_STATUS_IDS/);
    expect((await problemsOf({}, ['articles']))[0]).not.toContain('BASELINKER_ORDER_STATUS_IDS');
  });

  it('refuses a webhook secret shorter than 32 characters, naming the variable and never the value', async () => {
    const short = 'hook-31-characters-long-0123456';
    expect(short).toHaveLength(31);
    const error = await load({ ...REQUIRED, WEBHOOK_SECRET: short }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual(['WEBHOOK_SECRET: must be at least 32 characters (e.g. openssl rand -hex 32)']);
    expect((error as ConfigError).message).not.toContain(short);
    const [tenant] = await load({ ...REQUIRED, WEBHOOK_SECRET: `${short}7` });
    expect(tenant.secrets.webhookSecret).toHaveLength(32);
  });

  it('does not ask for the webhook secret, which only the Send webhook needs', async () => {
    const { WEBHOOK_SECRET: _unused, ...withoutWebhook } = REQUIRED;
    const [tenant] = await load(withoutWebhook);
    expect(tenant.secrets.webhookSecret).toBeUndefined();
    expect(tenant.secrets.baselinkerToken).toBe(SECRETS.BASELINKER_TOKEN);
  });

  it('never puts a secret into an error, even one pasted into the wrong variable', async () => {
    const problems = await problemsOf({ ...REQUIRED, BASELINKER_INVENTORY_ID: SECRETS.BASELINKER_TOKEN });
    expect(problems).toEqual(['BASELINKER_INVENTORY_ID: expected a positive integer inventory (catalog) id, got "[redacted]"']);
  });

  it('refuses two configuration sources at once instead of picking one silently', async () => {
    const problems = await problemsOf({ ...REQUIRED, TENANTS_FILE: 'tenants.json' });
    expect(problems).toEqual([expect.stringMatching(/^set only one configuration source, found: TENANTS_FILE; single-tenant env vars \(.*BASELINKER_TOKEN/)]);
  });

  it('says how to configure when nothing is set', async () => {
    expect(await problemsOf({})).toEqual([expect.stringMatching(/^no tenant configured: .*BASELINKER_TOKEN.*ONGOING_GOODS_OWNER_ID/)]);
  });
});

describe('process settings', () => {
  it('applies defaults', () => {
    expect(loadRuntime({})).toEqual({ dataDir: '.data', logLevel: 'INFO' });
  });

  it('reads each variable', () => {
    expect(loadRuntime({ TABLE_NAME: 'obl-state', LABELS_BUCKET: 'obl-labels-1', DATA_DIR: '/var/obl', LOG_LEVEL: 'debug' })).toEqual({
      tableName: 'obl-state',
      labelsBucket: 'obl-labels-1',
      dataDir: '/var/obl',
      logLevel: 'DEBUG',
    });
  });

  it('names each bad variable', () => {
    let error: unknown;
    try {
      loadRuntime({ LOG_LEVEL: 'loud', LABELS_BUCKET: 'Bad_Bucket' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      expect.stringMatching(/^LOG_LEVEL: expected one of .*got "loud"$/),
      expect.stringMatching(/^LABELS_BUCKET: expected an S3 bucket name .*got "Bad_Bucket"$/),
    ]);
  });
});
