import { InvalidOptionError } from './errors';

/** Allowed schema names: lower-case identifiers, so quoting is never ambiguous. */
export const SCHEMA_NAME_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

/** The schema used when none is given. */
export const DEFAULT_SCHEMA = 'kaviar_flags';

/**
 * Validates a schema name and returns it quoted as an identifier (`"kaviar_flags"`).
 * Throws `InvalidOptionError` (option `schema`) for anything outside `^[a-z_][a-z0-9_]{0,62}$`.
 */
export function quoteSchema(schema: unknown): string {
  if (typeof schema !== 'string' || !SCHEMA_NAME_PATTERN.test(schema)) {
    throw new InvalidOptionError('schema', schema, 'must match ^[a-z_][a-z0-9_]{0,62}$');
  }
  return `"${schema}"`;
}
