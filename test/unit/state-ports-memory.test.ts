import { MemoryState } from '../../shared/state/memory';
import { describeStatePorts } from '../support/state-contract';

describeStatePorts('in memory', async () => {
  let clock = Date.parse('2026-03-01T10:00:00.000Z');
  const state = new MemoryState({ now: () => clock });
  return { ports: (tenant) => state.ports(tenant), advance: (ms) => (clock += ms) };
});
