import { DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

/**
 * On one machine, what Lambda's SQS event source does on AWS (nothing here emulates it): long-polls a queue,
 * hands each batch to the worker handler as a real SQSEvent, deletes the messages the handler did not report
 * in `batchItemFailures`, and leaves the failed ones to come back after their visibility timeout (and, after
 * the queue's maxReceiveCount, to go to its dead-letter queue: SQS itself does that). At most
 * `maxConcurrency` invocations run at once, as the event source's MaximumConcurrency bounds them on AWS.
 * An invocation that throws leaves its whole batch on the queue, as Lambda does.
 */

export type SqsWorkerHandler = (event: SQSEvent, context: { getRemainingTimeInMillis(): number }) => Promise<SQSBatchResponse | void>;

export interface SqsPollerOptions {
  sqs: SQSClient;
  queueUrl: string;
  handler: SqsWorkerHandler;
  /** Invocations at once (MaximumConcurrency). Default 2, Lambda's minimum. */
  maxConcurrency?: number;
  /** Messages per invocation. Default 1: one tenant-run per message. */
  batchSize?: number;
  /** The function timeout the handler is told it has. Default 5 min. */
  timeoutMs?: number;
  region?: string;
  onError?: (error: unknown) => void;
}

export interface SqsPoller {
  readonly stats: { invocations: number; maxInFlight: number; deleted: number; failedItems: number; threw: number };
  stop(): Promise<void>;
}

function toRecord(message: Message, queueArn: string, region: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? '',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        { stringValue: value.StringValue, dataType: value.DataType ?? 'String', stringListValues: [], binaryListValues: [] },
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

export async function startSqsPoller(options: SqsPollerOptions): Promise<SqsPoller> {
  const maxConcurrency = Math.max(1, options.maxConcurrency ?? 2);
  const batchSize = Math.max(1, Math.min(10, options.batchSize ?? 1));
  const timeoutMs = options.timeoutMs ?? 5 * 60_000;
  const region = options.region ?? process.env.AWS_REGION ?? 'eu-north-1';
  const { Attributes } = await options.sqs.send(new GetQueueAttributesCommand({ QueueUrl: options.queueUrl, AttributeNames: ['QueueArn'] }));
  const queueArn = Attributes?.QueueArn ?? options.queueUrl;
  const stats = { invocations: 0, maxInFlight: 0, deleted: 0, failedItems: 0, threw: 0 };
  const inFlight = new Set<Promise<void>>();
  let running = true;

  const invoke = async (messages: Message[]) => {
    stats.invocations += 1;
    const started = Date.now();
    const event: SQSEvent = { Records: messages.map((m) => toRecord(m, queueArn, region)) };
    let response: SQSBatchResponse | void;
    try {
      response = await options.handler(event, { getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - started)) });
    } catch (error) {
      stats.threw += 1;
      options.onError?.(error);
      return;
    }
    const failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    stats.failedItems += failed.size;
    const done = messages.filter((m) => !failed.has(m.MessageId ?? ''));
    if (done.length === 0) return;
    await options.sqs.send(
      new DeleteMessageBatchCommand({ QueueUrl: options.queueUrl, Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }),
    );
    stats.deleted += done.length;
  };

  const loop = (async () => {
    while (running) {
      if (inFlight.size >= maxConcurrency) {
        await Promise.race(inFlight);
        continue;
      }
      let messages: Message[] = [];
      try {
        const free = maxConcurrency - inFlight.size;
        const result = await options.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: options.queueUrl,
            MaxNumberOfMessages: Math.min(10, free * batchSize),
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
        );
        messages = result.Messages ?? [];
      } catch (error) {
        if (!running) break;
        options.onError?.(error);
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      for (let i = 0; i < messages.length; i += batchSize) {
        const run = invoke(messages.slice(i, i + batchSize)).catch((error) => options.onError?.(error));
        const tracked: Promise<void> = run.finally(() => inFlight.delete(tracked));
        inFlight.add(tracked);
        stats.maxInFlight = Math.max(stats.maxInFlight, inFlight.size);
      }
    }
  })();

  return {
    stats,
    stop: async () => {
      running = false;
      await loop;
      await Promise.allSettled([...inFlight]);
    },
  };
}
