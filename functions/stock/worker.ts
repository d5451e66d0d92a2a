import { workerHandler } from '../../shared/fanout/worker-lambda';
import { stockFlow } from '../../shared/flows/stock';

/** SQS (batch size 1) -> one stock run for the tenant the message names. */
export const handler = workerHandler('stock', stockFlow);
