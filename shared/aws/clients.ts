import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { SecretsManagerClient, type SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';
import { SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';

/**
 * One place that makes the AWS SDK clients, once per process (a Lambda container reuses them across
 * invocations). No endpoint plumbing: locally and in tests the SDK itself reads AWS_ENDPOINT_URL_DYNAMODB,
 * AWS_ENDPOINT_URL_S3 and AWS_ENDPOINT_URL_SECRETS_MANAGER. The `create*` variants take explicit settings,
 * for tests that talk to an emulator of their own.
 */

/** Plain JS objects in, plain objects out; `undefined` fields are dropped instead of failing the write. */
export function createDynamoDocumentClient(config: DynamoDBClientConfig = {}): DynamoDBDocumentClient {
  const base = new DynamoDBClient(config);
  const doc = DynamoDBDocumentClient.from(base, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    unmarshallOptions: { wrapNumbers: false },
  });
  // The document client's own destroy() is a no-op; make it close the sockets of the client it wraps.
  doc.destroy = () => base.destroy();
  return doc;
}

function s3EndpointOverride(config: S3ClientConfig): boolean {
  return Boolean(config.endpoint ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL);
}

/**
 * With an emulator (an endpoint override) use path-style URLs (no `bucket.localhost` lookups) and send
 * checksums only when an operation requires them: s3rver stores aws-chunked stream bodies verbatim,
 * framing included, otherwise.
 */
export function createS3Client(config: S3ClientConfig = {}): S3Client {
  const local = s3EndpointOverride(config);
  return new S3Client({
    ...(local ? { forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } : {}),
    ...config,
  });
}

export function createSecretsManagerClient(config: SecretsManagerClientConfig = {}): SecretsManagerClient {
  return new SecretsManagerClient(config);
}

let dynamo: DynamoDBDocumentClient | undefined;
let s3: S3Client | undefined;
let secrets: SecretsManagerClient | undefined;
let sqs: SQSClient | undefined;

export function dynamoDocumentClient(): DynamoDBDocumentClient {
  return (dynamo ??= createDynamoDocumentClient());
}

export function s3Client(): S3Client {
  return (s3 ??= createS3Client());
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
  s3?.destroy();
  secrets?.destroy();
  sqs?.destroy();
  dynamo = s3 = secrets = sqs = undefined;
}
