import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirInUseError, javaAvailable, startDynalite, startDynamoDbLocal, type DynamoEmulator, type DynamoKind } from './dynamodb';
import { S3RVER_CREDENTIALS, startS3rver, type S3Emulator } from './s3';
import { startSecretsManagerFake, type SecretsManagerFake } from './secrets-manager';

export { DataDirInUseError, javaAvailable, startDynalite, startDynamoDbLocal, dynamoDbLocalDir } from './dynamodb';
export type { DynamoEmulator, DynamoKind } from './dynamodb';
export { startS3rver, S3RVER_CREDENTIALS } from './s3';
export type { S3Emulator } from './s3';
export { startSecretsManagerFake } from './secrets-manager';
export { startSqsEmulator } from './sqs';
export type { SqsEmulator } from './sqs';
export type { SecretsManagerFake } from './secrets-manager';

/** What the SDK clients read (they honour AWS_ENDPOINT_URL_<SERVICE> themselves). */
export interface EmulatorEnv {
  AWS_ENDPOINT_URL_DYNAMODB: string;
  AWS_ENDPOINT_URL_S3: string;
  AWS_ENDPOINT_URL_SECRETS_MANAGER: string;
  AWS_REGION: string;
  AWS_ACCESS_KEY_ID: string;
  AWS_SECRET_ACCESS_KEY: string;
}

export interface AwsEmulators {
  dynamodb: { endpoint: string; kind: DynamoKind };
  s3: { endpoint: string; directory: string };
  secretsManager: { endpoint: string; put: SecretsManagerFake['put'] };
  /** One line saying which DynamoDB emulator runs and why, e.g. for a start-up log line. */
  description: string;
  env: EmulatorEnv;
  stop(): Promise<void>;
}

export interface StartAwsEmulatorsOptions {
  /**
   * Keep DynamoDB data and S3 objects on disk here (`<dataDir>/dynamodb*`, `<dataDir>/s3`) between runs, and
   * write `<dataDir>/emulators.json` so other processes can find the running emulators. Memory (and a
   * temporary S3 folder) otherwise.
   */
  dataDir?: string;
  /** Use DynamoDB Local (Java) when `java` is on the PATH. Default false: dynalite, in-process and light. */
  preferJava?: boolean;
  region?: string;
}

export const ENDPOINT_FILE = 'emulators.json';

interface EndpointFile {
  pid: number;
  startedAt: string;
  dynamoKind: DynamoKind;
  env: EmulatorEnv;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The emulators another live process serves for this data folder, if any. A CLI command run beside
 * `npm start` uses these instead of opening the same folder twice (LevelDB and SQLite allow one owner).
 */
export function readRunningEmulators(dataDir: string): { pid: number; dynamoKind: DynamoKind; env: EmulatorEnv } | undefined {
  let parsed: EndpointFile;
  try {
    parsed = JSON.parse(readFileSync(join(dataDir, ENDPOINT_FILE), 'utf8')) as EndpointFile;
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed.pid !== 'number' || !parsed.env) return undefined;
  return processAlive(parsed.pid) ? { pid: parsed.pid, dynamoKind: parsed.dynamoKind, env: parsed.env } : undefined;
}

async function startDynamo(options: StartAwsEmulatorsOptions): Promise<{ emulator: DynamoEmulator; why: string }> {
  if (options.preferJava) {
    if (javaAvailable()) {
      const emulator = await startDynamoDbLocal(options.dataDir ? { dbPath: join(options.dataDir, 'dynamodb-local') } : {});
      return { emulator, why: 'DynamoDB Local (Java)' };
    }
    const emulator = await startDynalite(options.dataDir ? { path: join(options.dataDir, 'dynamodb') } : {});
    return { emulator, why: 'dynalite (fell back: no java on the PATH)' };
  }
  const emulator = await startDynalite(options.dataDir ? { path: join(options.dataDir, 'dynamodb') } : {});
  return { emulator, why: 'dynalite' };
}

/** DynamoDB, S3 (s3rver) and a Secrets Manager fake on 127.0.0.1, started in parallel. */
export async function startAwsEmulators(options: StartAwsEmulatorsOptions = {}): Promise<AwsEmulators> {
  const region = options.region ?? process.env.AWS_REGION ?? 'eu-north-1';
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true });
    const running = readRunningEmulators(options.dataDir);
    if (running) throw new DataDirInUseError(`${options.dataDir} (served by process ${running.pid})`);
  }
  const s3Directory = options.dataDir ? join(options.dataDir, 's3') : mkdtempSync(join(tmpdir(), 'ob-s3-'));

  const results = await Promise.allSettled([
    startDynamo(options),
    startS3rver({ directory: s3Directory }),
    startSecretsManagerFake({ region }),
  ]);
  const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) {
    await Promise.allSettled(started.map((s) => ('emulator' in s ? s.emulator.stop() : s.stop())));
    if (!options.dataDir) rmSync(s3Directory, { recursive: true, force: true });
    throw failure.reason;
  }
  const [dynamo, s3, secrets] = started as [{ emulator: DynamoEmulator; why: string }, S3Emulator, SecretsManagerFake];

  const env: EmulatorEnv = {
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.emulator.endpoint,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
  };
  const endpointFile = options.dataDir ? join(options.dataDir, ENDPOINT_FILE) : undefined;
  if (endpointFile) {
    const content: EndpointFile = { pid: process.pid, startedAt: new Date().toISOString(), dynamoKind: dynamo.emulator.kind, env };
    writeFileSync(endpointFile, JSON.stringify(content, null, 2));
  }

  let stopped: Promise<void> | undefined;
  return {
    dynamodb: { endpoint: dynamo.emulator.endpoint, kind: dynamo.emulator.kind },
    s3: { endpoint: s3.endpoint, directory: s3Directory },
    secretsManager: { endpoint: secrets.endpoint, put: secrets.put },
    description: `DynamoDB: ${dynamo.why} at ${dynamo.emulator.endpoint}; S3: s3rver at ${s3.endpoint}; Secrets Manager: fake at ${secrets.endpoint}`,
    env,
    stop: () =>
      (stopped ??= (async () => {
        await Promise.allSettled([dynamo.emulator.stop(), s3.stop(), secrets.stop()]);
        if (endpointFile) rmSync(endpointFile, { force: true });
        if (!options.dataDir) rmSync(s3Directory, { recursive: true, force: true });
      })()),
  };
}
