import { scheduledHandler } from '../../shared/lambda/scheduled';
import { ordersFlow } from '../../shared/flows/orders';

export const handler = scheduledHandler('orders', ordersFlow);
