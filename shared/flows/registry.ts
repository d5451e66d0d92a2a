import { articlesFlow } from './articles';
import type { FlowName, NeedsOf } from './catalogue';
import type { Flow } from './context';
import { ordersFlow } from './orders';
import { reconcileFlow } from './reconcile';
import { stockFlow } from './stock';
import { trackingFlow } from './tracking';

/**
 * Every scheduled flow by name, for the operator CLI and the local host. Lambda handlers import their own
 * flow directly instead, so each bundle carries only what it runs.
 */
export const FLOWS: { [F in FlowName]: Flow<NeedsOf<F>> } = {
  articles: articlesFlow,
  stock: stockFlow,
  orders: ordersFlow,
  reconcile: reconcileFlow,
  tracking: trackingFlow,
};

export { FLOW_NAMES, type FlowName } from './catalogue';
