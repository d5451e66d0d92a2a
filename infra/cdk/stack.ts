import { Annotations, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { tableDefinition, TTL_ATTRIBUTE } from '../../shared/state/table';
import { FlowFunction, LABELS_PREFIX, tenantSecrets } from './constructs/flow-function';
import { Monitoring, type MonitoredFlow } from './constructs/monitoring';
import { WebhookApi } from './constructs/webhook-api';
import { planScheduledFlows, scheduledTimeout, SHIPMENT_ENTRY, SHIPMENT_TIMEOUT, tickMaxAge } from './flows';
import type { DeploymentSettings } from './settings';

export interface IntegrationStackProps extends StackProps {
  settings: DeploymentSettings;
}

/**
 * The whole integration on AWS: state table, labels bucket, tenant secrets (referenced), one function per
 * scheduled flow on its EventBridge rule, the Send webhook (API Gateway -> shipment function), dead-letter
 * queues for every asynchronous path, a dashboard and alarms.
 */
export class IntegrationStack extends Stack {
  readonly table: dynamodb.Table;
  readonly labelsBucket: s3.Bucket;
  readonly flowFunctions = new Map<string, FlowFunction>();
  readonly shipment: FlowFunction;
  readonly webhook: WebhookApi;
  readonly failedRuns: sqs.Queue;
  readonly undeliveredTicks: sqs.Queue;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: IntegrationStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const tenants = settings.tenants;

    if (settings.usingExampleTenant) {
      Annotations.of(this).addWarningV2(
        'ongoing-baselinker:example-tenant',
        'No tenants configured: synthesized with the placeholder tenant from infra/cdk/tenants.example.json. Set context "tenants" in cdk.json or pass -c tenantsFile=path.json before deploying.',
      );
    }

    this.table = stateTable(this);
    this.labelsBucket = labelsBucket(this, settings);
    const secrets = tenantSecrets(this, tenants);

    this.failedRuns = deadLetterQueue(this, 'FailedRuns');
    this.undeliveredTicks = deadLetterQueue(this, 'UndeliveredTicks');

    const monitored: MonitoredFlow[] = [];
    for (const plan of planScheduledFlows(tenants)) {
      const { spec, minutes } = plan;
      const flow = new FlowFunction(this, `Flow-${spec.name}`, {
        flow: spec.name,
        entry: spec.entry,
        description: spec.description,
        timeout: scheduledTimeout(spec, minutes),
        settings,
        tenants: plan.tenants,
        secrets,
        table: this.table,
        labelsBucket: this.labelsBucket,
        labelsAccess: spec.usesLabels,
        // Two runs of one flow never overlap: at most one instance; the per-tenant lease is the second guard.
        reservedConcurrency: settings.reserveConcurrency ? 1 : undefined,
        async: { onFailure: this.failedRuns, maxEventAge: tickMaxAge(minutes) },
      });
      this.flowFunctions.set(spec.name, flow);

      new events.Rule(this, `Schedule-${spec.name}`, {
        description: `ongoing-baselinker ${spec.name}: every ${minutes} minute(s)`,
        schedule: events.Schedule.rate(Duration.minutes(minutes)),
        targets: [
          new targets.LambdaFunction(flow.fn, {
            deadLetterQueue: this.undeliveredTicks,
            retryAttempts: 2,
            maxEventAge: tickMaxAge(minutes),
          }),
        ],
      });
      if (plan.slower.length > 0) {
        Annotations.of(this).addWarningV2(
          `ongoing-baselinker:schedule-${spec.name}`,
          `One ${spec.name} schedule serves every tenant, so it runs every ${minutes} minute(s); ${plan.slower.map((s) => `${s.tenant} asked for ${s.minutes}`).join(', ')} (such tenants are skipped until their own interval has passed).`,
        );
      }
      monitored.push({ plan, fn: flow.fn });
    }
    for (const name of ['articles', 'stock'] as const) {
      if (!this.flowFunctions.has(name)) {
        Annotations.of(this).addInfo(`No tenant has ${name}.enabled on: the ${name} function and schedule are not deployed.`);
      }
    }

    this.shipment = new FlowFunction(this, 'Shipment', {
      flow: 'shipment',
      entry: SHIPMENT_ENTRY,
      description: 'Ongoing "Send" webhook -> BaseLinker package, label, tracking -> Ongoing',
      timeout: SHIPMENT_TIMEOUT,
      settings,
      tenants,
      secrets,
      table: this.table,
      labelsBucket: this.labelsBucket,
      labelsAccess: true,
    });
    this.webhook = new WebhookApi(this, 'Webhook', { handler: this.shipment.fn, settings, tenants });

    this.monitoring = new Monitoring(this, 'Monitoring', {
      settings,
      tenants,
      flows: monitored,
      shipment: this.shipment.fn,
      api: this.webhook.api,
      deadLetterQueues: [
        { name: 'FailedRuns', queue: this.failedRuns, what: 'scheduled runs that failed (one message per failed invocation).' },
        { name: 'UndeliveredTicks', queue: this.undeliveredTicks, what: 'schedule ticks EventBridge could not deliver to a function.' },
      ],
    });

    new CfnOutput(this, 'WebhookUrl', { value: this.webhook.url, description: 'Paste into Ongoing: webhook URL for the "Send" (order status -> Sent) webhook' });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'LabelsBucketName', { value: this.labelsBucket.bucketName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.topic.topicArn });
    new CfnOutput(this, 'DashboardUrl', {
      value: `https://console.aws.amazon.com/cloudwatch/home?region=${this.region}#dashboards:name=${this.monitoring.dashboard.dashboardName}`,
    });
    new CfnOutput(this, 'TenantSecretNames', {
      value: tenants.map((t) => `${t.settings.id}=${t.secretName}`).join(' '),
      description: 'Secrets Manager secrets to create (JSON: baselinkerToken, ongoingUser, ongoingPassword, webhookSecret)',
    });
  }
}

/** The table from shared/state/table.ts tableDefinition(), so the code's keys and the deployed table agree. */
function stateTable(scope: Construct): dynamodb.Table {
  const definition = tableDefinition('state');
  const typeOf = (name: string) => {
    const type = definition.AttributeDefinitions?.find((a) => a.AttributeName === name)?.AttributeType;
    if (type === 'S') return dynamodb.AttributeType.STRING;
    if (type === 'N') return dynamodb.AttributeType.NUMBER;
    if (type === 'B') return dynamodb.AttributeType.BINARY;
    throw new Error(`tableDefinition(): no attribute type for key ${name}`);
  };
  const keyNamed = (keyType: 'HASH' | 'RANGE') => definition.KeySchema?.find((k) => k.KeyType === keyType)?.AttributeName;
  const partition = keyNamed('HASH');
  const sort = keyNamed('RANGE');
  if (!partition) throw new Error('tableDefinition(): no partition key');
  if (definition.BillingMode !== 'PAY_PER_REQUEST') throw new Error(`tableDefinition(): billing mode ${definition.BillingMode} is not mirrored by the stack`);
  return new dynamodb.Table(scope, 'State', {
    partitionKey: { name: partition, type: typeOf(partition) },
    ...(sort && { sortKey: { name: sort, type: typeOf(sort) } }),
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    timeToLiveAttribute: TTL_ATTRIBUTE,
    // Cursors, order claims and leases: losing them means re-sending work, so the table outlives the stack.
    deletionProtection: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
}

function labelsBucket(scope: Construct, settings: DeploymentSettings): s3.Bucket {
  const expiry = settings.labelsExpiryDays > 0 ? Duration.days(settings.labelsExpiryDays) : undefined;
  return new s3.Bucket(scope, 'Labels', {
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: settings.labelsVersioning,
    lifecycleRules: [
      {
        id: 'expire-labels',
        prefix: LABELS_PREFIX,
        ...(expiry && { expiration: expiry }),
        ...(expiry && settings.labelsVersioning && { noncurrentVersionExpiration: expiry }),
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      },
    ],
    removalPolicy: RemovalPolicy.RETAIN,
  });
}

function deadLetterQueue(scope: Construct, id: string): sqs.Queue {
  return new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
}
