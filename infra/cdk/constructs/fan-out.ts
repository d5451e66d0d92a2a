import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DISPATCHER_TIMEOUT, TICK_MINUTES, tickMaxAge, type ScheduledFlowSpec } from '../flows';
import type { DeploymentSettings } from '../settings';
import { FlowFunction } from './flow-function';

/** How often SQS hands a failing tenant-run to the worker before it moves it to the dead-letter queue. */
export const MAX_RECEIVES = 3;

/**
 * AWS's advice for a Lambda event source: a visibility timeout of at least six times the function timeout, so
 * a message is not handed out again while a throttled or retried invocation may still hold it.
 */
export const VISIBILITY_FACTOR = 6;

export interface FlowFanOutProps {
  spec: ScheduledFlowSpec;
  settings: DeploymentSettings;
  table: ITable;
  labelsBucket: IBucket;
  /** Failed dispatcher invocations (asynchronous on-failure destination). */
  failedRuns: sqs.IQueue;
  /** Ticks EventBridge could not deliver. */
  undeliveredTicks: sqs.IQueue;
  makeQueue: (scope: Construct, id: string, props: sqs.QueueProps) => sqs.Queue;
}

/**
 * One scheduled flow, fanned out: its EventBridge rule ticks its dispatcher, which puts one message per due
 * tenant on its queue; its worker takes one tenant-run per message (batch size 1), at most
 * `workerConcurrency` at once (the event source's MaximumConcurrency), so BaseLinker's per-token budget and
 * Ongoing's serial writes hold however many tenants there are. A tenant-run that fails comes back after a
 * back-off (the worker sets the message's visibility) and after MAX_RECEIVES lands in the flow's dead-letter
 * queue with its tenant and flow as message attributes.
 */
export class FlowFanOut extends Construct {
  readonly dispatcher: FlowFunction;
  readonly worker: FlowFunction;
  readonly queue: sqs.Queue;
  readonly deadLetters: sqs.Queue;
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: FlowFanOutProps) {
    super(scope, id);
    const { spec, settings } = props;

    this.deadLetters = props.makeQueue(this, 'DeadLetters', { retentionPeriod: Duration.days(14) });
    this.queue = props.makeQueue(this, 'Queue', {
      visibilityTimeout: Duration.seconds(spec.maxTimeout.toSeconds() * VISIBILITY_FACTOR),
      // A message waits at most a day: by then later ticks have asked for the same tenant-run again.
      retentionPeriod: Duration.days(1),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: MAX_RECEIVES },
    });

    this.dispatcher = new FlowFunction(this, 'Dispatcher', {
      flow: spec.name,
      entry: spec.entry,
      description: `dispatcher: one message per due tenant for the ${spec.name} worker (${spec.description})`,
      timeout: DISPATCHER_TIMEOUT,
      settings,
      readsSecrets: false,
      environment: { QUEUE_URL: this.queue.queueUrl },
      extraStateActions: ['dynamodb:BatchGetItem'],
      table: props.table,
      labelsBucket: props.labelsBucket,
      labelsAccess: false,
      reservedConcurrency: settings.reserveConcurrency ? 1 : undefined,
      async: { onFailure: props.failedRuns, maxEventAge: tickMaxAge(TICK_MINUTES) },
    });
    this.queue.grantSendMessages(this.dispatcher.role);

    this.worker = new FlowFunction(this, 'Worker', {
      flow: `${spec.name}-worker`,
      entry: spec.workerEntry,
      description: `one tenant-run per message: ${spec.description}`,
      timeout: spec.maxTimeout,
      settings,
      readsSecrets: true,
      environment: { QUEUE_URL: this.queue.queueUrl },
      table: props.table,
      labelsBucket: props.labelsBucket,
      labelsAccess: spec.usesLabels,
    });
    this.worker.fn.addEventSource(
      new SqsEventSource(this.queue, { batchSize: 1, maxConcurrency: settings.workerConcurrency, reportBatchItemFailures: true }),
    );
    // The back-off of a failed tenant-run: the worker sets the message's visibility itself.
    this.worker.role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'RetryBackOff', actions: ['sqs:ChangeMessageVisibility'], resources: [this.queue.queueArn] }));
    // A run stopped at its deadline with work left: the worker queues its continuation (shared/fanout/worker.ts).
    this.worker.role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'ContinueRun', actions: ['sqs:SendMessage'], resources: [this.queue.queueArn] }));

    this.rule = new events.Rule(this, 'Schedule', {
      description: `ongoing-baselinker ${spec.name}: dispatch the due tenants every ${TICK_MINUTES} minute(s)`,
      schedule: events.Schedule.rate(Duration.minutes(TICK_MINUTES)),
      targets: [new targets.LambdaFunction(this.dispatcher.fn, { deadLetterQueue: props.undeliveredTicks, retryAttempts: 2, maxEventAge: tickMaxAge(TICK_MINUTES) })],
    });
  }
}
