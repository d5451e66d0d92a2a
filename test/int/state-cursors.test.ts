import { StateStore } from '../../shared/state/store';
import { closeTestClients, freshTable, testDocumentClient } from '../support/emulators';

/** Listing a tenant's cursors for the operator's status screen, against the DynamoDB emulator. */

let store: StateStore;

beforeAll(async () => {
  store = new StateStore(testDocumentClient(), await freshTable());
});

afterAll(() => closeTestClients());

describe('listCursors', () => {
  it('lists every cursor and checkpoint of one tenant by name, with value and time, and none of another tenant', async () => {
    await store.putCursor('shop-a', 'orders', { lastLogId: 120 });
    await store.putCheckpoint('shop-a', 'articles', { page: 3 });
    await store.putCursor('shop-a', 'stock', 1714550400);
    await store.putCursor('shop-b', 'orders', { lastLogId: 7 });

    const cursors = await store.listCursors('shop-a');

    expect(cursors.map((c) => c.name)).toEqual(['checkpoint:articles', 'orders', 'stock']);
    expect(cursors.map((c) => c.value)).toEqual([{ page: 3 }, { lastLogId: 120 }, 1714550400]);
    for (const c of cursors) expect(Date.parse(c.updatedAt ?? '')).not.toBeNaN();
  });

  it('returns an empty list for a tenant without cursors, and drops a deleted one', async () => {
    expect(await store.listCursors('nobody')).toEqual([]);
    await store.putCursor('shop-c', 'orders', 1);
    await store.deleteCursor('shop-c', 'orders');
    expect(await store.listCursors('shop-c')).toEqual([]);
  });

  it('pages through many cursors', async () => {
    // Large values push the query past one 1 MB page on DynamoDB Local; dynalite pages the same way.
    const big = 'x'.repeat(100_000);
    await Promise.all(Array.from({ length: 12 }, (_, i) => store.putCursor('shop-d', `c${String(i).padStart(2, '0')}`, big)));
    const cursors = await store.listCursors('shop-d');
    expect(cursors).toHaveLength(12);
    expect(cursors[11]).toMatchObject({ name: 'c11', value: big });
  });
});
