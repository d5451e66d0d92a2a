/**
 * Retry with exponential backoff and full jitter, for transient failures only. Both API clients use it;
 * the caller decides what is transient (BaseLinker: transport errors; Ongoing: 408, 429, 5xx, network).
 */

export interface RetryPolicy {
  /** Total tries, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 500, maxDelayMs: 10_000 };

export interface RetryDecision {
  retry: boolean;
  /** A delay the server asked for (Retry-After); used instead of the backoff when larger. */
  afterMs?: number;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

/**
 * Epoch ms past which an outside call must not run: the run's own deadline. Calls are cut to the time left,
 * and a retry that could not start before it is not made (the error goes up instead).
 */
export type CallDeadline = number | undefined;

/** Milliseconds left before `deadline` (Infinity without one). */
export function timeLeft(deadline: CallDeadline, now: number = Date.now()): number {
  return deadline === undefined ? Infinity : deadline - now;
}

export async function withRetry<T>(
  operation: (attempt: number) => Promise<T>,
  classify: (error: unknown) => RetryDecision,
  policy: RetryPolicy = DEFAULT_RETRY,
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void,
  deadline?: CallDeadline,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      const decision = classify(error);
      if (!decision.retry || attempt >= policy.attempts) throw error;
      const delay = Math.max(backoffDelay(attempt, policy), Math.min(decision.afterMs ?? 0, policy.maxDelayMs * 6));
      // Sleeping into the deadline and trying again would only be cut off there.
      if (timeLeft(deadline) <= delay) throw error;
      onRetry?.(error, attempt, delay);
      await sleep(delay);
    }
  }
}
