import { scheduledHandler } from '../../shared/flows/lambda';
import { articlesFlow } from '../../shared/flows/articles';

export const handler = scheduledHandler('articles', articlesFlow);
