/** NUL (PostgreSQL text cannot hold it) or an unpaired UTF-16 surrogate (PostgreSQL jsonb refuses it). */
const UNSTORABLE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when every string (and key) in a parsed JSON value can be stored as PostgreSQL text and jsonb. */
export function storable(value: unknown): boolean {
  if (typeof value === 'string') return !UNSTORABLE.test(value);
  if (Array.isArray(value)) return value.every(storable);
  if (value && typeof value === 'object')
    return Object.entries(value).every(([k, v]) => !UNSTORABLE.test(k) && storable(v));
  return true;
}
