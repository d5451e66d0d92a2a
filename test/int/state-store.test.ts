import { StateStore } from '../../shared/state/store';
import { closeTestClients, emulatorEnv, freshTable, testDocumentClient } from '../support/emulators';

/**
 * The state layer against whichever DynamoDB emulator the global setup started (DynamoDB Local when Java is
 * present), over real HTTP. Two StateStore instances on two clients stand in for two processes.
 */

let table: string;
let a: StateStore;
let b: StateStore;

beforeAll(async () => {
  emulatorEnv();
  table = await freshTable();
  a = new StateStore(testDocumentClient(), table);
  b = new StateStore(testDocumentClient(), table);
});

afterAll(() => closeTestClients());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('order claims', () => {
  it('gives each of 50 orders to exactly one of two concurrent claimants', async () => {
    const ids = Array.from({ length: 50 }, (_, i) => 1000 + i);
    const results = await Promise.all(
      ids.map(async (id) => {
        const [ra, rb] = await Promise.all([a.claimOrder('t1', id, 'run-a', 60_000), b.claimOrder('t1', id, 'run-b', 60_000)]);
        return { id, ra, rb };
      }),
    );
    for (const { ra, rb } of results) {
      expect([ra, rb].sort()).toEqual(['busy', 'claimed']);
    }
    // The record names the winner as owner.
    for (const { id, ra } of results.slice(0, 5)) {
      const record = await a.getOrderRecord('t1', id);
      expect(record?.owner).toBe(ra === 'claimed' ? 'run-a' : 'run-b');
      expect(record?.status).toBe('pending');
    }
  });

  it('never hands out a done order again, not even after its lease would have passed', async () => {
    expect(await a.claimOrder('t1', 'o-done', 'run-a', 50)).toBe('claimed');
    await a.completeOrder('t1', 'o-done', 'run-a', { ongoingOrderId: 777, orderNumber: 'BL-o-done' });
    await sleep(80);
    expect(await b.claimOrder('t1', 'o-done', 'run-b', 60_000)).toBe('done');
    expect(await a.claimOrder('t1', 'o-done', 'run-a', 60_000)).toBe('done');
    const record = await b.getOrderRecord('t1', 'o-done');
    expect(record).toMatchObject({ status: 'done', ongoingOrderId: 777, orderNumber: 'BL-o-done', completedBy: 'run-a' });
    expect(record?.owner).toBeUndefined();
  });

  it('lets another run take an order whose claimant crashed, and refuses the late completion of the crashed run', async () => {
    // A lease long enough that a loaded machine cannot let it lapse between the first two calls.
    expect(await a.claimOrder('t1', 'o-crash', 'run-a', 1_000)).toBe('claimed');
    expect(await b.claimOrder('t1', 'o-crash', 'run-b', 60_000)).toBe('busy');
    await sleep(1_100);
    expect(await b.claimOrder('t1', 'o-crash', 'run-b', 60_000)).toBe('claimed');
    await expect(a.completeOrder('t1', 'o-crash', 'run-a', { ongoingOrderId: 1, orderNumber: 'x' })).rejects.toThrow(/claim of run-a is gone/);
    const record = await a.getOrderRecord('t1', 'o-crash');
    expect(record?.attempts).toBe(2);
  });

  it('keeps the first-seen time across releases so a deadline can be measured from it', async () => {
    expect(await a.claimOrder('t1', 'o-missing-sku', 'run-a', 60_000)).toBe('claimed');
    const first = await a.getOrderRecord('t1', 'o-missing-sku');
    expect(await a.releaseOrder('t1', 'o-missing-sku', 'run-a', 'SKU X-1 not in Ongoing yet')).toBe(true);
    await sleep(20);
    expect(await b.claimOrder('t1', 'o-missing-sku', 'run-b', 60_000)).toBe('claimed');
    const later = await b.getOrderRecord('t1', 'o-missing-sku');
    expect(later?.firstSeenAt).toBe(first?.firstSeenAt);
    expect(later!.updatedAt > first!.updatedAt).toBe(true);
    expect(later?.lastError).toBe('SKU X-1 not in Ongoing yet');
    // Releasing someone else's claim does nothing.
    expect(await a.releaseOrder('t1', 'o-missing-sku', 'run-a')).toBe(false);
    expect((await b.getOrderRecord('t1', 'o-missing-sku'))?.owner).toBe('run-b');
  });

  it('treats a cancelled order as finished and lists every order of the tenant only', async () => {
    await a.markOrderCancelled('t-cancel', 'o-1', 'cancelled in BaseLinker');
    expect(await b.claimOrder('t-cancel', 'o-1', 'run-b', 60_000)).toBe('done');
    expect(await b.claimOrder('t-cancel', 'o-2', 'run-b', 60_000)).toBe('claimed');
    await b.markOrderCancelled('t-cancel', 'o-2');
    await expect(b.completeOrder('t-cancel', 'o-2', 'run-b', { ongoingOrderId: 5, orderNumber: 'n' })).rejects.toThrow(/status cancelled/);
    const list = await a.listOrderRecords('t-cancel');
    expect(list.map((o) => [o.blOrderId, o.status]).sort()).toEqual([
      ['o-1', 'cancelled'],
      ['o-2', 'cancelled'],
    ]);
  });

  it('accepts a repeated completion by the same run', async () => {
    expect(await a.claimOrder('t1', 'o-twice', 'run-a', 60_000)).toBe('claimed');
    await a.completeOrder('t1', 'o-twice', 'run-a', { ongoingOrderId: 9, orderNumber: 'n9' });
    await expect(a.completeOrder('t1', 'o-twice', 'run-a', { ongoingOrderId: 9, orderNumber: 'n9' })).resolves.toMatchObject({ status: 'done', completedBy: 'run-a', ongoingOrderId: 9 });
  });
});

describe('shipment claims', () => {
  it('lets exactly one of two concurrent Send presses work on an order, and records the outcome', async () => {
    const [ra, rb] = await Promise.all([a.claimShipment('t1', 4711, 'send-a', 60_000), b.claimShipment('t1', 4711, 'send-b', 60_000)]);
    expect([ra, rb].sort()).toEqual(['busy', 'claimed']);
    const [winner, winnerStore, loserStore, loser] = ra === 'claimed' ? ['send-a', a, b, 'send-b'] : ['send-b', b, a, 'send-a'];
    const progress = await winnerStore.updateShipment('t1', 4711, winner, { packageId: 99, courierCode: 'dhl', status: 'pending-tracking' });
    expect(progress).toMatchObject({ status: 'pending-tracking', packageId: 99, owner: winner });
    await expect(loserStore.updateShipment('t1', 4711, loser, { trackingNumber: 'x' })).rejects.toThrow(/gone/);
    const done = await winnerStore.completeShipment('t1', 4711, winner, { trackingNumber: 'TRK1', labelKey: 'labels/t1/4711/99.pdf' });
    expect(done).toMatchObject({ status: 'done', packageId: 99, courierCode: 'dhl', trackingNumber: 'TRK1', labelKey: 'labels/t1/4711/99.pdf' });
    expect(await loserStore.claimShipment('t1', 4711, loser, 60_000)).toBe('done');
  });

  it('keeps a released pending-tracking shipment claimable and findable by status', async () => {
    expect(await a.claimShipment('t-ship', 1, 'run-a', 60_000)).toBe('claimed');
    expect(await a.releaseShipment('t-ship', 1, 'run-a', { status: 'pending-tracking', packageId: 'p1' })).toBe(true);
    expect(await b.claimShipment('t-ship', 1, 'tracking-run', 60_000)).toBe('claimed');
    expect((await b.getShipment('t-ship', 1))?.status).toBe('pending-tracking');
    expect((await b.listShipments('t-ship', { status: 'pending-tracking' })).map((s) => s.ongoingOrderId)).toEqual(['1']);
  });

  it('renews a shipment claim for its holder only, so a paused worker learns it was taken over', async () => {
    expect(await a.claimShipment('t-renew', 7, 'slow', 1)).toBe('claimed');
    await sleep(10);
    // Lapsed but not taken: the holder may still renew, and then nobody else gets in.
    expect(await a.renewShipment('t-renew', 7, 'slow', 60_000)).toBe(true);
    expect(await b.claimShipment('t-renew', 7, 'other', 60_000)).toBe('busy');
    expect(await a.releaseShipment('t-renew', 7, 'slow')).toBe(true);
    expect(await b.claimShipment('t-renew', 7, 'other', 60_000)).toBe('claimed');
    expect(await a.renewShipment('t-renew', 7, 'slow', 60_000)).toBe(false);
    expect((await a.getShipment('t-renew', 7))?.owner).toBe('other');
  });
});

describe('run leases', () => {
  it('blocks a second run while the first holds the lease, and hands it over once the holder stops renewing', async () => {
    expect(await a.acquireLease('orders:t1', 'run-a', 150)).toBe(true);
    expect(await b.acquireLease('orders:t1', 'run-b', 60_000)).toBe(false);
    expect(await a.renewLease('orders:t1', 'run-a', 150)).toBe(true);
    expect(await b.acquireLease('orders:t1', 'run-b', 60_000)).toBe(false);
    expect((await b.getLease('orders:t1'))?.owner).toBe('run-a');
    await sleep(200); // run-a "crashed": no renewal
    expect(await b.acquireLease('orders:t1', 'run-b', 60_000)).toBe(true);
    expect(await a.renewLease('orders:t1', 'run-a', 150)).toBe(false);
    expect(await a.releaseLease('orders:t1', 'run-a')).toBe(false);
    expect(await b.releaseLease('orders:t1', 'run-b')).toBe(true);
    expect(await a.acquireLease('orders:t1', 'run-a', 60_000)).toBe(true);
  });

  it('expires leases on an injected clock too (no sleeping)', async () => {
    let now = Date.now();
    const clockA = new StateStore(testDocumentClient(), table, { now: () => now });
    const clockB = new StateStore(testDocumentClient(), table, { now: () => now });
    expect(await clockA.acquireLease('articles:t1', 'run-a', 60_000)).toBe(true);
    now += 59_000;
    expect(await clockB.acquireLease('articles:t1', 'run-b', 60_000)).toBe(false);
    now += 2_000;
    expect(await clockB.acquireLease('articles:t1', 'run-b', 60_000)).toBe(true);
  });

  it('lets exactly one of ten racing runs take a free lease', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).acquireLease('stock:race', `run-${i}`, 60_000)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});

describe('webhook event de-duplication', () => {
  it('says first exactly once per event id, also when deliveries race', async () => {
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).rememberEvent('t1', 'evt-1', 3600)));
    expect(results.filter((r) => r === 'first')).toHaveLength(1);
    expect(await a.rememberEvent('t1', 'evt-2', 3600)).toBe('first');
    expect(await a.rememberEvent('t2', 'evt-1', 3600)).toBe('first');
  });

  it('forgets an event after its ttl even when the row was not deleted yet', async () => {
    let now = Date.now();
    const store = new StateStore(testDocumentClient(), table, { now: () => now });
    expect(await store.rememberEvent('t1', 'evt-ttl', 60)).toBe('first');
    now += 30_000;
    expect(await store.rememberEvent('t1', 'evt-ttl', 60)).toBe('duplicate');
    now += 31_000;
    expect(await store.rememberEvent('t1', 'evt-ttl', 60)).toBe('first');
  });
});

describe('set-aside items', () => {
  it('keeps the first-seen time and counts repeats', async () => {
    const first = await a.setAside('t1', { kind: 'article', sourceId: 'SKU-1', reason: 'blank name', ids: { blProductId: '5' } });
    await sleep(15);
    const second = await b.setAside('t1', { kind: 'article', sourceId: 'SKU-1', reason: 'blank name again', raw: { name: '' } });
    expect(second.firstSeenAt).toBe(first.firstSeenAt);
    expect(second.lastSeenAt > first.lastSeenAt).toBe(true);
    expect(second.count).toBe(2);
    expect(second.reason).toBe('blank name again');
    expect(second.raw).toBe('{"name":""}');
    expect(second.ids).toEqual({ blProductId: '5' });
    expect(second.state).toBe('open');
  });

  it('moves items through retry and dismissal, and clears them', async () => {
    await a.setAside('t-sa', { kind: 'order', sourceId: '42', reason: 'unknown SKU' });
    await a.setAside('t-sa', { kind: 'shipment', sourceId: '43', reason: 'courier refused' });
    expect(await a.markSetAsideForRetry('t-sa', 'order', '42')).toBe(true);
    expect((await a.getSetAside('t-sa', 'order', '42'))?.state).toBe('retry');
    // The retry failed again: open again, counted.
    const again = await a.setAside('t-sa', { kind: 'order', sourceId: '42', reason: 'unknown SKU' });
    expect(again).toMatchObject({ state: 'open', count: 2 });

    expect(await a.dismissSetAside('t-sa', 'shipment', '43', 'sent by hand')).toBe(true);
    const dismissedAgain = await a.setAside('t-sa', { kind: 'shipment', sourceId: '43', reason: 'courier refused' });
    expect(dismissedAgain).toMatchObject({ state: 'dismissed', count: 2, note: 'sent by hand' });

    expect((await a.listSetAside('t-sa')).map((i) => i.sourceId).sort()).toEqual(['42', '43']);
    expect((await a.listSetAside('t-sa', { state: 'open' })).map((i) => i.sourceId)).toEqual(['42']);
    await a.clearSetAside('t-sa', 'order', '42');
    expect(await a.getSetAside('t-sa', 'order', '42')).toBeUndefined();
    expect(await a.markSetAsideForRetry('t-sa', 'order', '42')).toBe(false);
  });

  it('stores a huge raw payload cut short with a visible marker instead of failing the write', async () => {
    const raw = { lines: 'x'.repeat(600_000) };
    const item = await a.setAside('t1', { kind: 'order', sourceId: 'huge', reason: 'r'.repeat(10_000), raw });
    expect(item.raw!.length).toBeLessThan(70_000);
    expect(item.raw).toMatch(/\[truncated: \d+ bytes in total/);
    expect(item.reason).toMatch(/\[truncated: 10000 bytes\]$/);
  });
});

describe('cursors, article records and run summaries', () => {
  it('round-trips cursors and checkpoints per tenant', async () => {
    expect(await a.getCursor('t1', 'journal')).toBeUndefined();
    await a.putCursor('t1', 'journal', { lastLogId: 123 });
    await a.putCheckpoint('t1', 'articles', { page: 4 });
    expect(await b.getCursor<{ lastLogId: number }>('t1', 'journal')).toEqual({ lastLogId: 123 });
    expect(await b.getCheckpoint('t1', 'articles')).toEqual({ page: 4 });
    expect(await b.getCursor('t2', 'journal')).toBeUndefined();
    await b.clearCheckpoint('t1', 'articles');
    expect(await a.getCheckpoint('t1', 'articles')).toBeUndefined();
  });

  it('returns all article records of a tenant, across query pages', async () => {
    const big = 'h'.repeat(3000); // ~3 KB items: 400 of them need more than one 1 MB query page
    await Promise.all(
      Array.from({ length: 400 }, (_, i) =>
        a.putArticleRecord('t-art', `SKU-${i}`, { hash: `${big}${i}`, blProductId: i, blVariantId: i % 2 ? `${i}0` : undefined, articleSystemId: 10_000 + i }),
      ),
    );
    await a.putArticleRecord('t-other', 'SKU-1', { hash: 'x', blProductId: 1 });
    const records = await b.getArticleRecords('t-art');
    expect(records.size).toBe(400);
    expect(records.get('SKU-7')).toMatchObject({ sku: 'SKU-7', hash: `${big}7`, blProductId: 7, blVariantId: '70', articleSystemId: 10_007 });
    expect(records.get('SKU-8')?.blVariantId).toBeUndefined();
  });

  it('keeps the latest summary per flow', async () => {
    await a.putRunSummary('t-run', 'orders', { startedAt: '2026-01-01T00:00:00.000Z', outcome: 'running' });
    await a.putRunSummary('t-run', 'orders', { startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:01:00.000Z', outcome: 'ok', counts: { created: 3 } });
    await a.putRunSummary('t-run', 'articles', { startedAt: '2026-01-01T00:00:00.000Z', outcome: 'partial', message: 'deadline' });
    const summaries = await b.getRunSummaries('t-run');
    expect(summaries.map((s) => [s.flow, s.outcome])).toEqual([
      ['articles', 'partial'],
      ['orders', 'ok'],
    ]);
    expect(summaries[1].counts).toEqual({ created: 3 });
  });
});
