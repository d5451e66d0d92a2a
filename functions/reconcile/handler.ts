import { dispatcherHandler } from '../../shared/fanout/dispatch-lambda';

/** EventBridge rule -> one message per due tenant on the reconcile queue (the worker runs them). */
export const handler = dispatcherHandler('reconcile');
