/**
 * Flow metrics. On AWS they go out as CloudWatch EMF log lines (no API calls); locally and in
 * tests they are kept in memory, so a status screen or a test can read them and stdout stays readable.
 * The names are the contract with the CDK dashboard and alarms (infra/cdk).
 */
export const METRIC = {
  itemsSeen: 'ItemsSeen',
  itemsSynced: 'ItemsSynced',
  itemsSetAside: 'ItemsSetAside',
  baselinkerRequests: 'BaseLinkerRequests',
  ongoingRequests: 'OngoingRequests',
  runFailed: 'RunFailed',
  runDuration: 'RunDurationMs',
  tokenBlocked: 'TokenBlocked',
  orderLag: 'OrderLagSeconds',
  /** A shipment that failed (or was refused) after the webhook had answered 202: nobody saw the answer. */
  failedAfterAccept: 'ShipmentFailedAfterAccept',
  /** Gauge, each run: items of the flow's kind set aside and waiting for a person (open). */
  setAsideOpen: 'SetAsideOpen',
  /** Gauge, each run (failed ones too): age of the oldest order (orders) or shipment (tracking) still pending. */
  oldestPending: 'OldestPendingSeconds',
  /** Per tenant, each dispatcher tick: how far past due its flow's last run start is (only tenants overdue). */
  runOverdue: 'RunOverdueSeconds',
  /** Each dispatcher tick (0 too, so silence means the dispatcher itself stopped): tenants of the flow overdue. */
  tenantsOverdue: 'TenantsOverdue',
} as const;

/**
 * Metrics also written with the flow-only dimension set (service, flow): the fleet-wide alarms read these, one
 * alarm per flow whatever the number of tenants.
 */
export const FLEET_METRICS: ReadonlySet<MetricName> = new Set<MetricName>([METRIC.setAsideOpen, METRIC.oldestPending, METRIC.failedAfterAccept, METRIC.tenantsOverdue]);

export const METRICS_NAMESPACE = process.env.METRICS_NAMESPACE ?? 'OngoingBaseLinker';

export type MetricName = (typeof METRIC)[keyof typeof METRIC];
export type Unit = 'Count' | 'Seconds' | 'Milliseconds';

export interface MetricsSink {
  add(name: MetricName, unit: Unit, value: number, dimensions: { flow: string; tenant: string }): void;
  /** Sends what was added (EMF: one log line). */
  flush(): void;
}

export class InMemoryMetrics implements MetricsSink {
  readonly points: { name: MetricName; unit: Unit; value: number; flow: string; tenant: string }[] = [];
  add(name: MetricName, unit: Unit, value: number, dimensions: { flow: string; tenant: string }): void {
    this.points.push({ name, unit, value, ...dimensions });
  }
  flush(): void {}
  sum(name: MetricName, filter: { flow?: string; tenant?: string } = {}): number {
    return this.points
      .filter((p) => p.name === name && (!filter.flow || p.flow === filter.flow) && (!filter.tenant || p.tenant === filter.tenant))
      .reduce((total, p) => total + p.value, 0);
  }
}

/**
 * CloudWatch EMF (the embedded metric format), one line per point written at once, so each point keeps its own
 * flow/tenant dimensions. The `service` dimension is SERVICE_NAME. With METRICS_DISABLED=true (the local host, the
 * CLI, the tests) nothing is written: off Lambda the lines would only clutter stdout.
 */
export class EmfMetrics implements MetricsSink {
  private readonly service = process.env.SERVICE_NAME ?? 'ongoing-baselinker';
  add(name: MetricName, unit: Unit, value: number, dimensions: { flow: string; tenant: string }): void {
    if (process.env.METRICS_DISABLED === 'true') return;
    const dimensionSets = FLEET_METRICS.has(name) ? [['service', 'flow', 'tenant'], ['service', 'flow']] : [['service', 'flow', 'tenant']];
    const line = {
      _aws: { Timestamp: Date.now(), CloudWatchMetrics: [{ Namespace: METRICS_NAMESPACE, Dimensions: dimensionSets, Metrics: [{ Name: name, Unit: unit }] }] },
      service: this.service,
      flow: dimensions.flow,
      tenant: dimensions.tenant,
      [name]: value,
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
  /** Each point is written as it is added; nothing is held back to flush. */
  flush(): void {}
}
