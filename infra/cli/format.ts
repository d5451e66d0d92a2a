/** Plain-text rendering for the operator CLI: aligned tables, times with "how long ago", short values. */

/** Columns padded to their widest cell, two spaces apart; the last column is never padded. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** "2024-05-01 10:00:00 UTC (5 min ago)"; "-" when absent. */
export function when(iso: string | number | Date | undefined, nowMs: number): string {
  if (iso === undefined || iso === '') return '-';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  const stamp = `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
  const delta = date.getTime() - nowMs;
  const span = humanSpan(Math.abs(delta));
  return `${stamp} (${delta > 0 ? `in ${span}` : `${span} ago`})`;
}

export function humanSpan(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d`;
}

/** Run durations: "0.4 s", "12.0 s", "3 min 5 s". */
export function duration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '-';
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** One line, at most `max` characters, with a visible cut. */
export function short(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}

export function compactJson(value: unknown): string {
  if (value === undefined) return '-';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function num(value: number | undefined): string {
  return value === undefined ? '-' : String(value);
}
