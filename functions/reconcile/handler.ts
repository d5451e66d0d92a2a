import { scheduledHandler } from '../../shared/lambda/scheduled';
import { reconcileFlow } from '../../shared/flows/reconcile';

export const handler = scheduledHandler('reconcile', reconcileFlow);
