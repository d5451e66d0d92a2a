import { Annotations, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { tableDefinition, TTL_ATTRIBUTE } from '../../shared/state/table';
import { DEFAULT_SECRET_PREFIX } from '../../shared/tenants/registry';
import { FlowFanOut } from './constructs/fan-out';
import { FlowFunction, LABELS_PREFIX } from './constructs/flow-function';
import { Monitoring, type MonitoredFlow } from './constructs/monitoring';
import { WebhookApi } from './constructs/webhook-api';
import { SCHEDULED_FLOWS, SHIPMENT_ENTRY, SHIPMENT_TIMEOUT } from './flows';
import type { DeploymentSettings } from './settings';

export interface IntegrationStackProps extends StackProps {
  settings: DeploymentSettings;
}

/**
 * The whole integration on AWS: state table (with the tenant registry), labels bucket, per scheduled flow an
 * EventBridge rule -> dispatcher -> queue -> worker (one tenant-run per message) with its dead-letter queue,
 * the Send webhook (API Gateway -> shipment function), dead-letter queues for every asynchronous path, a
 * dashboard and alarms. No tenant is part of the template: adding one is a registry write, not a deploy.
 */
export class IntegrationStack extends Stack {
  readonly table: dynamodb.Table;
  readonly labelsBucket: s3.Bucket;
  /** Every scheduled flow's dispatcher (by flow name) and worker (by `<flow>-worker`). */
  readonly flowFunctions = new Map<string, FlowFunction>();
  readonly fanOuts = new Map<string, FlowFanOut>();
  readonly shipment: FlowFunction;
  readonly webhook: WebhookApi;
  readonly failedRuns: sqs.Queue;
  readonly undeliveredTicks: sqs.Queue;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: IntegrationStackProps) {
    super(scope, id, props);
    const { settings } = props;

    if (settings.tenants.length > 0) {
      Annotations.of(this).addWarningV2(
        'ongoing-baselinker:context-tenants',
        `The CDK context lists ${settings.tenants.length} tenant(s) (${settings.tenantsSource}). The stack no longer deploys tenants: they live in the tenant registry. Move them there once with npm run cli -- tenants import --cdk --aws, then remove them from the context.`,
      );
    }

    this.table = stateTable(this);
    this.labelsBucket = labelsBucket(this, settings);

    this.failedRuns = deadLetterQueue(this, 'FailedRuns');
    this.undeliveredTicks = deadLetterQueue(this, 'UndeliveredTicks');

    const monitored: MonitoredFlow[] = [];
    for (const spec of SCHEDULED_FLOWS) {
      const fanOut = new FlowFanOut(this, `Flow-${spec.name}`, {
        spec,
        settings,
        table: this.table,
        labelsBucket: this.labelsBucket,
        failedRuns: this.failedRuns,
        undeliveredTicks: this.undeliveredTicks,
        makeQueue: (scope, queueId, queueProps) => encryptedQueue(scope, queueId, queueProps),
      });
      this.fanOuts.set(spec.name, fanOut);
      this.flowFunctions.set(spec.name, fanOut.dispatcher);
      this.flowFunctions.set(`${spec.name}-worker`, fanOut.worker);
      monitored.push({ spec, dispatcher: fanOut.dispatcher.fn, worker: fanOut.worker.fn, deadLetters: fanOut.deadLetters });
    }

    this.shipment = new FlowFunction(this, 'Shipment', {
      flow: 'shipment',
      entry: SHIPMENT_ENTRY,
      description: 'Ongoing "Send" webhook -> BaseLinker package, label, tracking -> Ongoing',
      timeout: SHIPMENT_TIMEOUT,
      settings,
      readsSecrets: true,
      table: this.table,
      labelsBucket: this.labelsBucket,
      labelsAccess: true,
    });
    this.webhook = new WebhookApi(this, 'Webhook', { handler: this.shipment.fn, settings });

    this.monitoring = new Monitoring(this, 'Monitoring', {
      settings,
      flows: monitored,
      shipment: this.shipment.fn,
      api: this.webhook.api,
      webhookUnauthorized: this.webhook.unauthorized,
      deadLetterQueues: [
        { name: 'FailedRuns', queue: this.failedRuns, what: 'scheduled runs that failed (one message per failed invocation).' },
        { name: 'UndeliveredTicks', queue: this.undeliveredTicks, what: 'schedule ticks EventBridge could not deliver to a function.' },
      ],
    });

    new CfnOutput(this, 'WebhookUrl', {
      value: this.webhook.url,
      description: 'Paste into Ongoing, {tenant} replaced by the tenant id: the "Send" (order status -> Sent) webhook, header x-api-key = the tenant\'s webhookSecret',
    });
    new CfnOutput(this, 'WebhookUsagePlanId', {
      value: this.webhook.usagePlan.usagePlanId,
      description: 'WEBHOOK_USAGE_PLAN_ID for npm run cli -- tenants ... --aws: each tenant\'s API key joins this plan',
    });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'LabelsBucketName', { value: this.labelsBucket.bucketName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.topic.topicArn });
    new CfnOutput(this, 'DashboardUrl', {
      value: `https://console.aws.amazon.com/cloudwatch/home?region=${this.region}#dashboards:name=${this.monitoring.dashboard.dashboardName}`,
    });
    new CfnOutput(this, 'TenantSecretPrefix', {
      value: DEFAULT_SECRET_PREFIX,
      description: 'The functions read tenant secrets under this prefix only (npm run cli -- tenants put --aws stores them there)',
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

function encryptedQueue(scope: Construct, id: string, props: sqs.QueueProps = {}): sqs.Queue {
  return new sqs.Queue(scope, id, { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, ...props });
}

function deadLetterQueue(scope: Construct, id: string): sqs.Queue {
  return encryptedQueue(scope, id, { retentionPeriod: Duration.days(14) });
}
