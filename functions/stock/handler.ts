import { scheduledHandler } from '../../shared/lambda/scheduled';
import { stockFlow } from '../../shared/flows/stock';

export const handler = scheduledHandler('stock', stockFlow);
