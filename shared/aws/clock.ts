/**
 * How far this machine's clock is from AWS's, read from the `Date` header of DynamoDB's answers. Claims,
 * leases and the shared request budget compare times written by different processes, each with its own
 * clock: a laptop running the CLI against the deployed table with its clock 10 minutes ahead would see every
 * live claim as lapsed. Writers whose clock is provably off by more than MAX_CLOCK_SKEW_MS are refused
 * (ClockSkewError, naming the offset); within that, the claim rules keep a margin wider than the limit.
 *
 * The header has whole seconds and the server stamps it somewhere between sending and receiving, so each
 * answer bounds the offset to an interval; the intervals of several answers are intersected. "Provably off"
 * means the whole interval lies beyond the limit.
 */

/** Writers whose clock is off by more than this (proven) may not take claims or budget. */
export const MAX_CLOCK_SKEW_MS = 2_000;
/**
 * Lapsed claims and leases are taken over only this long after they lapsed: wider than any skew a writer may
 * have without being refused (the limit, plus the header's second, plus a round trip).
 */
export const CLAIM_SKEW_MARGIN_MS = 5_000;

export class ClockSkewError extends Error {
  constructor(readonly offsetMs: number) {
    super(
      `This machine's clock is ${Math.abs(offsetMs / 1000).toFixed(1)} s ${offsetMs > 0 ? 'behind' : 'ahead of'} AWS's (read from DynamoDB's answers); ` +
        `claims and the shared BaseLinker budget need clocks within ${MAX_CLOCK_SKEW_MS / 1000} s. Sync the clock (e.g. timedatectl set-ntp true, or "Set time automatically") and run again.`,
    );
    this.name = 'ClockSkewError';
  }
}

/** Bounds on (AWS time − local time), in ms. */
let lower = -Infinity;
let upper = Infinity;

/**
 * One answer: the server's `Date` header and the local times the request was sent and its answer received.
 * Answers without a readable date are ignored.
 */
export function observeServerDate(dateHeader: unknown, sentAtMs: number, receivedAtMs: number): void {
  if (typeof dateHeader !== 'string') return;
  const serverMs = Date.parse(dateHeader);
  if (Number.isNaN(serverMs)) return;
  // The server's true time was in [serverMs, serverMs + 1000) while local time was in [sentAt, receivedAt].
  const lo = serverMs - receivedAtMs;
  const hi = serverMs + 1000 - sentAtMs;
  if (lo > upper || hi < lower) {
    // Disjoint: the local clock was stepped (NTP caught up). Start again from this answer.
    lower = lo;
    upper = hi;
    return;
  }
  lower = Math.max(lower, lo);
  upper = Math.min(upper, hi);
}

/** The smallest offset the answers so far allow (0 when they allow 0, undefined before any answer). */
export function provenClockOffsetMs(): number | undefined {
  if (lower === -Infinity && upper === Infinity) return undefined;
  if (lower > 0) return lower;
  if (upper < 0) return upper;
  return 0;
}

/** Throws ClockSkewError when this machine's clock is provably off by more than MAX_CLOCK_SKEW_MS. */
export function assertClockInSync(): void {
  const offset = provenClockOffsetMs();
  if (offset !== undefined && Math.abs(offset) > MAX_CLOCK_SKEW_MS) throw new ClockSkewError(offset);
}

/** Forgets what was observed (tests). */
export function resetClockObservations(): void {
  lower = -Infinity;
  upper = Infinity;
}
