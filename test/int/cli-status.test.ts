import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tokenKey } from '../../shared/baselinker/budget';
import type { Flow } from '../../shared/flows/context';
import { DynamoBudget, StateStore } from '../../shared/state';
import { main, type CliIo } from '../../infra/cli/main';
import { testDocumentClient } from '../support/emulators';
import { startWorld, type World } from '../support/world';

// DynamoDB only (the flow suites run on both state adapters: describeOnEachState): the operator CLI works on a
// DynamoDB table, and this suite plants raw items (budget buckets, records) in it.

/**
 * `npm run cli -- status` against a fresh emulator table holding what real runs leave behind: a run
 * summary written by the runner, a cursor, a token block on the shared budget, set-aside items and a
 * shipment waiting for tracking.
 */

let world: World;
let store: StateStore;
const blockedUntil = new Date(Date.now() + 10 * 60_000);
/** When the token was blocked: the JSON test reads the budget at that instant, so no token has refilled yet however slow the machine. */
let blockedAt = 0;

function io(extra: Partial<CliIo> = {}): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (t) => stdout.push(t),
    err: (t) => stderr.push(t),
    tenants: [world.tenant],
    state: { tableName: world.tableName, dynamo: testDocumentClient() },
    ...extra,
  };
}

beforeAll(async () => {
  world = await startWorld();
  store = new StateStore(testDocumentClient(), world.tableName);

  const ordersFlow: Flow<'cursors'> = async (ctx) => {
    await ctx.baselinker.getOrderStatusList();
    await ctx.cursors.write('orders', { lastLogId: 4711 });
    await ctx.run.setAside.put({ kind: 'order', sourceId: '9001', reason: 'no delivery address' });
    await ctx.run.setAside.put({ kind: 'order', sourceId: '9002', reason: 'SKU X-1 is not in Ongoing' });
    await ctx.run.setAside.put({ kind: 'article', sourceId: 'DUP-1', reason: 'SKU used by two products' });
    return { seen: 7, written: 4, setAside: 3, complete: true };
  };
  const report = await world.run('orders', ordersFlow);
  expect(report.outcome).toBe('ok');

  blockedAt = Date.now();
  await new DynamoBudget(testDocumentClient(), world.tableName).block(tokenKey(world.tenant.secrets.baselinkerToken), blockedUntil);

  await store.claimShipment('test', 'ON-77', 'run-x', 60_000);
  await store.releaseShipment('test', 'ON-77', 'run-x', { status: 'pending-tracking', blOrderId: '9000', packageId: 555, courierCode: 'dpd' });
  await store.setAside('test', { kind: 'stock', sourceId: 'OLD-1', reason: 'gone' });
  await store.dismissSetAside('test', 'stock', 'OLD-1', 'discontinued');
});

afterAll(() => world.close());

describe('npm run cli -- status', () => {
  it('shows the last run with its counts, the cursor, the token block, open exceptions per kind and shipments waiting for tracking', async () => {
    const cli = io();
    expect(await main(['status'], cli)).toBe(0);
    const text = cli.stdout.join('\n');

    expect(text).toContain('== Tenant test ==');
    // FLOW WHEN TOOK OUTCOME SEEN WRITTEN SET ASIDE REQUESTS: the runner counted one BaseLinker request.
    expect(text).toMatch(/^ {2}orders +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(\d+ s ago\) +[\d.]+ s +ok +7 +4 +3 +1\/0$/m);
    expect(text).toMatch(/^ {2}articles +never run$/m);
    expect(text).toMatch(/^ {2}orders +\{"lastLogId":4711\} +\d{4}-/m);
    expect(text).toContain(`TOKEN BLOCKED by BaseLinker until ${blockedUntil.toISOString().slice(0, 19).replace('T', ' ')} UTC (in `);
    expect(text).toContain('open: 3 (article 1, order 2)');
    expect(text).toContain('dismissed: 1');
    expect(text).toContain('Shipments waiting for tracking: 1');
    expect(text).toMatch(/^ {2}ON-77 +9000 +555 +dpd +\d{4}-/m);
    expect(cli.stderr).toEqual([]);
  });

  it('gives the same facts as JSON with --json', async () => {
    const cli = io({ now: () => blockedAt });
    expect(await main(['status', '--json'], cli)).toBe(0);
    const doc = JSON.parse(cli.stdout.join('\n'));
    const [tenant] = doc.tenants;
    expect(tenant.tenant).toBe('test');
    expect(tenant.runs.find((r: { flow: string }) => r.flow === 'orders')).toMatchObject({
      outcome: 'ok',
      seen: 7,
      written: 4,
      setAside: 3,
      baselinkerRequests: 1,
      ongoingRequests: 0,
    });
    expect(tenant.runs.find((r: { flow: string }) => r.flow === 'stock')).toEqual({ flow: 'stock', outcome: 'never' });
    expect(tenant.cursors).toEqual([expect.objectContaining({ name: 'orders', value: { lastLogId: 4711 } })]);
    expect(tenant.budget).toMatchObject({ tokensLeft: 0, blockedUntil: blockedUntil.toISOString(), tokenKey: tokenKey(world.tenant.secrets.baselinkerToken) });
    expect(tenant.budget.used).toBe(tenant.budget.capacity);
    expect(tenant.exceptions).toMatchObject({ open: { order: 2, article: 1 }, openTotal: 3, dismissed: 1 });
    expect(tenant.shipments.waitingForTracking).toEqual([expect.objectContaining({ ongoingOrderId: 'ON-77', blOrderId: '9000', packageId: '555' })]);
    // Never the token itself.
    expect(cli.stdout.join('\n')).not.toContain(world.tenant.secrets.baselinkerToken);
  });

  it('shows a run that is recorded as running but holds no lease as interrupted', async () => {
    await store.putRunSummary('test', 'stock', { runId: 'crashed', startedAt: new Date(Date.now() - 60_000).toISOString(), outcome: 'running' });
    const cli = io();
    expect(await main(['status', '--json'], cli)).toBe(0);
    const runs = JSON.parse(cli.stdout.join('\n')).tenants[0].runs;
    expect(runs.find((r: { flow: string }) => r.flow === 'stock')).toMatchObject({ outcome: 'interrupted', runId: 'crashed' });

    await store.acquireLease('stock#test', 'crashed', 60_000);
    const again = io();
    await main(['status', '--json'], again);
    expect(JSON.parse(again.stdout.join('\n')).tenants[0].runs.find((r: { flow: string }) => r.flow === 'stock').outcome).toBe('running');
    await store.releaseLease('stock#test', 'crashed');
  });

  it('shows only the tenant picked with --tenant, and refuses an unknown one with exit 2', async () => {
    const other = world.tenantWith({ id: 'other', ongoing: { goodsOwnerId: 43 } });
    const cli = io({ tenants: [world.tenant, other] });
    expect(await main(['status', '--tenant', 'other'], cli)).toBe(0);
    expect(cli.stdout.join('\n')).toContain('== Tenant other ==');
    expect(cli.stdout.join('\n')).not.toContain('== Tenant test ==');

    const bad = io({ tenants: [world.tenant, other] });
    expect(await main(['status', '--tenant', 'nope'], bad)).toBe(2);
    expect(bad.stderr.join('\n')).toBe('unknown tenant "nope"; configured: test, other');
  });

  it('reads a deployed table named by TABLE_NAME through the AWS SDK when no endpoint override is configured, starting no emulator', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cli-aws-'));
    try {
      // io.env decides the mode; the SDK itself still reaches the test emulator through process.env.
      const cli = io({ state: undefined, env: { TABLE_NAME: world.tableName, DATA_DIR: dataDir, AWS_REGION: 'eu-north-1' } });
      expect(await main(['status', '--json'], cli)).toBe(0);
      const doc = JSON.parse(cli.stdout.join('\n'));
      expect(doc.state).toBe(`AWS DynamoDB table ${world.tableName} in eu-north-1`);
      expect(doc.tenants[0].cursors[0].value).toEqual({ lastLogId: 4711 });
      expect(readdirSync(dataDir)).toEqual([]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('uses the stores of a running local host on DATA_DIR instead of opening the folder a second time', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cli-local-'));
    try {
      // What `npm start` leaves in its data folder; here it points at the test emulators.
      const pick = (name: string) => process.env[name] as string;
      const endpoints = Object.fromEntries(
        ['AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL_SECRETS_MANAGER', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'].map((n) => [n, pick(n)]),
      );
      writeFileSync(join(dataDir, 'emulators.json'), JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString(), dynamoKind: 'dynalite', env: endpoints }));
      const cli = io({ state: undefined, env: { DATA_DIR: dataDir, TABLE_NAME: world.tableName } });
      expect(await main(['status', '--local', '--json'], cli)).toBe(0);
      const doc = JSON.parse(cli.stdout.join('\n'));
      expect(doc.state).toBe(`state in ${dataDir} (served by the running local host, process ${process.pid})`);
      expect(doc.tenants[0].exceptions.openTotal).toBe(3);
      expect(readdirSync(dataDir)).toEqual(['emulators.json']);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('explains that --aws needs TABLE_NAME, with exit 2', async () => {
    const cli = io({ state: undefined, env: {} });
    expect(await main(['status', '--aws'], cli)).toBe(2);
    expect(cli.stderr.join('\n')).toMatch(/^--aws needs TABLE_NAME/);
  });

  it('reports a configuration problem readably with exit 2, without a stack trace', async () => {
    const cli = io({ tenants: undefined, env: { TENANTS_FILE: '/nonexistent/tenants.json' } });
    expect(await main(['status'], cli)).toBe(2);
    const text = cli.stderr.join('\n');
    expect(text).toContain('TENANTS_FILE: cannot read /nonexistent/tenants.json (ENOENT)');
    expect(text).not.toMatch(/\n\s+at /);
  });
});
