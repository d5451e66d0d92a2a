import type { BudgetPriority } from '../baselinker/budget';
import type { TenantSettings } from '../config';
import type { Flow, Need } from './context';

/**
 * Every scheduled flow, once: the runner (schedule setting), the CDK stack (functions, rules, grants) and the
 * local host (handlers, intervals) read it. Adding a flow is one entry here, its use case and its handler.
 * Metadata only: each Lambda bundle imports just its own flow.
 */
export interface FlowEntry {
  /** Handler file, relative to the repository root (the Lambda entry; the local host loads it too). */
  handler: string;
  description: string;
  /** Upper bound for the Lambda timeout, in minutes (the schedule interval caps it). */
  maxTimeoutMinutes: number;
  /** The tenant setting that gives this flow's interval (`schedules.<flow>Minutes`). */
  schedule: keyof TenantSettings['schedules'];
  /** Whether a tenant takes part (one that does not is left out of the function's tenants and grants). */
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
    description: 'BaseLinker products and variants -> Ongoing articles',
    maxTimeoutMinutes: 10,
    schedule: 'articlesMinutes',
    takesPart: (t) => t.articles.enabled,
    labels: false,
    needs: ['articleHashes', 'checkpoints'],
    budgetPriority: 'bulk',
  },
  stock: {
    handler: 'functions/stock/handler.ts',
    description: 'Ongoing stock levels -> BaseLinker inventory',
    maxTimeoutMinutes: 10,
    schedule: 'stockMinutes',
    takesPart: (t) => t.stock.enabled,
    labels: false,
    needs: ['articleHashes', 'stockLevels', 'cursors'],
    budgetPriority: 'stock',
  },
  orders: {
    handler: 'functions/orders/handler.ts',
    description: 'BaseLinker orders -> Ongoing orders (and cancellations)',
    maxTimeoutMinutes: 5,
    schedule: 'ordersMinutes',
    takesPart: () => true,
    labels: false,
    needs: ['orders', 'cursors', 'checkpoints'],
    budgetPriority: 'orders',
  },
  reconcile: {
    handler: 'functions/reconcile/handler.ts',
    description: 'Finds BaseLinker orders missing in Ongoing and heals them',
    maxTimeoutMinutes: 10,
    schedule: 'reconcileMinutes',
    takesPart: () => true,
    labels: false,
    needs: ['orders', 'cursors'],
    budgetPriority: 'bulk',
  },
  tracking: {
    handler: 'functions/tracking/handler.ts',
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
