import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_SIM_TOKEN } from '../../infra/simulators/baselinker';
import { DEMO_API_USER, DEMO_GOODS_OWNER } from '../../infra/simulators/ongoing';
import { startWorld, type World } from '../support/world';
import { ongoingTwin } from '../support/ongoing-twin';

// DynamoDB only (the flow suites run on both state adapters: describeOnEachState): the operator CLI works on a
// DynamoDB table (the embedded one of `npm start` or a deployed stack's).

/**
 * The CLI as an operator runs it, in its own process through npm: with --json the answer is the only thing on
 * stdout (logs and messages go to stderr), and the exit codes are the ones --help promises.
 */

const REPO = resolve(__dirname, '..', '..');
let world: World;
let dir: string;

beforeAll(async () => {
  world = await startWorld();
  dir = mkdtempSync(join(tmpdir(), 'cli-process-'));
});
afterAll(async () => {
  await world.close();
  rmSync(dir, { recursive: true, force: true });
});

function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    // A clean environment: only what a shell would have, plus the settings of the test.
    const child = spawn('npm', ['run', '-s', 'cli', '--', ...args], {
      cwd: REPO,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir, DATA_DIR: join(dir, 'data'), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

function tenantsFile(): string {
  const path = join(dir, 'tenants.json');
  writeFileSync(
    path,
    JSON.stringify([
      {
        id: 'shop',
        baselinker: { url: world.bl.url, inventoryId: 1, orderStatusIds: [5502] },
        ongoing: { url: world.ongoing.baseUrl, goodsOwnerId: DEMO_GOODS_OWNER.id },
        shipment: { courierCode: 'dpd' },
        secrets: { baselinkerToken: DEFAULT_SIM_TOKEN, ongoingUser: DEMO_API_USER.user, ongoingPassword: DEMO_API_USER.password },
      },
    ]),
  );
  return path;
}

it('send --json: the outcome is the only thing on stdout, the flow logs go to stderr', async () => {
  const { ongoing } = world.services();
  await ongoing.putArticle({ articleNumber: 'MUG', articleName: 'Kubek', weight: 0.4 });
  const bl = world.bl.addOrder({ delivery_fullname: 'Jan Kowalski', delivery_address: 'ul. Długa 5', delivery_postcode: '00-002', delivery_city: 'Kraków' });
  const orderId = await ongoingTwin(ongoing, world.ongoing, bl.order_id, {
    deliveryDate: '2026-11-27',
    consignee: { name: 'Jan Kowalski', address1: 'ul. Długa 5', postCode: '00-002', city: 'Kraków', countryCode: 'PL' },
    orderLines: [{ rowNumber: '1', articleNumber: 'MUG', numberOfItems: 1 }],
    status: 450,
  });

  const result = await run(['send', String(orderId), '--json'], { TENANTS_FILE: tenantsFile(), LOG_LEVEL: 'INFO' });
  expect(result.stderr).toMatch(/INFO shipment \[shop\]: shipment done/);
  expect(result.code).toBe(0);
  const outcome = JSON.parse(result.stdout) as { kind: string; record: { packageId: number } };
  expect(outcome.kind).toBe('done');
  expect(world.bl.calls('createPackage')).toBe(1);

  const status = await run(['status', '--json'], { TENANTS_FILE: tenantsFile(), LOG_LEVEL: 'INFO' });
  expect(status.code).toBe(0);
  expect(JSON.parse(status.stdout).tenants[0].tenant).toBe('shop');
});

it('a configuration with only the token names every missing variable on stderr and exits 2, stdout empty', async () => {
  const result = await run(['status', '--json'], { BASELINKER_TOKEN: 'placeholder-token-value' });
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  for (const name of ['ONGOING_URL', 'ONGOING_USER', 'ONGOING_PASSWORD', 'ONGOING_GOODS_OWNER_ID']) {
    expect(result.stderr).toContain(`${name}: required`);
  }
  // Only what every flow needs: the inventory and the order statuses are asked for by a run of a flow that reads them.
  expect(result.stderr).not.toContain('BASELINKER_ORDER_STATUS_IDS');
  expect(result.stderr).not.toContain('BASELINKER_INVENTORY_ID');
  expect(result.stderr).not.toContain('WEBHOOK_SECRET');
  expect(result.stderr).not.toContain('placeholder-token-value');
});

it('a usage error exits 2 with the message and the usage (with its exit codes) on stderr, stdout empty', async () => {
  const bad = await run(['frobnicate'], {});
  expect(bad.code).toBe(2);
  expect(bad.stdout).toBe('');
  expect(bad.stderr).toContain('unknown command "frobnicate"');
  expect(bad.stderr).toContain('Exit codes: 0 done; 1 the work could not be done');
});
