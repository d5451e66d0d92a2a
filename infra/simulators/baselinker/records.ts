/*
 * What the BaseLinker simulator keeps besides the account (state.ts): its live settings and its call logs. Apart
 * from the simulator class so the method handlers (methods.ts) can name them without importing the class.
 */

export interface RateLimitOptions {
  /** Requests allowed per token within any window. Default 100. */
  requestsPerWindow: number;
  /** Sliding window length. Default 60 000 ms. */
  windowMs: number;
  /** How long a token stays blocked once over the limit. Default 5 minutes. */
  blockMs: number;
}

export interface SimConfig {
  tokens: Set<string>;
  rateLimit: RateLimitOptions;
  /** Delay before each request is processed and answered. */
  latencyMs: number;
  /** Extra delay for some methods on top of latencyMs, e.g. a slow courier on createPackage. */
  methodLatencyMs: Record<string, number>;
  /** Most ids one getInventoryProductsData call may ask for (ERROR above). */
  productsDataCap: number;
  /** Off: getJournalList answers SUCCESS with no logs, as on an account without the journal. */
  journalEnabled: boolean;
  journalPageSize: number;
  labelFormat: 'pdf' | 'zpl';
  /**
   * When set, createPackage answers with an empty package_number; the number appears after
   * `afterPolls` getOrderPackages answers that listed the package, or when fillTrackingNumber is called.
   */
  trackingNumberLater: { afterPolls?: number } | undefined;
  /** Courier refusals for createPackage: by order id, or '*' for every order. */
  packageRefusals: Map<number | '*', string>;
  /**
   * On (the default): confirming an order takes its catalog-linked lines off the product's stock, as
   * BaseLinker does ("each order downloaded and confirmed reduces the stock level of the product" when the
   * listing is linked to a catalog product; base.com help, "Reducing stock level after a sale").
   */
  ordersTakeStock: boolean;
}

export interface RequestRecord {
  method: string;
  /** Arrival time (ms, simulator clock). */
  at: number;
  /** 'SUCCESS', an error code, or 'fault:<kind>'. Set when answered. */
  outcome?: string;
  /** For an `answer-lost` fault: what the call did ('SUCCESS' or an error code) though no answer left. */
  applied?: string;
  /** False when the caller had given up (closed the connection) before the answer was ready. */
  answered?: boolean;
}

/** One product's level as an updateInventoryProductsStock call wrote it (the call log of stock writes). */
export interface StockWriteRecord {
  productId: number;
  warehouse: string;
  level: number;
  /**
   * The level the product showed in that warehouse when the write came (undefined: none yet). It differs from
   * the last level written when something else moved the stock in between (an order taking its units, a hand edit).
   */
  before?: number;
  /** Simulator clock, ms. */
  at: number;
  /** The call that wrote it (its outcome tells whether the caller got the answer). */
  request?: RequestRecord;
}

