import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { observeServerDate } from './clock';
import { resetS3Client } from './s3';
import { SecretsManagerClient, type SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';
import { SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';

export { createS3Client, s3Client } from './s3';

/**
 * One place that makes the AWS SDK clients, once per process (a Lambda container reuses them across
 * invocations). No endpoint plumbing: locally and in tests the SDK itself reads AWS_ENDPOINT_URL_DYNAMODB,
 * AWS_ENDPOINT_URL_S3 and AWS_ENDPOINT_URL_SECRETS_MANAGER. The `create*` variants take explicit settings,
 * for tests that talk to an emulator of their own.
 */

/** Plain JS objects in, plain objects out; `undefined` fields are dropped instead of failing the write. */
export function createDynamoDocumentClient(config: DynamoDBClientConfig = {}): DynamoDBDocumentClient {
  const base = new DynamoDBClient(config);
  // Every answer (errors too) tells how far this machine's clock is from AWS's: claims and the budget need it.
  base.middlewareStack.add(
    (next) => async (args) => {
      const sentAt = Date.now();
      try {
        const result = await next(args);
        observeServerDate((result.response as { headers?: Record<string, string> } | undefined)?.headers?.date, sentAt, Date.now());
        return result;
      } catch (err) {
        observeServerDate((err as { $response?: { headers?: Record<string, string> } })?.$response?.headers?.date, sentAt, Date.now());
        throw err;
      }
    },
    { step: 'finalizeRequest', name: 'observeServerClock' },
  );
  const doc = DynamoDBDocumentClient.from(base, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    unmarshallOptions: { wrapNumbers: false },
  });
  // The document client's own destroy() is a no-op; make it close the sockets of the client it wraps.
  doc.destroy = () => base.destroy();
  return doc;
}

export function createSecretsManagerClient(config: SecretsManagerClientConfig = {}): SecretsManagerClient {
  return new SecretsManagerClient(config);
}

let dynamo: DynamoDBDocumentClient | undefined;
let secrets: SecretsManagerClient | undefined;
let sqs: SQSClient | undefined;

export function dynamoDocumentClient(): DynamoDBDocumentClient {
  return (dynamo ??= createDynamoDocumentClient());
}

export function secretsManagerClient(): SecretsManagerClient {
  return (secrets ??= createSecretsManagerClient());
}

/**
 * The fan-out queues (AWS_ENDPOINT_URL_SQS locally). Requests go to the configured endpoint rather than the
 * queue URL's host: the same place on AWS, and locally the emulator's queue URLs name hosts
 * (sqs.<region>.localhost) that not every resolver knows.
 */
export function createSqsClient(config: SQSClientConfig = {}): SQSClient {
  return new SQSClient({ useQueueUrlAsEndpoint: false, ...config });
}

export function sqsClient(): SQSClient {
  return (sqs ??= createSqsClient());
}

/** Drops the cached clients (tests that change the environment between cases). */
export function resetAwsClients(): void {
  dynamo?.destroy();
  resetS3Client();
  secrets?.destroy();
  sqs?.destroy();
  dynamo = secrets = sqs = undefined;
}
