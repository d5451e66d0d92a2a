import { lambdaShipmentWebhook } from '../../shared/lambda/webhook';

/** API Gateway (REST, proxy integration) -> the "Send" webhook. Give the function a 29 s timeout. */
export const handler = lambdaShipmentWebhook();
