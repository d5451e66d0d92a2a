import { workerHandler } from '../../shared/lambda/worker';
import { s3LabelsOnFirstLabel } from '../../shared/lambda/wiring';
import { trackingFlow } from '../../shared/flows/tracking';

// Tracking finishes shipments (label included), so it is the one scheduled worker wired with S3 labels; only a
// run that resumes a half-done shipment stores one, so the S3 client's code is loaded then (bundled apart).
/** SQS (batch size 1) -> one tracking run for the tenant the message names. */
export const handler = workerHandler('tracking', trackingFlow, { labels: s3LabelsOnFirstLabel });
