import { redactingReplacer } from './redact';

export { forgetCustomerData, protectCustomerData, redact, scrubText } from './redact';

/** From the most verbose to silence: a logger writes the events at its level and after it. */
export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

type Attributes = Record<string, unknown>;

/**
 * Keys every JSON line starts with (the shape CloudWatch Logs Insights queries and the alarms' runbooks read);
 * an attribute of the same name is dropped, with a warning, so it cannot pass for one of them.
 */
const RESERVED_KEYS = new Set(['level', 'message', 'timestamp', 'service']);

/** Keys every line carries that a person reading the terminal does not need (the line says flow and tenant up front). */
const HIDDEN_IN_TEXT = new Set(['level', 'message', 'timestamp', 'service', 'xray_trace_id', 'tenant', 'flow', 'runId']);

function levelName(value: string | undefined): LogLevelName | undefined {
  const name = value?.trim().toUpperCase();
  return (LOG_LEVELS as readonly string[]).includes(name ?? '') ? (name as LogLevelName) : undefined;
}

/**
 * Lambda's advanced logging controls, when the function has them: their level wins over ours, also over
 * setLogLevel, so a line Lambda would drop is not even built. FATAL is their name for CRITICAL.
 */
const LAMBDA_LOG_LEVEL = levelName(process.env.AWS_LAMBDA_LOG_LEVEL === 'FATAL' ? 'CRITICAL' : process.env.AWS_LAMBDA_LOG_LEVEL);

/** The request's X-Ray trace id (the Root part of `_X_AMZN_TRACE_ID`), for lines written during an invocation. */
function xrayTraceId(): string | undefined {
  const header = process.env._X_AMZN_TRACE_ID?.trim();
  if (!header) return undefined;
  if (!header.includes('=')) return header;
  return header
    .split(';')
    .map((field) => field.split('='))
    .find(([key]) => key === 'Root')?.[1];
}

/** The file and line the error was thrown at: the first stack frame that names one. */
function codeLocation(stack: string | undefined): string {
  for (const line of stack?.split('\n') ?? []) {
    const match = /\(([^()]*?):(\d+?):(\d+?)\)\\?$/.exec(line);
    if (match) return `${match[1]}:${Number(match[2])}`;
  }
  return '';
}

function formatError(error: Error): Attributes {
  const { name, message, stack, cause } = error;
  const formatted: Attributes = { name, location: codeLocation(stack), message, stack, cause: cause instanceof Error ? formatError(cause) : cause };
  // What an error carries beyond the standard fields (an SDK error's $metadata, an HTTP client's status).
  for (const [key, value] of Object.entries(error)) if (!['name', 'message', 'stack', 'cause'].includes(key)) formatted[key] = value;
  return formatted;
}

/**
 * Every key and string of a line through the redaction rules, errors as plain objects (redacted in turn), bigints
 * as text; an object met again inside itself is left out instead of failing the line.
 */
function lineReplacer(): (this: unknown, key: string, value: unknown) => unknown {
  const ancestors: unknown[] = [];
  return function (key, value) {
    let replaced = redactingReplacer(key, value);
    if (replaced instanceof Error) replaced = formatError(replaced);
    if (typeof replaced === 'bigint') return replaced.toString();
    if (typeof replaced === 'object' && replaced !== null) {
      while (ancestors.length > 0 && ancestors.at(-1) !== this) ancestors.pop();
      if (ancestors.includes(replaced)) return undefined;
      ancestors.push(replaced);
    }
    return replaced;
  };
}

let jsonOnStderr = false;

/** A command whose stdout is its answer (the operator CLI) sends JSON log lines to stderr as well. */
export function keepLogsOffStdout(): void {
  jsonOnStderr = true;
}

function textValue(value: unknown): string {
  if (value && typeof value === 'object' && typeof (value as { message?: unknown }).message === 'string') return (value as { message: string }).message;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** "[12:00:01] WARN orders [shop-a]: order set aside (blOrderId 123, ...)", from a line already redacted. */
function textLine(attributes: Attributes): string {
  const where = [attributes.flow, attributes.tenant !== undefined ? `[${String(attributes.tenant)}]` : undefined].filter(Boolean).join(' ');
  const details = Object.entries(attributes)
    .filter(([key, value]) => !HIDDEN_IN_TEXT.has(key) && value !== undefined && value !== '')
    .map(([key, value]) => `${key} ${textValue(value)}`);
  const stamp = new Date().toISOString().slice(11, 19);
  const level = String(attributes.level ?? '').toUpperCase();
  return `[${stamp}] ${level} ${where ? `${where}: ` : ''}${String(attributes.message ?? '')}${details.length ? ` (${details.join(', ')})` : ''}\n`;
}

/**
 * One structured JSON logger for every process (Lambda or local). Flows add tenant, flow and run ids with child
 * loggers; secrets and customer data never reach a log line because every key and every string of a line goes
 * through the redaction rules (./redact) as it is written.
 *
 * JSON lines, one per event: DEBUG and INFO on stdout, WARN and ERROR on stderr (CloudWatch reads both). With
 * LOG_FORMAT=text one readable line per event on stderr instead; the local host and the CLI choose text unless
 * LOG_FORMAT says json, and stderr keeps a command's --json output alone on stdout.
 */
export class Log {
  constructor(
    private readonly service: string,
    private readonly persistentKeys: Attributes,
    private level: LogLevelName,
  ) {}

  debug(message: string, ...extra: unknown[]): void {
    this.write('DEBUG', message, extra);
  }

  info(message: string, ...extra: unknown[]): void {
    this.write('INFO', message, extra);
  }

  warn(message: string, ...extra: unknown[]): void {
    this.write('WARN', message, extra);
  }

  error(message: string, ...extra: unknown[]): void {
    this.write('ERROR', message, extra);
  }

  /** A logger whose lines also carry `persistentKeys`; its level starts as this one's is now. */
  createChild(options: { persistentKeys?: Attributes; logLevel?: LogLevelName } = {}): Log {
    return new Log(this.service, { ...this.persistentKeys, ...this.withoutReserved(options.persistentKeys ?? {}) }, options.logLevel ?? this.level);
  }

  setLogLevel(level: LogLevelName): void {
    this.level = level;
  }

  private write(level: LogLevelName, message: string, extra: unknown[]): void {
    if (LOG_LEVELS.indexOf(level) < LOG_LEVELS.indexOf(LAMBDA_LOG_LEVEL ?? this.level)) return;
    const attributes: Attributes = { ...this.persistentKeys };
    for (const item of extra) {
      if (item === null || item === undefined) continue;
      if (item instanceof Error) attributes.error = item;
      else if (typeof item === 'string') attributes.extra = item;
      else Object.assign(attributes, this.withoutReserved(item as Attributes));
    }
    const line: Attributes = { level, message, timestamp: new Date().toISOString(), service: this.service, xray_trace_id: xrayTraceId(), ...attributes };
    for (const key of Object.keys(line)) if (line[key] === undefined || line[key] === null || line[key] === '') delete line[key];
    const json = JSON.stringify(line, lineReplacer());
    if ((process.env.LOG_FORMAT ?? '').toLowerCase() === 'text') process.stderr.write(textLine(JSON.parse(json) as Attributes));
    else if (jsonOnStderr || LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf('WARN')) process.stderr.write(`${json}\n`);
    else process.stdout.write(`${json}\n`);
  }

  private withoutReserved(attributes: Attributes): Attributes {
    const kept: Attributes = {};
    for (const [key, value] of Object.entries(attributes)) {
      if (RESERVED_KEYS.has(key)) this.warn(`The key "${key}" is a reserved key and will be dropped.`);
      else kept[key] = value;
    }
    return kept;
  }
}

export const rootLogger = new Log(process.env.SERVICE_NAME ?? 'ongoing-baselinker', {}, levelName(process.env.LOG_LEVEL) ?? 'INFO');

export function flowLogger(attrs: { tenant: string; flow: string; runId?: string }): Log {
  return rootLogger.createChild({ persistentKeys: attrs });
}
