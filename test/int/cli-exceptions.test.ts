import { parseTenantSettings, type TenantConfig } from '../../shared/config';
import { StateStore } from '../../shared/state';
import { main, type CliIo } from '../../infra/cli/main';
import { closeTestClients, freshTable, testDocumentClient } from '../support/emulators';

/**
 * `npm run cli -- exceptions | retry | dismiss` against a fresh emulator table: what the operator sees of
 * the items the flows set aside, and the two ways to deal with them.
 */

function tenant(id: string, goodsOwnerId: number): TenantConfig {
  return {
    ...parseTenantSettings({
      id,
      baselinker: { url: 'http://127.0.0.1:9/connector.php', inventoryId: 1, orderStatusIds: [1] },
      ongoing: { url: 'http://127.0.0.1:9/wh/api/v1', goodsOwnerId },
    }),
    secrets: { baselinkerToken: 'placeholder-token', ongoingUser: 'u', ongoingPassword: 'p', webhookSecret: 'placeholder-secret' },
  };
}

const shop = tenant('shop', 42);
let tableName: string;
let store: StateStore;

function io(extra: Partial<CliIo> = {}): CliIo & { stdout: string[]; stderr: string[]; text(): string; errors(): string } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    text: () => stdout.join('\n'),
    errors: () => stderr.join('\n'),
    out: (t) => stdout.push(t),
    err: (t) => stderr.push(t),
    tenants: [shop],
    state: { tableName, dynamo: testDocumentClient() },
    ...extra,
  };
}

async function seed(): Promise<void> {
  await store.setAside('shop', {
    kind: 'order',
    sourceId: '7001',
    reason: 'order has no delivery address',
    raw: { order_id: 7001, delivery_address: '' },
    ids: { blOrderId: '7001' },
  });
  await store.setAside('shop', { kind: 'order', sourceId: '7001', reason: 'order has no delivery address', ids: { blOrderId: '7001' } });
  await store.setAside('shop', {
    kind: 'article',
    sourceId: 'SKU-DUP',
    reason: 'SKU SKU-DUP is used by product 11 and product 12',
    ids: { blProductId: '11', blVariantId: '111', ongoingArticleId: '900' },
  });
  await store.setAside('shop', { kind: 'shipment', sourceId: '5005', reason: 'courier refused: postcode invalid', ids: { blOrderId: '7002' } });
}

beforeAll(async () => {
  tableName = await freshTable();
  store = new StateStore(testDocumentClient(), tableName);
  await seed();
});

afterAll(() => closeTestClients());

describe('npm run cli -- exceptions', () => {
  it('lists the set-aside order and article with reasons, counts, times and the ids on both sides', async () => {
    const cli = io();
    expect(await main(['exceptions'], cli)).toBe(0);
    const text = cli.text();
    expect(text).toContain('3 open, 0 waiting for retry:');
    expect(text).toMatch(/^order#7001 {2}\[open\] {2}set aside 2 times$/m);
    expect(text).toMatch(/^ {2}first seen \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(\d+ s ago\), last seen \d{4}-/m);
    expect(text).toContain('  ids: BaseLinker: order 7001\n  reason: order has no delivery address');
    expect(text).toMatch(/^article#SKU-DUP {2}\[open\] {2}set aside 1 time$/m);
    expect(text).toContain('  ids: BaseLinker: product 11, variant 111 | Ongoing: article 900\n  reason: SKU SKU-DUP is used by product 11 and product 12');
    // A shipment's source id is the Ongoing order id; its BaseLinker order comes from its ids.
    expect(text).toContain('  ids: BaseLinker: order 7002 | Ongoing: order 5005\n  reason: courier refused: postcode invalid');
  });

  it('filters by --kind and prints parseable JSON with --json', async () => {
    const cli = io();
    expect(await main(['exceptions', '--kind', 'article', '--json'], cli)).toBe(0);
    const items = JSON.parse(cli.text());
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      id: 'article#SKU-DUP',
      tenant: 'shop',
      kind: 'article',
      sourceId: 'SKU-DUP',
      state: 'open',
      count: 1,
      reason: 'SKU SKU-DUP is used by product 11 and product 12',
      ids: { blProductId: '11', blVariantId: '111', ongoingArticleId: '900' },
    });

    const orders = io();
    await main(['exceptions', '--kind', 'order', '--json'], orders);
    const [order] = JSON.parse(orders.text());
    expect(order).toMatchObject({ id: 'order#7001', count: 2 });
    expect(JSON.parse(order.raw)).toEqual({ order_id: 7001, delivery_address: '' });
  });
});

describe('npm run cli -- retry and dismiss', () => {
  it('puts one item back in the next cycle by its id', async () => {
    const cli = io();
    expect(await main(['retry', 'order#7001'], cli)).toBe(0);
    expect(cli.text()).toBe('1 item of tenant shop will be retried in the next cycle: order#7001');
    expect(await store.getSetAside('shop', 'order', '7001')).toMatchObject({ state: 'retry', retryRequestedAt: expect.any(String) });

    const listing = io();
    await main(['exceptions'], listing);
    expect(listing.text()).toContain('2 open, 1 waiting for retry:');
    expect(listing.text()).toMatch(/^order#7001 {2}\[retry\]/m);
  });

  it('puts every open item back with "all" and says how many', async () => {
    const cli = io();
    expect(await main(['retry', 'all'], cli)).toBe(0);
    expect(cli.text()).toMatch(/^2 items of tenant shop will be retried in the next cycle: /);
    const items = await store.listSetAside('shop');
    expect(items.map((i) => i.state)).toEqual(['retry', 'retry', 'retry']);

    const none = io();
    expect(await main(['retry', 'all'], none)).toBe(0);
    expect(none.text()).toBe('Nothing to retry: tenant shop has no open set-aside items.');
  });

  it('retries only one kind with "all --kind"', async () => {
    // Set aside again by a flow: the items open again.
    await seed();
    const cli = io();
    expect(await main(['retry', 'all', '--kind', 'shipment', '--json'], cli)).toBe(0);
    expect(JSON.parse(cli.text())).toEqual({ tenant: 'shop', retried: 1, ids: ['shipment#5005'] });
    expect((await store.getSetAside('shop', 'order', '7001'))?.state).toBe('open');
  });

  it('refuses to dismiss without a note, and leaves the item as it was', async () => {
    for (const argv of [['dismiss', 'article#SKU-DUP'], ['dismiss', 'article#SKU-DUP', '--note', '  ']]) {
      const cli = io();
      expect(await main(argv, cli)).toBe(2);
      expect(cli.errors()).toMatch(/^dismiss needs --note "why it may be ignored"\n\nusage: npm run cli -- dismiss/);
    }
    expect((await store.getSetAside('shop', 'article', 'SKU-DUP'))?.state).toBe('open');
  });

  it('dismisses with a note and hides the item from the default listing, but not from --all', async () => {
    const cli = io();
    expect(await main(['dismiss', 'article#SKU-DUP', '--note', 'old test product, ignore'], cli)).toBe(0);
    expect(cli.text()).toMatch(/^Dismissed article#SKU-DUP of tenant shop/);
    expect(await store.getSetAside('shop', 'article', 'SKU-DUP')).toMatchObject({ state: 'dismissed', note: 'old test product, ignore' });

    const listing = io();
    await main(['exceptions'], listing);
    expect(listing.text()).not.toContain('article#SKU-DUP');
    expect(listing.text()).toContain('(1 dismissed hidden; --all shows them)');

    const all = io();
    await main(['exceptions', '--all', '--json'], all);
    expect(JSON.parse(all.text()).find((i: { id: string }) => i.id === 'article#SKU-DUP')).toMatchObject({ state: 'dismissed', note: 'old test product, ignore' });
  });
});

describe('npm run cli -- mistakes', () => {
  it('answers an unknown command with the usage and exit 2', async () => {
    const cli = io();
    expect(await main(['frobnicate'], cli)).toBe(2);
    expect(cli.errors()).toMatch(/^unknown command "frobnicate"\n\nusage: npm run cli -- <command> \[options\]/);
    expect(cli.text()).toBe('');
  });

  it('answers an unknown or malformed item id with a readable message and exit 2', async () => {
    const unknown = io();
    expect(await main(['retry', 'order#404'], unknown)).toBe(2);
    expect(unknown.errors()).toBe('no set-aside item "order#404" for tenant shop (npm run cli -- exceptions --all lists them)');

    const gone = io();
    expect(await main(['dismiss', 'order#404', '--note', 'x'], gone)).toBe(2);
    expect(gone.errors()).toContain('no set-aside item "order#404"');

    const malformed = io();
    expect(await main(['retry', '7001'], malformed)).toBe(2);
    expect(malformed.errors()).toBe('"7001" is not an item id: expected <kind>#<source id>, e.g. order#12345, as the exceptions command shows it');
  });

  it('asks which tenant to change when several are configured', async () => {
    const cli = io({ tenants: [shop, tenant('other', 43)] });
    expect(await main(['retry', 'all'], cli)).toBe(2);
    expect(cli.errors()).toBe('several tenants are configured (shop, other): pick one with --tenant ID');
    expect(await main(['retry', 'all', '--tenant', 'other'], io({ tenants: [shop, tenant('other', 43)] }))).toBe(0);
  });

  it('rejects unknown options and options a command does not take', async () => {
    const unknown = io();
    expect(await main(['exceptions', '--colour'], unknown)).toBe(2);
    expect(unknown.errors()).toMatch(/^Unknown option '--colour'/);

    const misplaced = io();
    expect(await main(['status', '--note', 'x'], misplaced)).toBe(2);
    expect(misplaced.errors()).toMatch(/^status does not take --note\n\nusage: npm run cli -- status/);
  });

  it('prints help for the CLI and for each command with exit 0', async () => {
    const top = io();
    expect(await main(['--help'], top)).toBe(0);
    expect(top.text()).toContain('--aws');
    expect(top.text()).toContain('default AWS credentials chain');
    for (const command of ['status', 'exceptions', 'retry', 'dismiss']) {
      const cli = io();
      expect(await main([command, '--help'], cli)).toBe(0);
      expect(cli.text()).toMatch(new RegExp(`^usage: npm run cli -- ${command}`));
    }
    const none = io();
    expect(await main([], none)).toBe(2);
    expect(none.errors()).toMatch(/^usage: /);
  });
});
