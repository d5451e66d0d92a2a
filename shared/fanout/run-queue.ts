import { ChangeMessageVisibilityCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { sqsClient } from '../aws/clients';
import type { RunQueue } from './worker';

/**
 * A flow's queue on SQS, as its worker uses it: a module of its own so that the worker, which loads it with
 * require() on first use (shared/lambda/worker.ts), gets it bundled apart with the SQS client inside
 * (infra/cdk/bundling.ts, LAMBDA_BUNDLING.bundledApart). Nothing here runs at load.
 */
export function openSqsRunQueue(queueUrl: string, client: SQSClient = sqsClient()): RunQueue {
  return {
    send: async (message) => {
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, ...message }));
    },
    retryIn: async (receiptHandle, seconds) => {
      await client.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: seconds }));
    },
  };
}
