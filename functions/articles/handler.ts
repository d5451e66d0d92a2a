import { scheduledHandler } from '../../shared/lambda/scheduled';
import { articlesFlow } from '../../shared/flows/articles';

export const handler = scheduledHandler('articles', articlesFlow);
