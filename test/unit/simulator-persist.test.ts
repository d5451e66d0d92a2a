import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSimulatorState, saveSimulatorState } from '../../infra/simulators/persist';

describe('simulator state persistence', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-persist-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('restores maps, arrays, dates and counters into the live state object', () => {
    const original = {
      orders: new Map<number, { id: number; createdAt: Date; lines: string[] }>([[7, { id: 7, createdAt: new Date('2026-01-02T03:04:05.000Z'), lines: ['a'] }]]),
      journal: [{ log_id: 1 }],
      nextId: { order: 8 },
    };
    const file = join(dir, 'state.json');
    saveSimulatorState(original, file);

    const live = { orders: new Map<number, unknown>(), journal: [] as unknown[], nextId: { order: 1 } };
    const ordersRef = live.orders;
    expect(loadSimulatorState(live, file)).toBe(true);
    expect(live.orders).toBe(ordersRef);
    expect(live.orders.get(7)).toEqual({ id: 7, createdAt: new Date('2026-01-02T03:04:05.000Z'), lines: ['a'] });
    expect(live.journal).toEqual([{ log_id: 1 }]);
    expect(live.nextId).toEqual({ order: 8 });
  });

  it('reports a missing file instead of failing', () => {
    expect(loadSimulatorState({}, join(dir, 'none.json'))).toBe(false);
  });
});
