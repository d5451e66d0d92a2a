import { scheduledHandler } from '../../shared/flows/lambda';
import { stockFlow } from '../../shared/flows/stock';

export const handler = scheduledHandler('stock', stockFlow);
