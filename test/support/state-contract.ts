import * as z from '../../shared/util/zod';
import { DEFAULT_SET_ASIDE_RAW_DAYS } from '../../shared/state/bounded';
import { ClaimLostError, SEND_LOG_DAYS, UnreadableStateError, type StatePorts } from '../../shared/flows/ports';

/**
 * The behaviour every implementation of the state ports must have (shared/flows/ports.ts). The same tests
 * run on the in-memory adapters (test/unit/state-ports-memory.test.ts) and on the DynamoDB adapters against
 * the emulator (test/int/state-ports-dynamo.test.ts), so the flows' unit tests on memory say what they would
 * say on DynamoDB.
 */
export interface PortsUnderTest {
  /** The ports of `tenant`, on a clock the test moves. Every call shares one store. */
  ports(tenant: string): StatePorts;
  /** Moves the clock on. */
  advance(ms: number): void;
}

export function describeStatePorts(name: string, setup: () => Promise<PortsUnderTest>): void {
  describe(`state ports contract: ${name}`, () => {
    let world: PortsUnderTest;
    let t: StatePorts;
    let tenantNo = 0;
    beforeEach(async () => {
      world = await setup();
      t = world.ports(`tenant-${++tenantNo}#x`);
    });

    describe('orders ledger', () => {
      it('gives an order to one run at a time, answering with the record', async () => {
        const first = await t.orders.claim(1, 'run-a', 60_000);
        expect(first).toMatchObject({ result: 'claimed', record: { blOrderId: '1', status: 'pending', owner: 'run-a', attempts: 1 } });
        expect(first.record!.firstSeenAt).toEqual(expect.any(String));
        const other = await t.orders.claim(1, 'run-b', 60_000);
        expect(other).toMatchObject({ result: 'busy', record: { owner: 'run-a' } });
        expect(await t.orders.claim(1, 'run-a', 60_000)).toMatchObject({ result: 'claimed', record: { attempts: 2 } });
      });

      it('lets another run take a claim whose lease has passed, keeping firstSeenAt', async () => {
        const first = await t.orders.claim(2, 'run-a', 1_000);
        world.advance(1_001);
        const second = await t.orders.claim(2, 'run-b', 1_000);
        expect(second).toMatchObject({ result: 'claimed', record: { owner: 'run-b', attempts: 2, firstSeenAt: first.record!.firstSeenAt } });
      });

      it('completes only for the holder; a retried completion of its own work is fine; done is never claimed again', async () => {
        await t.orders.claim(3, 'run-a', 60_000);
        await expect(t.orders.complete(3, 'run-b', { ongoingOrderId: 9, orderNumber: '3' })).rejects.toBeInstanceOf(ClaimLostError);
        const done = await t.orders.complete(3, 'run-a', { ongoingOrderId: 9, orderNumber: '3' });
        expect(done).toMatchObject({ status: 'done', ongoingOrderId: 9, orderNumber: '3', completedBy: 'run-a' });
        expect(done.owner).toBeUndefined();
        expect(await t.orders.complete(3, 'run-a', { ongoingOrderId: 9, orderNumber: '3' })).toMatchObject({ status: 'done' });
        world.advance(120_000);
        expect(await t.orders.claim(3, 'run-c', 60_000)).toMatchObject({ result: 'done', record: { status: 'done' } });
      });

      it('releases only for the holder, with the reason, and frees the order at once', async () => {
        await t.orders.claim(4, 'run-a', 60_000);
        expect(await t.orders.release(4, 'run-b', 'no')).toBeUndefined();
        const released = await t.orders.release(4, 'run-a', 'x'.repeat(10_000));
        expect(released).toMatchObject({ status: 'pending', leaseUntilMs: 0 });
        expect(released!.owner).toBeUndefined();
        expect(released!.lastError).toMatch(/…\[truncated: 10000 bytes\]$/);
        expect(await t.orders.claim(4, 'run-b', 60_000)).toMatchObject({ result: 'claimed' });
      });

      it('cancels unconditionally: the holder learns it at completion, nobody claims it again', async () => {
        await t.orders.claim(5, 'run-a', 60_000);
        expect(await t.orders.cancel(5, 'cancelled in BaseLinker')).toMatchObject({ status: 'cancelled', note: 'cancelled in BaseLinker', attempts: 1 });
        await expect(t.orders.complete(5, 'run-a', { ongoingOrderId: 1, orderNumber: '5' })).rejects.toBeInstanceOf(ClaimLostError);
        expect(await t.orders.claim(5, 'run-b', 60_000)).toMatchObject({ result: 'done', record: { status: 'cancelled' } });
        expect(await t.orders.cancel(6)).toMatchObject({ status: 'cancelled', attempts: 0, blOrderId: '6' });
      });

      it('reopens only a done order, forgetting where it was in Ongoing', async () => {
        await t.orders.claim(7, 'run-a', 60_000);
        await t.orders.complete(7, 'run-a', { ongoingOrderId: 70, orderNumber: '7' });
        const reopened = await t.orders.reopen(7, 'missing in Ongoing');
        expect(reopened).toMatchObject({ status: 'pending', lastError: 'missing in Ongoing' });
        expect(reopened!.ongoingOrderId).toBeUndefined();
        expect(reopened!.completedBy).toBeUndefined();
        expect(await t.orders.claim(7, 'run-b', 60_000)).toMatchObject({ result: 'claimed' });
        expect(await t.orders.reopen(7, 'again')).toBeUndefined();
        expect(await t.orders.reopen(8, 'never seen')).toBeUndefined();
        expect(await t.orders.get(8)).toBeUndefined();
      });

      it('lists the tenant\'s orders and no other tenant\'s', async () => {
        await t.orders.claim(10, 'run-a', 60_000);
        await t.orders.claim(11, 'run-a', 60_000);
        await world.ports('someone-else').orders.claim(12, 'run-a', 60_000);
        expect((await t.orders.list()).map((o) => o.blOrderId).sort()).toEqual(['10', '11']);
        expect(await world.ports('someone-else').orders.get(10)).toBeUndefined();
      });

      it('lists in key order (DynamoDB sorts a partition by its sort key, a string)', async () => {
        for (const id of [9, 100, 10]) await t.orders.claim(id, 'run-a', 60_000);
        expect((await t.orders.list()).map((o) => o.blOrderId)).toEqual(['10', '100', '9']);
      });

      it('counts an order given back as pending until it is finished, even while a later run holds it', async () => {
        expect(await t.orders.oldestPendingSince()).toBeUndefined();
        const first = await t.orders.claim(20, 'run-a', 60_000);
        await t.orders.release(20, 'run-a', 'Ongoing is down');
        world.advance(1_000);
        await t.orders.claim(21, 'run-a', 60_000);
        await t.orders.release(21, 'run-a', 'Ongoing is down');
        expect(await t.orders.oldestPendingSince()).toBe(first.record!.firstSeenAt);
        // Taken again by a run that dies holding it: the order is as stuck as before, and still counted.
        await t.orders.claim(20, 'run-b', 60_000);
        expect(await t.orders.oldestPendingSince()).toBe(first.record!.firstSeenAt);
        await t.orders.complete(20, 'run-b', { ongoingOrderId: 200, orderNumber: '20' });
        const second = await t.orders.get(21);
        expect(await t.orders.oldestPendingSince()).toBe(second!.firstSeenAt);
        await t.orders.cancel(21);
        expect(await t.orders.oldestPendingSince()).toBeUndefined();
        // Reopened (missing in Ongoing): pending again, and counted.
        await t.orders.reopen(20, 'missing in Ongoing');
        expect(await t.orders.oldestPendingSince()).toBe(first.record!.firstSeenAt);
      });

      it('counts an order whose only run died holding it once the index is swept: at the first read, then daily', async () => {
        const held = await t.orders.claim(30, 'run-a', 60_000);
        expect(await t.orders.oldestPendingSince()).toBe(held.record!.firstSeenAt);
        world.advance(1_000);
        const later = await t.orders.claim(31, 'run-a', 60_000);
        await t.orders.complete(30, 'run-a', { ongoingOrderId: 300, orderNumber: '30' });
        // Claimed after the sweep and never given back: not in the index until the next sweep, a day on.
        expect(await t.orders.oldestPendingSince()).toBeUndefined();
        world.advance(24 * 3_600_000 + 1_000);
        expect(await t.orders.oldestPendingSince()).toBe(later.record!.firstSeenAt);
      });
    });

    describe('shipments ledger', () => {
      it('claims, saves progress, renews and completes for the holder only, each answering with the record', async () => {
        expect(await t.shipments.claim(100, 'hook-1', 60_000)).toMatchObject({ result: 'claimed', record: { ongoingOrderId: '100', status: 'pending' } });
        expect(await t.shipments.claim(100, 'hook-2', 60_000)).toMatchObject({ result: 'busy', record: { owner: 'hook-1' } });
        expect(await t.shipments.update(100, 'hook-1', { packageId: 5, courierCode: 'dpd' })).toMatchObject({ packageId: 5, courierCode: 'dpd', owner: 'hook-1' });
        await expect(t.shipments.update(100, 'hook-2', { labelKey: 'x' })).rejects.toBeInstanceOf(ClaimLostError);
        expect(await t.shipments.renew(100, 'hook-2', 60_000)).toBeUndefined();
        const renewed = await t.shipments.renew(100, 'hook-1', 90_000);
        expect(renewed).toMatchObject({ owner: 'hook-1', packageId: 5 });
        const done = await t.shipments.complete(100, 'hook-1', { trackingNumber: 'T1', lastError: '' });
        expect(done).toMatchObject({ status: 'done', trackingNumber: 'T1', completedBy: 'hook-1', packageId: 5 });
        expect(await t.shipments.complete(100, 'hook-1', { trackingNumber: 'T1' })).toMatchObject({ status: 'done' });
        await expect(t.shipments.complete(100, 'hook-2', {})).rejects.toBeInstanceOf(ClaimLostError);
        expect(await t.shipments.claim(100, 'hook-2', 60_000)).toMatchObject({ result: 'done', record: { trackingNumber: 'T1' } });
      });

      it('a worker paused past its lease learns at renew that another took over', async () => {
        await t.shipments.claim(101, 'slow', 1_000);
        world.advance(1_001);
        expect(await t.shipments.claim(101, 'fast', 60_000)).toMatchObject({ result: 'claimed' });
        expect(await t.shipments.renew(101, 'slow', 60_000)).toBeUndefined();
        expect(await t.shipments.release(101, 'slow', { status: 'failed' })).toBeUndefined();
      });

      it('releases with the outcome so far, and lists by status', async () => {
        await t.shipments.claim(102, 'w', 60_000);
        expect(await t.shipments.release(102, 'w', { status: 'pending-tracking', packageId: 9 })).toMatchObject({ status: 'pending-tracking', packageId: 9, leaseUntilMs: 0 });
        await t.shipments.claim(103, 'w', 60_000);
        await t.shipments.release(103, 'w', { status: 'failed', lastError: 'refused' });
        expect((await t.shipments.list({ status: 'pending-tracking' })).map((s) => s.ongoingOrderId)).toEqual(['102']);
        expect((await t.shipments.list()).map((s) => s.ongoingOrderId).sort()).toEqual(['102', '103']);
        expect(await t.shipments.get(103)).toMatchObject({ status: 'failed', lastError: 'refused' });
      });

      it('open lists the unfinished shipments only, in key order', async () => {
        for (const id of [9, 100, 10, 11]) await t.shipments.claim(id, 'w', 60_000);
        await t.shipments.release(9, 'w', { status: 'pending-tracking', packageId: 1 });
        await t.shipments.complete(10, 'w', { trackingNumber: 'T' });
        await t.shipments.release(11, 'w', { status: 'failed', lastError: 'refused' });
        expect((await t.shipments.open()).map((s) => [s.ongoingOrderId, s.status])).toEqual([
          ['100', 'pending'],
          ['9', 'pending-tracking'],
        ]);
        expect((await t.shipments.list()).map((s) => s.ongoingOrderId)).toEqual(['10', '100', '11', '9']);
      });
    });

    describe('set-aside inbox', () => {
      it('records a problem once, counting repeats and keeping first seen', async () => {
        const first = await t.inbox.put({ kind: 'order', sourceId: '1', reason: 'no address', raw: { a: 1 }, ids: { blOrderId: '1' } });
        expect(first).toMatchObject({ kind: 'order', sourceId: '1', reason: 'no address', raw: '{"a":1}', ids: { blOrderId: '1' }, count: 1, state: 'open' });
        world.advance(1_000);
        const again = await t.inbox.put({ kind: 'order', sourceId: '1', reason: 'still no address' });
        expect(again).toMatchObject({ count: 2, reason: 'still no address', firstSeenAt: first.firstSeenAt });
        expect(again.lastSeenAt > first.lastSeenAt).toBe(true);
      });

      it('opens an item a person asked to retry again; a dismissed one stays dismissed', async () => {
        await t.inbox.put({ kind: 'order', sourceId: '2', reason: 'r' });
        expect(await t.inbox.markForRetry('order', '2')).toBe(true);
        expect(await t.inbox.get('order', '2')).toMatchObject({ state: 'retry' });
        expect(await t.inbox.put({ kind: 'order', sourceId: '2', reason: 'r' })).toMatchObject({ state: 'open', count: 2 });
        expect(await t.inbox.dismiss('order', '2', 'known')).toBe(true);
        expect(await t.inbox.put({ kind: 'order', sourceId: '2', reason: 'r' })).toMatchObject({ state: 'dismissed', count: 3, note: 'known' });
        expect(await t.inbox.markForRetry('order', 'nope')).toBe(false);
        expect(await t.inbox.dismiss('order', 'nope', 'x')).toBe(false);
      });

      it('lists newest first, by kind and state, and forgets what went through', async () => {
        await t.inbox.put({ kind: 'article', sourceId: 'a', reason: 'r' });
        world.advance(10);
        await t.inbox.put({ kind: 'stock', sourceId: 's', reason: 'r' });
        world.advance(10);
        await t.inbox.put({ kind: 'article', sourceId: 'b', reason: 'r' });
        await t.inbox.markForRetry('article', 'a');
        expect((await t.inbox.list()).map((i) => i.sourceId)).toEqual(['b', 's', 'a']);
        expect((await t.inbox.list({ kind: 'article' })).map((i) => i.sourceId)).toEqual(['b', 'a']);
        expect((await t.inbox.list({ kind: 'article', state: 'retry' })).map((i) => i.sourceId)).toEqual(['a']);
        await t.inbox.clear('article', 'a');
        expect(await t.inbox.get('article', 'a')).toBeUndefined();
        expect((await t.inbox.list({ kind: 'article' })).map((i) => i.sourceId)).toEqual(['b']);
      });

      it('keeps a huge payload, cut with a visible marker', async () => {
        const item = await t.inbox.put({ kind: 'order', sourceId: 'big', reason: 'r', raw: 'x'.repeat(100_000) });
        expect(Buffer.byteLength(item.raw!, 'utf8')).toBeLessThanOrEqual(64 * 1024);
        expect(item.raw).toMatch(/…\[truncated: 100000 bytes in total, kept the first part\]$/);
      });

      it('forgets a raw payload setAsideRawDays after it was written, keeping the item', async () => {
        await t.inbox.put({ kind: 'order', sourceId: 'old', reason: 'r', raw: { a: 1 } });
        world.advance(DEFAULT_SET_ASIDE_RAW_DAYS * 86_400_000 - 1_000);
        expect(await t.inbox.get('order', 'old')).toMatchObject({ raw: '{"a":1}' });
        world.advance(2_000);
        const item = await t.inbox.get('order', 'old');
        expect(item).toMatchObject({ sourceId: 'old', reason: 'r', count: 1 });
        expect(item!.raw).toBeUndefined();
        expect((await t.inbox.list()).find((i) => i.sourceId === 'old')!.raw).toBeUndefined();
      });
    });

    describe('checkpoints and cursors', () => {
      const schema = z.object({ page: z.number(), lastId: z.optional(z.number()) });

      it('reads through the schema what was written; nothing saved reads as undefined', async () => {
        expect(await t.checkpoints.read('walk', schema)).toBeUndefined();
        await t.checkpoints.write('walk', { page: 3, lastId: 9 });
        expect(await t.checkpoints.read('walk', schema)).toEqual({ page: 3, lastId: 9 });
        await t.checkpoints.clear('walk');
        expect(await t.checkpoints.read('walk', schema)).toBeUndefined();
      });

      it('refuses a saved value of the wrong shape with a clear error', async () => {
        await t.checkpoints.write('walk', { page: 'three' });
        const read = t.checkpoints.read('walk', schema);
        await expect(read).rejects.toBeInstanceOf(UnreadableStateError);
        await expect(t.checkpoints.read('walk', schema)).rejects.toThrow(/checkpoint walk of .*cannot be read: page:/);
      });

      it('keeps cursors and checkpoints of one name apart, and tenants apart', async () => {
        await t.cursors.write('orders', 1);
        await t.checkpoints.write('orders', 2);
        expect(await t.cursors.read('orders', z.number())).toBe(1);
        expect(await t.checkpoints.read('orders', z.number())).toBe(2);
        expect(await world.ports('other-tenant').cursors.read('orders', z.number())).toBeUndefined();
      });
    });

    describe('article hashes and stock levels', () => {
      it('keeps one hash per SKU', async () => {
        await t.articleHashes.put('A', { hash: 'h1', blProductId: 1 });
        await t.articleHashes.put('A', { hash: 'h2', blProductId: 1, blVariantId: 2, articleSystemId: 7 });
        await t.articleHashes.put('B', { hash: 'h3', blProductId: 3 });
        const all = await t.articleHashes.all();
        expect([...all.keys()].sort()).toEqual(['A', 'B']);
        expect(all.get('A')).toMatchObject({ sku: 'A', hash: 'h2', blVariantId: 2, articleSystemId: 7 });
        expect(await t.articleHashes.get('B')).toMatchObject({ hash: 'h3' });
        await t.articleHashes.delete('B');
        expect(await t.articleHashes.get('B')).toBeUndefined();
      });

      it('saves many levels at once, the last one per SKU winning', async () => {
        const records = Array.from({ length: 60 }, (_, i) => ({ sku: `S${i % 40}`, level: i, blId: i }));
        await t.stockLevels.putMany(records);
        const all = await t.stockLevels.all();
        expect(all.size).toBe(40);
        expect(all.get('S0')).toMatchObject({ level: 40, blId: 40 });
        expect(all.get('S39')).toMatchObject({ level: 39 });
      });
    });

    describe('webhook events', () => {
      it('says first exactly once per event within its time to live', async () => {
        expect(await t.events.remember('e1', 60)).toBe('first');
        expect(await t.events.remember('e1', 60)).toBe('duplicate');
        expect(await world.ports('other-tenant').events.remember('e1', 60)).toBe('first');
        world.advance(61_000);
        expect(await t.events.remember('e1', 60)).toBe('first');
      });

      it('lets only one of many racing deliveries be first', async () => {
        const answers = await Promise.all(Array.from({ length: 8 }, () => t.events.remember('race', 60)));
        expect(answers.filter((a) => a === 'first')).toHaveLength(1);
      });
    });

    describe('Sends', () => {
      it("keeps each Send of an order, oldest first, apart from other orders' and other tenants'", async () => {
        await t.sends.record({ ongoingOrderId: 7, blOrderId: '501', via: 'webhook', at: '2026-03-01T10:05:00.000Z', outcome: 'refused', message: 'courier: no weight' });
        await t.sends.record({ ongoingOrderId: 70, via: 'cli', at: '2026-03-01T10:06:00.000Z', outcome: 'done' });
        await t.sends.record({
          ongoingOrderId: 7,
          blOrderId: '501',
          via: 'webhook',
          at: '2026-03-01T10:07:00.000Z',
          outcome: 'done',
          packageId: 9001,
          courierCode: 'dpd',
          labelKey: 'labels/7.pdf',
          trackingNumber: 'TRK-1',
          trackingUrl: 'https://t.example/TRK-1',
        });
        // Two Sends in the same millisecond (a double press) are both kept.
        await Promise.all([1, 2].map(() => t.sends.record({ ongoingOrderId: 7, via: 'webhook', at: '2026-03-01T10:08:00.000Z', outcome: 'done', alreadyDone: true })));

        const sends = await t.sends.list('7');
        expect(sends.map((s) => [s.at, s.outcome])).toEqual([
          ['2026-03-01T10:05:00.000Z', 'refused'],
          ['2026-03-01T10:07:00.000Z', 'done'],
          ['2026-03-01T10:08:00.000Z', 'done'],
          ['2026-03-01T10:08:00.000Z', 'done'],
        ]);
        expect(sends[0]).toMatchObject({ ongoingOrderId: '7', blOrderId: '501', via: 'webhook', message: 'courier: no weight' });
        expect(sends[1]).toMatchObject({ packageId: '9001', courierCode: 'dpd', labelKey: 'labels/7.pdf', trackingNumber: 'TRK-1', trackingUrl: 'https://t.example/TRK-1' });
        expect(sends[3]).toMatchObject({ alreadyDone: true });
        expect(await t.sends.list(70)).toEqual([expect.objectContaining({ ongoingOrderId: '70', via: 'cli', outcome: 'done' })]);
        expect(await t.sends.list(8)).toEqual([]);
        expect(await world.ports('other-tenant').sends.list(7)).toEqual([]);
      });

      it('forgets a Send SEND_LOG_DAYS after it was recorded', async () => {
        await t.sends.record({ ongoingOrderId: 5, via: 'webhook', at: '2026-03-01T10:00:00.000Z', outcome: 'done' });
        world.advance(SEND_LOG_DAYS * 86_400_000 - 2_000);
        await t.sends.record({ ongoingOrderId: 5, via: 'cli', at: '2027-04-05T10:00:00.000Z', outcome: 'done' });
        expect((await t.sends.list(5)).map((s) => s.via)).toEqual(['webhook', 'cli']);
        world.advance(3_000);
        expect((await t.sends.list(5)).map((s) => s.via)).toEqual(['cli']);
      });
    });

    describe('leases', () => {
      it('one holder at a time; a lapsed lease may be taken over; only the holder renews or releases', async () => {
        const name = `flow#${tenantNo}`;
        expect(await t.leases.acquire(name, 'run-a', 1_000)).toBe(true);
        expect(await t.leases.acquire(name, 'run-b', 1_000)).toBe(false);
        expect(await t.leases.acquire(name, 'run-a', 1_000)).toBe(true);
        expect(await t.leases.get(name)).toMatchObject({ name, owner: 'run-a' });
        world.advance(1_001);
        expect(await t.leases.get(name)).toBeUndefined();
        expect(await t.leases.acquire(name, 'run-b', 1_000)).toBe(true);
        expect(await t.leases.renew(name, 'run-a', 1_000)).toBe(false);
        expect(await t.leases.release(name, 'run-a')).toBe(false);
        expect(await t.leases.renew(name, 'run-b', 5_000)).toBe(true);
        world.advance(2_000);
        expect(await t.leases.get(name)).toMatchObject({ owner: 'run-b' });
        expect(await t.leases.release(name, 'run-b')).toBe(true);
        expect(await t.leases.acquire(name, 'run-c', 1_000)).toBe(true);
      });

      it('gives a free lease to exactly one of many racing runs', async () => {
        const name = `race#${tenantNo}`;
        const won = await Promise.all(Array.from({ length: 6 }, (_, i) => t.leases.acquire(name, `run-${i}`, 60_000)));
        expect(won.filter(Boolean)).toHaveLength(1);
      });
    });

    describe('run summaries', () => {
      it('keeps the latest run per flow, listed by flow name', async () => {
        await t.runs.put('orders', { startedAt: '2026-01-01T00:00:00.000Z', outcome: 'running' });
        await t.runs.put('orders', { startedAt: '2026-01-01T00:00:00.000Z', outcome: 'ok', counts: { seen: 2 } });
        await t.runs.put('articles', { startedAt: '2026-01-01T00:00:00.000Z', outcome: 'partial', message: 'm' });
        const all = await t.runs.all();
        expect(all.map((r) => [r.flow, r.outcome])).toEqual([
          ['articles', 'partial'],
          ['orders', 'ok'],
        ]);
        expect(all[1]).toMatchObject({ counts: { seen: 2 }, updatedAt: expect.any(String) });
      });
    });
  });
}
