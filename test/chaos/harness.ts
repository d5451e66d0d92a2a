import { InMemoryBudget } from '../../shared/baselinker/budget';
import { BaseLinkerClient } from '../../shared/baselinker/client';
import type { TenantConfig } from '../../shared/config';
import { articlesFlow } from '../../shared/flows/articles';
import type { CatalogueFlow, FlowName } from '../../shared/flows/catalogue';
import { createOrdersFlow } from '../../shared/flows/orders';
import { createReconcileFlow } from '../../shared/flows/reconcile';
import { runFlow, type TenantRunReport } from '../../shared/flows/runner';
import type { TenantServices } from '../../shared/lambda/wiring';
import { trackingFlow } from '../../shared/flows/tracking';
import { LabelStore } from '../../shared/labels';
import { mapProduct } from '../../shared/mapping/article';
import { OngoingClient } from '../../shared/ongoing/client';
import { dynamoStatePorts, StateStore } from '../../shared/state';
import { createShipmentWebhookHandler } from '../../shared/webhook';
import { startApiGateway, type LocalApiGateway } from '../../infra/local/api-gateway';
import { demoClientSettings } from '../../infra/simulators/ongoing';
import { testDocumentClient, testS3Client } from '../support/emulators';
import { startWorld, TEST_WEBHOOK_SECRET, type World } from '../support/world';
import { crashingState, type CrashPlan } from './crashing-state';
import type { Rng } from './prng';

/**
 * One chaos seed: a fresh world (both simulators, a fresh table and bucket, the Send webhook behind the local
 * API Gateway), a few catalog products, then cycles of business events, injected faults and flow runs or Send
 * presses, all chosen by the seed's PRNG. After a final clean pass the invariants are checked against the
 * simulators' state and every problem is returned as a line of text.
 */

export const CHOSEN = [5501, 5502] as const;
export const OTHER = 5503;
export const SENT = 5504;
export const CANCELLED = 5505;
const INVENTORY = 1;
const HEADER = 'X-Webhook-Secret';
const ROUTE = '/webhook/ongoing';

/**
 * BaseLinker's limit (100 per 60 s, blocking the token) with its time axis shrunk: 50 per 1 s. The tenant's
 * budget stays below it: burst + 1 s of refill = 6 + 2094/60 ≈ 41 per any second, leaving room for the
 * few ms between a budget grant and the request's arrival.
 */
export const SIM_RATE_LIMIT = { requestsPerWindow: 50, windowMs: 1000, blockMs: 300 };
export const TENANT_BUDGET = { requestsPerMinute: 2100, burst: 6 };
const FAST_RETRY = { attempts: 3, baseDelayMs: 5, maxDelayMs: 40 };
const CLIENT_TIMEOUT_MS = 300;
/** Short claims so a crashed run's claims lapse within the seed. */
const ORDER_CLAIM_MS = 800;
const SHIPMENT_LEASE_MS = 1000;

export type FaultTally = Record<string, number>;

export interface SeedFigures {
  seed: number;
  cycles: number;
  flowRuns: number;
  sends: number;
  faults: FaultTally;
  losses: number;
  duplicates: number;
  blocks: number;
  /** Most requests BaseLinker received in any window of its rate limit. */
  peakWindow: number;
  problems: string[];
}

interface OrderModel {
  id: number;
  /** In a chosen status while confirmed, at some point a flow could have seen. */
  everChosen: boolean;
  cancelled: boolean;
  pressed: boolean;
}

const BL_METHODS = ['getOrders', 'getJournalList', 'getInventoryProductsList', 'getInventoryProductsData', 'createPackage', 'getLabel', 'getOrderPackages', 'setOrderStatus', undefined];
const ONGOING_ROUTES = ['PUT /orders', 'GET /orders', 'PUT /articles', 'GET /articles', 'GET /orders/{orderId}', 'DELETE /orders/{orderId}', 'PUT /orders/{orderId}/files', 'PUT /orders/{orderId}/orderTracking', undefined];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ChaosSeed {
  readonly figures: SeedFigures;
  /** The simulators and stores of this seed (public for the checker's own test). */
  world!: World;
  private gateway!: LocalApiGateway;
  private tenant!: TenantConfig;
  private readonly budget = new InMemoryBudget(TENANT_BUDGET);
  private readonly orders = new Map<number, OrderModel>();
  private readonly products: number[] = [];
  /** The crash plan the next webhook delivery runs under (set by a Send action). */
  private webhookCrash: CrashPlan | undefined;
  private webhookAnswers: number[] = [];

  constructor(
    readonly seed: number,
    private readonly rng: Rng,
  ) {
    this.figures = { seed, cycles: 0, flowRuns: 0, sends: 0, faults: {}, losses: 0, duplicates: 0, blocks: 0, peakWindow: 0, problems: [] };
  }

  private tally(kind: string): void {
    this.figures.faults[kind] = (this.figures.faults[kind] ?? 0) + 1;
  }

  private problem(line: string): void {
    this.figures.problems.push(line);
  }

  // ---------------------------------------------------------------- wiring

  async start(): Promise<void> {
    this.world = await startWorld({
      tenant: {
        baselinker: {
          inventoryId: INVENTORY,
          orderStatusIds: [...CHOSEN],
          cancelledStatusIds: [CANCELLED],
          statusAfterShipment: SENT,
          journal: this.rng.chance(0.5),
        },
        shipment: { courierCode: 'dpd', webhookHeader: HEADER },
      },
      baselinker: { rateLimit: SIM_RATE_LIMIT },
    });
    this.tenant = this.world.tenant;
    const handler = createShipmentWebhookHandler({
      tenants: async () => [this.tenant],
      services: (tenant, options) => {
        const plan = this.webhookCrash;
        this.webhookCrash = undefined;
        return this.services(tenant, options.maxBudgetWaitMs, plan);
      },
      budgetMs: 8_000,
      leaseMs: SHIPMENT_LEASE_MS,
      pollMs: 20,
    });
    this.gateway = await startApiGateway({ routes: [{ method: 'POST', resource: ROUTE, handler }] });
    this.world.ongoing.settings.webhook = { url: `${this.gateway.url}${ROUTE}`, headerName: HEADER, headerValue: TEST_WEBHOOK_SECRET };

    const bl = this.world.bl;
    bl.addInventory({ inventory_id: INVENTORY });
    bl.addWarehouse({ inventoryId: INVENTORY });
    const count = this.rng.int(3, 6);
    for (let i = 0; i < count; i++) this.addProduct();
    // A tenant's day one: the catalog is in Ongoing before the chaos starts.
    await this.run('articles', articlesFlow);
  }

  async close(): Promise<void> {
    this.world?.bl.clearFaults();
    this.world?.ongoing.clearFaults();
    await this.gateway?.close();
    await this.world?.close();
  }

  /** Clients with short timeouts and fast retries (so faults cost milliseconds), on the tenant's shared budget. */
  private services(tenant: TenantConfig, maxBudgetWaitMs: number | undefined, crash?: CrashPlan): TenantServices {
    const state = dynamoStatePorts(new StateStore(testDocumentClient(), this.world.tableName), tenant.id);
    return {
      baselinker: new BaseLinkerClient({
        url: tenant.baselinker.url,
        token: tenant.secrets.baselinkerToken,
        budget: this.budget,
        maxBudgetWaitMs,
        timeoutMs: CLIENT_TIMEOUT_MS,
        retry: FAST_RETRY,
        blockMarginMs: 50,
      }),
      ongoing: new OngoingClient({ ...demoClientSettings(tenant.ongoing.url), timeoutMs: CLIENT_TIMEOUT_MS, retry: FAST_RETRY }),
      state: crash ? crashingState(state, crash).state : state,
      labels: new LabelStore(testS3Client(), this.world.labelsBucket),
    };
  }

  private async run(name: FlowName, flow: CatalogueFlow, options: { deadlineMs?: number; crash?: CrashPlan } = {}): Promise<TenantRunReport> {
    this.figures.flowRuns++;
    const [report] = await runFlow(name, flow, {
      tenants: [this.tenant],
      runtime: { tableName: this.world.tableName, labelsBucket: this.world.labelsBucket },
      deadline: Date.now() + (options.deadlineMs ?? 20_000),
      metrics: this.world.metrics,
      services: (t, _runtime, o) => this.services(t, o?.maxBudgetWaitMs, options.crash),
    });
    return report!;
  }

  // ---------------------------------------------------------------- the business

  private addProduct(): void {
    const bl = this.world.bl;
    const n = this.products.length + 1;
    const product = bl.addProduct(INVENTORY, {
      sku: `S${this.seed}-P${n}`,
      name: `Produkt ${n} (ziarno ${this.seed})`,
      weight: this.rng.int(1, 30) / 10,
      height: this.rng.int(1, 30),
      width: this.rng.int(1, 30),
      length: this.rng.int(1, 30),
    });
    this.products.push(product.id);
    if (this.rng.chance(0.3)) {
      for (const size of ['S', 'M']) {
        const v = bl.addVariant(product.id, { sku: `${product.sku}-${size}`, name: `${product.name} – ${size}` });
        this.products.push(v.id);
      }
    }
  }

  /** SKUs an order line may use: products without variants, and variants. */
  private orderableSkus(): Array<{ sku: string; productId: number; variantId: number }> {
    const out: Array<{ sku: string; productId: number; variantId: number }> = [];
    const all = [...this.world.bl.state.products.values()];
    for (const p of all) {
      if (p.parent_id === 0 && !all.some((v) => v.parent_id === p.id)) out.push({ sku: p.sku, productId: p.id, variantId: 0 });
      if (p.parent_id !== 0) out.push({ sku: p.sku, productId: p.parent_id, variantId: p.id });
    }
    return out;
  }

  /** Adds an order in a chosen status, as a business event would (public for the checker's own test). */
  addOrder(forceChosen = false): number {
    const skus = this.orderableSkus();
    const lines = Array.from({ length: this.rng.int(1, 3) }, () => {
      const s = this.rng.pick(skus);
      return { sku: s.sku, product_id: String(s.productId), variant_id: String(s.variantId), quantity: this.rng.int(1, 3), price_brutto: 10 };
    });
    const status = this.rng.chance(0.75) || forceChosen ? this.rng.pick(CHOSEN) : OTHER;
    const confirmed = this.rng.chance(0.8) || forceChosen;
    const order = this.world.bl.addOrder({ order_status_id: status, products: lines }, confirmed ? {} : { confirmedAt: null });
    this.orders.set(order.order_id, { id: order.order_id, everChosen: false, cancelled: false, pressed: false });
    this.noteChosen(order.order_id);
    return order.order_id;
  }

  private noteChosen(id: number): void {
    const order = this.world.bl.state.orders.get(id);
    const model = this.orders.get(id);
    if (order && model && order.confirmed && (CHOSEN as readonly number[]).includes(order.order_status_id)) model.everChosen = true;
  }

  private liveOrders(): OrderModel[] {
    return [...this.orders.values()].filter((o) => !o.cancelled && this.world.bl.state.orders.has(o.id));
  }

  private ongoingOrderOf(blOrderId: number) {
    return [...this.world.ongoing.state.orders.values()].filter((o) => o.orderNumber === String(blOrderId));
  }

  /** One to four business events. */
  private businessEvents(): void {
    const bl = this.world.bl;
    const events = this.rng.int(1, 4);
    for (let i = 0; i < events; i++) {
      const roll = this.rng();
      const live = this.liveOrders();
      if (roll < 0.35 || live.length === 0) {
        this.addOrder();
      } else if (roll < 0.45) {
        const unconfirmed = live.filter((o) => !bl.state.orders.get(o.id)!.confirmed);
        const target = unconfirmed.length ? this.rng.pick(unconfirmed) : undefined;
        if (target) {
          bl.confirmOrder(target.id);
          this.noteChosen(target.id);
        }
      } else if (roll < 0.6) {
        const target = this.rng.pick(live);
        bl.changeOrderStatus(target.id, this.rng.pick([...CHOSEN, OTHER]));
        this.noteChosen(target.id);
      } else if (roll < 0.7) {
        const target = this.rng.pick(live);
        bl.changeOrderStatus(target.id, CANCELLED);
        target.cancelled = true;
      } else if (roll < 0.8) {
        // The warehouse starts an order: from now on Ongoing refuses changes and cancels of it.
        const open = [...this.world.ongoing.state.orders.values()].filter((o) => o.status < 300);
        if (open.length) this.world.ongoing.setOrderStatus(this.rng.pick(open).orderId, this.rng.pick([300, 400]));
      } else if (roll < 0.9) {
        const id = this.rng.pick(this.products);
        const p = bl.state.products.get(id)!;
        if (this.rng.chance(0.5)) p.name = `${p.name.replace(/ \(zmiana \d+\)$/, '')} (zmiana ${this.rng.int(1, 999)})`;
        else if (p.parent_id === 0) p.weight = this.rng.int(1, 40) / 10;
      } else {
        this.addProduct();
      }
    }
  }

  /** Zero to three faults, waiting for whatever request matches them first. */
  private injectFaults(): void {
    const faults = this.rng.int(0, 3);
    for (let i = 0; i < faults; i++) {
      if (this.rng.chance(0.5)) {
        const kind = this.rng.chance(0.12) ? 'blocked-token' : this.rng.pick(['http500', 'timeout', 'malformed-json'] as const);
        this.world.bl.injectFault({ method: this.rng.pick(BL_METHODS), kind });
        this.tally(`baselinker:${kind}`);
      } else {
        const kind = this.rng.pick(['http429', 'http500', 'timeout', 'malformed-json'] as const);
        this.world.ongoing.injectFault({ route: this.rng.pick(ONGOING_ROUTES), kind, ...(kind === 'http429' && { retryAfterSeconds: 0 }) });
        this.tally(`ongoing:${kind}`);
      }
    }
  }

  private flows(): Array<[FlowName, CatalogueFlow]> {
    const orders = createOrdersFlow({ claimLeaseMs: ORDER_CLAIM_MS, fullScanIntervalMs: this.rng.pick([0, 60_000]) });
    const reconcile = createReconcileFlow({ claimLeaseMs: ORDER_CLAIM_MS, deletionChecksPerRun: 5 });
    return [
      ['articles', articlesFlow],
      ['orders', orders],
      ['orders', orders],
      ['reconcile', reconcile],
      ['tracking', trackingFlow],
    ];
  }

  private crashPlan(name: FlowName): CrashPlan | undefined {
    // Tracking claims a shipment for a fixed 5 minutes: a crash there would outlast the seed, so none.
    if (name === 'tracking' || !this.rng.chance(0.15)) return undefined;
    const plan: CrashPlan = { atWrite: this.rng.int(1, 12), mode: this.rng.chance(0.5) ? 'once' : 'dead' };
    this.tally(`crash:${plan.mode}`);
    return plan;
  }

  private async runOne(): Promise<void> {
    const [name, flow] = this.rng.pick(this.flows());
    const short = this.rng.chance(0.15);
    if (short) this.tally('deadline');
    await this.run(name, flow, { deadlineMs: short ? this.rng.int(0, 120) : undefined, crash: this.crashPlan(name) });
  }

  private async send(): Promise<void> {
    const candidates = [...this.world.ongoing.state.orders.values()].filter((o) => {
      const model = this.orders.get(Number(o.orderNumber));
      return o.status < 1000 && model && !model.cancelled && this.world.bl.state.orders.has(model.id);
    });
    if (candidates.length === 0) return;
    const order = this.rng.pick(candidates);
    this.orders.get(Number(order.orderNumber))!.pressed = true;
    this.figures.sends++;
    if (this.rng.chance(0.15)) {
      this.webhookCrash = { atWrite: this.rng.int(1, 8), mode: this.rng.chance(0.5) ? 'once' : 'dead' };
      this.tally(`crash:${this.webhookCrash.mode}`);
    }
    const roll = this.rng();
    if (roll < 0.2) {
      this.tally('concurrent-send');
      this.webhookAnswers.push(...(await Promise.all([this.world.ongoing.pressSend(order.orderId), this.world.ongoing.pressSend(order.orderId)])));
    } else if (roll < 0.35) {
      this.tally('concurrent-send');
      const first = this.world.ongoing.pressSend(order.orderId);
      await sleep(this.rng.int(0, 15));
      this.webhookAnswers.push(...(await Promise.all([first, this.world.ongoing.redeliverWebhook()])));
    } else {
      this.webhookAnswers.push(await this.world.ongoing.pressSend(order.orderId));
    }
  }

  async cycle(): Promise<void> {
    this.figures.cycles++;
    this.businessEvents();
    this.injectFaults();
    const roll = this.rng();
    if (roll < 0.45) {
      await this.runOne();
    } else if (roll < 0.55) {
      this.tally('concurrent-runs');
      const flows = this.flows();
      const [a, b] = this.rng.chance(0.5) ? [flows[1]!, flows[1]!] : [flows[1]!, flows[3]!];
      await Promise.all([this.run(a[0], a[1]), this.run(b[0], b[1])]);
    } else if (roll < 0.85) {
      // The orders reach Ongoing before the warehouse can press Send on them.
      if (this.rng.chance(0.5)) await this.run('orders', this.flows()[1]![1]);
      await this.send();
    } else {
      this.tally('send-during-run');
      await Promise.all([this.runOne(), this.send()]);
    }
  }

  // ---------------------------------------------------------------- the final clean pass and the checks

  async finalPass(): Promise<void> {
    this.world.bl.clearFaults();
    this.world.ongoing.clearFaults();
    // Let crashed runs' claims and leases lapse, and any webhook still working finish.
    await sleep(Math.max(ORDER_CLAIM_MS, SHIPMENT_LEASE_MS) + 100);
    const orders = createOrdersFlow({ claimLeaseMs: ORDER_CLAIM_MS, fullScanIntervalMs: 0 });
    const sequence: Array<[FlowName, CatalogueFlow]> = [
      ['articles', articlesFlow],
      ['orders', orders],
      ['reconcile', createReconcileFlow({ claimLeaseMs: ORDER_CLAIM_MS })],
      ['orders', orders],
      ['tracking', trackingFlow],
      ['tracking', trackingFlow],
    ];
    await this.redeliverFailedWebhooks();
    for (const [name, flow] of sequence) {
      let report = await this.run(name, flow);
      // A walk interrupted earlier may need another run to finish its pass.
      for (let again = 0; again < 3 && report.outcome === 'partial'; again++) report = await this.run(name, flow);
      // A resumed pass does not revisit the products before its checkpoint: one fresh pass sees them all.
      if (name === 'articles' && report.outcome === 'ok' && report.result?.counts?.resumed) report = await this.run(name, flow);
      if (report.outcome !== 'ok') this.problem(`final clean ${name} run ended ${report.outcome}: ${report.error ?? report.result?.message ?? ''}`);
    }
  }

  /**
   * Ongoing retries a webhook delivery that got no 2xx (for up to a day): deliver again every event whose
   * latest delivery failed, as its retry would.
   */
  private async redeliverFailedWebhooks(): Promise<void> {
    const latest = new Map<number, number>();
    for (const d of this.world.ongoing.webhookDeliveries) latest.set(d.webhookEventId, d.status);
    for (const [eventId, status] of latest) {
      if (status >= 200 && status < 300) continue;
      this.tally('webhook-retry');
      const again = await this.world.ongoing.redeliverWebhook(eventId);
      if (again < 200 || again >= 500) this.problem(`webhook event ${eventId} failed with ${status} and again with ${again} on Ongoing's retry`);
    }
  }

  async check(): Promise<void> {
    const bl = this.world.bl;
    const ongoing = this.world.ongoing;
    const { state } = this.services(this.tenant, undefined);
    const ongoingOrders = [...ongoing.state.orders.values()].filter((o) => o.goodsOwnerId === this.tenant.ongoing.goodsOwnerId);

    // No order twice.
    const byNumber = new Map<string, number>();
    for (const o of ongoingOrders) byNumber.set(o.orderNumber, (byNumber.get(o.orderNumber) ?? 0) + 1);
    for (const [number, n] of byNumber) {
      if (n > 1) {
        this.figures.duplicates++;
        this.problem(`order ${number} is in Ongoing ${n} times`);
      }
    }

    const cancelAsides = new Set((await state.inbox.list({ kind: 'cancel' })).map((i) => i.sourceId));
    for (const [id, model] of this.orders) {
      const order = bl.state.orders.get(id);
      const inOngoing = this.ongoingOrderOf(id);
      const chosenNow = order && order.confirmed && (CHOSEN as readonly number[]).includes(order.order_status_id);
      // Every order in a chosen status is in Ongoing, exactly once, and not cancelled there.
      if (chosenNow) {
        if (inOngoing.length === 0) {
          this.figures.losses++;
          this.problem(`order ${id} is in chosen status ${order.order_status_id} but not in Ongoing`);
        } else if (inOngoing[0]!.status === 1000) {
          this.figures.losses++;
          this.problem(`order ${id} is in chosen status ${order.order_status_id} but cancelled in Ongoing`);
        }
      }
      if (inOngoing.length > 0 && !model.everChosen) this.problem(`order ${id} reached Ongoing without ever being in a chosen status while confirmed`);
      // A cancelled order is cancelled in Ongoing, or set aside for a person when the warehouse had started it.
      if (model.cancelled && inOngoing.length > 0 && inOngoing[0]!.status !== 1000 && !cancelAsides.has(String(id))) {
        const record = await state.orders.get(id);
        this.problem(
          `order ${id} was cancelled in BaseLinker but is open in Ongoing (status ${inOngoing[0]!.status}) and not set aside; our record: ${record?.status ?? 'none'}, BaseLinker status now ${order?.order_status_id}, journal ${bl.state.journal.filter((e) => e.order_id === id).map((e) => `${e.log_type}:${e.object_id}`).join(" ")}`,
        );
      }
      // No order with two packages; every order pressed is shipped once, with its label and tracking.
      const packages = [...bl.state.packages.values()].filter((p) => p.order_id === id);
      if (packages.length > 1) {
        this.figures.duplicates++;
        this.problem(`order ${id} has ${packages.length} packages`);
      }
      if (model.pressed && inOngoing[0]) {
        const ongoingOrder = inOngoing[0];
        const record = await state.shipments.get(ongoingOrder.orderId);
        const files = [...ongoing.state.files.values()].filter((f) => f.orderId === ongoingOrder.orderId);
        if (model.cancelled && packages.length === 0 && record?.status === 'failed' && /is cancelled/.test(record.lastError ?? '')) {
          // Cancelled in BaseLinker before its package was booked: refused, for a person.
        } else if (packages.length !== 1 || record?.status !== 'done') {
          this.figures.losses++;
          this.problem(`order ${id} (Ongoing ${ongoingOrder.orderId}) was sent but has ${packages.length} package(s), shipment record ${record?.status ?? 'none'}: ${record?.lastError ?? ''}`);
        } else {
          if (files.length !== 1) this.problem(`order ${id} has ${files.length} label files in Ongoing`);
          if (ongoingOrder.wayBill !== packages[0]!.package_number) this.problem(`order ${id}: Ongoing waybill ${ongoingOrder.wayBill} is not the package's ${packages[0]!.package_number}`);
        }
      }
    }

    // Every article current: what the final catalog maps to is what Ongoing holds.
    const client = this.services(this.tenant, undefined).baselinker;
    const mains = [...bl.state.products.values()].filter((p) => p.parent_id === 0).map((p) => p.id);
    const data = await client.getInventoryProductsDataChecked({ inventory_id: INVENTORY, products: mains });
    for (const product of data.products) {
      for (const outcome of mapProduct(product, { lengthUnit: this.tenant.articles.lengthUnit })) {
        if (!outcome.ok) {
          this.problem(`catalog product ${product.id} does not map: ${outcome.reason}`);
          continue;
        }
        const article = [...ongoing.state.articles.values()].find((a) => a.articleNumber === outcome.sku);
        if (!article) {
          this.figures.losses++;
          this.problem(`article ${outcome.sku} is missing in Ongoing`);
        } else if (JSON.stringify(pick(article.data, outcome.article)) !== JSON.stringify(outcome.article)) {
          this.problem(`article ${outcome.sku} is stale in Ongoing: ${JSON.stringify(article.data)} vs ${JSON.stringify(outcome.article)}`);
        }
      }
    }

    // Our own requests never got the token blocked.
    this.figures.blocks = bl.blockedCount;
    if (bl.blockedCount > 0) this.problem(`BaseLinker blocked the token ${bl.blockedCount} time(s) for our own requests`);
    this.figures.peakWindow = peakWindow(bl.requests.map((r) => r.at), SIM_RATE_LIMIT.windowMs);
    const crashedWebhook = this.webhookAnswers.filter((s) => s === 0);
    if (crashedWebhook.length) this.problem(`${crashedWebhook.length} webhook deliveries got no HTTP answer`);
  }
}

/** The fields of `have` named in `like`, in `like`'s key order (to compare what was sent). */
function pick(have: Record<string, unknown>, like: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(like).map((k) => [k, have[k]]));
}

/** Most timestamps in any window of `windowMs` (a sliding window, as the simulator counts). */
export function peakWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let peak = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= windowMs) start++;
    peak = Math.max(peak, end - start + 1);
  }
  return peak;
}
