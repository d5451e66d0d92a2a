import { scheduledHandler } from '../../shared/flows/lambda';
import { reconcileFlow } from '../../shared/flows/reconcile';

export const handler = scheduledHandler('reconcile', reconcileFlow);
