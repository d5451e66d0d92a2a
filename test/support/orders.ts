import { startWorld, type StateKind, type World } from './world';

/** The BaseLinker statuses the orders tests configure: chosen for transfer, and "cancelled". */
export const CHOSEN = 5501;
export const CANCELLED = 5505;

/** A world whose tenant transfers CHOSEN and cancels CANCELLED orders, with these articles already in Ongoing. */
export function orderWorld(baselinker: Record<string, unknown> = {}, skus = ['SKU-A', 'SKU-B']): Promise<World> {
  return orderWorldOn('dynamodb', baselinker, skus);
}

/** The same on the given state adapter (the suites run on each: describeOnEachState). */
export async function orderWorldOn(state: StateKind, baselinker: Record<string, unknown> = {}, skus = ['SKU-A', 'SKU-B']): Promise<World> {
  const world = await startWorld({ state, tenant: { baselinker: { orderStatusIds: [CHOSEN], cancelledStatusIds: [CANCELLED], ...baselinker } } });
  const { ongoing } = world.services();
  for (const sku of skus) await ongoing.putArticle({ articleNumber: sku, articleName: `Article ${sku}` });
  world.ongoing.resetCalls();
  return world;
}
