import { toError } from '@kaviar/flags-core/internal';
import { DatabaseUnavailableError, SchemaMissingError } from './errors';
import { isConnectionError, sqlStateOf, UNDEFINED_OBJECT_SQLSTATES } from './sqlstate';

/**
 * Normalises a driver error: connection failures become `DatabaseUnavailableError`, a missing schema or table
 * `SchemaMissingError`; anything else is returned as an `Error` (with its SQLSTATE in `code`).
 * @internal
 */
export function dbError(caught: unknown, schema: string): Error {
  const error = toError(caught);
  if (error instanceof DatabaseUnavailableError || error instanceof SchemaMissingError) return error;
  if (isConnectionError(error)) return new DatabaseUnavailableError(error.message, { cause: error });
  const code = sqlStateOf(error);
  if (code !== undefined && UNDEFINED_OBJECT_SQLSTATES.has(code) && error.message.includes(schema)) {
    return new SchemaMissingError(schema, { cause: error });
  }
  return error;
}
