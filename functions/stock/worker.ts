import { workerHandler } from '../../shared/lambda/worker';
import { stockFlow } from '../../shared/flows/stock';

/** SQS (batch size 1) -> one stock run for the tenant the message names. */
export const handler = workerHandler('stock', stockFlow);
