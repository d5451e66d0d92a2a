import { workerHandler } from '../../shared/lambda/worker';
import { articlesFlow } from '../../shared/flows/articles';

/** SQS (batch size 1) -> one articles run for the tenant the message names. */
export const handler = workerHandler('articles', articlesFlow);
