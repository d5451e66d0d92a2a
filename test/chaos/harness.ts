import type { TenantConfig } from '../../shared/config';
import type { FlowName } from '../../shared/flows/catalogue';
import { runFlow, type TenantRunReport } from '../../shared/flows/runner';
import type { TenantServices } from '../../shared/flows/context';
import { createShipmentWebhookHandler } from '../../shared/webhook';
import { startApiGateway, type LocalApiGateway } from '../../infra/local/api-gateway';
import { WRITE_METHODS } from '../../infra/simulators/baselinker/methods';
import { testDocumentClient, testS3Client } from '../support/emulators';
import { startWorld, TEST_WEBHOOK_SECRET, type World } from '../support/world';
import { checkSeed, emptyCheckFigures, stockProblems, type CheckFigures } from './checks';
import { crashingState, type CrashPlan } from './crashing-state';
import { WorkerPool, WorkerProcess, type RunAnswer } from './processes';
import type { Rng } from './prng';
import {
  buildFlow,
  chaosServices,
  LEASE_GRACE_MS,
  LONGEST_HOLD_MS,
  ORDER_CLAIM_MS,
  RUN_DEADLINE_MS,
  SHIPMENT_LEASE_MS,
  SIM_RATE_LIMIT,
  TRACKING_CLAIM_MS,
  type FlowSpec,
  type Wiring,
} from './wiring';
import { WEBHOOK_ROUTE } from './worker';

/**
 * One chaos seed: a fresh world (both simulators, a fresh table and bucket), the test process and two worker
 * processes (worker.ts: each runs flows and serves the Send webhook, all on one BaseLinker token and the shared
 * DynamoDB budget), a few catalog products, then cycles of business events, injected faults and flow runs or
 * Send presses, all chosen by the seed's PRNG. Faults: errors before a request takes effect, "applied, answer
 * lost" on every write of both services, a token block (every seed), worker processes killed with SIGKILL
 * mid-call and frozen with SIGSTOP past their claims while another worker acts. After a final clean pass the
 * invariants (checks.ts) are checked against the simulators' state and every problem is returned as a line.
 */

export const CHOSEN = [5501, 5502] as const;
export const OTHER = 5503;
export const SENT = 5504;
export const CANCELLED = 5505;
export const INVENTORY = 1;
export const WAREHOUSE_ID = 77;
export const WAREHOUSE_KEY = `bl_${WAREHOUSE_ID}`;
const HEADER = 'X-Webhook-Secret';
/** The worker processes besides the test process: three processes on one token. */
const WORKERS = 2;

export type FaultTally = Record<string, number>;

export interface SeedFigures extends CheckFigures {
  seed: number;
  cycles: number;
  flowRuns: number;
  sends: number;
  /** Faults and stress events planned, by kind. */
  faults: FaultTally;
  /** Faults that met a request (or a process), by kind. */
  fired: FaultTally;
  /** Of those, the ones whose request took effect in the service (a write applied, an answer lost). */
  withSideEffect: FaultTally;
  /** Worker processes started for the seed (a killed one is replaced by a new one). */
  processes: number;
  /** Stock levels checked right after a stock run (besides the check after the final pass). */
  stockChecksMidway: number;
  /** Of the levels checked right after a delta stock run, those BaseLinker had moved itself since our write (drift the full sweep puts right). */
  stockAwaitingSweep: number;
}

export interface OrderModel {
  id: number;
  /** In a chosen status while confirmed, at some point a flow could have seen. */
  everChosen: boolean;
  cancelled: boolean;
  pressed: boolean;
  /** When Send was first pressed, and when the seller last moved the order's status (epoch ms). */
  pressedAt?: number;
  statusChangedAt?: number;
}

/** A flow run as the checker needs it: when, what, how it ended. */
export interface RunRecord {
  flow: FlowName;
  where: string;
  startedAt: number;
  endedAt: number;
  outcome: TenantRunReport['outcome'] | 'killed' | 'error';
  /** The run's process was frozen during it (what it thought answered may have timed out after the thaw). */
  frozen?: boolean;
}

const BL_METHODS = ['getOrders', 'getJournalList', 'getInventoryProductsList', 'getInventoryProductsData', 'createPackage', 'getLabel', 'getOrderPackages', 'setOrderStatus', 'updateInventoryProductsStock', undefined];
const ONGOING_ROUTES = ['PUT /orders', 'GET /orders', 'PUT /articles', 'GET /articles', 'GET /orders/{orderId}', 'DELETE /orders/{orderId}', 'PUT /orders/{orderId}/files', 'PUT /orders/{orderId}/orderTracking', undefined];
/** The writes an "applied, answer lost" fault is aimed at (undefined: whichever write comes next). */
const BL_WRITES = ['createPackage', 'setOrderStatus', 'updateInventoryProductsStock', undefined];
const ONGOING_WRITES = ['PUT /orders', 'DELETE /orders/{orderId}', 'PUT /orders/{orderId}/files', 'PUT /orders/{orderId}/orderTracking', 'PATCH /orders/{orderId}/waybill', 'PUT /articles', undefined];

/** Extra rounds of runs the token block may take to meet a request (one is nearly always enough). */
const BLOCK_ROUNDS = 4;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Where a run or a webhook delivery goes: the test process itself, or a worker. */
type Place = 'test' | WorkerProcess;

/** A request as both simulators report it to the seed when it arrives. */
interface Arrival {
  system: 'baselinker' | 'ongoing';
  name: string;
  write: boolean;
}

/** Ends (kill) or pauses (freeze) one worker at the n-th request that arrives while it is armed. */
interface Trap {
  action: 'kill' | 'freeze';
  target: WorkerProcess;
  writesOnly: boolean;
  at: number;
  seen: number;
  fired?: Arrival;
  /** Resolves when the trap fires. */
  sprung: Promise<Arrival>;
  spring: (a: Arrival) => void;
}

export class ChaosSeed {
  readonly figures: SeedFigures;
  /** The simulators and stores of this seed (public for the checker's own test). */
  world!: World;
  readonly orders = new Map<number, OrderModel>();
  readonly runs: RunRecord[] = [];
  private gateway!: LocalApiGateway;
  private tenant!: TenantConfig;
  private wiring!: Wiring;
  private readonly clients = { dynamo: testDocumentClient(), s3: testS3Client() };
  private readonly products: number[] = [];
  private workers: WorkerProcess[] = [];
  /** The state-error plan the next webhook delivery to the test process runs under. */
  private webhookCrash: CrashPlan | undefined;
  /** Webhook answers of deliveries whose process was not killed or frozen on purpose. */
  private readonly webhookAnswers: number[] = [];
  private trap: Trap | undefined;
  private lastKillAt = 0;
  private readonly freezes: Array<{ where: string; from: number; to: number }> = [];
  private plan = { block: -1, kill: -1, freeze: -1 };

  constructor(
    readonly seed: number,
    private readonly rng: Rng,
    /** Worker processes to use; without one the seed runs in the test process only. */
    private readonly pool?: WorkerPool,
  ) {
    this.figures = {
      seed,
      cycles: 0,
      flowRuns: 0,
      sends: 0,
      faults: {},
      fired: {},
      withSideEffect: {},
      processes: 0,
      stockChecksMidway: 0,
      stockAwaitingSweep: 0,
      ...emptyCheckFigures(),
    };
  }

  tally(kind: string, into: FaultTally = this.figures.faults): void {
    into[kind] = (into[kind] ?? 0) + 1;
  }

  problem(line: string): void {
    this.figures.problems.push(line);
  }

  // ---------------------------------------------------------------- wiring

  /** `cycles`: how many cycles will follow (so the planned token block, kill and freeze fall inside them). */
  async start(cycles = 10): Promise<void> {
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
        stock: { enabled: true, warehouseKey: WAREHOUSE_KEY, safetyBuffer: this.rng.pick([0, 0, 1]) },
      },
      baselinker: {
        rateLimit: SIM_RATE_LIMIT,
        ...(this.rng.chance(0.35) && { trackingNumberLater: { afterPolls: this.rng.int(1, 2) } }),
      },
    });
    this.tenant = this.world.tenant;
    this.wiring = { tableName: this.world.tableName, labelsBucket: this.world.labelsBucket };
    const handler = createShipmentWebhookHandler({
      tenants: async () => [this.tenant],
      services: (tenant, o) => {
        const plan = this.webhookCrash;
        this.webhookCrash = undefined;
        return this.services(tenant, { maxBudgetWaitMs: o.maxBudgetWaitMs, priority: o.priority }, plan);
      },
      budgetMs: 8_000,
      leaseMs: SHIPMENT_LEASE_MS,
      pollMs: 20,
    });
    this.gateway = await startApiGateway({ routes: [{ method: 'POST', resource: WEBHOOK_ROUTE, handler }] });
    this.world.ongoing.settings.webhook = { url: this.webhookUrl('test'), headerName: HEADER, headerValue: TEST_WEBHOOK_SECRET };
    this.world.bl.onRequest = (r) => this.arrived({ system: 'baselinker', name: r.method, write: WRITE_METHODS.has(r.method) });
    this.world.ongoing.onRequest = (r) => this.arrived({ system: 'ongoing', name: r.route, write: r.method !== 'GET' });

    if (this.pool) {
      const before = this.pool.started;
      this.workers = await this.pool.take(WORKERS, this.tenant, this.wiring, (line) => this.problem(line));
      this.figures.processes += this.pool.started - before;
    }

    const bl = this.world.bl;
    bl.addInventory({ inventory_id: INVENTORY });
    bl.addWarehouse({ inventoryId: INVENTORY, warehouse_id: WAREHOUSE_ID });
    const count = this.rng.int(3, 6);
    for (let i = 0; i < count; i++) this.addProduct();
    // A tenant's day one: the catalog is in Ongoing, with stock, before the chaos starts.
    await this.run('test', { name: 'articles' });
    for (const article of this.ongoingArticles()) if (this.rng.chance(0.7)) this.world.ongoing.setStock(article.goodsOwnerId, article.articleNumber, this.rng.int(0, 20));

    // Every seed: one token block, one worker killed mid-call, one frozen past its claims.
    const slots = Array.from({ length: cycles }, (_, i) => i);
    const take = () => slots.splice(this.rng.int(0, slots.length - 1), 1)[0] ?? -1;
    this.plan = { block: take(), kill: take(), freeze: take() };
  }

  async close(): Promise<void> {
    if (this.world) {
      this.world.bl.onRequest = undefined;
      this.world.ongoing.onRequest = undefined;
      this.world.bl.clearFaults();
      this.world.ongoing.clearFaults();
    }
    this.pool?.give(this.workers);
    await this.gateway?.close();
    await this.world?.close();
  }

  /** A killed worker's place is taken by the pool's spare (started ahead, so the seed does not wait). */
  private async replace(dead: WorkerProcess): Promise<void> {
    const before = this.pool!.started;
    const next = await this.pool!.replace(this.tenant, this.wiring, (line) => this.problem(line));
    this.figures.processes += this.pool!.started - before;
    this.workers = this.workers.map((w) => (w === dead ? next : w));
  }

  private webhookUrl(place: Place): string {
    return place === 'test' ? `${this.gateway.url}${WEBHOOK_ROUTE}` : place.webhookUrl;
  }

  /** The test process's services: the same wiring as a worker's, optionally failing state writes per `crash`. */
  services(tenant: TenantConfig, options: { maxBudgetWaitMs?: number; priority?: 'bulk' | 'interactive' } = {}, crash?: CrashPlan): TenantServices {
    const services = chaosServices(tenant, this.wiring, this.clients, options);
    return crash ? { ...services, state: crashingState(services.state, crash).state } : services;
  }

  /** One run of one flow, in the test process or a worker; recorded for the checker. */
  async run(place: Place, spec: FlowSpec, options: { deadlineMs?: number; crash?: CrashPlan; leaseGraceMs?: number } = {}): Promise<RunAnswer> {
    this.figures.flowRuns++;
    const startedAt = Date.now();
    const deadlineMs = options.deadlineMs ?? RUN_DEADLINE_MS;
    let answer: RunAnswer;
    if (place === 'test') {
      const [report] = await runFlow(spec.name, buildFlow(spec), {
        tenants: [this.tenant],
        runtime: this.wiring,
        deadline: Date.now() + deadlineMs,
        leaseGraceMs: options.leaseGraceMs ?? LEASE_GRACE_MS,
        metrics: this.world.metrics,
        services: (t, _runtime, o) => this.services(t, { maxBudgetWaitMs: o?.maxBudgetWaitMs }, options.crash),
      });
      answer = { kind: 'report', report: report! };
    } else {
      answer = await place.run(spec, deadlineMs);
    }
    const outcome = answer.kind === 'report' ? answer.report.outcome : answer.kind;
    if (answer.kind === 'error') this.problem(`a ${spec.name} run in worker ${place === 'test' ? 'test' : place.pid} threw: ${answer.message}`);
    const where = place === 'test' ? 'test' : String(place.pid);
    const endedAt = Date.now();
    const frozen = this.freezes.some((f) => f.where === where && f.from <= endedAt && f.to >= startedAt);
    this.runs.push({ flow: spec.name, where, startedAt, endedAt, outcome, frozen });
    return answer;
  }

  // ---------------------------------------------------------------- kill and freeze triggers

  private arrived(a: Arrival): void {
    const trap = this.trap;
    if (!trap || trap.fired || (trap.writesOnly && !a.write)) return;
    if (++trap.seen < trap.at) return;
    trap.fired = a;
    if (trap.action === 'kill') trap.target.kill();
    else trap.target.freeze();
    trap.spring(a);
  }

  private arm(action: Trap['action'], target: WorkerProcess): Trap {
    let spring!: (a: Arrival) => void;
    const sprung = new Promise<Arrival>((resolve) => (spring = resolve));
    const writesOnly = this.rng.chance(0.6);
    const trap: Trap = { action, target, writesOnly, at: writesOnly ? this.rng.int(1, 2) : this.rng.int(1, 6), seen: 0, sprung, spring };
    this.trap = trap;
    return trap;
  }

  private firedTally(trap: Trap): void {
    const a = trap.fired!;
    const kind = `${trap.action}:${a.write ? 'at-write' : 'at-read'}`;
    this.tally(kind, this.figures.fired);
    // A request that reached the service is processed whatever became of its caller.
    if (a.write) this.tally(kind, this.figures.withSideEffect);
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

  ongoingArticles() {
    return [...this.world.ongoing.state.articles.values()].filter((a) => a.goodsOwnerId === this.tenant.ongoing.goodsOwnerId);
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

  /** Marks an order as sent by the warehouse (public for the checker's own test). */
  pressed(blOrderId: number): void {
    const model = this.orders.get(blOrderId)!;
    model.pressed = true;
    model.pressedAt ??= Date.now();
  }

  private sellerMoves(model: OrderModel, status: number): void {
    this.world.bl.changeOrderStatus(model.id, status);
    model.statusChangedAt = Date.now();
  }

  private liveOrders(): OrderModel[] {
    return [...this.orders.values()].filter((o) => !o.cancelled && this.world.bl.state.orders.has(o.id));
  }

  /** One to four business events. */
  private businessEvents(): void {
    const bl = this.world.bl;
    const events = this.rng.int(1, 4);
    for (let i = 0; i < events; i++) {
      const roll = this.rng();
      const live = this.liveOrders();
      if (roll < 0.3 || live.length === 0) {
        this.addOrder();
      } else if (roll < 0.38) {
        const unconfirmed = live.filter((o) => !bl.state.orders.get(o.id)!.confirmed);
        const target = unconfirmed.length ? this.rng.pick(unconfirmed) : undefined;
        if (target) {
          bl.confirmOrder(target.id);
          this.noteChosen(target.id);
        }
      } else if (roll < 0.5) {
        const target = this.rng.pick(live);
        this.sellerMoves(target, this.rng.pick([...CHOSEN, OTHER]));
        this.noteChosen(target.id);
      } else if (roll < 0.58) {
        const target = this.rng.pick(live);
        this.sellerMoves(target, CANCELLED);
        target.cancelled = true;
      } else if (roll < 0.68) {
        // The warehouse starts an order: from now on Ongoing refuses changes and cancels of it (400 picks it: stock out).
        const open = [...this.world.ongoing.state.orders.values()].filter((o) => o.status < 300);
        if (open.length) this.world.ongoing.setOrderStatus(this.rng.pick(open).orderId, this.rng.pick([300, 400]));
      } else if (roll < 0.8) {
        // A goods receipt or a stock count in the warehouse.
        const articles = this.ongoingArticles();
        if (articles.length) {
          const a = this.rng.pick(articles);
          this.world.ongoing.setStock(a.goodsOwnerId, a.articleNumber, this.rng.int(0, 25));
        }
      } else if (roll < 0.92) {
        const id = this.rng.pick(this.products);
        const p = bl.state.products.get(id)!;
        if (this.rng.chance(0.5)) p.name = `${p.name.replace(/ \(zmiana \d+\)$/, '')} (zmiana ${this.rng.int(1, 999)})`;
        else if (p.parent_id === 0) p.weight = this.rng.int(1, 40) / 10;
      } else {
        this.addProduct();
      }
    }
  }

  /** Zero to four faults, each waiting for whatever request matches it first. */
  private injectFaults(): void {
    const faults = this.rng.int(0, 4);
    for (let i = 0; i < faults; i++) {
      const roll = this.rng();
      if (roll < 0.35) {
        // The write happens; its answer never arrives.
        if (this.rng.chance(0.5)) {
          this.world.bl.injectFault({ method: this.rng.pick(BL_WRITES), kind: 'answer-lost' });
          this.tally('baselinker:answer-lost');
        } else {
          this.world.ongoing.injectFault({ route: this.rng.pick(ONGOING_WRITES), kind: 'answer-lost' });
          this.tally('ongoing:answer-lost');
        }
      } else if (roll < 0.65) {
        const kind = this.rng.pick(['http500', 'timeout', 'malformed-json'] as const);
        this.world.bl.injectFault({ method: this.rng.pick(BL_METHODS), kind });
        this.tally(`baselinker:${kind}`);
      } else {
        const kind = this.rng.pick(['http429', 'http500', 'timeout', 'malformed-json'] as const);
        this.world.ongoing.injectFault({ route: this.rng.pick(ONGOING_ROUTES), kind, ...(kind === 'http429' && { retryAfterSeconds: 0 }) });
        this.tally(`ongoing:${kind}`);
      }
    }
  }

  private flowSpec(name?: FlowName): FlowSpec {
    const chosen = name ?? this.rng.pick(['articles', 'orders', 'orders', 'reconcile', 'tracking', 'stock'] as const);
    if (chosen === 'orders') return { name: chosen, fullScanIntervalMs: this.rng.pick([0, 60_000]) };
    if (chosen === 'reconcile') return { name: chosen, deletionChecksPerRun: 5 };
    return { name: chosen };
  }

  private place(): Place {
    return this.workers.length && this.rng.chance(0.6) ? this.rng.pick(this.workers) : 'test';
  }

  /** A passing DynamoDB error at one state write of a run in the test process (the run fails; its finally runs). */
  private statePlan(place: Place): CrashPlan | undefined {
    if (place !== 'test' || !this.rng.chance(0.12)) return undefined;
    this.tally('state-write-error');
    return { atWrite: this.rng.int(1, 12), mode: 'once' };
  }

  /**
   * One run of a flow alone. A stock run that ends ok is checked on the spot: nothing else changed the levels
   * meanwhile. After a delta run, drift BaseLinker made itself (its order takes) waits for the full sweep.
   */
  private async runOne(alone = true): Promise<void> {
    const place = this.place();
    const short = this.rng.chance(0.12);
    if (short) this.tally('deadline');
    const spec = this.flowSpec();
    const answer = await this.run(place, spec, { deadlineMs: short ? this.rng.int(0, 120) : undefined, crash: this.statePlan(place) });
    if (alone && spec.name === 'stock' && answer.kind === 'report' && answer.report.outcome === 'ok') {
      const { state } = this.services(this.tenant);
      const afterDelta = answer.report.result?.counts?.fullSweep !== 1;
      const found = await stockProblems(
        { bl: this.world.bl, ongoing: this.world.ongoing, tenant: this.tenant, state, runs: this.runs, warehouseKey: WAREHOUSE_KEY },
        `right after an ok ${afterDelta ? 'delta' : 'full'} stock run (cycle ${this.figures.cycles})`,
        { afterDelta },
      );
      this.figures.stockChecksMidway++;
      this.figures.stockAwaitingSweep += found.awaitingSweep;
      for (const line of found.wrong) {
        this.figures.wrongStock++;
        this.problem(line);
      }
    }
  }

  /**
   * BaseLinker blocks the token at the next request, whichever process sends it, while three are busy. A round
   * of runs may send BaseLinker nothing (each run standing down for the lease of a run killed earlier, or
   * earlier faults taking every request it made), so rounds go on until the block has met a request.
   */
  private async blockedWhileThreeWork(): Promise<void> {
    this.world.bl.injectFault({ kind: 'blocked-token' });
    this.tally('baselinker:blocked-token');
    const met = () => this.world.bl.requests.some((r) => r.outcome === 'fault:blocked-token');
    await this.concurrentRuns();
    for (let round = 0; round < BLOCK_ROUNDS && !met(); round++) {
      // A killed run's lease lapses first; the orders flow always asks BaseLinker, and so do articles and stock.
      await sleep(Math.max(0, this.lastKillAt + LONGEST_HOLD_MS + 100 - Date.now()));
      const flows = ['orders', 'articles', 'stock'] as const;
      await Promise.all((['test', ...this.workers] as Place[]).map((p, i) => this.run(p, this.flowSpec(flows[i % flows.length]))));
    }
  }

  /** Runs in three processes at once (the test process and both workers), all on one token. */
  private async concurrentRuns(): Promise<void> {
    this.tally('three-processes-at-once');
    const places: Place[] = ['test', ...this.workers];
    const same = this.rng.chance(0.4) ? this.flowSpec('orders') : undefined;
    await Promise.all(places.map((p) => this.run(p, same ?? this.flowSpec())));
  }

  private sendCandidates() {
    return [...this.world.ongoing.state.orders.values()].filter((o) => {
      const model = this.orders.get(Number(o.orderNumber));
      return o.status < 1000 && model && !model.cancelled && this.world.bl.state.orders.has(model.id);
    });
  }

  /** Points Ongoing's webhook at a process and delivers (a new press, or an earlier event again). */
  private deliver(place: Place, orderId: number | undefined): Promise<number> {
    this.world.ongoing.settings.webhook!.url = this.webhookUrl(place);
    return orderId !== undefined ? this.world.ongoing.pressSend(orderId) : this.world.ongoing.redeliverWebhook();
  }

  private async send(): Promise<void> {
    const candidates = this.sendCandidates();
    if (candidates.length === 0) return;
    const order = this.rng.pick(candidates);
    this.pressed(Number(order.orderNumber));
    this.figures.sends++;
    const first = this.place();
    if (first === 'test' && this.rng.chance(0.12)) {
      this.webhookCrash = { atWrite: this.rng.int(1, 8), mode: 'once' };
      this.tally('state-write-error');
    }
    const roll = this.rng();
    if (roll < 0.2) {
      this.tally('concurrent-send');
      this.webhookAnswers.push(...(await Promise.all([this.deliver(first, order.orderId), this.deliver(this.place(), undefined)])));
    } else if (roll < 0.35) {
      this.tally('concurrent-send');
      const pressed = this.deliver(first, order.orderId);
      await sleep(this.rng.int(0, 15));
      this.webhookAnswers.push(...(await Promise.all([pressed, this.deliver(this.place(), undefined)])));
    } else {
      this.webhookAnswers.push(await this.deliver(first, order.orderId));
    }
  }

  /** A worker ended with SIGKILL at the n-th request of a run or a Send it is serving: no finally, nothing released. */
  private async killed(): Promise<void> {
    if (!this.workers.length) return;
    const target = this.rng.pick(this.workers);
    const candidates = this.sendCandidates();
    const viaSend = candidates.length > 0 && this.rng.chance(0.35);
    const trap = this.arm('kill', target);
    let what: string;
    if (viaSend) {
      const order = this.rng.pick(candidates);
      this.pressed(Number(order.orderNumber));
      this.figures.sends++;
      what = 'send';
      const status = await this.deliver(target, order.orderId);
      if (!trap.fired) this.webhookAnswers.push(status);
    } else {
      const spec = this.flowSpec();
      what = spec.name;
      await this.run(target, spec);
    }
    this.trap = undefined;
    this.tally(`kill:${what}`);
    if (trap.fired) {
      this.firedTally(trap);
      this.lastKillAt = Date.now();
      await target.exited;
      await this.replace(target);
    }
  }

  /**
   * A worker paused (SIGSTOP) at the n-th request of a run or a Send, held past its claims' expiry (sometimes
   * past its run lease too) while another worker does the same work, then thawed (SIGCONT) to carry on with
   * what it held, now stale.
   */
  private async frozen(): Promise<void> {
    if (!this.workers.length) return;
    const target = this.rng.pick(this.workers);
    const candidates = this.sendCandidates();
    const viaSend = candidates.length > 0 && this.rng.chance(0.35);
    const trap = this.arm('freeze', target);
    let work: Promise<unknown>;
    let other: () => Promise<unknown>;
    let what: string;
    if (viaSend) {
      const order = this.rng.pick(candidates);
      this.pressed(Number(order.orderNumber));
      this.figures.sends++;
      what = 'send';
      work = this.deliver(target, order.orderId).then((status) => this.webhookAnswers.push(status));
      // Ongoing's retry of the same event reaching another instance, or the tracking run taking the shipment over.
      other = this.rng.chance(0.5) ? () => this.deliver('test', undefined).then((s) => this.webhookAnswers.push(s)) : () => this.run('test', this.flowSpec('tracking'));
    } else {
      const spec = this.flowSpec(this.rng.pick(['orders', 'reconcile', 'tracking', 'stock'] as const));
      what = spec.name;
      work = this.run(target, spec);
      const rival = spec.name === 'orders' ? this.rng.pick(['reconcile', 'orders'] as const) : spec.name === 'reconcile' ? 'orders' : spec.name;
      other = () => this.run('test', this.flowSpec(rival));
    }
    this.tally(`freeze:${what}`);
    const fired = await Promise.race([trap.sprung.then(() => true), work.then(() => false)]);
    this.trap = undefined;
    if (!fired) return;
    this.firedTally(trap);
    const frozenAt = Date.now();
    // Past every claim; "long" also past the frozen run's lease, so a second run of the same flow may start.
    const long = this.rng.chance(0.35);
    const holdMs = long ? RUN_DEADLINE_MS + LEASE_GRACE_MS + 200 : Math.max(ORDER_CLAIM_MS, SHIPMENT_LEASE_MS, TRACKING_CLAIM_MS) + 150;
    if (long) this.tally('freeze:past-run-lease');
    const claimsLapsed = Math.max(ORDER_CLAIM_MS, SHIPMENT_LEASE_MS, TRACKING_CLAIM_MS) + 50;
    await sleep(Math.min(claimsLapsed, holdMs));
    const rival = other();
    await sleep(Math.max(0, holdMs - claimsLapsed));
    target.thaw();
    this.freezes.push({ where: String(target.pid), from: frozenAt, to: Date.now() });
    await Promise.all([rival, work]);
  }

  async cycle(): Promise<void> {
    const t0 = Date.now();
    try {
      await this.cycleNow();
    } finally {
      if (process.env.CHAOS_DEBUG) console.log(`cycle ${this.figures.cycles} ${this.lastAction} ${Date.now() - t0} ms`);
    }
  }

  private lastAction = '';

  private async cycleNow(): Promise<void> {
    const index = this.figures.cycles++;
    this.businessEvents();
    this.injectFaults();
    if (index === this.plan.block) return this.blockedWhileThreeWork();
    if (index === this.plan.kill) return this.killed();
    if (index === this.plan.freeze) return this.frozen();
    const roll = this.rng();
    this.lastAction = roll < 0.32 ? 'one' : roll < 0.44 ? 'three' : roll < 0.7 ? 'send' : roll < 0.8 ? 'send+run' : roll < 0.9 ? 'kill' : 'freeze';
    if (roll < 0.32) {
      await this.runOne();
    } else if (roll < 0.44) {
      await this.concurrentRuns();
    } else if (roll < 0.7) {
      // The orders reach Ongoing before the warehouse can press Send on them.
      if (this.rng.chance(0.5)) await this.run(this.place(), this.flowSpec('orders'));
      await this.send();
    } else if (roll < 0.8) {
      this.tally('send-during-run');
      await Promise.all([this.runOne(false), this.send()]);
    } else if (roll < 0.9) {
      await this.killed();
    } else {
      await this.frozen();
    }
  }

  // ---------------------------------------------------------------- the final clean pass and the checks

  async finalPass(): Promise<void> {
    this.trap = undefined;
    this.world.bl.clearFaults();
    this.world.ongoing.clearFaults();
    // Let a killed run's claims and leases lapse (nothing else is still held: every other run has ended).
    await sleep(Math.max(0, this.lastKillAt + LONGEST_HOLD_MS + 100 - Date.now()));
    await this.redeliverFailedWebhooks();
    // The stock step is the full sweep: an order in a status that holds no units (the seller's choice) took its
    // units off BaseLinker's count, and only the comparison with BaseLinker's actual stock puts that right.
    const sequence: FlowName[] = ['articles', 'orders', 'reconcile', 'orders', 'tracking', 'stock'];
    for (const name of sequence) await this.cleanRun(name);
    // A tracking number the courier assigns later: the tracking run polls until it is there.
    for (let again = 0; again < 4 && (await this.pendingTracking()) > 0; again++) await this.cleanRun('tracking');
  }

  private async cleanRun(name: FlowName): Promise<void> {
    const once = async () => {
      const answer = await this.run('test', name === 'stock' ? { name, fullSweep: true } : this.flowSpec(name), { deadlineMs: 20_000 });
      return answer.kind === 'report' ? answer.report : undefined;
    };
    let report = await once();
    // A walk interrupted earlier may need another run to finish its pass.
    for (let again = 0; again < 3 && report?.outcome === 'partial'; again++) report = await once();
    // A resumed pass does not revisit the products before its checkpoint: one fresh pass sees them all.
    if (name === 'articles' && report?.outcome === 'ok' && report.result?.counts?.resumed) report = await once();
    if (report?.outcome !== 'ok') this.problem(`final clean ${name} run ended ${report?.outcome ?? 'without a report'}: ${report?.error ?? report?.result?.message ?? ''}`);
  }

  private async pendingTracking(): Promise<number> {
    const { state } = this.services(this.tenant);
    return (await state.shipments.list({ status: 'pending-tracking' })).length;
  }

  /**
   * Ongoing retries a webhook delivery that got no 2xx (for up to a day): deliver again every event whose
   * latest delivery failed, as its retry would.
   */
  private async redeliverFailedWebhooks(): Promise<void> {
    const latest = new Map<number, number>();
    for (const d of this.world.ongoing.webhookDeliveries) latest.set(d.webhookEventId, d.status);
    this.world.ongoing.settings.webhook!.url = this.webhookUrl('test');
    for (const [eventId, status] of latest) {
      if (status >= 200 && status < 300) continue;
      this.tally('webhook-retry');
      const again = await this.world.ongoing.redeliverWebhook(eventId);
      if (again < 200 || again >= 500) this.problem(`webhook event ${eventId} failed with ${status} and again with ${again} on Ongoing's retry`);
    }
  }

  /** Which injected faults met a request, and which of those took effect, from the simulators' own logs. */
  private countFired(): void {
    for (const r of this.world.bl.requests) {
      const kind = r.outcome?.startsWith('fault:') ? r.outcome.slice('fault:'.length) : undefined;
      if (!kind) continue;
      this.tally(`baselinker:${kind}`, this.figures.fired);
      if (kind === 'answer-lost' && r.applied === 'SUCCESS') this.tally(`baselinker:${kind}`, this.figures.withSideEffect);
    }
    for (const c of this.world.ongoing.callLog) {
      if (!c.fault) continue;
      this.tally(`ongoing:${c.fault}`, this.figures.fired);
      if (c.fault === 'answer-lost' && (c.status ?? 500) < 400) this.tally(`ongoing:${c.fault}`, this.figures.withSideEffect);
    }
  }

  async check(): Promise<void> {
    this.countFired();
    const { state } = this.services(this.tenant);
    const result = await checkSeed({
      bl: this.world.bl,
      ongoing: this.world.ongoing,
      tenant: this.tenant,
      state,
      baselinker: this.services(this.tenant).baselinker,
      orders: this.orders,
      runs: this.runs,
      chosen: CHOSEN,
      sentStatus: SENT,
      warehouseKey: WAREHOUSE_KEY,
      rateWindowMs: SIM_RATE_LIMIT.windowMs,
      processes: WORKERS + 1,
    });
    Object.assign(this.figures, { ...result, wrongStock: this.figures.wrongStock + result.wrongStock, problems: [...this.figures.problems, ...result.problems] });
    const unanswered = this.webhookAnswers.filter((s) => s === 0);
    if (unanswered.length) this.problem(`${unanswered.length} webhook deliveries to a live process got no HTTP answer`);
  }
}
