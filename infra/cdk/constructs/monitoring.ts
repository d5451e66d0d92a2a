import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC, type MetricName } from '../../../shared/observability/metrics';
import type { ScheduledFlowSpec } from '../flows';
import type { DeploymentSettings } from '../settings';

export interface MonitoredFlow {
  spec: ScheduledFlowSpec;
  dispatcher: IFunction;
  worker: IFunction;
  /** The flow's dead-letter queue: tenant-runs that failed every try (message attributes tenant, flow). */
  deadLetters: IQueue;
}

export interface MonitoringProps {
  settings: DeploymentSettings;
  flows: readonly MonitoredFlow[];
  shipment: IFunction;
  api: RestApi;
  /** Calls the webhook turned away as unauthorized (401: unknown API key or wrong secret), from the access log. */
  webhookUnauthorized: cw.Metric;
  /** Dead-letter queues, by what they collect. */
  deadLetterQueues: readonly { name: string; queue: IQueue; what: string }[];
}

const WIDTH = 6;
const HEIGHT = 6;

/**
 * One dashboard per deployment (a row per flow: runs, items, set-aside items, requests; order lag and blocked
 * tokens; the webhook; the dead-letter queues) and the alarms, all sent to one SNS topic. Alarms send OK too,
 * so a mail thread shows when a problem went away by itself.
 */
export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  readonly dashboard: cw.Dashboard;
  readonly alarms: cw.Alarm[] = [];
  private readonly prefix: string;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { settings } = props;
    this.prefix = Stack.of(this).stackName;

    this.topic = new sns.Topic(this, 'Alarms', { displayName: 'ongoing-baselinker alarms', enforceSSL: true });
    // The SSL-only policy replaces SNS's default topic policy, so CloudWatch must be allowed to publish explicitly.
    const stack = Stack.of(this);
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: `${this.prefix}-*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
        },
      }),
    );
    if (settings.alarmEmail) this.topic.addSubscription(new EmailSubscription(settings.alarmEmail));

    // A dispatcher fails when it cannot read the registry or SQS refused messages; the next tick asks again.
    for (const { spec, dispatcher } of props.flows) {
      this.alarm(`${spec.name}-dispatch-errors`, {
        metric: dispatcher.metricErrors({ period: Duration.minutes(15), statistic: cw.Stats.SUM }),
        threshold: 1,
        description: `The ${spec.name} dispatcher failed (no tenant-runs were queued by that tick). Read the dispatcher's log; the next tick, a minute later, tries again.`,
      });
    }
    this.alarm('shipment-errors', {
      metric: props.shipment.metricErrors({ period: Duration.minutes(5), statistic: cw.Stats.SUM }),
      threshold: 1,
      description: 'The shipment (Send webhook) function crashed. Ongoing retries the webhook; read the function log for the error.',
    });
    this.alarm('webhook-5xx', {
      metric: props.api.metricServerError({ period: Duration.minutes(5), statistic: cw.Stats.SUM }),
      threshold: 1,
      description: 'The Send webhook answered 5xx (function error or timeout). Ongoing retries; check the shipment function log.',
    });

    for (const dlq of props.deadLetterQueues) {
      this.alarm(`${dlq.name}-depth`, {
        metric: dlq.queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: cw.Stats.MAXIMUM }),
        threshold: 1,
        description: `Messages in the ${dlq.name} queue: ${dlq.what} Read them, fix the cause, then purge the queue (the next scheduled run is the retry).`,
      });
    }
    this.fanOutAlarms(settings, props.flows);
    this.tenantAlarms(settings);
    this.webhookUnauthorizedAlarm(props.webhookUnauthorized);

    this.stuckItemAlarms(settings, props.flows);

    this.dashboard = new cw.Dashboard(this, 'Dashboard', {
      dashboardName: this.prefix.replace(/[^A-Za-z0-9_-]/g, '-'),
      defaultInterval: Duration.days(1),
    });
    this.dashboard.addWidgets(
      new cw.TextWidget({
        markdown:
          '# ongoing-baselinker\nOne row per flow: runs (invocations, errors, throttles), items seen and written per tenant, items set aside for a person, and API requests. Alarms are explained in infra/cdk/README.md.',
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(new cw.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 4 }));
    for (const flow of props.flows) this.dashboard.addWidgets(...this.flowRow(settings, flow));
    this.dashboard.addWidgets(...this.tokenRow(settings));
    this.dashboard.addWidgets(...this.shipmentRow(settings, props.shipment, props.api, props.webhookUnauthorized));
    this.dashboard.addWidgets(
      new cw.GraphWidget({
        title: 'Dead-letter queues (messages)',
        left: [
          ...props.deadLetterQueues.map((d) => d.queue.metricApproximateNumberOfMessagesVisible({ statistic: cw.Stats.MAXIMUM, label: d.name })),
          ...props.flows.map((f) => f.deadLetters.metricApproximateNumberOfMessagesVisible({ statistic: cw.Stats.MAXIMUM, label: `${f.spec.name} failed tenant-runs` })),
        ],
        width: 24,
        height: HEIGHT,
      }),
    );
  }

  /**
   * Items that wait: set aside for a person (orders, shipments, stock warnings), and the oldest order or
   * shipment still pending. The runs write these as gauges read from state at the end of every run, failed
   * runs included, so they keep rising while nothing succeeds. One alarm per flow for all tenants (the metric's
   * flow-only dimension set): the cost does not grow with the tenants; the dashboard and the CLI name the tenant.
   */
  private stuckItemAlarms(settings: DeploymentSettings, flows: readonly MonitoredFlow[]): void {
    const deployed = new Set(flows.map((f) => f.spec.name as string));
    const fleet = (name: MetricName, flow: string, statistic: string, minutes: number) =>
      new cw.Metric({ namespace: settings.metricsNamespace, metricName: name, dimensionsMap: { service: settings.serviceName, flow }, statistic, period: Duration.minutes(minutes) });
    for (const [flow, what] of [
      ['orders', 'orders that could not be imported (missing article, unreadable order)'],
      ['tracking', 'shipments the courier refused or that gave up'],
      ['stock', 'stock levels BaseLinker refused (stock warnings)'],
    ] as const) {
      if (!deployed.has(flow)) continue;
      this.alarm(`${flow}-set-aside`, {
        metric: fleet(METRIC.setAsideOpen, flow, cw.Stats.MAXIMUM, 60),
        threshold: 1,
        description: `Items wait for a person: ${what}. List them with \`npm run cli -- exceptions\`, fix the cause, then retry or dismiss each one.`,
      });
    }
    if (deployed.has('orders')) {
      this.alarm('orders-oldest-pending', {
        metric: fleet(METRIC.oldestPending, 'orders', cw.Stats.MAXIMUM, 15),
        threshold: settings.orderLagAlarmSeconds,
        comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
        description: `An order has been pending (seen, not yet in Ongoing) for more than ${settings.orderLagAlarmSeconds} s. Check the orders runs of the tenants on the dashboard: failures, a blocked token, Ongoing down.`,
      });
    }
    if (deployed.has('tracking')) {
      this.alarm('shipments-oldest-pending', {
        metric: fleet(METRIC.oldestPending, 'tracking', cw.Stats.MAXIMUM, 15),
        threshold: settings.shipmentPendingAlarmSeconds,
        comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
        description: `A shipment has been pending (Send pressed, not finished) for more than ${settings.shipmentPendingAlarmSeconds} s. Check the tracking runs and \`npm run cli -- status\`: a courier that never gives a tracking number, BaseLinker or Ongoing down.`,
      });
    }
    this.alarm('shipment-failed-after-accept', {
      metric: fleet(METRIC.failedAfterAccept, 'shipment', cw.Stats.SUM, 5),
      threshold: 1,
      description: 'A shipment failed after the Send webhook had answered 202 (slow courier), so nobody at the packing station saw it. Read the shipment function log (message "shipment failed after the webhook was answered"); the tracking run retries it.',
    });
  }

  private alarm(
    name: string,
    spec: { metric: cw.IMetric; threshold: number; description: string; comparisonOperator?: cw.ComparisonOperator; treatMissingData?: cw.TreatMissingData; evaluationPeriods?: number },
  ): cw.Alarm {
    const alarm = new cw.Alarm(this, `Alarm-${name}`, {
      alarmName: `${this.prefix}-${name}`,
      alarmDescription: spec.description,
      metric: spec.metric,
      threshold: spec.threshold,
      evaluationPeriods: spec.evaluationPeriods ?? 1,
      comparisonOperator: spec.comparisonOperator ?? cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: spec.treatMissingData ?? cw.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    alarm.addOkAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
    return alarm;
  }

  private flowRow(settings: DeploymentSettings, { spec, dispatcher, worker }: MonitoredFlow): cw.IWidget[] {
    const flow = spec.name;
    const period = Duration.minutes(5);
    return [
      new cw.GraphWidget({
        title: `${flow}: dispatches and tenant-runs`,
        left: [
          dispatcher.metricInvocations({ period, statistic: cw.Stats.SUM, label: 'dispatches' }),
          dispatcher.metricErrors({ period, statistic: cw.Stats.SUM, label: 'dispatch errors' }),
          worker.metricInvocations({ period, statistic: cw.Stats.SUM, label: 'tenant-runs' }),
          worker.metricThrottles({ period, statistic: cw.Stats.SUM, label: 'worker throttles' }),
        ],
        right: [perTenant(settings, METRIC.runFailed, flow, 'SUM', period, 'failed runs')],
        width: WIDTH,
        height: HEIGHT,
      }),
      new cw.GraphWidget({ title: `${flow}: items written per tenant`, left: [perTenant(settings, METRIC.itemsSynced, flow, 'SUM', period, 'written')], width: WIDTH, height: HEIGHT }),
      new cw.GraphWidget({ title: `${flow}: set aside per tenant`, left: [perTenant(settings, METRIC.itemsSetAside, flow, 'SUM', period, 'set aside')], width: WIDTH, height: HEIGHT }),
      new cw.GraphWidget({
        title: `${flow}: BaseLinker requests per tenant`,
        left: [perTenant(settings, METRIC.baselinkerRequests, flow, 'SUM', period, 'BaseLinker')],
        width: WIDTH,
        height: HEIGHT,
      }),
    ];
  }

  private tokenRow(settings: DeploymentSettings): cw.IWidget[] {
    return [
      new cw.GraphWidget({
        title: 'orders: lag per tenant (seconds)',
        left: [perTenant(settings, METRIC.orderLag, 'orders', 'MAX', Duration.minutes(5), 'lag')],
        leftAnnotations: [{ value: settings.orderLagAlarmSeconds, label: 'alarm' }],
        width: 12,
        height: HEIGHT,
      }),
      new cw.GraphWidget({ title: 'BaseLinker token blocked per tenant', left: [perTenant(settings, METRIC.tokenBlocked, undefined, 'SUM', Duration.minutes(15), 'blocked')], width: 12, height: HEIGHT }),
    ];
  }

  private shipmentRow(settings: DeploymentSettings, fn: IFunction, api: RestApi, unauthorized: cw.Metric): cw.IWidget[] {
    return [
      new cw.GraphWidget({
        title: 'Send webhook: requests',
        left: [
          api.metricCount({ statistic: cw.Stats.SUM, label: 'requests' }),
          api.metricClientError({ statistic: cw.Stats.SUM, label: '4xx' }),
          api.metricServerError({ statistic: cw.Stats.SUM, label: '5xx' }),
          unauthorized.with({ label: '401 unauthorized' }),
        ],
        width: WIDTH,
        height: HEIGHT,
      }),
      new cw.GraphWidget({
        title: 'Send webhook: latency (ms)',
        left: [api.metricLatency({ statistic: cw.Stats.p(99), label: 'p99' }), api.metricLatency({ statistic: cw.Stats.AVERAGE, label: 'average' })],
        leftAnnotations: [{ value: 29_000, label: 'API Gateway limit' }],
        width: WIDTH,
        height: HEIGHT,
      }),
      new cw.GraphWidget({
        title: 'shipment: function',
        left: [fn.metricInvocations({ statistic: cw.Stats.SUM, label: 'invocations' }), fn.metricErrors({ statistic: cw.Stats.SUM, label: 'errors' }), fn.metricThrottles({ statistic: cw.Stats.SUM, label: 'throttles' })],
        width: WIDTH,
        height: HEIGHT,
      }),
      new cw.GraphWidget({
        title: 'shipment: shipped per tenant',
        left: [perTenant(settings, METRIC.itemsSynced, 'shipment', 'SUM', Duration.minutes(5), 'shipped'), perTenant(settings, METRIC.itemsSetAside, 'shipment', 'SUM', Duration.minutes(5), 'set aside')],
        width: WIDTH,
        height: HEIGHT,
      }),
    ];
  }

  // ---- fan-out and per-tenant alarms (lane tenants) ------------------------------------------------------

  /** Per flow: tenant-runs that failed every try, and tenant-runs that waited in the queue past a tick. */
  private fanOutAlarms(settings: DeploymentSettings, flows: readonly MonitoredFlow[]): void {
    for (const { spec, deadLetters } of flows) {
      this.alarm(`${spec.name}-failed-tenant-runs`, {
        metric: deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: cw.Stats.MAXIMUM }),
        threshold: 1,
        description: `${spec.name} tenant-runs failed every try and sit in the ${spec.name} dead-letter queue; each message names its tenant and flow (message attributes). Fix the tenant (npm run cli -- status --tenant <id>), then purge the queue: the next tick runs it again.`,
      });
    }
    for (const { spec } of flows) {
      // The dispatcher writes the count at every tick (0 too): no data means it stopped, which is the same alarm.
      this.alarm(`${spec.name}-tenants-overdue`, {
        metric: new cw.Metric({
          namespace: settings.metricsNamespace,
          metricName: METRIC.tenantsOverdue,
          dimensionsMap: { service: settings.serviceName, flow: spec.name },
          statistic: cw.Stats.MAXIMUM,
          period: Duration.minutes(15),
        }),
        threshold: 1,
        treatMissingData: cw.TreatMissingData.BREACHING,
        description: `Tenants whose last ${spec.name} run started more than two of their own intervals and five minutes ago, or no ${spec.name} dispatcher tick for 15 minutes (no data). The tenant-run-overdue alarm names the tenants; the dispatcher log lists them ("tenant overdue"). Look at the ${spec.name} queue's age of oldest message, the worker's throttles, and whether the schedule rule is enabled.`,
      });
    }
    for (const { spec, worker } of flows) {
      // Throttles mean MaximumConcurrency (or the account's limit) is holding tenant-runs back.
      this.alarm(`${spec.name}-worker-throttles`, {
        metric: worker.metricThrottles({ period: Duration.minutes(15), statistic: cw.Stats.SUM }),
        threshold: 10,
        description: `The ${spec.name} worker was throttled: tenant-runs wait for a free slot. Raise the workerConcurrency setting or the account's Lambda concurrency.`,
      });
    }
  }

  /**
   * One alarm per condition for every tenant at once: a Metrics Insights query grouped by tenant makes each tenant
   * a contributor of the alarm, so the alarm names the tenant and a goods owner added at run time is watched
   * without a deploy (up to 500 series per query; 100 contributors in ALARM at once).
   */
  private tenantAlarms(settings: DeploymentSettings): void {
    this.alarm('tenant-run-failed', {
      metric: perTenant(settings, METRIC.runFailed, undefined, 'SUM', Duration.minutes(15), 'failed runs'),
      threshold: 1,
      description: 'A tenant\'s run failed (the contributor names the tenant; the metric has the flow too). Read the worker log (key "tenant") and npm run cli -- status --tenant <id>. Other tenants are not affected.',
    });
    this.alarm('tenant-order-lag', {
      metric: perTenant(settings, METRIC.orderLag, 'orders', 'MAX', Duration.minutes(5), 'order lag'),
      threshold: settings.orderLagAlarmSeconds,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
      description: `Orders of a tenant (the contributor) wait longer than ${settings.orderLagAlarmSeconds} s to reach Ongoing. Check its orders runs (failures, set-aside orders, BaseLinker budget).`,
    });
    this.alarm('tenant-run-overdue', {
      metric: perTenant(settings, METRIC.runOverdue, undefined, 'MAX', Duration.minutes(15), 'seconds overdue'),
      threshold: 0,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
      description: "A tenant's flow (the contributor names the tenant) has not started a run for more than two of the tenant's own intervals and five minutes: its runs are held back (queue, worker concurrency) or never reach it. npm run cli -- status --tenant <id>.",
    });
    this.alarm('tenant-token-blocked', {
      metric: perTenant(settings, METRIC.tokenBlocked, undefined, 'SUM', Duration.minutes(15), 'token blocked'),
      threshold: 1,
      description: 'BaseLinker blocked the API token of a tenant (the contributor): too many requests. Its runs stand down until the block ends; lower its baselinker.requestsPerMinute or look for another program using the same token.',
    });
  }

  /** A rate of 401s at the webhook: someone without the tenant's key or secret is calling it. */
  private webhookUnauthorizedAlarm(unauthorized: cw.IMetric): void {
    this.alarm('webhook-401-rate', {
      metric: unauthorized,
      threshold: WEBHOOK_401_ALARM_PER_5_MIN,
      description: `The Send webhook refused ${WEBHOOK_401_ALARM_PER_5_MIN} or more calls in 5 minutes as unauthorized (unknown API key, or a secret that does not match the tenant). A tenant's Ongoing webhook may carry an old secret after a change, or someone is probing the endpoint. The access log (status 401) has the source IPs.`,
    });
  }
}

/** 401s in 5 minutes that raise the alarm: a mistyped secret retried by Ongoing stays below, a probe does not. */
export const WEBHOOK_401_ALARM_PER_5_MIN = 20;

/**
 * A flow metric of every tenant, one series per tenant (Metrics Insights, GROUP BY tenant): tenants come from the
 * registry at run time, so the template cannot list them.
 */
export function perTenant(
  settings: Pick<DeploymentSettings, 'metricsNamespace' | 'serviceName'>,
  name: MetricName,
  flow: string | undefined,
  aggregate: 'SUM' | 'MAX',
  period: Duration,
  label: string,
): cw.MathExpression {
  const where = [`service = '${settings.serviceName}'`, ...(flow ? [`flow = '${flow}'`] : [])].join(' AND ');
  return new cw.MathExpression({
    expression: `SELECT ${aggregate}(${name}) FROM SCHEMA("${settings.metricsNamespace}", flow, service, tenant) WHERE ${where} GROUP BY tenant ORDER BY ${aggregate}() DESC LIMIT 500`,
    usingMetrics: {},
    period,
    label,
  });
}
