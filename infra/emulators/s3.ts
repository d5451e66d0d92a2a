import { mkdirSync } from 'node:fs';

export interface S3Emulator {
  /** Always http://127.0.0.1:<port>. */
  endpoint: string;
  stop(): Promise<void>;
}

/** s3rver accepts only this access key (InvalidAccessKeyId otherwise); it does not verify SigV4 signatures. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/**
 * s3rver 3.7.1 in this process, objects as files under `directory` (so local labels survive restarts).
 * Known limits, see the toolchain notes: clients must send `requestChecksumCalculation: 'WHEN_REQUIRED'`
 * (else stream bodies are stored with aws-chunked framing inside), and a *truncated* ListObjectsV2 fails
 * with 500 unless the process runs with --openssl-legacy-provider (DES continuation tokens). Nothing here
 * lists objects.
 */
export async function startS3rver(options: { directory: string; port?: number }): Promise<S3Emulator> {
  // Loaded here, not at the top: s3rver is a dev dependency (local mode), absent from a production install.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const S3rver = require('s3rver') as typeof import('s3rver');
  mkdirSync(options.directory, { recursive: true });
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port ?? 0,
    directory: options.directory,
    silent: true,
    vhostBuckets: false,
  });
  const address = await server.run();
  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    stop: () => (stopped ??= server.close()),
  };
}
