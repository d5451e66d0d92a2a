import { scrubText } from '../log/redact';

/**
 * Errors of the Ongoing client. Every message names the call (method and path, never the query string)
 * and what Ongoing said; none ever carries the API user, password or Authorization header, because the
 * client builds them itself instead of rethrowing transport errors (which hold the request config).
 */

export interface OngoingCall {
  method: string;
  /** Path below the base URL, without query string, e.g. `/orders/70211`. */
  path: string;
}

const MAX_RAW_BODY = 2000;

export class OngoingError extends Error {
  // Each class names itself: `new.target.name` would be the minifier's short name in the Lambda bundles.
  override name = 'OngoingError';
  readonly method: string;
  readonly path: string;
  /** HTTP status, when Ongoing answered at all. */
  readonly status?: number;

  constructor(message: string, call: OngoingCall, status?: number) {
    // Ongoing's validation texts may quote the consignee ("'jan@@x' is not a valid e-mail"): scrubbed here,
    // the raw text stays on `ongoingMessage` / `rawBody` for the one who fixes the order.
    super(scrubText(message));
    this.method = call.method;
    this.path = call.path;
    this.status = status;
  }
}

/** 401 or 403: wrong API user or password, or the user may not act for this goods owner or endpoint. */
export class OngoingAuthError extends OngoingError {
  override name = 'OngoingAuthError';
  readonly ongoingMessage: string;

  constructor(call: OngoingCall, status: number, ongoingMessage: string) {
    super(`Ongoing rejected the credentials for ${call.method} ${call.path} (${status}): ${ongoingMessage}`, call, status);
    this.ongoingMessage = ongoingMessage;
  }
}

/**
 * Any other 4xx: validation or a business rule (e.g. an order the warehouse has started). Never retried,
 * because retries only feed Ongoing's consecutive-failure limit. Also used for a 2xx whose body says
 * `success: false`.
 */
export class OngoingRefusedError extends OngoingError {
  override name = 'OngoingRefusedError';
  override readonly status: number;
  /** Ongoing's own text (from `message`, `Message`, `ModelState` or the raw body). */
  readonly ongoingMessage: string;
  /** The body as received (cut at 2000 characters), for logs. */
  readonly rawBody: string;

  constructor(call: OngoingCall, status: number, ongoingMessage: string, rawBody: string) {
    super(`Ongoing refused ${call.method} ${call.path} (${status}): ${ongoingMessage}`, call, status);
    this.status = status;
    this.ongoingMessage = ongoingMessage;
    this.rawBody = rawBody.slice(0, MAX_RAW_BODY);
  }
}

/** The run's deadline passed before the request could be sent (it never left this machine). Not retried. */
export class OngoingDeadlineError extends OngoingError {
  override name = 'OngoingDeadlineError';
  constructor(call: OngoingCall) {
    super(`Not sending ${call.method} ${call.path}: the run has no time left for it`, call);
  }
}

/** 429 after the retries ran out. */
export class OngoingRateLimitError extends OngoingError {
  override name = 'OngoingRateLimitError';
  /** What the last Retry-After asked for, if it was sent. */
  readonly retryAfterMs?: number;

  constructor(call: OngoingCall, retryAfterMs?: number) {
    super(
      `Ongoing rate limit hit on ${call.method} ${call.path}` +
        (retryAfterMs !== undefined ? `; retry after ${Math.ceil(retryAfterMs / 1000)} s` : ''),
      call,
      429,
    );
    this.retryAfterMs = retryAfterMs;
  }
}

/** 5xx, 408, a network failure, a timeout, or a 2xx that is not JSON (a proxy or maintenance page). */
export class OngoingTransientError extends OngoingError {
  override name = 'OngoingTransientError';
  /** Node's error code for network failures (ECONNRESET, ECONNABORTED, ...). */
  readonly code?: string;

  constructor(call: OngoingCall, reason: string, status?: number, code?: string) {
    super(`Ongoing ${call.method} ${call.path} failed: ${reason}`, call, status);
    this.code = code;
  }
}

/** A 2xx whose body does not have the shape we rely on (e.g. PUT /orders without a numeric orderId). */
export class OngoingResponseError extends OngoingError {
  override name = 'OngoingResponseError';
  readonly issues: string[];

  constructor(call: OngoingCall, status: number | undefined, issues: string[]) {
    super(`Ongoing ${call.method} ${call.path} answered with an unexpected body: ${issues.slice(0, 5).join('; ')}`, call, status);
    this.issues = issues;
  }
}

/** The client refused to send a request that does not match Ongoing's model (nothing went over the wire). */
export class OngoingInvalidRequestError extends OngoingError {
  override name = 'OngoingInvalidRequestError';
  readonly issues: string[];

  constructor(call: OngoingCall, issues: string[]) {
    super(`Not sending ${call.method} ${call.path}: ${issues.slice(0, 5).join('; ')}`, call);
    this.issues = issues;
  }
}

function flattenModelState(modelState: unknown): string | undefined {
  if (!modelState || typeof modelState !== 'object') return undefined;
  const parts: string[] = [];
  for (const [field, value] of Object.entries(modelState as Record<string, unknown>)) {
    const texts = Array.isArray(value) ? value.map(String) : [String(value)];
    parts.push(field ? `${field}: ${texts.join(', ')}` : texts.join(', '));
  }
  return parts.length ? parts.join('; ') : undefined;
}

/**
 * Ongoing's error text. Error bodies have no schema: seen as `{"Message": ...}` and `{"message": ...}`,
 * ASP.NET validation adds `ModelState`. A `ModelState` next to a generic Message is appended, since the
 * generic text alone ("The request is invalid.") says nothing useful.
 */
export function ongoingErrorText(rawBody: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed === 'string' && parsed.trim()) return parsed.trim();
  if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const body = parsed as Record<string, unknown>;
    const text = [body.message, body.Message].find((v): v is string => typeof v === 'string' && v.trim() !== '');
    const modelState = flattenModelState(body.ModelState ?? body.modelState);
    if (text && modelState) return `${text.trim()} (${modelState})`;
    if (text) return text.trim();
    if (modelState) return modelState;
  }
  const raw = rawBody.trim();
  return raw ? raw.slice(0, 500) : '(empty body)';
}
