import { workerHandler } from '../../shared/lambda/worker';
import { ordersFlow } from '../../shared/flows/orders';

/** SQS (batch size 1) -> one orders run for the tenant the message names. */
export const handler = workerHandler('orders', ordersFlow);
