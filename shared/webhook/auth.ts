import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Webhook authentication: Ongoing sends a static secret in a header the tenant chooses (no HMAC signature
 * is documented). Both sides are hashed first so timingSafeEqual always compares equal-length digests:
 * neither the secret's content nor its length leaks through timing.
 */
export function secretMatches(presented: string | undefined, expected: string): boolean {
  if (presented === undefined || expected.length === 0) return false;
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

type HeaderMap = Record<string, string | undefined> | null | undefined;
type MultiHeaderMap = Record<string, string[] | undefined> | null | undefined;

/**
 * A request header by name, case-insensitively, as API Gateway hands them over (REST payload v1 keeps the
 * sender's spelling). A header sent more than once counts as absent: a secret must be unambiguous.
 */
export function headerValue(headers: HeaderMap, multiValueHeaders: MultiHeaderMap, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, values] of Object.entries(multiValueHeaders ?? {})) {
    if (key.toLowerCase() === wanted && values && values.length > 1) return undefined;
  }
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}
