import { dispatcherHandler } from '../../shared/lambda/dispatch';

/** EventBridge rule -> one message per due tenant on the reconcile queue (the worker runs them). */
export const handler = dispatcherHandler('reconcile');
