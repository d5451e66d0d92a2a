import { scheduledHandler } from '../../shared/flows/lambda';
import { trackingFlow } from '../../shared/flows/tracking';

export const handler = scheduledHandler('tracking', trackingFlow);
