import { workerHandler } from '../../shared/lambda/worker';
import { s3Labels } from '../../shared/lambda/wiring';
import { trackingFlow } from '../../shared/flows/tracking';

// Tracking finishes shipments (label included), so it is the one scheduled worker wired with S3 labels.
/** SQS (batch size 1) -> one tracking run for the tenant the message names. */
export const handler = workerHandler('tracking', trackingFlow, { labels: s3Labels });
