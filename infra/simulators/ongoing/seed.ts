import type { OngoingSimulatorOptions } from './server';
import type { SimGoodsOwner, SimUser } from './state';

/**
 * The demo tenant the local host runs against: one goods owner and one API user. The credentials are
 * placeholders that only this simulator accepts; they are not secrets.
 */
export const DEMO_WAREHOUSE = 'demo';
export const DEMO_GOODS_OWNER: SimGoodsOwner = { id: 42, name: 'Demo Shop' };
export const DEMO_API_USER: SimUser = { user: 'demo-api-user', password: 'demo-password', goodsOwnerIds: [DEMO_GOODS_OWNER.id] };

/** Simulator options for the demo tenant; anything in `overrides` wins. */
export function demoSimulatorOptions(overrides: OngoingSimulatorOptions = {}): OngoingSimulatorOptions {
  return {
    warehouse: DEMO_WAREHOUSE,
    goodsOwners: [DEMO_GOODS_OWNER],
    users: [DEMO_API_USER],
    ...overrides,
  };
}

/** What an OngoingClient needs to talk to a simulator started with `demoSimulatorOptions`. */
export function demoClientSettings(baseUrl: string): { baseUrl: string; user: string; password: string; goodsOwnerId: number } {
  return { baseUrl, user: DEMO_API_USER.user, password: DEMO_API_USER.password, goodsOwnerId: DEMO_GOODS_OWNER.id };
}
