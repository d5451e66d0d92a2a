import { SETTING_MEANINGS, TENANT_SETTINGS, settingsHelp, settingsMarkdown } from '../../shared/config/describe';
import { ConfigError, parseTenantSettings, tenantByGoodsOwnerId } from '../../shared/config/load';
import { DEFAULT_BASELINKER_URL, tenantSettingsSchema } from '../../shared/config/schema';
import { FLOW_NAMES } from '../../shared/flows/catalogue';

const minimal = {
  id: 'shop-a',
  baselinker: { inventoryId: 7, orderStatusIds: [1051] },
  ongoing: { url: 'https://ongoing.example/wh/api/v1', goodsOwnerId: 42 },
};

function problemsOf(input: unknown): readonly string[] {
  try {
    parseTenantSettings(input, 'tenant');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

function at(value: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], value);
}

describe('tenant settings schema', () => {
  it('fills every default when only the required settings are given', () => {
    const tenant = parseTenantSettings(minimal);
    expect(tenant).toEqual({
      id: 'shop-a',
      baselinker: {
        url: DEFAULT_BASELINKER_URL,
        inventoryId: 7,
        orderStatusIds: [1051],
        cancelledStatusIds: [],
        journal: false,
        requestsPerMinute: 80,
        lookbackDays: 30,
        missingArticleRetryHours: 24,
      },
      ongoing: { url: 'https://ongoing.example/wh/api/v1', goodsOwnerId: 42, inWorkStatusFrom: 300, orderNumberPrefix: '' },
      articles: { enabled: true, lengthUnit: 'm' },
      stock: { enabled: false, safetyBuffer: 0, reservedStatusIds: [] },
      shipment: { courierFields: [], byWayOfDelivery: {}, shipStatusFrom: 450, insurance: false, webhookHeader: 'x-webhook-secret' },
      schedules: { articlesMinutes: 15, stockMinutes: 15, ordersMinutes: 15, reconcileMinutes: 60, trackingMinutes: 15 },
    });
  });

  it('documents exactly the defaults the schema applies', () => {
    const tenant = parseTenantSettings(minimal);
    const withDefaults = TENANT_SETTINGS.filter((doc) => doc.default !== undefined && doc.path !== 'id');
    expect(withDefaults.length).toBeGreaterThan(15);
    for (const doc of withDefaults) {
      expect({ path: doc.path, value: at(tenant, doc.path) }).toEqual({ path: doc.path, value: doc.default });
    }
  });

  it('documents every setting the schema knows', () => {
    const documented = new Set(TENANT_SETTINGS.map((doc) => doc.path));
    const full = parseTenantSettings({
      ...minimal,
      baselinker: { ...minimal.baselinker, statusAfterImport: 1, statusAfterShipment: 2, burst: 5 },
      articles: { textLanguage: 'de', nameSource: 'name|de' },
      stock: { enabled: true, warehouseKey: 'bl_1' },
      shipment: { courierCode: 'dpd', courierAccountId: 3, service: 'x', printing: { reportId: 1, userId: 2, workstationId: 3 } },
    });
    const leaves: string[] = [];
    const walk = (node: unknown, prefix: string): void => {
      if (node && typeof node === 'object' && !Array.isArray(node) && !['shipment.byWayOfDelivery'].includes(prefix)) {
        for (const [key, value] of Object.entries(node)) walk(value, prefix ? `${prefix}.${key}` : key);
      } else leaves.push(prefix);
    };
    walk(full, '');
    expect(leaves.filter((path) => !documented.has(path))).toEqual([]);
  });

  it('schedules orders every minute when the journal is on, unless told otherwise', () => {
    const journal = { ...minimal, baselinker: { ...minimal.baselinker, journal: true } };
    expect(parseTenantSettings(journal).schedules.ordersMinutes).toBe(1);
    expect(parseTenantSettings({ ...journal, schedules: { ordersMinutes: 5 } }).schedules.ordersMinutes).toBe(5);
  });

  it('normalises URLs, the webhook header and the language', () => {
    const tenant = parseTenantSettings({
      ...minimal,
      baselinker: { ...minimal.baselinker, url: 'http://127.0.0.1:4100/connector.php/' },
      ongoing: { ...minimal.ongoing, url: 'http://127.0.0.1:4200/wh/api/v1/' },
      articles: { textLanguage: 'DE' },
      shipment: { webhookHeader: 'X-Auth-Token', courierFields: [{ id: 'cod', value: 0 }, { id: 'insurance', value: true }] },
    });
    expect(tenant.baselinker.url).toBe('http://127.0.0.1:4100/connector.php');
    expect(tenant.ongoing.url).toBe('http://127.0.0.1:4200/wh/api/v1');
    expect(tenant.articles.textLanguage).toBe('de');
    expect(tenant.shipment.webhookHeader).toBe('x-auth-token');
    expect(tenant.shipment.courierFields).toEqual([{ id: 'cod', value: '0' }, { id: 'insurance', value: '1' }]);
  });

  it('names each bad field with what was expected and what it got', () => {
    const problems = problemsOf({
      ...minimal,
      id: 'Shop A',
      baselinker: { ...minimal.baselinker, inventoryId: -3, orderStatusIds: [] },
      ongoing: { url: 'https://ongoing.example/wh', goodsOwnerId: '42' },
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^tenant\.id: expected a lowercase slug .*got "Shop A"$/),
        'tenant.baselinker.inventoryId: expected a positive integer inventory (catalog) id, got -3',
        expect.stringMatching(/^tenant\.ongoing\.url: expected the Ongoing REST base URL ending in \/api\/v1 .*got "https:\/\/ongoing\.example\/wh"$/),
        'tenant.ongoing.goodsOwnerId: expected a positive integer, got "42"',
      ]),
    );
    expect(problems).toHaveLength(4);
  });

  it('says "required" for a missing required setting', () => {
    expect(problemsOf({ id: 'a', baselinker: { orderStatusIds: [1] }, ongoing: { url: 'https://o.example/w/api/v1' } })).toEqual([
      'tenant.ongoing.goodsOwnerId: required',
    ]);
  });

  it('rejects unknown settings by name, so a typo is not silently ignored', () => {
    expect(problemsOf({ ...minimal, ongoing: { ...minimal.ongoing, goodsOwnerID: 1 }, stok: {} })).toEqual(
      expect.arrayContaining(['tenant.ongoing.goodsOwnerID: unknown setting', 'tenant.stok: unknown setting']),
    );
  });

  it('takes the article length unit from m, cm or mm only', () => {
    expect(parseTenantSettings({ ...minimal, articles: { lengthUnit: 'mm' } }).articles.lengthUnit).toBe('mm');
    expect(() => parseTenantSettings({ ...minimal, articles: { lengthUnit: 'inch' } })).toThrow(/articles\.lengthUnit.*"m", "cm" or "mm"/s);
  });

  it('requires a bl_ warehouse key when stock sync is on', () => {
    expect(problemsOf({ ...minimal, stock: { enabled: true } })).toEqual([
      expect.stringMatching(/^tenant\.stock\.warehouseKey: required when stock\.enabled is on/),
    ]);
    expect(problemsOf({ ...minimal, stock: { enabled: true, warehouseKey: 'shop_5' } })).toEqual([
      expect.stringMatching(/^tenant\.stock\.warehouseKey: expected a writable BaseLinker warehouse key .*got "shop_5"$/),
    ]);
  });

  it('rejects contradictory BaseLinker settings', () => {
    expect(
      problemsOf({ ...minimal, baselinker: { ...minimal.baselinker, cancelledStatusIds: [1051, 9], requestsPerMinute: 20, burst: 30 } }),
    ).toEqual(
      expect.arrayContaining([
        'tenant.baselinker.burst: must not exceed baselinker.requestsPerMinute (20), got 30',
        expect.stringMatching(/^tenant\.baselinker\.cancelledStatusIds: status 1051 is also in baselinker\.orderStatusIds/),
      ]),
    );
  });

  it('keeps the request budget under BaseLinker\'s hard limit', () => {
    expect(problemsOf({ ...minimal, baselinker: { ...minimal.baselinker, requestsPerMinute: 150 } })).toEqual([
      expect.stringMatching(/^tenant\.baselinker\.requestsPerMinute: expected a whole number from 1 to 100 .*got 150$/),
    ]);
  });

  it('validates courier mappings per way of delivery', () => {
    const tenant = parseTenantSettings({
      ...minimal,
      shipment: { byWayOfDelivery: { DHL: { courierCode: 'dhl', accountId: 5 }, 'PN EXPRESS': { courierCode: 'postnord', fields: [{ id: 'a', value: 'b' }] } } },
    });
    expect(tenant.shipment.byWayOfDelivery['PN EXPRESS']).toEqual({ courierCode: 'postnord', fields: [{ id: 'a', value: 'b' }] });
    expect(problemsOf({ ...minimal, shipment: { byWayOfDelivery: { 'PN EXPRESS': { accountId: 0 } } } })).toEqual([
      'tenant.shipment.byWayOfDelivery["PN EXPRESS"].courierCode: required',
      'tenant.shipment.byWayOfDelivery["PN EXPRESS"].accountId: expected a positive integer courier account id, got 0',
    ]);
  });

  it('accepts the zod output as valid input again (settings can be stored and reloaded)', () => {
    const once = tenantSettingsSchema.parse(minimal);
    expect(tenantSettingsSchema.parse(once)).toEqual(once);
  });

  it('finds a tenant by its goods owner id', () => {
    const a = parseTenantSettings(minimal);
    const b = parseTenantSettings({ ...minimal, id: 'shop-b', ongoing: { ...minimal.ongoing, goodsOwnerId: 43 } });
    expect(tenantByGoodsOwnerId([a, b], 43)?.id).toBe('shop-b');
    expect(tenantByGoodsOwnerId([a, b], 44)).toBeUndefined();
  });
});

describe('settings description', () => {
  it('renders one markdown row per setting with its env var and default', () => {
    const markdown = settingsMarkdown();
    for (const doc of TENANT_SETTINGS) expect(markdown).toContain(`\`${doc.path}\``);
    expect(markdown).toContain('| `STOCK_SYNC` | `stock.enabled` |  | `false` |');
    expect(markdown).toContain('| `DATA_DIR` | `.data` |');
  });

  it('names only real flows as the ones a setting is required by, and says so in the table and the help', () => {
    const byFlow = TENANT_SETTINGS.filter((doc) => doc.requiredBy);
    expect(byFlow.map((doc) => doc.path)).toEqual(['baselinker.inventoryId', 'baselinker.orderStatusIds']);
    for (const doc of byFlow) for (const flow of doc.requiredBy!) expect(FLOW_NAMES).toContain(flow);
    expect(settingsMarkdown()).toContain('| `BASELINKER_ORDER_STATUS_IDS` | `baselinker.orderStatusIds` | for the orders and reconcile flows |');
    expect(settingsMarkdown()).toContain('| `BASELINKER_INVENTORY_ID` | `baselinker.inventoryId` | for the articles and stock flows |');
    expect(settingsHelp()).toContain('BASELINKER_ORDER_STATUS_IDS  /  baselinker.orderStatusIds  [required for the orders and reconcile flows]');
  });

  it('lets an articles- or stock-only tenant leave the order statuses out, and an orders-only one the inventory', () => {
    const { orderStatusIds: _left, ...baselinker } = minimal.baselinker;
    expect(parseTenantSettings({ ...minimal, baselinker }).baselinker.orderStatusIds).toEqual([]);
    const { inventoryId: _inventory, ...ordersOnly } = minimal.baselinker;
    expect(parseTenantSettings({ ...minimal, baselinker: ordersOnly }).baselinker.inventoryId).toBeUndefined();
  });

  it('says what every setting means, and only settings the table has', () => {
    expect(Object.keys(SETTING_MEANINGS).sort()).toEqual(TENANT_SETTINGS.map((doc) => doc.path).sort());
    for (const meaning of Object.values(SETTING_MEANINGS)) expect(meaning.length).toBeGreaterThan(10);
    expect(settingsMarkdown()).toContain('| `ONGOING_USER` | `secrets.ongoingUser` | yes |  | (secret) Ongoing API user');
    expect(settingsHelp()).toContain('      Minutes between stock runs.');
  });

  it('renders help text naming every env var', () => {
    const help = settingsHelp();
    for (const doc of TENANT_SETTINGS) if (doc.env) expect(help).toContain(doc.env);
    expect(help).toContain('LOG_LEVEL');
  });
});
