import type { RunSummaryRecord } from './ports';

/** Ticks come a little early or late; a run due within this much counts as due. */
export const SCHEDULE_TOLERANCE_MS = 30_000;

/**
 * Whether a tenant's flow is due, from its last run: never run, stopped at its deadline (partial) or stood
 * down (skipped) means due now; otherwise once its own interval has passed since the last run started. The
 * runner (one process serving every tenant) and the SQS dispatcher decide with this one rule.
 */
export function isDue(last: Pick<RunSummaryRecord, 'startedAt' | 'outcome'> | undefined, minutes: number, nowMs: number): boolean {
  if (!last || last.outcome === 'partial' || last.outcome === 'skipped') return true;
  const sinceMs = nowMs - Date.parse(last.startedAt);
  const intervalMs = minutes * 60_000;
  return !(sinceMs >= 0) || sinceMs >= intervalMs - Math.min(SCHEDULE_TOLERANCE_MS, intervalMs / 2);
}
