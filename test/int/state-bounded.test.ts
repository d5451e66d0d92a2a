import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ClockSkewError, resetClockObservations } from '../../shared/aws/clock';
import { DynamoBudget, keys, MemoryState, StateStore, tenantPk, TTL_ATTRIBUTE } from '../../shared/state';
import { freshTable, testDocumentClient } from '../support/emulators';

/**
 * Records that would grow without bound stay out of the runs' reads: raw payloads of set-aside items live
 * apart from the items and expire (a TTL the operator sets), and unfinished orders and shipments have a
 * sparse index, so a tracking run reads the open shipments only, not every shipment ever written.
 */

const DAY = 86_400_000;
let table: string;
let clock: number;
const now = () => clock;

beforeAll(async () => {
  table = await freshTable('bounded');
});
beforeEach(() => {
  clock = Date.UTC(2026, 11, 1, 12);
});
afterEach(() => resetClockObservations());

const store = (options: { setAsideRawDays?: number } = {}) => new StateStore(testDocumentClient(), table, { now, ...options });
const partition = async (pk: string) =>
  (await testDocumentClient().send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk }, ConsistentRead: true }))).Items ?? [];

describe('raw payloads of set-aside items', () => {
  it('keeps the payload apart, with a TTL of setAsideRawDays after the item was last seen, and shows it until then', async () => {
    const s = store({ setAsideRawDays: 7 });
    const raw = { order_id: 5, email: 'jan@example.com', delivery_address: 'ul. Długa 1' };
    const put = await s.setAside('raw-a', { kind: 'order', sourceId: '5', reason: 'no lines', raw });
    expect(put.raw).toBe(JSON.stringify(raw));
    // The item the runs list holds no payload; the payload item carries the TTL attribute.
    const [item] = await partition(tenantPk('raw-a', 'SETASIDE'));
    expect(item).not.toHaveProperty('raw');
    const { Item: payload } = await testDocumentClient().send(new GetCommand({ TableName: table, Key: keys.setAsideRaw('raw-a', 'order', '5') }));
    expect(payload?.[TTL_ATTRIBUTE]).toBe(Math.ceil(clock / 1000) + 7 * 86_400);
    expect((await s.listSetAside('raw-a', { withRaw: false }))[0]).not.toHaveProperty('raw');
    expect((await s.listSetAside('raw-a'))[0]?.raw).toBe(JSON.stringify(raw));
    expect((await s.getSetAside('raw-a', 'order', '5'))?.raw).toBe(JSON.stringify(raw));

    // Past the TTL the payload is gone for every reader (DynamoDB deletes it later), the item stays.
    clock += 7 * DAY + 1000;
    expect(await s.getSetAside('raw-a', 'order', '5')).toMatchObject({ reason: 'no lines' });
    expect((await s.getSetAside('raw-a', 'order', '5'))?.raw).toBeUndefined();
    expect((await s.listSetAside('raw-a'))[0]?.raw).toBeUndefined();
  });

  it('renews the TTL when the item is seen again, keeps the payload forever at 0 days, and clears it with the item', async () => {
    const s = store({ setAsideRawDays: 7 });
    await s.setAside('raw-b', { kind: 'order', sourceId: '6', reason: 'r', raw: { a: 1 } });
    clock += 6 * DAY;
    await s.setAside('raw-b', { kind: 'order', sourceId: '6', reason: 'r', raw: { a: 2 } });
    clock += 6 * DAY;
    expect((await s.getSetAside('raw-b', 'order', '6'))?.raw).toBe('{"a":2}');
    await s.clearSetAside('raw-b', 'order', '6');
    expect(await partition(tenantPk('raw-b', 'SETASIDE_RAW'))).toEqual([]);

    const forever = store({ setAsideRawDays: 0 });
    await forever.setAside('raw-c', { kind: 'order', sourceId: '7', reason: 'r', raw: { a: 1 } });
    const [payload] = await partition(tenantPk('raw-c', 'SETASIDE_RAW'));
    expect(payload).not.toHaveProperty(TTL_ATTRIBUTE);
  });

  it('expires payloads the same way in the memory adapter', async () => {
    const memory = new MemoryState({ now, setAsideRawDays: 2 }).ports('m');
    await memory.inbox.put({ kind: 'order', sourceId: '1', reason: 'r', raw: { a: 1 } });
    expect((await memory.inbox.get('order', '1'))?.raw).toBe('{"a":1}');
    expect((await memory.inbox.list({ withRaw: false }))[0]).not.toHaveProperty('raw');
    clock += 2 * DAY + 1;
    expect((await memory.inbox.get('order', '1'))?.raw).toBeUndefined();
  });
});

describe('open orders and shipments (sparse index)', () => {
  it('lists only the unfinished shipments, and its index holds nothing else', async () => {
    const s = store();
    for (const id of [1, 2, 3, 4]) expect((await s.claimShipmentRecord('open-a', id, 'w', 60_000)).result).toBe('claimed');
    await s.completeShipment('open-a', 1, 'w', { trackingNumber: 'T1' });
    await s.releaseShipmentRecord('open-a', 2, 'w', { status: 'failed', lastError: 'refused' });
    await s.releaseShipmentRecord('open-a', 3, 'w', { status: 'pending-tracking', packageId: 33 });
    expect((await s.openShipments('open-a')).map((r) => [r.ongoingOrderId, r.status]).sort()).toEqual([
      ['3', 'pending-tracking'],
      ['4', 'pending'],
    ]);
    expect((await partition(tenantPk('open-a', 'OPEN_SHIPMENT'))).map((i) => i.sk).sort()).toEqual(['3', '4']);
    // All four records are still there for the webhook's idempotency (a Send pressed again answers "done").
    expect(await s.listShipments('open-a')).toHaveLength(4);
  });

  it('keeps a failed shipment claimed again in the index although a tracking run dropped its entry meanwhile', async () => {
    const s = store();
    expect((await s.claimShipmentRecord('open-race', 5, 'first', 60_000)).result).toBe('claimed');
    await s.releaseShipmentRecord('open-race', 5, 'first', { status: 'failed', lastError: 'courier refused' });
    // A person retries the Send: the claim writes the entry, the record stays "failed" while it is held.
    expect((await s.claimShipmentRecord('open-race', 5, 'retry', 60_000)).result).toBe('claimed');
    expect((await s.getShipment('open-race', 5))?.status).toBe('failed');
    // A tracking run reads the index now: the record says failed, so it drops the entry.
    expect(await s.openShipments('open-race')).toEqual([]);
    // The retried Send books the package and gives the shipment back to wait for its tracking number.
    await s.releaseShipmentRecord('open-race', 5, 'retry', { status: 'pending-tracking', packageId: 55 });
    // The next tracking run finds it, not only the daily re-sweep.
    expect((await s.openShipments('open-race')).map((r) => [r.ongoingOrderId, r.status])).toEqual([['5', 'pending-tracking']]);
  });

  it('backfills the index from shipments written before it existed, and sweeps again a day later', async () => {
    const s = store();
    await testDocumentClient().send(
      new PutCommand({ TableName: table, Item: { ...keys.shipment('open-b', '9'), tenant: 'open-b', ongoingOrderId: '9', status: 'pending-tracking', attempts: 1, firstSeenAt: '2026-11-30T10:00:00.000Z', updatedAt: '2026-11-30T10:00:00.000Z' } }),
    );
    expect((await s.openShipments('open-b')).map((r) => r.ongoingOrderId)).toEqual(['9']);
    expect(await partition(tenantPk('open-b', 'INDEX'))).toEqual([expect.objectContaining({ sk: 'open-shipments', builtAt: expect.any(String) })]);
    expect(await s.listCursors('open-b')).toEqual([]);
    // A claim whose index entry was never written (the worker died between the two writes).
    await testDocumentClient().send(
      new PutCommand({ TableName: table, Item: { ...keys.shipment('open-b', '10'), tenant: 'open-b', ongoingOrderId: '10', status: 'pending', attempts: 1, firstSeenAt: '2026-12-01T11:00:00.000Z', updatedAt: '2026-12-01T11:00:00.000Z' } }),
    );
    expect((await s.openShipments('open-b')).map((r) => r.ongoingOrderId)).toEqual(['9']);
    clock += DAY + 1;
    expect((await s.openShipments('open-b')).map((r) => r.ongoingOrderId).sort()).toEqual(['10', '9']);
  });

  it('tells when the oldest pending order was first seen, forgetting finished ones', async () => {
    const s = store();
    expect(await s.oldestPendingOrderSince('open-c')).toBeUndefined();
    // Transferred at once: no index entry, no extra write.
    await s.claimOrderRecord('open-c', 99, 'w', 60_000);
    await s.completeOrder('open-c', 99, 'w', { ongoingOrderId: 4, orderNumber: '99' });
    expect(await partition(tenantPk('open-c', 'OPEN_ORDER'))).toEqual([]);
    // Given back (Ongoing refused, a person must look): pending past the run.
    await s.claimOrderRecord('open-c', 100, 'w', 60_000);
    const firstSeen = new Date(clock).toISOString();
    await s.releaseOrderRecord('open-c', 100, 'w', 'Ongoing down');
    clock += 60_000;
    await s.claimOrderRecord('open-c', 101, 'w', 60_000);
    await s.releaseOrderRecord('open-c', 101, 'w', 'Ongoing down');
    expect(await s.oldestPendingOrderSince('open-c')).toBe(firstSeen);
    await s.claimOrderRecord('open-c', 100, 'w2', 60_000);
    await s.completeOrder('open-c', 100, 'w2', { ongoingOrderId: 5, orderNumber: '100' });
    expect(await s.oldestPendingOrderSince('open-c')).toBe(new Date(clock).toISOString());
    await s.markOrderCancelled('open-c', 101);
    expect(await s.oldestPendingOrderSince('open-c')).toBeUndefined();
    expect(await partition(tenantPk('open-c', 'OPEN_ORDER'))).toEqual([]);
  });
});

describe('a writer whose clock is off', () => {
  it('may not take a claim, a lease or request budget', async () => {
    // This machine's clock ten minutes behind: DynamoDB's answers (the emulator's true time) say so.
    const real = Date.now.bind(Date);
    const behind = jest.spyOn(Date, 'now').mockImplementation(() => real() - 600_000);
    try {
      const s = new StateStore(testDocumentClient(), table);
      await expect(s.claimShipmentRecord('skew', 1, 'laptop', 60_000)).rejects.toBeInstanceOf(ClockSkewError);
      await expect(s.acquireLease('orders#skew', 'laptop', 60_000)).rejects.toThrow(/clock is (599|600)\.\d s behind AWS's/);
      await expect(new DynamoBudget(testDocumentClient(), table, { requestsPerMinute: 60 }).acquire('skew-token')).rejects.toBeInstanceOf(ClockSkewError);
      expect(await s.getShipment('skew', 1)).toBeUndefined();
    } finally {
      behind.mockRestore();
    }
    resetClockObservations();
    expect(await store().acquireLease('orders#skew', 'in-sync', 60_000)).toBe(true);
  });
});
