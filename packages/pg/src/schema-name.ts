import { InvalidOptionError } from './errors';

/** Allowed schema names: lower-case identifiers, so quoting is never ambiguous. */
export const SCHEMA_NAME_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

/** The schema used when none is given. */
export const DEFAULT_SCHEMA = 'kaviar_flags';

/**
 * Validates a schema name and returns it quoted as an identifier (`"kaviar_flags"`).
 * Throws `InvalidOptionError` (option `schema`) for anything {@link schemaNameProblem} refuses.
 */
export function quoteSchema(schema: unknown): string {
  const problem = schemaNameProblem(schema);
  if (problem !== undefined) throw new InvalidOptionError('schema', schema, problem);
  return `"${schema}"`;
}

/**
 * Why `schema` cannot hold the flags, or `undefined` when it can: the name must match
 * {@link SCHEMA_NAME_PATTERN}, and `public`, `information_schema` and `pg_*` are refused, since the
 * flags' nine generic tables (`flags`, `audit`, `state`, ...) would mix with the application's or the
 * system's own.
 */
export function schemaNameProblem(schema: unknown): string | undefined {
  if (typeof schema !== 'string' || !SCHEMA_NAME_PATTERN.test(schema)) {
    return 'must match ^[a-z_][a-z0-9_]{0,62}$';
  }
  if (schema === 'public' || schema === 'information_schema' || schema.startsWith('pg_')) {
    return 'is reserved (public, information_schema and pg_* hold other tables): use a schema of its own, e.g. kaviar_flags';
  }
  return undefined;
}
