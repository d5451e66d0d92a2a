import { Logger, type LogItem } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions } from '@aws-lambda-powertools/logger/types';
import { redactingReplacer } from './redact';

export { forgetCustomerData, protectCustomerData, redact, scrubText } from './redact';

/**
 * One structured JSON logger for every process (Lambda or local). Flows add tenant, flow and run ids
 * with `child` loggers; secrets and customer data never reach a log line because every key and every
 * string of a line goes through the redaction rules (./redact) as it is written.
 */
export type Log = Logger;

/** Keys every line carries that a person reading the terminal does not need (the line says flow and tenant up front). */
const HIDDEN_IN_TEXT = new Set(['level', 'message', 'timestamp', 'service', 'sampling_rate', 'xray_trace_id', 'tenant', 'flow', 'runId']);

function textValue(value: unknown): string {
  if (value && typeof value === 'object' && typeof (value as { message?: unknown }).message === 'string') return (value as { message: string }).message;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

let jsonOnStderr = false;

/** A command whose stdout is its answer (the operator CLI) sends JSON log lines to stderr as well. */
export function keepLogsOffStdout(): void {
  jsonOnStderr = true;
}

/**
 * JSON lines on stdout (CloudWatch reads them), or with LOG_FORMAT=text one line per event for a person, on
 * stderr: "[12:00:01] WARN orders [shop-a]: order set aside (blOrderId 123, ...)". The local host and the CLI
 * choose text unless LOG_FORMAT says json; stderr keeps a command's --json output alone on stdout.
 */
class OperatorLogger extends Logger {
  protected override printLog(logLevel: number, log: LogItem): void {
    const text = (process.env.LOG_FORMAT ?? '').toLowerCase() === 'text';
    if (!text && !jsonOnStderr) return super.printLog(logLevel, log);
    log.prepareForPrint();
    // Through the same replacer as JSON lines, so a text line redacts exactly what a JSON line does.
    const json = JSON.stringify(log.getAttributes(), this.getJsonReplacer());
    if (!text) {
      process.stderr.write(`${json}\n`);
      return;
    }
    const attributes = JSON.parse(json) as Record<string, unknown>;
    const where = [attributes.flow, attributes.tenant !== undefined ? `[${String(attributes.tenant)}]` : undefined].filter(Boolean).join(' ');
    const details = Object.entries(attributes)
      .filter(([key, value]) => !HIDDEN_IN_TEXT.has(key) && value !== undefined && value !== '')
      .map(([key, value]) => `${key} ${textValue(value)}`);
    const stamp = new Date().toISOString().slice(11, 19);
    const level = String(attributes.level ?? '').toUpperCase();
    process.stderr.write(`[${stamp}] ${level} ${where ? `${where}: ` : ''}${String(attributes.message ?? '')}${details.length ? ` (${details.join(', ')})` : ''}\n`);
  }

  protected override createLogger(options?: ConstructorOptions): Logger {
    return new OperatorLogger(options);
  }
}

export const rootLogger: Log = new OperatorLogger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'ongoing-baselinker',
  jsonReplacerFn: redactingReplacer,
});

export function flowLogger(attrs: { tenant: string; flow: string; runId?: string }): Log {
  return rootLogger.createChild({ persistentKeys: attrs });
}
