import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';

// Apart from clients.ts: the functions that store labels load this (and the S3 client) on their first label only.

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

let s3: S3Client | undefined;

export function s3Client(): S3Client {
  return (s3 ??= createS3Client());
}

export function resetS3Client(): void {
  s3?.destroy();
  s3 = undefined;
}
