// Apart from store.ts so that naming a label does not load the S3 client (see lazy.ts).

/** Label file extensions BaseLinker can return, and a safe fallback for anything else. */
const EXTENSION = /^[a-z0-9]{1,8}$/;

/** Key parts end up in a path: keep them to one segment, readable, and free of traversal. */
function segment(value: string | number, what: string): string {
  const text = String(value);
  if (!text) throw new Error(`Label key part "${what}" must not be empty`);
  const safe = text.replace(/[^A-Za-z0-9._=-]/g, '_');
  if (safe === '.' || safe === '..') throw new Error(`Label key part "${what}" is not a valid name: ${text}`);
  return safe;
}

/** Where a shipping label lives: `labels/<tenant>/<Ongoing order id>/<package id>.<ext>`. */
export function labelKey(tenant: string, ongoingOrderId: string | number, packageId: string | number, extension: string): string {
  const ext = extension.replace(/^\./, '').toLowerCase();
  if (!EXTENSION.test(ext)) throw new Error(`Not a label file extension: ${extension}`);
  return `labels/${segment(tenant, 'tenant')}/${segment(ongoingOrderId, 'order id')}/${segment(packageId, 'package id')}.${ext}`;
}
