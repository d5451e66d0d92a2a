import type { BudgetPriority } from '../baselinker/budget';
import type { TenantSettings } from '../config';
import type { Flow, Need } from './context';

/**
 * Every scheduled flow, once: the runner and the dispatcher (schedule setting, who takes part), the CDK stack
 * (functions, rules, queues, grants) and the local host (intervals) read it. Adding a flow is one entry here, its use case and its handler.
 * Metadata only: each Lambda bundle imports just its own flow.
 */
export interface FlowEntry {
  /** Dispatcher entry, relative to the repository root: the rule's target, one SQS message per due tenant. */
  handler: string;
  /** Worker entry: one tenant-run per SQS message. */
  worker: string;
  description: string;
  /** The worker's Lambda timeout, in minutes: one tenant-run stops at its deadline before it and checkpoints. */
  maxTimeoutMinutes: number;
  /** The tenant setting that gives this flow's interval (`schedules.<flow>Minutes`). */
  schedule: keyof TenantSettings['schedules'];
  /** Whether a tenant takes part (the dispatcher queues only tenants that do). */
  takesPart: (tenant: TenantSettings) => boolean;
  /** Reads or writes shipping labels in S3. */
  labels: boolean;
  /** The state ports (and labels) its context carries: nothing else reaches the flow. */
  needs: readonly Need[];
  /**
   * Its place in the BaseLinker budget the tenant's token shares (BudgetPriority): after the packer at Send,
   * orders (a buyer waits for the parcel), then stock (oversell risk), then the catalog walk and the safety nets,
   * which take what is left.
   */
  budgetPriority: BudgetPriority;
}

export const CATALOGUE = {
  articles: {
    handler: 'functions/articles/handler.ts',
    worker: 'functions/articles/worker.ts',
    description: 'BaseLinker products and variants -> Ongoing articles',
    maxTimeoutMinutes: 10,
    schedule: 'articlesMinutes',
    takesPart: (t) => t.articles.enabled && t.baselinker.inventoryId !== undefined,
    labels: false,
    needs: ['articleHashes', 'checkpoints', 'cursors'],
    budgetPriority: 'bulk',
  },
  stock: {
    handler: 'functions/stock/handler.ts',
    worker: 'functions/stock/worker.ts',
    description: 'Ongoing stock levels -> BaseLinker inventory',
    maxTimeoutMinutes: 10,
    schedule: 'stockMinutes',
    takesPart: (t) => t.stock.enabled && t.baselinker.inventoryId !== undefined,
    labels: false,
    needs: ['articleHashes', 'stockLevels', 'cursors', 'orders'],
    budgetPriority: 'stock',
  },
  orders: {
    handler: 'functions/orders/handler.ts',
    worker: 'functions/orders/worker.ts',
    description: 'BaseLinker orders -> Ongoing orders (and cancellations)',
    maxTimeoutMinutes: 5,
    schedule: 'ordersMinutes',
    // A tenant that chose no order statuses (articles or stock only) has no orders to transfer.
    takesPart: (t) => t.baselinker.orderStatusIds.length > 0,
    labels: false,
    needs: ['orders', 'cursors', 'checkpoints'],
    budgetPriority: 'orders',
  },
  reconcile: {
    handler: 'functions/reconcile/handler.ts',
    worker: 'functions/reconcile/worker.ts',
    description: 'Finds BaseLinker orders missing in Ongoing and heals them',
    maxTimeoutMinutes: 10,
    schedule: 'reconcileMinutes',
    takesPart: (t) => t.baselinker.orderStatusIds.length > 0,
    labels: false,
    needs: ['orders', 'cursors'],
    budgetPriority: 'bulk',
  },
  tracking: {
    handler: 'functions/tracking/handler.ts',
    worker: 'functions/tracking/worker.ts',
    description: 'Finishes shipments: late tracking numbers and labels -> Ongoing',
    maxTimeoutMinutes: 5,
    schedule: 'trackingMinutes',
    takesPart: () => true,
    labels: true,
    needs: ['shipments', 'inbox', 'labels'],
    budgetPriority: 'bulk',
  },
} as const satisfies Record<string, FlowEntry>;

/** The scheduled flows, by the name the CLI, the local host and the CDK schedules use. */
export type FlowName = keyof typeof CATALOGUE;

export const FLOW_NAMES = Object.keys(CATALOGUE) as FlowName[];

/** What the named flow's context carries. */
export type NeedsOf<F extends FlowName> = (typeof CATALOGUE)[F]['needs'][number];

/** A flow of some catalogue entry (for code that runs flows by name: the CLI, the host, test harnesses). */
export type CatalogueFlow = Flow<NeedsOf<FlowName>>;
