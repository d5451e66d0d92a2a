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
import type { FlowPlan } from '../flows';
import type { DeployedTenant, DeploymentSettings } from '../settings';

export interface MonitoredFlow {
  plan: FlowPlan;
  fn: IFunction;
}

export interface MonitoringProps {
  settings: DeploymentSettings;
  tenants: readonly DeployedTenant[];
  flows: readonly MonitoredFlow[];
  shipment: IFunction;
  api: RestApi;
  /** Dead-letter queues, by what they collect. */
  deadLetterQueues: readonly { name: string; queue: IQueue; what: string }[];
}

/** The metric flows emit through the runner (EMF via Powertools: dimensions service, flow, tenant). */
export function flowMetric(
  settings: Pick<DeploymentSettings, 'metricsNamespace' | 'serviceName'>,
  name: MetricName,
  flow: string,
  tenant: string,
  options: { statistic?: string; period?: Duration; label?: string } = {},
): cw.Metric {
  return new cw.Metric({
    namespace: settings.metricsNamespace,
    metricName: name,
    dimensionsMap: { service: settings.serviceName, flow, tenant },
    statistic: options.statistic ?? cw.Stats.SUM,
    period: options.period ?? Duration.minutes(5),
    ...(options.label && { label: options.label }),
  });
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
    const { settings, tenants } = props;
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

    // Function errors: a scheduled function fails when a tenant's run failed; the shipment function on a bug.
    for (const { plan, fn } of props.flows) {
      this.alarm(`${plan.spec.name}-errors`, {
        metric: fn.metricErrors({ period: Duration.minutes(Math.max(15, plan.minutes)), statistic: cw.Stats.SUM }),
        threshold: 1,
        description: `The ${plan.spec.name} run failed for at least one tenant. Read the function's log (level ERROR, key "tenant") and the tenant's run summary (npm run status).`,
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

    const orders = props.flows.find((f) => f.plan.spec.name === 'orders');
    const metricFlows = [...props.flows.map((f) => f.plan.spec.name as string), 'shipment'];
    for (const tenant of tenants) {
      const id = tenant.settings.id;
      if (orders) {
        this.alarm(`${id}-order-lag`, {
          metric: flowMetric(settings, METRIC.orderLag, 'orders', id, { statistic: cw.Stats.MAXIMUM, period: Duration.minutes(Math.max(5, orders.plan.minutes)) }),
          threshold: settings.orderLagAlarmSeconds,
          comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
          description: `Orders of tenant ${id} wait longer than ${settings.orderLagAlarmSeconds} s to reach Ongoing. Check the orders runs (failures, set-aside orders, BaseLinker budget).`,
        });
      }
      const blocked = new cw.MathExpression({
        expression: `SUM([${metricFlows.map((_, i) => `m${i}`).join(',')}])`,
        usingMetrics: Object.fromEntries(metricFlows.map((flow, i) => [`m${i}`, flowMetric(settings, METRIC.tokenBlocked, flow, id, { period: Duration.minutes(15) })])),
        period: Duration.minutes(15),
        label: `${id} TokenBlocked`,
      });
      this.alarm(`${id}-token-blocked`, {
        metric: blocked,
        threshold: 1,
        description: `BaseLinker blocked the API token of tenant ${id} (too many requests). Runs stand down until the block ends; lower baselinker.requestsPerMinute or look for another program using the same token.`,
      });
    }

    this.heartbeatAlarms(settings, props.flows);
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
    for (const { plan, fn } of props.flows) this.dashboard.addWidgets(...this.flowRow(settings, plan, fn));
    this.dashboard.addWidgets(...this.tokenRow(settings, tenants, metricFlows, orders?.plan));
    this.dashboard.addWidgets(...this.shipmentRow(settings, tenants, props.shipment, props.api));
    this.dashboard.addWidgets(
      new cw.GraphWidget({
        title: 'Dead-letter queues (messages)',
        left: props.deadLetterQueues.map((d) => d.queue.metricApproximateNumberOfMessagesVisible({ statistic: cw.Stats.MAXIMUM, label: d.name })),
        width: 24,
        height: HEIGHT,
      }),
    );
  }

  /**
   * A heartbeat for every flow and tenant, at the tenant's own interval: a run writes RunDurationMs whatever its
   * outcome, and a tenant that is not due is skipped without writing it, so silence for three of the tenant's
   * intervals (at least 30 minutes) means its runs stopped (schedule, throttling, a crash at start).
   */
  private heartbeatAlarms(settings: DeploymentSettings, flows: readonly MonitoredFlow[]): void {
    for (const { plan } of flows) {
      for (const tenant of plan.tenants) {
        const id = tenant.settings.id;
        const flow = plan.spec.name;
        const windowMinutes = Math.min(7 * 1440, Math.max(30, plan.spec.minutes(tenant.settings) * 3));
        // One period up to a day; longer windows are several daily periods that must all be silent.
        const periods = Math.ceil(windowMinutes / 1440);
        const periodMinutes = Math.ceil(windowMinutes / periods);
        this.alarm(`${id}-${flow}-not-running`, {
          metric: flowMetric(settings, METRIC.runDuration, flow, id, { statistic: cw.Stats.SAMPLE_COUNT, period: Duration.minutes(periodMinutes) }),
          threshold: 1,
          evaluationPeriods: periods,
          comparisonOperator: cw.ComparisonOperator.LESS_THAN_THRESHOLD,
          treatMissingData: cw.TreatMissingData.BREACHING,
          description: `No ${flow} run for tenant ${id} in ${windowMinutes} minutes (it runs every ${plan.spec.minutes(tenant.settings)} min). Check the ${flow} schedule (EventBridge rule enabled?), throttles and the function log.`,
        });
      }
    }
  }

  /**
   * Items that wait: set aside for a person (orders, shipments, stock warnings), and the oldest order or
   * shipment still pending. The runs write these as gauges read from state at the end of every run, failed
   * runs included, so they keep rising while nothing succeeds. One alarm per flow for all tenants (the metric's
   * flow-only dimension set): the cost does not grow with the tenants; the dashboard and the CLI name the tenant.
   */
  private stuckItemAlarms(settings: DeploymentSettings, flows: readonly MonitoredFlow[]): void {
    const deployed = new Set(flows.map((f) => f.plan.spec.name as string));
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

  private flowRow(settings: DeploymentSettings, plan: FlowPlan, fn: IFunction): cw.IWidget[] {
    const flow = plan.spec.name;
    const period = Duration.minutes(Math.max(5, plan.minutes));
    const perTenant = (name: MetricName, label: string) =>
      plan.tenants.map((t) => flowMetric(settings, name, flow, t.settings.id, { period, label: `${t.settings.id} ${label}` }));
    return [
      new cw.GraphWidget({
        title: `${flow}: runs (every ${plan.minutes} min)`,
        left: [
          fn.metricInvocations({ period, statistic: cw.Stats.SUM, label: 'invocations' }),
          fn.metricErrors({ period, statistic: cw.Stats.SUM, label: 'errors' }),
          fn.metricThrottles({ period, statistic: cw.Stats.SUM, label: 'throttles' }),
        ],
        right: perTenant(METRIC.runFailed, 'failed runs'),
        width: WIDTH,
        height: HEIGHT,
      }),
      new cw.GraphWidget({ title: `${flow}: items`, left: [...perTenant(METRIC.itemsSeen, 'seen'), ...perTenant(METRIC.itemsSynced, 'written')], width: WIDTH, height: HEIGHT }),
      new cw.GraphWidget({ title: `${flow}: set aside`, left: perTenant(METRIC.itemsSetAside, 'set aside'), width: WIDTH, height: HEIGHT }),
      new cw.GraphWidget({
        title: `${flow}: API requests`,
        left: [...perTenant(METRIC.baselinkerRequests, 'BaseLinker'), ...perTenant(METRIC.ongoingRequests, 'Ongoing')],
        width: WIDTH,
        height: HEIGHT,
      }),
    ];
  }

  private tokenRow(settings: DeploymentSettings, tenants: readonly DeployedTenant[], flows: readonly string[], orders: FlowPlan | undefined): cw.IWidget[] {
    const widgets: cw.IWidget[] = [];
    if (orders) {
      widgets.push(
        new cw.GraphWidget({
          title: 'orders: lag (seconds)',
          left: tenants.map((t) => flowMetric(settings, METRIC.orderLag, 'orders', t.settings.id, { statistic: cw.Stats.MAXIMUM, label: t.settings.id })),
          leftAnnotations: [{ value: settings.orderLagAlarmSeconds, label: 'alarm' }],
          width: 12,
          height: HEIGHT,
        }),
      );
    }
    widgets.push(
      new cw.GraphWidget({
        title: 'BaseLinker token blocked',
        left: tenants.flatMap((t) => flows.map((flow) => flowMetric(settings, METRIC.tokenBlocked, flow, t.settings.id, { label: `${t.settings.id} ${flow}` }))),
        width: orders ? 12 : 24,
        height: HEIGHT,
      }),
    );
    return widgets;
  }

  private shipmentRow(settings: DeploymentSettings, tenants: readonly DeployedTenant[], fn: IFunction, api: RestApi): cw.IWidget[] {
    return [
      new cw.GraphWidget({
        title: 'Send webhook: requests',
        left: [api.metricCount({ statistic: cw.Stats.SUM, label: 'requests' }), api.metricClientError({ statistic: cw.Stats.SUM, label: '4xx' }), api.metricServerError({ statistic: cw.Stats.SUM, label: '5xx' })],
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
        title: 'shipment: items',
        left: [
          ...tenants.map((t) => flowMetric(settings, METRIC.itemsSynced, 'shipment', t.settings.id, { label: `${t.settings.id} shipped` })),
          ...tenants.map((t) => flowMetric(settings, METRIC.itemsSetAside, 'shipment', t.settings.id, { label: `${t.settings.id} set aside` })),
        ],
        width: WIDTH,
        height: HEIGHT,
      }),
    ];
  }
}
