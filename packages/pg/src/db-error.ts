import { toError } from '@kaviar/flags-core/internal';
import {
  classifyConnectionFailure,
  connectionFailureError,
  DatabaseAuthError,
  DatabaseConfigError,
} from './connection-failure';
import { DatabaseUnavailableError, SchemaMissingError } from './errors';
import { isConnectionError, sqlStateOf, UNDEFINED_OBJECT_SQLSTATES } from './sqlstate';

/**
 * Normalises a driver error: authentication and permission failures become `DatabaseAuthError`, wrong
 * connection settings `DatabaseConfigError`, unreachable servers and lost connections
 * `DatabaseUnavailableError` (see `connection-failure.ts`), a missing schema or table
 * `SchemaMissingError`; anything else is returned as an `Error` (with its SQLSTATE in `code`).
 * @internal
 */
export function dbError(caught: unknown, schema: string): Error {
  const error = toError(caught);
  if (
    error instanceof DatabaseUnavailableError ||
    error instanceof SchemaMissingError ||
    error instanceof DatabaseAuthError ||
    error instanceof DatabaseConfigError
  ) {
    return error;
  }
  const problem = classifyConnectionFailure(error);
  if (problem !== undefined && problem !== 'unreachable') {
    return connectionFailureError(problem, error) ?? error;
  }
  if (isConnectionError(error)) {
    return new DatabaseUnavailableError(error.message, { cause: error });
  }
  // Every statement the package sends names only its own schema's objects (and the session's own temporary
  // tables, created before use), so an undefined schema, table or function means the schema is missing or
  // behind: decided by SQLSTATE alone, never by the message's wording.
  const code = sqlStateOf(error);
  if (code !== undefined && UNDEFINED_OBJECT_SQLSTATES.has(code)) {
    return new SchemaMissingError(schema, { cause: error });
  }
  return error;
}
