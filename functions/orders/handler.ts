import { scheduledHandler } from '../../shared/flows/lambda';
import { ordersFlow } from '../../shared/flows/orders';

export const handler = scheduledHandler('orders', ordersFlow);
