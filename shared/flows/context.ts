import type { BudgetPriority } from '../baselinker/budget';
import type { BaseLinkerClient } from '../baselinker/client';
import type { TenantConfig } from '../config';
import type { LabelStorage } from '../labels';
import type { Log } from '../log/logger';
import type { MetricName, Unit } from '../observability/metrics';
import type { OngoingClient } from '../ongoing/client';
import type { PortName, SetAsideInbox, SetAsideInput, SetAsideItem, SetAsideKind, StatePorts } from './ports';

/** When a run starts no new unit of work: it checkpoints and returns with `complete: false`, the next run resumes. */
export interface Deadline {
  /** Epoch ms. Lambda's own timeout is later than this. */
  readonly at: number;
  passed(): boolean;
  /** Milliseconds left (0 once passed). */
  leftMs(): number;
}

export function deadlineAt(at: number, now: () => number): Deadline {
  return { at, passed: () => now() >= at, leftMs: () => Math.max(0, at - now()) };
}

/** What a run counts: the FlowResult it returns is built from it. */
export class Tally implements FlowResult {
  seen = 0;
  written = 0;
  setAside = 0;
  complete = true;
  counts: Record<string, number> = {};
  message?: string;

  count(name: string, by = 1): void {
    this.counts[name] = (this.counts[name] ?? 0) + by;
  }

  result(extra: Partial<FlowResult> = {}): FlowResult {
    return { seen: this.seen, written: this.written, setAside: this.setAside, complete: this.complete, counts: this.counts, message: this.message, ...extra };
  }
}

/**
 * The set-aside items of one run: each kind's open, retry and dismissed items are read once per run (the
 * first time the run asks) and kept current by the run's own puts and clears.
 */
export class SetAsideShelf {
  private readonly byKind = new Map<SetAsideKind, Promise<Map<string, SetAsideItem>>>();

  constructor(private readonly inbox: SetAsideInbox) {}

  /** The kind's items by source id (a live view: the run's puts and clears show in it). */
  index(kind: SetAsideKind): Promise<Map<string, SetAsideItem>> {
    let index = this.byKind.get(kind);
    if (!index) {
      index = this.inbox.list({ kind, withRaw: false }).then((items) => new Map(items.map((i) => [i.sourceId, i])));
      // A failed read is not kept: the next ask reads again.
      index.catch(() => this.byKind.delete(kind));
      this.byKind.set(kind, index);
    }
    return index;
  }

  async put(input: SetAsideInput): Promise<SetAsideItem> {
    const item = await this.inbox.put(input);
    (await this.byKindLoaded(input.kind))?.set(item.sourceId, item);
    return item;
  }

  /** Forgets the item (it went through). */
  async clear(kind: SetAsideKind, sourceId: string): Promise<void> {
    await this.inbox.clear(kind, sourceId);
    (await this.byKindLoaded(kind))?.delete(sourceId);
  }

  private async byKindLoaded(kind: SetAsideKind): Promise<Map<string, SetAsideItem> | undefined> {
    return this.byKind.has(kind) ? this.byKind.get(kind)!.catch(() => undefined) : undefined;
  }
}

/** The plumbing every scheduled run gets from the runner, written once. */
export interface RunKit {
  deadline: Deadline;
  tally: Tally;
  setAside: SetAsideShelf;
  /** A human progress line (the CLI and the local host print them). */
  progress(line: string): void;
}

/** A run kit for a run that ends at `deadline` (the runner makes one per run; tests that skip the runner too). */
export function runKit(inbox: SetAsideInbox, deadline: number, now: () => number, progress: (line: string) => void = () => undefined): RunKit {
  return { deadline: deadlineAt(deadline, now), tally: new Tally(), setAside: new SetAsideShelf(inbox), progress };
}

/** What a flow may ask for beyond its clients and run kit: the state ports, and the label storage. */
export type Need = PortName | 'labels';
export type Needs = StatePorts & { labels: LabelStorage };

/** What every run of every flow has. */
export interface RunBasics {
  tenant: TenantConfig;
  baselinker: BaseLinkerClient;
  ongoing: OngoingClient;
  log: Log;
  runId: string;
  now: () => number;
  metric: (name: MetricName, unit: Unit, value: number) => void;
  run: RunKit;
}

/** One run of one flow for one tenant: the basics and exactly the ports its catalogue entry names. */
export type FlowContext<N extends Need = never> = RunBasics & Pick<Needs, N>;

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

export type Flow<N extends Need = never> = (ctx: FlowContext<N>) => Promise<FlowResult>;

export function emptyResult(): FlowResult {
  return { seen: 0, written: 0, setAside: 0, complete: true, counts: {} };
}

/** Where the state table and the labels bucket are. */
export interface Runtime {
  tableName: string;
  labelsBucket: string;
  /** Days a set-aside item's raw payload is kept (StateStoreOptions.setAsideRawDays). */
  setAsideRawDays?: number;
}

/** What a caller asks of a tenant's services. */
export interface ServiceRequest {
  /** Give up waiting for BaseLinker budget after this long (a run near its deadline must not hang). */
  maxBudgetWaitMs?: number;
  /** 'interactive' when a person waits (the Send webhook, `cli send`): it may use the tokens bulk flows leave. */
  priority?: BudgetPriority;
  log?: Log;
  /** Epoch ms: no outside call (budget wait, request, retry) runs past it. The run's deadline. */
  deadline?: number;
}

/** The clients and the state ports of one tenant. */
export interface TenantServices {
  baselinker: BaseLinkerClient;
  ongoing: OngoingClient;
  labels: LabelStorage;
  state: StatePorts;
}

/** Wires a tenant's services (DynamoDB and S3 in shared/lambda/wiring.ts; tests pass their own). */
export type ServicesFactory = (tenant: TenantConfig, runtime: Runtime, options?: ServiceRequest) => TenantServices;
