import { StateStore } from '../../shared/state';
import { freshTable, testDocumentClient } from '../support/emulators';

describe('stock records in state', () => {
  it('saves levels in batches past 25, keeps the last level of a SKU named twice, and reads them per tenant', async () => {
    const table = await freshTable();
    const store = new StateStore(testDocumentClient(), table, { now: () => Date.parse('2025-03-01T10:00:00Z') });
    const records = Array.from({ length: 60 }, (_, i) => ({ sku: `S${i}`, level: i, blId: 1000 + i }));
    await store.putStockRecords('a', [...records, { sku: 'S3', level: 33, blId: 1003 }]);
    await store.putStockRecords('b', [{ sku: 'S3', level: 7, blId: '77' }]);

    const a = await store.getStockRecords('a');
    expect(a.size).toBe(60);
    expect(a.get('S3')).toEqual({ sku: 'S3', level: 33, blId: 1003, pushedAt: '2025-03-01T10:00:00.000Z' });
    expect(a.get('S59')).toMatchObject({ level: 59, blId: 1059 });
    expect([...(await store.getStockRecords('b')).values()]).toEqual([{ sku: 'S3', level: 7, blId: '77', pushedAt: '2025-03-01T10:00:00.000Z' }]);
    // Article records of the tenant are a different kind and stay apart.
    expect((await store.getArticleRecords('a')).size).toBe(0);
  });
});
