import { dispatcherHandler } from '../../shared/lambda/dispatch';

/** EventBridge rule -> one message per due tenant on the orders queue (the worker runs them). */
export const handler = dispatcherHandler('orders');
