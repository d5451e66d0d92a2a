import { workerHandler } from '../../shared/lambda/worker';
import { reconcileFlow } from '../../shared/flows/reconcile';

/** SQS (batch size 1) -> one reconcile run for the tenant the message names. */
export const handler = workerHandler('reconcile', reconcileFlow);
