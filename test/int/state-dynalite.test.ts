import { startDynalite, type DynamoEmulator } from '../../infra/emulators';
import { createDynamoDocumentClient } from '../../shared/aws/clients';
import { ensureTable } from '../../shared/state/table';
import { StateStore } from '../../shared/state/store';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The state layer uses only single-item conditional writes, so dynalite (the no-Java fallback, and the
 * local host's default) must give the same guarantees as DynamoDB Local. This file runs its own dynalite
 * in-process, whatever the global setup started.
 */

let emulator: DynamoEmulator;
let clients: DynamoDBDocumentClient[];
let a: StateStore;
let b: StateStore;

beforeAll(async () => {
  emulator = await startDynalite();
  const config = { endpoint: emulator.endpoint, region: 'eu-north-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } };
  clients = [createDynamoDocumentClient(config), createDynamoDocumentClient(config)];
  await ensureTable(clients[0], 'state-on-dynalite');
  a = new StateStore(clients[0], 'state-on-dynalite');
  b = new StateStore(clients[1], 'state-on-dynalite');
});

afterAll(async () => {
  for (const c of clients ?? []) c.destroy();
  await emulator?.stop();
});

it('is dynalite on 127.0.0.1', () => {
  expect(emulator.kind).toBe('dynalite');
  expect(emulator.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
});

it('gives each of 30 orders to exactly one of two concurrent claimants, and never a done one', async () => {
  const ids = Array.from({ length: 30 }, (_, i) => `d-${i}`);
  const pairs = await Promise.all(ids.map((id) => Promise.all([a.claimOrder('t', id, 'run-a', 60_000), b.claimOrder('t', id, 'run-b', 60_000)])));
  for (const pair of pairs) expect([...pair].sort()).toEqual(['busy', 'claimed']);
  const winner = pairs[0][0] === 'claimed' ? { store: a, owner: 'run-a' } : { store: b, owner: 'run-b' };
  await winner.store.completeOrder('t', 'd-0', winner.owner, { ongoingOrderId: 1, orderNumber: 'n' });
  expect(await a.claimOrder('t', 'd-0', 'run-c', 60_000)).toBe('done');
});

it('blocks a second run while a lease is live and hands it over once it lapses', async () => {
  expect(await a.acquireLease('orders:t', 'run-a', 100)).toBe(true);
  expect(await b.acquireLease('orders:t', 'run-b', 60_000)).toBe(false);
  await new Promise((r) => setTimeout(r, 150));
  expect(await b.acquireLease('orders:t', 'run-b', 60_000)).toBe(true);
  expect(await a.renewLease('orders:t', 'run-a', 100)).toBe(false);
});

it('tells first from duplicate webhook events', async () => {
  const results = await Promise.all([a.rememberEvent('t', 'e1', 60), b.rememberEvent('t', 'e1', 60)]);
  expect(results.sort()).toEqual(['duplicate', 'first']);
});
