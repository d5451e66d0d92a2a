import { Logger } from '@aws-lambda-powertools/logger';
import { redactingReplacer } from './redact';

export { forgetCustomerData, protectCustomerData, redact, scrubText } from './redact';

/**
 * One structured JSON logger for every process (Lambda or local). Flows add tenant, flow and run ids
 * with `child` loggers; secrets and customer data never reach a log line because every key and every
 * string of a line goes through the redaction rules (./redact) as it is written.
 */
export type Log = Logger;

export const rootLogger: Log = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'ongoing-baselinker',
  jsonReplacerFn: redactingReplacer,
});

export function flowLogger(attrs: { tenant: string; flow: string; runId?: string }): Log {
  return rootLogger.createChild({ persistentKeys: attrs });
}
