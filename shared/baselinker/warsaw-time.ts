/**
 * BaseLinker writes times without a zone ("token blocked until 2026-03-02 14:05:09"); it runs in Poland,
 * so we read them as Europe/Warsaw wall-clock time (CET/CEST). Intl carries the zone rules, so the
 * daylight-saving switch needs no table of ours.
 */

import { memo } from '../util/memo';

const WARSAW = 'Europe/Warsaw';

/**
 * Made on first use: building a formatter for a named zone loads that zone's rules from ICU, about 15 ms of a
 * cold start (CPU profile of the articles worker), and most runs never read a BaseLinker time.
 */
const warsawFormatter = memo(
  () =>
    new Intl.DateTimeFormat('en-CA', {
      timeZone: WARSAW,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    }),
);

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function warsawWallClock(date: Date): WallClock {
  const parts = warsawFormatter().formatToParts(date);
  const get = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute'), second: get('second') };
}

/** Offset of Warsaw from UTC at this instant, in ms (3,600,000 in winter, 7,200,000 in summer). */
function warsawOffsetMs(instantMs: number): number {
  const w = warsawWallClock(new Date(instantMs));
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(instantMs / 1000) * 1000;
}

/** "YYYY-MM-DD HH:MM:SS" in Warsaw time, as BaseLinker (and our simulator) writes it. */
export function formatWarsawTime(date: Date): string {
  const w = warsawWallClock(date);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${w.year}-${p(w.month)}-${p(w.day)} ${p(w.hour)}:${p(w.minute)}:${p(w.second)}`;
}

/**
 * Reads "YYYY-MM-DD HH:MM:SS" as Warsaw wall-clock time. Returns undefined when the text is not such a
 * time. In the autumn hour that occurs twice the later instant wins (the safe reading of a block end);
 * a spring-gap time, which no Warsaw clock shows, is read with the winter offset.
 */
export function parseWarsawTime(text: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/.exec(text.trim());
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  const wallAsUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  // Guess with the offset valid at the wall time read as UTC, then correct once if that guess landed
  // on the other side of a DST switch.
  let instant = wallAsUtc - warsawOffsetMs(wallAsUtc);
  const corrected = wallAsUtc - warsawOffsetMs(instant);
  if (corrected !== instant) {
    const check = warsawWallClock(new Date(corrected));
    if (Date.UTC(check.year, check.month - 1, check.day, check.hour, check.minute, check.second) === wallAsUtc) instant = corrected;
  }
  return new Date(instant);
}

/** The "blocked until <time>" at the end of an ERROR_BLOCKED_TOKEN message, or undefined. */
export function parseBlockedUntil(message: string): Date | undefined {
  const m = /(\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2})\s*\.?\s*$/.exec(message);
  return m ? parseWarsawTime(m[1]!) : undefined;
}
