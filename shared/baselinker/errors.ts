import { scrubText } from '../log/redact';

/**
 * Typed BaseLinker failures. Callers branch on the class, never on message text:
 * - TokenBlockedError / AccountBlockedError: stop using the token (the client already told the budget);
 * - BadTokenError: configuration problem, alert an operator;
 * - BaseLinkerApiError: BaseLinker refused this call (bad id, courier refusal...), message kept verbatim;
 * - BaseLinkerTransportError: the only retryable kind (network, timeout, non-200, unparseable body);
 * - BaseLinkerResponseError: SUCCESS, but a field our logic relies on is missing or malformed.
 * No message ever contains the token or a request header.
 */

export class BaseLinkerError extends Error {
  // Each class names itself: `new.target.name` would be the minifier's short name in the Lambda bundles.
  override name = 'BaseLinkerError';
  constructor(
    message: string,
    /** The API method that failed, e.g. `getOrders`. */
    readonly method: string,
  ) {
    // A courier's refusal may quote the address it refused: scrubbed here, verbatim on `blMessage`.
    super(scrubText(message));
  }
}

/** An `ERROR` envelope: BaseLinker answered and said no. */
export class BaseLinkerApiError extends BaseLinkerError {
  override name = 'BaseLinkerApiError';
  constructor(
    method: string,
    /** BaseLinker's `error_code`, e.g. `ERROR_ORDER_NOT_FOUND`. */
    readonly code: string,
    /** BaseLinker's `error_message`, verbatim (courier refusals carry the courier's own reason). */
    readonly blMessage: string,
  ) {
    super(`BaseLinker ${method} failed: ${code}${blMessage ? `: ${blMessage}` : ''}`, method);
  }
}

/** ERROR_BLOCKED_TOKEN: the rate limit was exceeded; nothing on this token may be sent before `blockedUntil`. */
export class TokenBlockedError extends BaseLinkerApiError {
  override name = 'TokenBlockedError';
  constructor(
    method: string,
    blMessage: string,
    readonly blockedUntil: Date,
  ) {
    super(method, 'ERROR_BLOCKED_TOKEN', blMessage);
  }
}

/** ERROR_USER_ACCOUNT_BLOCKED: the whole account is blocked (old rate-limit behaviour, or blocked by Base). */
export class AccountBlockedError extends BaseLinkerApiError {
  override name = 'AccountBlockedError';
  constructor(method: string, blMessage: string) {
    super(method, 'ERROR_USER_ACCOUNT_BLOCKED', blMessage);
  }
}

/** ERROR_BAD_TOKEN: the token is unknown or revoked. Retrying cannot help. */
export class BadTokenError extends BaseLinkerApiError {
  override name = 'BadTokenError';
  constructor(method: string, blMessage: string) {
    super(method, 'ERROR_BAD_TOKEN', blMessage);
  }
}

export type TransportFailure = 'network' | 'timeout' | 'http-status' | 'invalid-body';

/** The request may not have reached BaseLinker, or its answer was lost or garbled. Retryable. */
export class BaseLinkerTransportError extends BaseLinkerError {
  override name = 'BaseLinkerTransportError';
  constructor(
    method: string,
    readonly failure: TransportFailure,
    detail: string,
    readonly httpStatus?: number,
    /**
     * True when the request provably never reached the server (connection refused, DNS failure), so even
     * a non-idempotent call such as createPackage can be repeated without risking a duplicate.
     */
    readonly notSent = false,
  ) {
    super(`BaseLinker ${method}: ${failure}${httpStatus ? ` (HTTP ${httpStatus})` : ''}: ${detail}`, method);
  }
}

/** SUCCESS, but the payload does not have the shape our logic relies on. */
export class BaseLinkerResponseError extends BaseLinkerError {
  override name = 'BaseLinkerResponseError';
  constructor(
    method: string,
    /** Dotted path of the offending field, e.g. `orders.3.order_id`. */
    readonly fieldPath: string,
    problem: string,
  ) {
    super(`BaseLinker ${method} returned an unexpected response at "${fieldPath || '(root)'}": ${problem}`, method);
  }
}

export function isRetryableBaseLinkerError(error: unknown): error is BaseLinkerTransportError {
  return error instanceof BaseLinkerTransportError;
}
