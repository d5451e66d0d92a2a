import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { main, type CliIo } from '../../infra/cli/main';
import { secretsManagerClient } from '../../shared/aws/clients';
import { AwsSecretsStore, LocalSecretsStore, REGISTRY_PK, type WebhookKeys } from '../../shared/tenants';
import { closeTestClients, freshTable, testDocumentClient } from '../support/emulators';

/**
 * `npm run cli -- tenants ...` against a fresh emulator table and a secrets folder under a temporary DATA_DIR:
 * what an operator does to add, change, pause and remove a goods owner without a deploy.
 */

const TOKEN_A = 'bl-token-shop-a-5c1e9d';
const HOOK_A = 'hook-secret-shop-a-0123456789abcdef0123';
const secretsA = { baselinkerToken: TOKEN_A, ongoingUser: 'WSI-a', ongoingPassword: 'pw-shop-a-77e1', webhookSecret: HOOK_A };
const secretsB = { baselinkerToken: 'bl-token-shop-b-9a7f', ongoingUser: 'WSI-b', ongoingPassword: 'pw-shop-b-12c3', webhookSecret: 'hook-secret-shop-b-fedcba9876543210fedc' };

function entry(id: string, goodsOwnerId: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    baselinker: { url: 'http://127.0.0.1:9/connector.php', inventoryId: 1, orderStatusIds: [1] },
    ongoing: { url: 'http://127.0.0.1:9/wh/api/v1', goodsOwnerId },
    ...extra,
  };
}

let tableName: string;
let dataDir: string;

function io(): CliIo & { text(): string; errors(): string; json<T = unknown>(): T } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    out: (t) => stdout.push(t),
    err: (t) => stderr.push(t),
    env: { DATA_DIR: dataDir },
    state: { tableName, dynamo: testDocumentClient() },
    text: () => stdout.join('\n'),
    errors: () => stderr.join('\n'),
    json: <T,>() => JSON.parse(stdout.join('\n')) as T,
  };
}

function file(name: string, content: unknown): string {
  const path = join(dataDir, name);
  writeFileSync(path, JSON.stringify(content));
  return path;
}

async function cli(...argv: string[]) {
  const run = io();
  const code = await main(argv, run);
  return { code, ...run };
}

async function rawRegistryItems(): Promise<Record<string, unknown>[]> {
  const { Items } = await testDocumentClient().send(
    new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': REGISTRY_PK } }),
  );
  return Items ?? [];
}

beforeEach(async () => {
  tableName = await freshTable('cli-tenants');
  dataDir = mkdtempSync(join(tmpdir(), 'ob-tenants-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));
afterAll(() => closeTestClients());

describe('tenants put', () => {
  test('stores one entry; the inline secrets go to the secrets folder (0600), never into the table or the output', async () => {
    const put = await cli('tenants', 'put', file('a.json', { ...entry('shop-a', 101), secrets: secretsA }));
    expect(put.code).toBe(0);
    expect(put.text()).toMatch(/^stored shop-a \(version 1, enabled; secret ongoing-baselinker\/shop-a written to the local secrets folder/);
    expect(put.text()).not.toContain(TOKEN_A);

    const secretFile = join(dataDir, 'secrets', `${encodeURIComponent('ongoing-baselinker/shop-a')}.json`);
    expect(JSON.parse(readFileSync(secretFile, 'utf8'))).toEqual(secretsA);
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);

    const items = await rawRegistryItems();
    expect(items).toHaveLength(1);
    const rawText = JSON.stringify(items);
    for (const value of Object.values(secretsA)) expect(rawText).not.toContain(value);

    const show = await cli('tenants', 'show', 'shop-a', '--json');
    expect(show.code).toBe(0);
    const shown = show.json<{ id: string; enabled: boolean; secretName: string; settings: { schedules: { ordersMinutes: number } } }>();
    expect(shown).toMatchObject({ id: 'shop-a', enabled: true, secretName: 'ongoing-baselinker/shop-a', goodsOwnerId: 101 });
    // Defaults come from the schema on the way out.
    expect(shown.settings.schedules.ordersMinutes).toBe(15);
    expect(show.text()).not.toContain(TOKEN_A);
  });

  test('an array with one invalid entry is refused naming the field, and nothing is stored', async () => {
    const bad = entry('shop-b', 102, { ongoing: { url: 'http://127.0.0.1:9/wh/api/v1', goodsOwnerId: -3 } });
    const put = await cli('tenants', 'put', file('two.json', [{ ...entry('shop-a', 101), secrets: secretsA }, { ...bad, secrets: secretsB }]));
    expect(put.code).toBe(2);
    expect(put.errors()).toContain('tenants[1] (shop-b).ongoing.goodsOwnerId: expected a positive integer, got -3');
    expect(put.errors()).toContain('Nothing was stored.');
    expect(put.errors()).not.toContain(TOKEN_A);
    expect(await rawRegistryItems()).toEqual([]);
    expect(existsSync(join(dataDir, 'secrets'))).toBe(false);
  });

  test('a webhook secret shorter than 32 characters is refused at configuration time', async () => {
    const put = await cli('tenants', 'put', file('short.json', { ...entry('shop-a', 101), secrets: { ...secretsA, webhookSecret: 'too-short-secret' } }));
    expect(put.code).toBe(2);
    expect(put.errors()).toContain('tenants[0] (shop-a).secrets.webhookSecret: must be at least 32 characters');
    expect(put.errors()).not.toContain('too-short-secret');
    expect(await rawRegistryItems()).toEqual([]);
  });

  test('without inline secrets the named secret must already be stored and complete', async () => {
    const missing = await cli('tenants', 'put', file('named.json', { ...entry('shop-a', 101), secretName: 'vault/shop-a' }));
    expect(missing.code).toBe(2);
    expect(missing.errors()).toMatch(/tenants\[0\] \(shop-a\): no inline "secrets" and the secret "vault\/shop-a" could not be read .*no such secret/);

    await new LocalSecretsStore(dataDir).putSecretJson('vault/shop-a', secretsA);
    const ok = await cli('tenants', 'put', file('named.json', { ...entry('shop-a', 101), secretName: 'vault/shop-a' }));
    expect(ok.code).toBe(0);
    expect(ok.text()).toBe('stored shop-a (version 1, enabled; secret vault/shop-a)');
  });

  test('a stored secret (the tenants of a CDK context or a tenants file by secretName) with a short webhook secret is refused, never shown', async () => {
    await new LocalSecretsStore(dataDir).putSecretJson('vault/shop-a', { ...secretsA, webhookSecret: 'stored-short-secret' });
    const put = await cli('tenants', 'put', file('named.json', { ...entry('shop-a', 101), secretName: 'vault/shop-a' }));
    expect(put.code).toBe(2);
    expect(put.errors()).toContain('tenants[0] (shop-a) secret "vault/shop-a".webhookSecret: must be at least 32 characters');
    expect(put.errors()).not.toContain('stored-short-secret');
    expect(await rawRegistryItems()).toEqual([]);
  });

  test('a goods owner that belongs to another tenant is refused; a second put of the same tenant is a new version', async () => {
    expect((await cli('tenants', 'put', file('a.json', { ...entry('shop-a', 101), secrets: secretsA }))).code).toBe(0);
    const clash = await cli('tenants', 'put', file('b.json', { ...entry('shop-b', 101), secrets: secretsB }));
    expect(clash.code).toBe(2);
    expect(clash.errors()).toContain('tenants[0] (shop-b).ongoing.goodsOwnerId: goods owner 101 already belongs to tenant "shop-a"');

    const again = await cli('tenants', 'put', file('a2.json', { ...entry('shop-a', 101, { schedules: { ordersMinutes: 5 } }), secrets: secretsA }), '--json');
    expect(again.code).toBe(0);
    expect(again.json<{ stored: { version: number; settings: { schedules: { ordersMinutes: number } } }[] }>().stored[0]).toMatchObject({ version: 2, settings: { schedules: { ordersMinutes: 5 } } });
  });
});

describe('tenants list, disable, enable, remove', () => {
  beforeEach(async () => {
    expect((await cli('tenants', 'put', file('ab.json', [{ ...entry('shop-a', 101), secrets: secretsA }, { ...entry('shop-b', 102), secrets: secretsB }]))).code).toBe(0);
  });

  test('list shows every tenant with its state; disable keeps settings and survives a put; enable resumes', async () => {
    const list = await cli('tenants', 'list');
    expect(list.text()).toMatch(/^tenant\s+state\s+goods owner\s+secret/);
    expect(list.text()).toMatch(/shop-a\s+enabled\s+101\s+ongoing-baselinker\/shop-a/);

    const disabled = await cli('tenants', 'disable', 'shop-b');
    expect(disabled.code).toBe(0);
    expect(disabled.text()).toMatch(/^shop-b disabled/);
    // A later put changes settings but does not wake a paused tenant up.
    await cli('tenants', 'put', file('b.json', { ...entry('shop-b', 102, { schedules: { stockMinutes: 30 } }), secrets: secretsB }));
    const listed = (await cli('tenants', 'list', '--json')).json<{ id: string; enabled: boolean }[]>();
    expect(listed.map((e) => [e.id, e.enabled])).toEqual([
      ['shop-a', true],
      ['shop-b', false],
    ]);

    expect((await cli('tenants', 'enable', 'shop-b', '--json')).json()).toMatchObject({ id: 'shop-b', enabled: true });
  });

  test('remove takes a tenant out and keeps its secret; an unknown id exits 2 naming what the registry has', async () => {
    const removed = await cli('tenants', 'remove', 'shop-a', '--json');
    expect(removed.code).toBe(0);
    expect(removed.json()).toEqual({ removed: 'shop-a', secretName: 'ongoing-baselinker/shop-a' });
    expect(await new LocalSecretsStore(dataDir).getSecretJson('ongoing-baselinker/shop-a')).toEqual(secretsA);

    const unknown = await cli('tenants', 'show', 'shop-a');
    expect(unknown.code).toBe(2);
    expect(unknown.errors()).toBe('unknown tenant "shop-a"; the registry has shop-b');
    expect((await cli('tenants', 'frobnicate')).code).toBe(2);
  });

  test('with nothing configured, the other commands serve the registry; a tenant whose secret is unreadable is left out, naming why', async () => {
    rmSync(join(dataDir, 'secrets', `${encodeURIComponent('ongoing-baselinker/shop-b')}.json`));
    const status = await cli('status', '--json');
    expect(status.code).toBe(0);
    const tenants = status.json<{ tenants: { tenant: string }[] }>().tenants.map((t) => t.tenant);
    expect(tenants).toEqual(['shop-a']);
    expect(status.errors()).toMatch(/^tenant shop-b left out: could not read secret "ongoing-baselinker\/shop-b": no such secret/);

    await cli('tenants', 'disable', 'shop-a');
    const none = await cli('status');
    expect(none.code).toBe(2);
  });
});

describe('tenants import', () => {
  test('imports a tenants file once: tenants already in the registry are left as they are', async () => {
    const path = file('tenants.json', [{ ...entry('shop-a', 101), secrets: secretsA }]);
    const first = await cli('tenants', 'import', path);
    expect(first.code).toBe(0);
    expect(first.text()).toMatch(/^stored shop-a/);
    await cli('tenants', 'disable', 'shop-a');
    const second = await cli('tenants', 'import', path);
    expect(second.code).toBe(0);
    expect(second.text()).toBe('skipped shop-a: already in the registry (change it with tenants put)');
    expect((await cli('tenants', 'show', 'shop-a', '--json')).json()).toMatchObject({ enabled: false, version: 2 });
  });
});

describe('tenants --aws: Secrets Manager, and each tenant\'s API key at the webhook edge', () => {
  class RecordingKeys implements WebhookKeys {
    readonly calls: string[] = [];
    async put(tenant: string, secret: string, enabled: boolean) {
      this.calls.push(`put ${tenant} ${secret.length} ${enabled}`);
    }
    async setEnabled(tenant: string, enabled: boolean) {
      this.calls.push(`enabled ${tenant} ${enabled}`);
    }
    async remove(tenant: string) {
      this.calls.push(`remove ${tenant}`);
    }
  }
  const HEX_SECRET = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';
  const awsEntry = (id: string, owner: number, webhookSecret = HEX_SECRET) => ({
    ...entry(id, owner, { shipment: { webhookHeader: 'x-api-key' } }),
    secrets: { ...secretsA, webhookSecret },
  });

  async function awsCli(keys: RecordingKeys, ...argv: string[]) {
    const run = io();
    const code = await main([...argv, '--aws'], { ...run, webhookKeys: keys });
    return { code, ...run };
  }

  test('put writes the secret to Secrets Manager and registers the key; disable, enable and remove follow it', async () => {
    const keys = new RecordingKeys();
    const id = `aws-${Date.now().toString(36)}`;
    const put = await awsCli(keys, 'tenants', 'put', file('aws.json', awsEntry(id, 301)));
    expect(put.code).toBe(0);
    expect(put.text()).toContain(`secret ongoing-baselinker/${id} written to Secrets Manager`);
    expect(await new AwsSecretsStore(secretsManagerClient()).getSecretJson(`ongoing-baselinker/${id}`)).toMatchObject({ webhookSecret: HEX_SECRET });
    await awsCli(keys, 'tenants', 'disable', id);
    await awsCli(keys, 'tenants', 'enable', id);
    await awsCli(keys, 'tenants', 'remove', id);
    expect(keys.calls).toEqual([`put ${id} ${HEX_SECRET.length} true`, `enabled ${id} false`, `enabled ${id} true`, `remove ${id}`]);
  });

  test('refuses a tenant whose webhook would not pass the gateway: header not x-api-key, secret not a key value', async () => {
    const keys = new RecordingKeys();
    const wrongHeader = { ...awsEntry('hdr', 302), shipment: { webhookHeader: 'x-webhook-secret' } };
    const notAlnum = awsEntry('sym', 303, `${HEX_SECRET.slice(0, 40)}-_-+`);
    const put = await awsCli(keys, 'tenants', 'put', file('bad.json', [wrongHeader, notAlnum]));
    expect(put.code).toBe(2);
    expect(put.errors()).toContain('tenants[0] (hdr).shipment.webhookHeader: must be "x-api-key" on AWS');
    expect(put.errors()).toContain('tenants[1] (sym).secrets.webhookSecret: must be 32 to 128 letters and digits only');
    expect(keys.calls).toEqual([]);
    expect(await rawRegistryItems()).toEqual([]);
  });

  test('without WEBHOOK_USAGE_PLAN_ID the --aws verbs say which stack output they need', async () => {
    const run = io();
    const code = await main(['tenants', 'put', file('aws.json', awsEntry('plan', 304)), '--aws'], run);
    expect(code).toBe(2);
    expect(run.errors()).toMatch(/WEBHOOK_USAGE_PLAN_ID \(the stack output WebhookUsagePlanId\)/);
    expect(await rawRegistryItems()).toEqual([]);
  });
});
