import { scheduledHandler } from '../../shared/lambda/scheduled';
import { s3Labels } from '../../shared/lambda/wiring';
import { trackingFlow } from '../../shared/flows/tracking';

// Tracking finishes shipments (label included), so it is the one scheduled function wired with S3 labels.
export const handler = scheduledHandler('tracking', trackingFlow, { labels: s3Labels });
