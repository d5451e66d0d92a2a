import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DataDirInUseError,
  ENDPOINT_FILE,
  readRunningEmulators,
  startAwsEmulators,
  startDynalite,
} from '../../infra/emulators';
import { createDynamoDocumentClient, createS3Client } from '../../shared/aws/clients';
import { ensureTable } from '../../shared/state/table';
import { StateStore } from '../../shared/state/store';
import { LabelStore, ensureBucket, labelKey } from '../../shared/labels';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'ob-emu-test-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function clientsFor(env: Record<string, string>) {
  const credentials = { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY };
  const dynamo = createDynamoDocumentClient({ endpoint: env.AWS_ENDPOINT_URL_DYNAMODB, region: env.AWS_REGION, credentials });
  const s3 = createS3Client({ endpoint: env.AWS_ENDPOINT_URL_S3, region: env.AWS_REGION, credentials });
  return { dynamo, s3, close: () => (dynamo.destroy(), s3.destroy()) };
}

it('keeps state and labels on disk under the data folder between runs', async () => {
  const dataDir = tempDir();
  const first = await startAwsEmulators({ dataDir });
  expect(first.dynamodb.kind).toBe('dynalite');
  expect(first.description).toMatch(/^DynamoDB: dynalite at http:\/\/127\.0\.0\.1:\d+; S3: s3rver at /);
  expect(first.env).toMatchObject({ AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' });
  const c1 = clientsFor({ ...first.env });
  try {
    await ensureTable(c1.dynamo, 'state');
    await new StateStore(c1.dynamo, 'state').putCursor('acme', 'journal', { lastLogId: 41 });
    await ensureBucket(c1.s3, 'labels');
    await new LabelStore(c1.s3, 'labels').put(labelKey('acme', 1, 2, 'pdf'), Buffer.from([1, 2, 3]), 'application/pdf');
  } finally {
    c1.close();
    await first.stop();
  }
  expect(existsSync(join(dataDir, ENDPOINT_FILE))).toBe(false);

  const second = await startAwsEmulators({ dataDir });
  const c2 = clientsFor({ ...second.env });
  try {
    expect(await new StateStore(c2.dynamo, 'state').getCursor('acme', 'journal')).toEqual({ lastLogId: 41 });
    expect([...(await new LabelStore(c2.s3, 'labels').get(labelKey('acme', 1, 2, 'pdf')))]).toEqual([1, 2, 3]);
  } finally {
    c2.close();
    await second.stop();
  }
});

it('publishes its endpoints in the data folder and refuses a second start on the same folder', async () => {
  const dataDir = tempDir();
  const running = await startAwsEmulators({ dataDir });
  try {
    const file = JSON.parse(readFileSync(join(dataDir, ENDPOINT_FILE), 'utf8'));
    expect(file.env).toEqual(running.env);
    expect(readRunningEmulators(dataDir)).toMatchObject({ pid: process.pid, dynamoKind: 'dynalite', env: running.env });
    await expect(startAwsEmulators({ dataDir })).rejects.toThrow(DataDirInUseError);
    await expect(startAwsEmulators({ dataDir })).rejects.toThrow(/in use by another process/);
  } finally {
    await running.stop();
  }
  expect(readRunningEmulators(dataDir)).toBeUndefined();
});

it('turns a locked dynalite folder into a clear error instead of a crash', async () => {
  const path = join(tempDir(), 'db');
  const owner = await startDynalite({ path });
  try {
    await expect(startDynalite({ path })).rejects.toThrow(DataDirInUseError);
  } finally {
    await owner.stop();
  }
  const again = await startDynalite({ path });
  await again.stop();
});

it('kills a managed child when its parent dies, even by SIGKILL', async () => {
  if (process.platform === 'win32') throw new Error('POSIX only');
  const pidFile = join(tempDir(), 'child.pid');
  const script = `
    const { spawnManaged } = require(${JSON.stringify(require.resolve('../../infra/emulators/children'))});
    spawnManaged('sh', ['-c', 'echo $$ > ${pidFile}; exec sleep 60'], { cwd: ${JSON.stringify(tmpdir())}, name: 'sleeper' });
    setInterval(() => {}, 1000);
  `;
  const parent = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', script], { stdio: 'ignore' });
  const deadline = Date.now() + 15_000;
  while (!existsSync(pidFile) || readFileSync(pidFile, 'utf8').trim() === '') {
    if (Date.now() > deadline) throw new Error('the child never started');
    await new Promise((r) => setTimeout(r, 50));
  }
  const childPid = Number(readFileSync(pidFile, 'utf8').trim());
  const alive = () => {
    try {
      process.kill(childPid, 0);
      return true;
    } catch {
      return false;
    }
  };
  expect(alive()).toBe(true);
  parent.kill('SIGKILL');
  while (alive() && Date.now() < deadline + 5_000) await new Promise((r) => setTimeout(r, 100));
  expect(alive()).toBe(false);
});
