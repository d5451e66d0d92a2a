import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadTenants } from '../../shared/config/load';
import { StaticSecretsProvider, type SecretsProvider } from '../../shared/config/secrets';

const secretsA = { baselinkerToken: 'tok-A-8f2c91d0', ongoingUser: 'WSI-a-user', ongoingPassword: 'pw-A-77e1b2', webhookSecret: 'hook-A-3c9d0e-0123456789abcdef0123456' };
const secretsB = { baselinkerToken: 'tok-B-1a7e44c3', ongoingUser: 'WSI-b-user', ongoingPassword: 'pw-B-09fa6d', webhookSecret: 'hook-B-5b2f7a-fedcba9876543210fedcba9' };
const ALL_SECRET_VALUES = [...Object.values(secretsA), ...Object.values(secretsB)];

const shopA = {
  id: 'shop-a',
  baselinker: { inventoryId: 7, orderStatusIds: [1051] },
  ongoing: { url: 'http://127.0.0.1:4200/wh/api/v1', goodsOwnerId: 42 },
};
const shopB = {
  id: 'shop-b',
  baselinker: { inventoryId: 8, orderStatusIds: [2001, 2002], journal: true },
  ongoing: { url: 'http://127.0.0.1:4200/wh/api/v1', goodsOwnerId: 43 },
  stock: { enabled: true, warehouseKey: 'bl_9' },
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'obl-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let fileCounter = 0;
async function tenantsFile(content: unknown): Promise<string> {
  const path = join(dir, `tenants-${++fileCounter}.json`);
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
}

/** A provider that records what it was asked for. */
function recordingProvider(secrets: Record<string, unknown>): SecretsProvider & { asked: string[] } {
  const inner = new StaticSecretsProvider(secrets);
  const asked: string[] = [];
  return { asked, getSecretJson: (name) => (asked.push(name), inner.getSecretJson(name)) };
}

async function problemsOf(promise: Promise<unknown>): Promise<readonly string[]> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  const message = (error as ConfigError).message;
  for (const secret of ALL_SECRET_VALUES) expect(message).not.toContain(secret);
  return (error as ConfigError).problems;
}

describe('tenants file (TENANTS_FILE)', () => {
  it('loads two tenants with inline secrets and applies defaults to each', async () => {
    const path = await tenantsFile([
      { ...shopA, secrets: secretsA },
      { ...shopB, secrets: secretsB },
    ]);
    const tenants = await loadTenants({ env: { TENANTS_FILE: path } });
    expect(tenants.map((t) => t.id)).toEqual(['shop-a', 'shop-b']);
    expect(tenants[0].secrets).toEqual(secretsA);
    expect(tenants[1].secrets).toEqual(secretsB);
    expect(tenants[0].schedules.ordersMinutes).toBe(15);
    expect(tenants[1].schedules.ordersMinutes).toBe(1);
    expect(tenants[1].stock).toEqual({ enabled: true, warehouseKey: 'bl_9', safetyBuffer: 0, reservedStatusIds: [] });
  });

  it('resolves a relative path against the given working directory', async () => {
    const path = await tenantsFile([{ ...shopA, secrets: secretsA }]);
    const tenants = await loadTenants({ env: { TENANTS_FILE: path.slice(dir.length + 1) }, cwd: dir });
    expect(tenants).toHaveLength(1);
  });

  it('reads secrets by secretName through the provider', async () => {
    const provider = recordingProvider({ 'obl/shop-a': secretsA, 'obl/shop-b': secretsB });
    const path = await tenantsFile([
      { ...shopA, secretName: 'obl/shop-a' },
      { ...shopB, secrets: secretsB },
    ]);
    const tenants = await loadTenants({ env: { TENANTS_FILE: path }, secrets: provider });
    expect(provider.asked).toEqual(['obl/shop-a']);
    expect(tenants[0].secrets).toEqual(secretsA);
  });

  it('names the tenant and JSON path of each bad field, all problems together', async () => {
    const path = await tenantsFile([
      { ...shopA, secrets: secretsA },
      { ...shopB, ongoing: { url: shopB.ongoing.url, goodsOwnerId: 'forty-three' }, stock: { enabled: true }, secrets: { ...secretsB, ongoingPassword: '' } },
    ]);
    const problems = await problemsOf(loadTenants({ env: { TENANTS_FILE: path } }));
    expect(problems).toEqual([
      'tenants[1] (shop-b).ongoing.goodsOwnerId: expected a positive integer, got "forty-three"',
      expect.stringMatching(/^tenants\[1\] \(shop-b\)\.stock\.warehouseKey: required when stock\.enabled is on/),
      'tenants[1] (shop-b).secrets.ongoingPassword: expected a non-empty Ongoing API password',
    ]);
  });

  it('names each required field of a group left out entirely', async () => {
    const { ongoing: _left, ...withoutOngoing } = shopB;
    const path = await tenantsFile([{ ...withoutOngoing, secrets: secretsB }]);
    expect(await problemsOf(loadTenants({ env: { TENANTS_FILE: path } }))).toEqual([
      'tenants[0] (shop-b).ongoing.url: required',
      'tenants[0] (shop-b).ongoing.goodsOwnerId: required',
    ]);
  });

  it("asks for a flow's own settings only when that flow runs, naming each entry's JSON path", async () => {
    const articlesOnly = { ...shopA, baselinker: { inventoryId: 7 } };
    const path = await tenantsFile([
      { ...articlesOnly, secrets: secretsA },
      { ...shopB, baselinker: { inventoryId: 8, orderStatusIds: [] }, secrets: secretsB },
    ]);
    const tenants = await loadTenants({ env: { TENANTS_FILE: path }, flows: ['articles'] });
    expect(tenants.map((t) => t.baselinker.orderStatusIds)).toEqual([[], []]);
    expect(await problemsOf(loadTenants({ env: { TENANTS_FILE: path }, flows: ['orders'] }))).toEqual([
      'tenants[0] (shop-a).baselinker.orderStatusIds: required for the orders flow',
      'tenants[1] (shop-b).baselinker.orderStatusIds: required for the orders flow',
    ]);
  });

  it('refuses a webhook secret shorter than 32 characters, naming the entry and never the value', async () => {
    const short = 'too-short-hook-secret';
    const path = await tenantsFile([{ ...shopA, secrets: secretsA }, { ...shopB, secrets: { ...secretsB, webhookSecret: short } }]);
    const error = await loadTenants({ env: { TENANTS_FILE: path } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual(['tenants[1] (shop-b).secrets.webhookSecret: must be at least 32 characters (e.g. openssl rand -hex 32)']);
    expect((error as ConfigError).message).not.toContain(short);
  });

  it('rejects duplicate tenant ids', async () => {
    const path = await tenantsFile([
      { ...shopA, secrets: secretsA },
      { ...shopB, id: 'shop-a', secrets: secretsB },
    ]);
    expect(await problemsOf(loadTenants({ env: { TENANTS_FILE: path } }))).toEqual([
      'tenants[1] (shop-a).id: duplicate tenant id "shop-a", also used by tenants[0] (shop-a)',
    ]);
  });

  it('rejects two tenants on one goods owner, since the webhook finds its tenant by goods owner id', async () => {
    const path = await tenantsFile([
      { ...shopA, secrets: secretsA },
      { ...shopB, ongoing: { ...shopB.ongoing, goodsOwnerId: 42 }, secrets: secretsB },
    ]);
    expect(await problemsOf(loadTenants({ env: { TENANTS_FILE: path } }))).toEqual([
      expect.stringMatching(/^tenants\[1\] \(shop-b\)\.ongoing\.goodsOwnerId: goods owner 42 is already used by tenants\[0\] \(shop-a\)/),
    ]);
  });

  it('requires exactly one of secrets and secretName', async () => {
    const path = await tenantsFile([
      { ...shopA },
      { ...shopB, secrets: secretsB, secretName: 'obl/shop-b' },
    ]);
    expect(await problemsOf(loadTenants({ env: { TENANTS_FILE: path } }))).toEqual([
      expect.stringMatching(/^tenants\[0\] \(shop-a\): secrets missing: give "secretName"/),
      'tenants[1] (shop-b): give either "secrets" or "secretName", not both',
    ]);
  });

  it('reports invalid JSON by position without quoting the file', async () => {
    const text = `[\n  { "id": "shop-a", "secrets": { "baselinkerToken": "${secretsA.baselinkerToken}", } }\n]`;
    const path = await tenantsFile(text);
    const problems = await problemsOf(loadTenants({ env: { TENANTS_FILE: path } }));
    expect(problems).toEqual([expect.stringMatching(/^TENANTS_FILE: not valid JSON at line 2, column \d+$/)]);
  });

  it('names a missing file', async () => {
    const problems = await problemsOf(loadTenants({ env: { TENANTS_FILE: join(dir, 'nope.json') } }));
    expect(problems).toEqual([expect.stringMatching(/^TENANTS_FILE: cannot read .*nope\.json \(ENOENT\)$/)]);
  });

  it('wants an array of tenant objects', async () => {
    expect(await problemsOf(loadTenants({ env: { TENANTS_FILE: await tenantsFile({ tenants: [] }) } }))).toEqual([
      'tenants: expected a JSON array of tenant entries, got an object',
    ]);
    expect(await problemsOf(loadTenants({ env: { TENANTS_FILE: await tenantsFile([]) } }))).toEqual(['tenants: lists no tenant']);
    expect(await problemsOf(loadTenants({ env: { TENANTS_FILE: await tenantsFile([{ ...shopA, secrets: secretsA }, 'shop-b']) } }))).toEqual([
      'tenants[1]: expected a tenant object, got "shop-b"',
    ]);
  });
});

describe('TENANTS env var (AWS)', () => {
  it('loads settings from the env var and secrets through the provider', async () => {
    const provider = recordingProvider({ 'obl/shop-a': secretsA, 'obl/shop-b': secretsB });
    const TENANTS = JSON.stringify([
      { ...shopA, secretName: 'obl/shop-a' },
      { ...shopB, secretName: 'obl/shop-b' },
    ]);
    const tenants = await loadTenants({ env: { TENANTS }, secrets: provider });
    expect(provider.asked.sort()).toEqual(['obl/shop-a', 'obl/shop-b']);
    expect(tenants.map((t) => [t.id, t.secrets.ongoingUser])).toEqual([
      ['shop-a', 'WSI-a-user'],
      ['shop-b', 'WSI-b-user'],
    ]);
  });

  it('refuses inline secrets, which would be readable in the Lambda console', async () => {
    const TENANTS = JSON.stringify([{ ...shopA, secrets: secretsA }]);
    expect(await problemsOf(loadTenants({ env: { TENANTS }, secrets: recordingProvider({}) }))).toEqual([
      expect.stringMatching(/^TENANTS\[0\] \(shop-a\)\.secrets: inline secrets are not accepted in TENANTS/),
    ]);
  });

  it('names a secret that cannot be read or lacks a field, and never shows its values', async () => {
    const provider = recordingProvider({ 'obl/shop-b': { ...secretsB, webhookSecret: '', ongoingUser: 17 } });
    const TENANTS = JSON.stringify([
      { ...shopA, secretName: 'obl/shop-a' },
      { ...shopB, secretName: 'obl/shop-b' },
    ]);
    const problems = await problemsOf(loadTenants({ env: { TENANTS }, secrets: provider }));
    expect([...problems].sort()).toEqual(
      [
        'TENANTS[0] (shop-a).secretName: could not read secret "obl/shop-a": no such secret',
        'TENANTS[1] (shop-b) secret "obl/shop-b".ongoingUser: expected a non-empty Ongoing API user name',
        'TENANTS[1] (shop-b) secret "obl/shop-b".webhookSecret: expected a non-empty webhook secret',
      ].sort(),
    );
  });

  it('refuses a stored webhook secret shorter than 32 characters, without showing it', async () => {
    const short = 'stored-but-short';
    const provider = recordingProvider({ 'obl/shop-a': { ...secretsA, webhookSecret: short } });
    const TENANTS = JSON.stringify([{ ...shopA, secretName: 'obl/shop-a' }]);
    const error = await loadTenants({ env: { TENANTS }, secrets: provider }).catch((e: unknown) => e);
    expect((error as ConfigError).problems).toEqual(['TENANTS[0] (shop-a) secret "obl/shop-a".webhookSecret: must be at least 32 characters (e.g. openssl rand -hex 32)']);
    expect((error as ConfigError).message).not.toContain(short);
  });

  it('rejects a secret that is not a JSON object', async () => {
    const provider = recordingProvider({ 'obl/shop-a': secretsA.baselinkerToken });
    const TENANTS = JSON.stringify([{ ...shopA, secretName: 'obl/shop-a' }]);
    expect(await problemsOf(loadTenants({ env: { TENANTS }, secrets: provider }))).toEqual([
      expect.stringMatching(/^TENANTS\[0\] \(shop-a\): secret "obl\/shop-a" must be a JSON object with baselinkerToken, ongoingUser, ongoingPassword, webhookSecret$/),
    ]);
  });

  it('hides secret values that leak into a problem through a wrong field', async () => {
    const provider = recordingProvider({ 'obl/shop-a': secretsA });
    const TENANTS = JSON.stringify([{ ...shopA, id: secretsA.ongoingPassword, secretName: 'obl/shop-a' }]);
    const problems = await problemsOf(loadTenants({ env: { TENANTS }, secrets: provider }));
    expect(problems).toEqual([expect.stringMatching(/^TENANTS\[0\] \(\[redacted\]\)\.id: expected a lowercase slug .*got "\[redacted\]"$/)]);
  });
});
