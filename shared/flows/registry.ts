import { articlesFlow } from './articles';
import type { Flow, FlowName } from './context';
import { ordersFlow } from './orders';
import { reconcileFlow } from './reconcile';
import { stockFlow } from './stock';
import { trackingFlow } from './tracking';

/**
 * Every scheduled flow by name, for the operator CLI and the local host. Lambda handlers import their own
 * flow directly instead, so each bundle carries only what it runs.
 */
export const FLOWS: Record<FlowName, Flow> = {
  articles: articlesFlow,
  stock: stockFlow,
  orders: ordersFlow,
  reconcile: reconcileFlow,
  tracking: trackingFlow,
};

export const FLOW_NAMES: FlowName[] = ['articles', 'stock', 'orders', 'reconcile', 'tracking'];
