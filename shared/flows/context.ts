import type { BaseLinkerClient } from '../baselinker/client';
import type { TenantConfig } from '../config';
import type { LabelStorage } from '../labels';
import type { Log } from '../log/logger';
import type { MetricName, Unit } from '../observability/metrics';
import type { OngoingClient } from '../ongoing/client';
import type { StateStore } from '../state';

/** The scheduled flows, by the name the CLI, the local host and the CDK schedules use. */
export type FlowName = 'articles' | 'stock' | 'orders' | 'reconcile' | 'tracking';

/** Everything one run of one flow for one tenant may use. Built by the runner; flows never build clients. */
export interface FlowContext {
  tenant: TenantConfig;
  baselinker: BaseLinkerClient;
  ongoing: OngoingClient;
  state: StateStore;
  labels: LabelStorage;
  log: Log;
  runId: string;
  /**
   * Epoch ms after which the flow starts no new unit of work: it checkpoints and returns with
   * `complete: false`, and the next run resumes. Lambda's own timeout is later than this.
   */
  deadline: number;
  now: () => number;
  metric: (name: MetricName, unit: Unit, value: number) => void;
}

export interface FlowResult {
  /** Items looked at (articles, orders, stock levels, shipments). */
  seen: number;
  /** Items written to the other system. */
  written: number;
  /** Items set aside for a person, with a reason, this run. */
  setAside: number;
  /** False when the run stopped at its deadline and the next run continues. */
  complete: boolean;
  /**
   * Items this run tried and failed on (left for the next run to retry). A run with any does not end `ok`:
   * it ends `failed`, so the function's error metric and alarm see it, with the other counts kept.
   */
  failed?: number;
  /** Anything else worth a line in the summary: "skipped 120 unchanged", "healed 2". */
  counts?: Record<string, number>;
  message?: string;
}

export type Flow = (ctx: FlowContext) => Promise<FlowResult>;

export function emptyResult(): FlowResult {
  return { seen: 0, written: 0, setAside: 0, complete: true, counts: {} };
}
