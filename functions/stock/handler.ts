import { dispatcherHandler } from '../../shared/fanout/dispatch-lambda';

/** EventBridge rule -> one message per due tenant on the stock queue (the worker runs them). */
export const handler = dispatcherHandler('stock');
