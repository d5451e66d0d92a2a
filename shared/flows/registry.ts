import { articlesFlow } from './articles';
import type { Flow, FlowName } from './context';
import { stockFlow } from './stock';

/**
 * Every scheduled flow by name, for the operator CLI and the local host. Lambda handlers import their own
 * flow directly instead, so each bundle carries only what it runs.
 */
export const FLOWS: Partial<Record<FlowName, Flow>> = {
  articles: articlesFlow,
  stock: stockFlow,
};

export const FLOW_NAMES: FlowName[] = ['articles', 'stock', 'orders', 'reconcile', 'tracking'];
