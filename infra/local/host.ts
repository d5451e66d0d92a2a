import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { loadTenants, MIN_WEBHOOK_SECRET_LENGTH, type TenantConfig } from '../../shared/config';
import { CATALOGUE, FLOW_NAMES, type FlowName } from '../../shared/flows/catalogue';
import { FLOWS } from '../../shared/flows/registry';
import { runFlow, summaryLine, type TenantRunReport } from '../../shared/flows/runner';
import { lambdaShipmentWebhook } from '../../shared/lambda/webhook';
import { createTenantServices } from '../../shared/lambda/wiring';
import { DynamoTenantRegistry } from '../../shared/tenants';
import { resetAwsClients } from '../../shared/aws/clients';
import { LabelStore } from '../../shared/labels';
import { dynamoStatePorts, StateStore } from '../../shared/state';
import { DEFAULT_SIM_TOKEN, seedDemoCatalog, seedDemoOrders, startBaseLinkerSimulator, type BaseLinkerSimulator } from '../simulators/baselinker';
import { DEMO_API_USER, DEMO_GOODS_OWNER, demoSimulatorOptions, startOngoingSimulator, type OngoingSimulator } from '../simulators/ongoing';
import { loadSimulatorState, saveSimulatorState } from '../simulators/persist';
import { startApiGateway, type LocalApiGateway } from './api-gateway';
import { openEmbeddedState, type EmbeddedState } from './embedded';
import { demoTenantsFile, isConfigured, loadServedTenants } from './tenants';

/**
 * The integration on one machine: EventBridge schedules become timers that run each flow through the same
 * runner the Lambda workers use (each tenant at its own interval, under its own lease, failing alone), the API
 * Gateway route becomes a local HTTP port serving the shipment webhook handler with the same event shape and
 * secret check, and DynamoDB and S3 are the embedded stores under DATA_DIR. (On AWS a tick fans out over SQS,
 * one message per tenant; test/int/fanout-sqs.test.ts runs that path against an SQS emulator.)
 *
 * Tenants: the configured ones (TENANTS_FILE, single-tenant variables), else the tenant registry in the state
 * (read again at every tick, so `npm run cli -- tenants put` takes effect while this runs). With neither it runs
 * the demo: it also starts the BaseLinker and Ongoing simulators (their pretend accounts saved under DATA_DIR
 * too), and once articles and orders have gone through it presses "Send" on one order, so a newcomer sees a
 * package, a label file and a tracking number appear.
 */


export const WEBHOOK_ROUTE = '/webhook/ongoing';

/** The webhook port cannot be opened; the message names the port and the setting that chooses another. */
export class PortError extends Error {
  override name = 'PortError';
}

export interface LocalHostOptions {
  dataDir: string;
  /** Webhook port; 0 picks a free one. Default PORT or 3000. */
  port?: number;
  /** Demo mode: how often each flow runs, in ms (default: a few seconds each, so the demo moves quickly). */
  demoIntervalsMs?: Partial<Record<FlowName, number>>;
  /** Demo mode: press Send on one order once articles and orders went through (default true). */
  demoSend?: boolean;
  print?: (line: string) => void;
}

export interface DemoOutcome {
  ongoingOrderId: number;
  packageId?: string;
  trackingNumber?: string;
  trackingUrl?: string;
  labelFile?: string;
}

export interface LocalHost {
  mode: 'demo' | 'configured' | 'registry';
  webhookUrl: string;
  tenants: TenantConfig[];
  state: EmbeddedState;
  simulators?: { baselinker: BaseLinkerSimulator; ongoing: OngoingSimulator };
  /** Demo mode: resolves when the pressed order has its package, label and tracking (or the demo gave up). */
  demo?: Promise<DemoOutcome | undefined>;
  /** Resolves when the first cycle of every flow has run. */
  firstCycle: Promise<void>;
  stop(): Promise<void>;
}

const DEMO_INTERVALS_MS: Record<FlowName, number> = { articles: 15_000, orders: 10_000, stock: 20_000, tracking: 10_000, reconcile: 60_000 };
const FLOW_ORDER: FlowName[] = ['articles', 'orders', 'stock', 'tracking', 'reconcile'];

const stamp = () => new Date().toISOString().slice(11, 19);

export async function startLocalHost(options: LocalHostOptions): Promise<LocalHost> {
  // The handlers read their configuration from the process environment, as in a Lambda container.
  const env = process.env;
  const envBefore = { ...env };
  // On stop the process environment goes back to what it was (the endpoints and files it names are gone).
  const restoreEnv = () => {
    for (const key of Object.keys(env)) if (!(key in envBefore)) delete env[key];
    Object.assign(env, envBefore);
    resetAwsClients();
  };
  const print = options.print ?? ((line: string) => console.log(`[${stamp()}] ${line}`));
  const state = await openEmbeddedState(options.dataDir, { tableName: env.TABLE_NAME, labelsBucket: env.LABELS_BUCKET });
  if (!state.owner) {
    await state.stop();
    restoreEnv();
    throw new Error(`${state.dataDir} is already served by a running local host; stop it first, or start this one with another DATA_DIR`);
  }
  // The demo runs only when nothing is configured and the registry is empty.
  const registryEntries = isConfigured(env) ? [] : await new DynamoTenantRegistry(state.dynamo, state.tableName).list();
  const mode: LocalHost['mode'] = isConfigured(env) ? 'configured' : registryEntries.length > 0 ? 'registry' : 'demo';
  // What the Lambda functions get from the stack, they get from here.
  env.TABLE_NAME = state.tableName;
  env.LABELS_BUCKET = state.labelsBucket;
  env.METRICS_DISABLED ??= 'true';
  env.LOG_LEVEL ??= 'WARN';
  env.LOG_FORMAT ??= 'text';
  print(`state: ${state.description}`);

  const stoppers: (() => Promise<void>)[] = [];
  let simulators: LocalHost['simulators'];
  const simFile = (name: string) => join(state.dataDir, 'simulators', `${name}.json`);
  const saveSimulators = () => {
    if (!simulators) return;
    saveSimulatorState(simulators.baselinker.state, simFile('baselinker'));
    saveSimulatorState(simulators.ongoing.state, simFile('ongoing'));
  };

  try {
    let webhookSecret: string | undefined;
    if (mode === 'demo') {
      const demo = await startDemoSimulators(state.dataDir, simFile, print);
      simulators = demo.simulators;
      webhookSecret = demo.webhookSecret;
      stoppers.push(async () => {
        saveSimulators();
        await Promise.all([simulators!.baselinker.close(), simulators!.ongoing.close()]);
      });
      env.TENANTS_FILE = demo.tenantsFile;
    }
    // Registry mode reads the registry at every tick and webhook call: a tenant put, disabled or removed with the
    // CLI while this runs takes effect at once. A tenant that cannot load is reported and left out alone.
    const registryAccess = { dynamo: state.dynamo, tableName: state.tableName, mode: 'local' as const };
    const currentTenants = async (): Promise<{ tenants: TenantConfig[]; failures: { id: string; problem: string }[] }> =>
      mode === 'registry' ? loadServedTenants(env, state.dataDir, registryAccess) : { tenants: await loadTenants({ env }), failures: [] };
    const { tenants } = await currentTenants();
    if (tenants.length === 0) {
      throw new Error('every tenant in the registry is disabled or cannot load (npm run cli -- tenants list)');
    }

    const shipment = lambdaShipmentWebhook({ tenants: async () => (await currentTenants()).tenants });
    const port = options.port ?? Number(env.PORT ?? 3000);
    const gateway: LocalApiGateway = await startApiGateway({
      port,
      routes: [
        {
          method: 'POST',
          resource: WEBHOOK_ROUTE,
          functionName: 'shipment',
          handler: async (event, context) => {
            const result = await shipment(event, context);
            print(`webhook: ${describeWebhook(event, result)}`);
            return result;
          },
        },
      ],
    }).catch((err: unknown) => {
      const code = (err as { code?: string }).code;
      if (code === 'EADDRINUSE' || code === 'EACCES') {
        throw new PortError(
          `port ${port} (the "Send" webhook) is ${code === 'EADDRINUSE' ? 'already in use, perhaps by another npm start' : 'not open to this user'}: choose another with PORT, e.g. PORT=3001 npm start (PORT=0 picks a free one)`,
        );
      }
      throw err;
    });
    stoppers.unshift(() => gateway.close());
    const webhookUrl = `${gateway.url}${WEBHOOK_ROUTE}`;
    if (simulators) {
      simulators.ongoing.settings.webhook = { url: webhookUrl, headerName: tenants[0].shipment.webhookHeader, headerValue: webhookSecret! };
    }

    print(
      mode === 'demo'
        ? `demo mode: no tenant configured and the tenant registry is empty, so the BaseLinker and Ongoing simulators stand in (BaseLinker ${simulators!.baselinker.url}, Ongoing ${simulators!.ongoing.baseUrl})`
        : `${tenants.length} tenant(s)${mode === 'registry' ? ' from the tenant registry' : ''}: ${tenants.map((t) => `${t.id} (goods owner ${t.ongoing.goodsOwnerId})`).join(', ')}`,
    );
    print(`"Send" webhook: POST ${webhookUrl} with header ${tenants[0].shipment.webhookHeader}: ${mode === 'demo' ? webhookSecret : '<your WEBHOOK_SECRET>'}`);
    print('Ctrl-C stops; the next start continues from the saved state.');

    // ---- schedules --------------------------------------------------------------------------------------
    const intervals: Record<FlowName, number> =
      mode === 'demo' ? { ...DEMO_INTERVALS_MS, ...options.demoIntervalsMs } : configuredIntervals(tenants);
    let stopping = false;
    let firstDone = false;
    const timers = new Set<NodeJS.Timeout>();
    const running = new Set<Promise<void>>();
    const runOnce = async (flow: FlowName): Promise<void> => {
      const budgetMs = Math.min(intervals[flow] * 4, 14 * 60_000);
      let reports: TenantRunReport[];
      try {
        const current = await currentTenants();
        for (const failure of current.failures) print(`${flow} [${failure.id}]: failed: ${failure.problem}`);
        reports = await runFlow(flow, FLOWS[flow] as never, {
          services: createTenantServices,
          tenants: current.tenants,
          runtime: { tableName: state.tableName, labelsBucket: state.labelsBucket },
          deadline: Date.now() + budgetMs,
          // One timer serves every tenant at the fastest tenant's rate: the others run at their own interval.
          onlyDue: true,
        });
      } catch (err) {
        print(`${flow}: could not run: ${err instanceof Error ? err.message : String(err)}`);
        return;
      }
      // After the first cycle only runs that did something (or went wrong) get a line: the rest is noise.
      for (const report of reports) {
        const r = report.result;
        const quiet = firstDone && report.outcome === 'ok' && r !== undefined && r.written === 0 && r.setAside === 0;
        if (!quiet && (report.outcome !== 'skipped' || mode === 'configured')) print(summaryLine(report));
      }
      saveSimulators();
    };
    const track = (p: Promise<void>) => {
      running.add(p);
      void p.finally(() => running.delete(p));
      return p;
    };
    const schedule = (flow: FlowName) => {
      if (stopping) return;
      const timer = setTimeout(() => {
        timers.delete(timer);
        void track(runOnce(flow)).finally(() => schedule(flow));
      }, intervals[flow]);
      timers.add(timer);
    };
    // First cycle in order (articles before the orders that need them), then each flow on its own timer.
    const firstCycle = track(
      (async () => {
        for (const flow of FLOW_ORDER) {
          if (stopping) return;
          await runOnce(flow);
        }
      })(),
    ).then(() => {
      firstDone = true;
      for (const flow of FLOW_ORDER) schedule(flow);
    });

    let demo: Promise<DemoOutcome | undefined> | undefined;
    if (simulators && options.demoSend !== false) {
      demo = firstCycle.then(() =>
        runDemoSend({ dataDir: state.dataDir, tenant: tenants[0], simulators: simulators!, state, print, isStopping: () => stopping, track: (p) => track(p.then(() => undefined)) }),
      );
    }

    let stopped: Promise<void> | undefined;
    return {
      mode,
      webhookUrl,
      tenants,
      state,
      simulators,
      demo,
      firstCycle,
      stop: () =>
        (stopped ??= (async () => {
          stopping = true;
          for (const timer of timers) clearTimeout(timer);
          // In-flight runs finish (they are short and idempotent); a run still going after 30 s is abandoned,
          // its lease expires by itself and the next start picks up from its checkpoint.
          await Promise.race([Promise.allSettled([...running]), new Promise((r) => setTimeout(r, 30_000).unref())]);
          for (const stop of stoppers) await stop().catch(() => undefined);
          await state.stop();
          restoreEnv();
        })()),
    };
  } catch (err) {
    for (const stop of stoppers) await stop().catch(() => undefined);
    await state.stop();
    restoreEnv();
    throw err;
  }
}

function configuredIntervals(tenants: TenantConfig[]): Record<FlowName, number> {
  const minutes = (flow: FlowName) => Math.min(...tenants.map((t) => t.schedules[CATALOGUE[flow].schedule])) * 60_000;
  return Object.fromEntries(FLOW_NAMES.map((flow) => [flow, minutes(flow)])) as Record<FlowName, number>;
}

function describeWebhook(event: APIGatewayProxyEvent, result: APIGatewayProxyResult): string {
  let order = '?';
  try {
    order = String((JSON.parse(event.body ?? '{}') as { orderId?: unknown }).orderId ?? '?');
  } catch {
    /* the handler said what was wrong with the body */
  }
  let detail = '';
  try {
    const body = JSON.parse(result.body) as { status?: string; message?: string; packageId?: string; trackingNumber?: string };
    detail = [body.status, body.packageId && `package ${body.packageId}`, body.trackingNumber && `tracking ${body.trackingNumber}`, body.message].filter(Boolean).join(', ');
  } catch {
    detail = result.body.slice(0, 200);
  }
  return `order ${order} -> ${result.statusCode}${detail ? ` (${detail})` : ''}`;
}

// ---- demo ------------------------------------------------------------------------------------------------

interface DemoFile {
  webhookSecret: string;
  /** The order the demo pressed Send on, once it has. */
  sentOrderId?: number;
}

async function startDemoSimulators(
  dataDir: string,
  simFile: (name: string) => string,
  print: (line: string) => void,
): Promise<{ simulators: { baselinker: BaseLinkerSimulator; ongoing: OngoingSimulator }; webhookSecret: string; tenantsFile: string }> {
  const baselinker = await startBaseLinkerSimulator({});
  const ongoing = await startOngoingSimulator(demoSimulatorOptions());
  const restored = loadSimulatorState(baselinker.state, simFile('baselinker')) && loadSimulatorState(ongoing.state, simFile('ongoing'));
  if (!restored) {
    const catalog = seedDemoCatalog(baselinker);
    const orders = seedDemoOrders(baselinker, catalog);
    seedSetAsideProduct(baselinker, catalog.inventoryId);
    print(`demo: seeded a BaseLinker catalog (${baselinker.state.products.size} products and variants) and ${orders.length} orders in several statuses`);
  } else {
    print('demo: the simulators continue from their saved state');
  }

  const demoFile = join(dataDir, 'demo.json');
  const saved = existsSync(demoFile) ? (JSON.parse(readFileSync(demoFile, 'utf8')) as DemoFile) : undefined;
  // A demo folder from an older version may hold a shorter secret, which the configuration now refuses: replace it.
  const demo: DemoFile =
    saved && typeof saved.webhookSecret === 'string' && saved.webhookSecret.length >= MIN_WEBHOOK_SECRET_LENGTH
      ? saved
      : { ...saved, webhookSecret: `demo-${randomBytes(16).toString('hex')}` };
  writeFileSync(demoFile, JSON.stringify(demo, null, 2));

  const inventoryId = baselinker.state.inventories[0].inventory_id;
  const warehouse = baselinker.state.warehouses.find((w) => w.warehouse_type === 'bl');
  // The demo account's statuses, in order: new, to fulfil, handed to the warehouse, shipped, cancelled.
  const [, toFulfil, handedOver, shipped, cancelled] = baselinker.state.statuses.map((s) => s.id);
  const tenantsFile = demoTenantsFile(dataDir);
  // Inline secrets are fine here: placeholders for pretend accounts, in a file under DATA_DIR.
  const tenant = {
    id: 'demo',
    baselinker: {
      url: baselinker.url,
      inventoryId,
      orderStatusIds: [toFulfil],
      cancelledStatusIds: [cancelled],
      statusAfterImport: handedOver,
      statusAfterShipment: shipped,
      lookbackDays: 30,
    },
    ongoing: { url: ongoing.baseUrl, goodsOwnerId: DEMO_GOODS_OWNER.id },
    stock: { enabled: true, warehouseKey: warehouse ? `bl_${warehouse.warehouse_id}` : undefined },
    shipment: { courierCode: 'dpd', courierAccountId: 61, courierFields: [{ id: 'package_description', value: 'Towary z magazynu' }] },
    // The handlers run each tenant at its own interval; the demo's timers tick every few seconds, so the demo
    // tenant asks for the shortest interval there is.
    schedules: { articlesMinutes: 1, stockMinutes: 1, ordersMinutes: 1, reconcileMinutes: 1, trackingMinutes: 1 },
    secrets: { baselinkerToken: DEFAULT_SIM_TOKEN, ongoingUser: DEMO_API_USER.user, ongoingPassword: DEMO_API_USER.password, webhookSecret: demo.webhookSecret },
  };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(tenantsFile, JSON.stringify([tenant], null, 2));
  return { simulators: { baselinker, ongoing }, webhookSecret: demo.webhookSecret, tenantsFile };
}

/**
 * One product the articles flow must set aside (it has no SKU, and Ongoing needs an article number), so the
 * demo leaves an item for a person and `npm run cli -- exceptions`, `retry` and `dismiss` can be tried at once.
 */
export const DEMO_SET_ASIDE_PRODUCT = 'Plakat „Kraków nocą” 50×70';

function seedSetAsideProduct(baselinker: BaseLinkerSimulator, inventoryId: number): void {
  baselinker.addProduct(inventoryId, { sku: '', ean: '', name: DEMO_SET_ASIDE_PRODUCT, prices: { '7': 59 }, weight: 0.3, height: 1, width: 50, length: 70 });
}

/** The warehouse's part in the demo: count stock, pick one order, press Send; then show where everything went. */
async function runDemoSend(ctx: {
  dataDir: string;
  tenant: TenantConfig;
  simulators: { baselinker: BaseLinkerSimulator; ongoing: OngoingSimulator };
  state: EmbeddedState;
  print: (line: string) => void;
  isStopping: () => boolean;
  track: (p: Promise<unknown>) => Promise<void>;
}): Promise<DemoOutcome | undefined> {
  const { ongoing } = ctx.simulators;
  const demoFile = join(ctx.dataDir, 'demo.json');
  const demo = JSON.parse(readFileSync(demoFile, 'utf8')) as DemoFile;
  const store = new StateStore(ctx.state.dynamo, ctx.state.tableName);
  const { shipments } = dynamoStatePorts(store, ctx.tenant.id);
  const goodsOwnerId = ctx.tenant.ongoing.goodsOwnerId;

  // The warehouse counts what is on the shelves (the stock flow then pushes it to BaseLinker).
  for (const article of ongoing.state.articles.values()) {
    if (article.goodsOwnerId === goodsOwnerId && article.numberOfItems === 0 && !demo.sentOrderId) {
      ongoing.setStock(goodsOwnerId, article.articleNumber, 10 + (article.articleSystemId % 7) * 5);
    }
  }

  let orderId = demo.sentOrderId;
  const shippedBefore = orderId !== undefined;
  if (!orderId) {
    const waiting = [...ongoing.state.orders.values()].filter((o) => o.goodsOwnerId === goodsOwnerId && o.status < 300);
    if (waiting.length === 0) {
      ctx.print('demo: no order reached Ongoing, so there is nothing to send; see the lines above for why');
      return undefined;
    }
    orderId = waiting[0].orderId;
    ctx.print(`demo: ${ongoing.state.articles.size} articles and ${ongoing.state.orders.size} orders are in Ongoing; the warehouse picks order ${waiting[0].orderNumber} (Ongoing id ${orderId}) and presses Send`);
    ongoing.setOrderStatus(orderId, 400);
    demo.sentOrderId = orderId;
    writeFileSync(demoFile, JSON.stringify(demo, null, 2));
    let status = 0;
    await ctx.track(ongoing.pressSend(orderId).then((s) => (status = s)));
    if (status >= 300 && status !== 202) ctx.print(`demo: the webhook answered ${status}; the tracking run retries`);
  }

  // Wait (a little) for the package's tracking number: some couriers hand it out later; the tracking run fills it in.
  for (let i = 0; i < 60 && !ctx.isStopping(); i++) {
    const record = await shipments.get(orderId);
    if (record?.status === 'done' && record.labelKey) {
      const labels = new LabelStore(ctx.state.s3, ctx.state.labelsBucket);
      const bytes = await labels.get(record.labelKey);
      const labelFile = join(ctx.dataDir, 'labels', record.labelKey.split('/').slice(1).join('-'));
      mkdirSync(join(ctx.dataDir, 'labels'), { recursive: true });
      writeFileSync(labelFile, bytes);
      const outcome: DemoOutcome = { ongoingOrderId: orderId, packageId: record.packageId === undefined ? undefined : String(record.packageId), trackingNumber: record.trackingNumber, trackingUrl: record.trackingUrl, labelFile };
      if (shippedBefore) {
        ctx.print(`demo: order ${orderId} was shipped on an earlier start (package ${record.packageId}, label in ${labelFile}); the flows continue from the saved state`);
        return outcome;
      }
      ctx.print(
        `demo: order ${orderId} shipped: BaseLinker package ${record.packageId}, tracking ${record.trackingNumber ?? '?'}${record.trackingUrl ? ` (${record.trackingUrl})` : ''}; label (${bytes.length} bytes) on the Ongoing order and in ${labelFile}`,
      );
      await announceSetAside(ctx, store);
      ctx.print('demo: done. The flows keep running on their timers; npm run cli -- status shows the state. Ctrl-C to stop.');
      return outcome;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  return undefined;
}

/** Says which item the demo left set aside (the product without SKU) and what to try with it. */
async function announceSetAside(ctx: { tenant: TenantConfig; print: (line: string) => void }, store: StateStore): Promise<void> {
  const [item] = await store.listSetAside(ctx.tenant.id, { kind: 'article', state: 'open' });
  if (!item) return;
  ctx.print(
    `demo: one product was set aside (${item.reason}). Try npm run cli -- exceptions, then retry ${item.kind}#${item.sourceId} or dismiss ${item.kind}#${item.sourceId} --note "why"`,
  );
}
