/**
 * DynamoDB items are capped at 400 KB, and a set-aside record must never fail to save because the payload
 * that caused it was huge. Raw payloads are kept as JSON text cut to a budget, with a marker a person can see.
 */
export const RAW_MAX_BYTES = 64 * 1024;
export const TEXT_MAX_BYTES = 4 * 1024;

export function truncateUtf8(text: string, maxBytes: number, marker: (totalBytes: number) => string): string {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes <= maxBytes) return text;
  const suffix = marker(bytes);
  const room = Math.max(0, maxBytes - Buffer.byteLength(suffix, 'utf8'));
  // Cutting bytes can split a multi-byte character; drop the broken tail rather than store U+FFFD noise.
  let head = Buffer.from(text, 'utf8').subarray(0, room).toString('utf8');
  if (head.endsWith('\uFFFD')) head = head.slice(0, -1);
  return head + suffix;
}

/** JSON text of `value`, cut to `maxBytes` with a visible "[truncated …]" marker when longer. */
export function boundedJson(value: unknown, maxBytes = RAW_MAX_BYTES): string {
  let text: string;
  try {
    text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch (err) {
    text = `[not serialisable: ${(err as Error).message}]`;
  }
  return truncateUtf8(text, maxBytes, (total) => `…[truncated: ${total} bytes in total, kept the first part]`);
}

export function boundedText(text: string, maxBytes = TEXT_MAX_BYTES): string {
  return truncateUtf8(text, maxBytes, (total) => `…[truncated: ${total} bytes]`);
}

/** Days a set-aside item's raw payload is kept after the item was last seen (StateStoreOptions.setAsideRawDays). */
export const DEFAULT_SET_ASIDE_RAW_DAYS = 30;
