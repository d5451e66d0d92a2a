import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resetAwsClients } from '../../shared/aws/clients';
import { startLocalHost, type LocalHost } from '../../infra/local/host';
import { StateStore } from '../../shared/state';

/**
 * `npm start` on a fresh DATA_DIR: the demo runs through the same handlers the Lambdas run and ends with a
 * shipped order; a second start on the same folder continues from the saved state and writes nothing twice.
 */

const dataDir = mkdtempSync(join(tmpdir(), 'local-host-'));
const lines: string[] = [];
const fast = { articles: 60_000, orders: 60_000, stock: 60_000, tracking: 60_000, reconcile: 60_000 };

async function start(): Promise<LocalHost> {
  // The host points the SDK at its own embedded stores, as `npm start` does in its own process.
  return startLocalHost({ dataDir, port: 0, demoIntervalsMs: fast, print: (l) => lines.push(l) });
}

beforeAll(() => {
  // Demo mode: no tenant configuration in this process (jest gives each test file its own process.env).
  for (const name of Object.keys(process.env)) if (/^(TENANTS|BASELINKER_|ONGOING_|STOCK_|WEBHOOK_|TABLE_NAME|LABELS_BUCKET)/.test(name)) delete process.env[name];
});

afterAll(() => {
  if (process.env.DEBUG_HOST) console.log(lines.join("\n"));
  resetAwsClients();
  rmSync(dataDir, { recursive: true, force: true });
});

it('runs the demo end to end, then continues from saved state on a restart without writing anything twice', async () => {
  const host = await start();
  let firstOrders: number;
  let firstArticles: number;
  let sentOrder: number;
  try {
    expect(host.mode).toBe('demo');
    const outcome = await host.demo!;
    expect(outcome).toBeDefined();
    const sims = host.simulators!;

    // Articles: every catalog product without variants and every variant is an Ongoing article.
    // (The demo's one product without SKU is set aside instead; see below.)
    const catalogArticles = [...sims.baselinker.state.products.values()].filter((p) => p.sku && (p.parent_id !== 0 || ![...sims.baselinker.state.products.values()].some((v) => v.parent_id === p.id)));
    firstArticles = sims.ongoing.state.articles.size;
    expect(firstArticles).toBe(catalogArticles.length);
    // Orders: the ones waiting in the chosen status went over, once each.
    firstOrders = sims.ongoing.state.orders.size;
    expect(firstOrders).toBeGreaterThanOrEqual(2);
    expect(new Set([...sims.ongoing.state.orders.values()].map((o) => o.orderNumber)).size).toBe(firstOrders);

    // The pressed order: one package, its label as a file and on the Ongoing order, tracking on the order.
    sentOrder = outcome!.ongoingOrderId;
    expect(sims.baselinker.calls('createPackage')).toBe(1);
    expect(existsSync(outcome!.labelFile!)).toBe(true);
    const label = readFileSync(outcome!.labelFile!);
    expect(label.subarray(0, 5).toString()).toBe('%PDF-');
    const files = [...sims.ongoing.state.files.values()].filter((f) => f.orderId === sentOrder);
    expect(files).toHaveLength(1);
    expect(Buffer.from(files[0].fileDataBase64, 'base64').equals(label)).toBe(true);
    const order = sims.ongoing.state.orders.get(sentOrder)!;
    expect(order.tracking.map((t) => t.waybill)).toContain(outcome!.trackingNumber);
    expect(lines.join('\n')).toContain(`webhook: order ${sentOrder} -> 200`);
  } finally {
    await host.stop();
  }

  const again = await start();
  try {
    await again.firstCycle;
    const outcome = await again.demo!;
    const sims = again.simulators!;
    expect(outcome?.ongoingOrderId).toBe(sentOrder);
    expect(sims.ongoing.calls('PUT /articles')).toBe(0);
    expect(sims.ongoing.calls('PUT /orders')).toBe(0);
    expect(sims.baselinker.calls('createPackage')).toBe(0);
    expect(sims.ongoing.state.articles.size).toBe(firstArticles);
    expect(sims.ongoing.state.orders.size).toBe(firstOrders);
    expect(lines.join('\n')).toContain('the simulators continue from their saved state');
    // The earlier shipment is mentioned as earlier, not announced as new.
    expect(lines.filter((l) => l.startsWith(`demo: order ${sentOrder} shipped:`))).toHaveLength(1);
    expect(lines.join('\n')).toContain(`demo: order ${sentOrder} was shipped on an earlier start`);
    // The demo's product without SKU stays set aside, so exceptions, retry and dismiss have something to show.
    const aside = await new StateStore(again.state.dynamo, again.state.tableName).listSetAside('demo', { state: 'open' });
    expect(aside.map((i) => i.kind)).toEqual(['article']);
    expect(aside[0].reason).toMatch(/no SKU/);
    expect(lines.join('\n')).toMatch(/demo: one product was set aside .*npm run cli -- exceptions/);
  } finally {
    await again.stop();
  }
});

it('refuses a second host on a data folder that is in use, with a clear message', async () => {
  const host = await start();
  try {
    await expect(start()).rejects.toThrow(/in use|already served/);
  } finally {
    await host.stop();
  }
});
