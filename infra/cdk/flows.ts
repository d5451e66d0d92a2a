import { Duration } from 'aws-cdk-lib';
import { CATALOGUE, FLOW_NAMES, type FlowEntry, type FlowName } from '../../shared/flows/catalogue';

/**
 * What the stack needs to know about each scheduled flow. Each flow gets its own rule, dispatcher, queue,
 * dead-letter queue and worker (infra/cdk/constructs/fan-out.ts); which tenants take part and how often is
 * decided at run time from the tenant registry (shared/fanout/dispatcher.ts), never at synth time.
 */
export interface ScheduledFlowSpec {
  name: FlowName;
  /** Dispatcher handler file (the rule's target), relative to the repository root. */
  entry: string;
  /** Worker handler file (the queue's consumer). */
  workerEntry: string;
  description: string;
  /** The worker's Lambda timeout: one tenant-run stops at its deadline before it and checkpoints. */
  maxTimeout: Duration;
  /** Reads or writes shipping labels in S3. */
  usesLabels: boolean;
}

/** The flow catalogue, as the stack deploys it. */
export const SCHEDULED_FLOWS: readonly ScheduledFlowSpec[] = FLOW_NAMES.map((name) => {
  const entry: FlowEntry = CATALOGUE[name];
  return {
    name,
    entry: entry.handler,
    workerEntry: entry.worker,
    description: entry.description,
    maxTimeout: Duration.minutes(entry.maxTimeoutMinutes),
    usesLabels: entry.labels,
  };
});

/**
 * Every rule ticks each minute, the shortest interval a tenant can ask for: the dispatcher puts on the queue
 * only the tenants whose own interval has passed, so tenants keep their own rates and spread over the minutes.
 */
export const TICK_MINUTES = 1;

/** The dispatcher reads the registry and sends messages: seconds, even for hundreds of tenants. */
export const DISPATCHER_TIMEOUT = Duration.seconds(60);

export const SHIPMENT_ENTRY = 'functions/shipment/handler.ts';

/** API Gateway REST gives up on an integration after 29 s; the function stops at the same time. */
export const SHIPMENT_TIMEOUT = Duration.seconds(29);

/**
 * How long Lambda keeps a tick that could not start (throttled while the previous run is still going):
 * at most one interval, because the next tick does the same work. Lambda accepts 60 s to 6 h.
 */
export function tickMaxAge(minutes: number): Duration {
  return Duration.seconds(Math.max(60, Math.min(minutes * 60, 6 * 3600)));
}
