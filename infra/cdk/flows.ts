import { Duration } from 'aws-cdk-lib';
import type { TenantSettings } from '../../shared/config';
import { CATALOGUE, FLOW_NAMES, type FlowEntry, type FlowName } from '../../shared/flows/catalogue';
import type { DeployedTenant } from './settings';

/**
 * What the stack needs to know about each scheduled flow. One Lambda per flow serves every tenant that
 * takes part in it (the runner gives each tenant its own lease, run summary and metrics).
 */
export interface ScheduledFlowSpec {
  name: FlowName;
  /** Handler file, relative to the repository root. */
  entry: string;
  description: string;
  /** Upper bound for the Lambda timeout; the schedule interval caps it (see scheduledTimeout). */
  maxTimeout: Duration;
  /** The tenant's interval for this flow, in minutes. */
  minutes: (tenant: TenantSettings) => number;
  /** Whether the tenant takes part (a tenant that does not is left out of the function's TENANTS and grants). */
  takesPart: (tenant: TenantSettings) => boolean;
  /** Reads or writes shipping labels in S3. */
  usesLabels: boolean;
}

/** The flow catalogue, as the stack deploys it. */
export const SCHEDULED_FLOWS: readonly ScheduledFlowSpec[] = FLOW_NAMES.map((name) => {
  const entry: FlowEntry = CATALOGUE[name];
  return {
    name,
    entry: entry.handler,
    description: entry.description,
    maxTimeout: Duration.minutes(entry.maxTimeoutMinutes),
    minutes: (t: TenantSettings) => t.schedules[entry.schedule],
    takesPart: entry.takesPart,
    usesLabels: entry.labels,
  };
});

export const SHIPMENT_ENTRY = 'functions/shipment/handler.ts';

/** API Gateway REST gives up on an integration after 29 s; the function stops at the same time. */
export const SHIPMENT_TIMEOUT = Duration.seconds(29);

export interface FlowPlan {
  spec: ScheduledFlowSpec;
  tenants: DeployedTenant[];
  /** One rule per flow: the shortest interval any of its tenants asks for. */
  minutes: number;
  /** Tenants asking for a longer interval than the rule's, for a warning. */
  slower: { tenant: string; minutes: number }[];
}

/** Which scheduled functions to deploy, for which tenants and how often; flows no tenant uses are left out. */
export function planScheduledFlows(tenants: readonly DeployedTenant[]): FlowPlan[] {
  const plans: FlowPlan[] = [];
  for (const spec of SCHEDULED_FLOWS) {
    const taking = tenants.filter((t) => spec.takesPart(t.settings));
    if (taking.length === 0) continue;
    const minutes = Math.min(...taking.map((t) => spec.minutes(t.settings)));
    const slower = taking.filter((t) => spec.minutes(t.settings) > minutes).map((t) => ({ tenant: t.settings.id, minutes: spec.minutes(t.settings) }));
    plans.push({ spec, tenants: taking, minutes, slower });
  }
  return plans;
}

/**
 * A scheduled function's timeout: its flow's maximum, but never longer than its interval, so one run ends
 * before the next tick in the normal case (reserved concurrency 1 would otherwise throttle the tick, and the
 * lease would make it stand down anyway). Runs stop at their deadline and checkpoint, so a shorter timeout
 * costs throughput, never data.
 */
export function scheduledTimeout(spec: ScheduledFlowSpec, minutes: number): Duration {
  return Duration.seconds(Math.max(60, Math.min(spec.maxTimeout.toSeconds(), minutes * 60)));
}

/**
 * How long Lambda keeps a tick that could not start (throttled while the previous run is still going):
 * at most one interval, because the next tick does the same work. Lambda accepts 60 s to 6 h.
 */
export function tickMaxAge(minutes: number): Duration {
  return Duration.seconds(Math.max(60, Math.min(minutes * 60, 6 * 3600)));
}
