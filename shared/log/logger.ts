import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One structured JSON logger for every process (Lambda or local). Flows add tenant, flow and run ids
 * with `child` loggers; secrets never reach a log line because `redact` runs on every extra key.
 */
export type Log = Logger;

const SECRET_KEY = /(token|password|secret|authorization|x-bltoken|apikey|api_key|credential)/i;

/** Replaces values under secret-looking keys, at any depth, with a fixed marker. */
export function redact<T>(value: T, depth = 0): T {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1);
  }
  return out as T;
}

export const rootLogger: Log = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'ongoing-baselinker',
  jsonReplacerFn: (key: string, value: unknown) => (key && SECRET_KEY.test(key) ? '[redacted]' : value),
});

export function flowLogger(attrs: { tenant: string; flow: string; runId?: string }): Log {
  return rootLogger.createChild({ persistentKeys: attrs });
}
