/**
 * What never reaches a log line or an error message: secrets and customer data (e-mail, phone, name, address).
 * Three nets, because no single one catches everything:
 * - by key: values under secret-looking or customer-data keys, at any depth;
 * - by shape: anything that looks like an e-mail (a token with an @, malformed ones too), a phone number or a
 *   postcode, inside any text: an outside system's error message quoting an address is caught here;
 * - by value: the customer data of orders this process has read (`protectCustomerData`): a name or a street has
 *   no shape, but a courier's refusal quoting it verbatim is still caught.
 */

const SECRET_KEY = /(token|password|secret|authorization|x-bltoken|apikey|api_key|credential)/i;

/** A whole record of a person (Ongoing's consignee, BaseLinker's address blocks). */
const PERSON_KEY = /^(consignee|customer|recipient|receiver|buyer|billing_?address|shipping_?address)$/i;
/** One field of a person, in BaseLinker's snake_case and Ongoing's camelCase. */
const CUSTOMER_FIELD_KEY =
  /(e-?mail(_?address)?|phone(_?number)?|fullname|full_?name|first_?name|last_?name|surname|user_?login|address\d?|address_?line\d?|street|post_?code|zip_?code|city)$|^(delivery|invoice)_(company|nip|state|point_name)$/i;

export const REDACTED = '[redacted]';

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

export function isCustomerKey(key: string): boolean {
  return PERSON_KEY.test(key) || CUSTOMER_FIELD_KEY.test(key);
}

const SHAPES: Array<[RegExp, string]> = [
  // Any token with an @ in it: well-formed addresses and the malformed ones a validator rejects.
  [/[^\s"'<>(),;:]*@[^\s"'<>(),;:]*/g, '[email]'],
  // International numbers (+48 600 700 800, 0048…) and 3-3-3(4) groups (600-700-800).
  [/(?:\+|\b00)\d[\d\s().-]{6,}\d/g, '[phone]'],
  [/\b\d{3}[\s-]\d{3}[\s-]\d{3,4}\b/g, '[phone]'],
  // Polish postcodes (00-950): the other address parts have no shape, see protectCustomerData.
  [/\b\d{2}-\d{3}\b/g, '[postcode]'],
];

/** Most customer values remembered; the oldest are forgotten first (a long-lived process stays bounded). */
const MAX_KNOWN = 5_000;
/** Shorter values would redact ordinary words ("A", "ul."). */
const MIN_KNOWN_LENGTH = 4;
const known = new Set<string>();
let knownPattern: RegExp | undefined;

/**
 * Remembers customer data read from an order (names, streets, cities, e-mails, phones), so any later log line or
 * error message that quotes one of them verbatim shows `[customer]` instead. Accepts whole objects: every string
 * under a customer-data key is taken.
 */
export function protectCustomerData(...sources: unknown[]): void {
  let added = false;
  const take = (value: unknown): void => {
    if (typeof value !== 'string') return;
    const v = value.trim();
    if (v.length < MIN_KNOWN_LENGTH || known.has(v)) return;
    known.add(v);
    added = true;
    if (known.size > MAX_KNOWN) known.delete(known.values().next().value as string);
  };
  const walk = (value: unknown, underCustomerKey: boolean, depth: number): void => {
    if (depth > 6 || value === null || value === undefined) return;
    if (typeof value === 'string') {
      if (underCustomerKey) take(value);
      return;
    }
    if (typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const v of value) walk(v, underCustomerKey, depth + 1);
      return;
    }
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) walk(v, underCustomerKey || isCustomerKey(k), depth + 1);
  };
  for (const source of sources) walk(source, typeof source === 'string', 0);
  if (added) knownPattern = undefined;
}

/** Forgets the remembered customer values (tests). */
export function forgetCustomerData(): void {
  known.clear();
  knownPattern = undefined;
}

function knownValues(): RegExp | undefined {
  if (known.size === 0) return undefined;
  // Longest first, so "Jan Kowalski" goes before "Kowalski".
  return (knownPattern ??= new RegExp([...known].sort((a, b) => b.length - a.length).map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'gi'));
}

/** The text with customer data replaced: known values first, then shapes. */
export function scrubText(text: string): string {
  let out = text;
  const pattern = knownValues();
  if (pattern) out = out.replace(pattern, '[customer]');
  for (const [shape, marker] of SHAPES) out = out.replace(shape, marker);
  return out;
}

/** A copy with secrets and customer data replaced, at any depth (keys, shapes and known values). */
export function redact<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return scrubText(value) as T;
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = isSecretKey(k) || (isCustomerKey(k) && v !== null && v !== undefined && v !== '') ? REDACTED : redact(v, depth + 1);
  }
  return out as T;
}

/** JSON.stringify replacer for log lines: the same rules, applied while the line is written. */
export function redactingReplacer(key: string, value: unknown): unknown {
  if (key && (isSecretKey(key) || (isCustomerKey(key) && value !== null && value !== undefined && value !== ''))) return REDACTED;
  return typeof value === 'string' ? scrubText(value) : value;
}
