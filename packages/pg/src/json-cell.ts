/**
 * A `json`/`jsonb` column as a value: `pg` parses it, PGlite may hand it back as text. `null` stays `null`.
 * @internal
 */
export function jsonCell<T = unknown>(value: T | string | null | undefined): T | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? (JSON.parse(value) as T) : value;
}
