/**
 * Postgres SQLSTATE codes grouped by what a caller should do about them.
 * @internal
 */

/** Errors worth retrying: connection loss, server shutting down or starting, serialization and deadlocks. */
export const RETRYABLE_SQLSTATES: ReadonlySet<string> = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '53300', // too_many_connections
  '55P03', // lock_not_available
  '57P01', // admin_shutdown (also pg_terminate_backend)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
]);

/** Errors saying an object is already there. */
export const ALREADY_EXISTS_SQLSTATES: ReadonlySet<string> = new Set([
  '23505', // unique_violation
  '42P06', // duplicate_schema
  '42P07', // duplicate_table
  '42710', // duplicate_object
]);

/** Errors saying a table or schema is not there (the store is not migrated). */
export const UNDEFINED_OBJECT_SQLSTATES: ReadonlySet<string> = new Set([
  '3F000', // invalid_schema_name
  '42P01', // undefined_table
  '42883', // undefined_function
]);

/** Node socket errors that mean the server could not be reached. */
const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

const CONNECTION_MESSAGES = [
  'Connection terminated',
  'connection timeout',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Connection closed',
  'terminating connection',
];

/** The SQLSTATE (or Node error code) of an error, if it has one. */
export function sqlStateOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** `true` when the error means the connection is gone or could not be made (class 08, shutdown, socket errors). */
export function isConnectionError(error: unknown): boolean {
  const code = sqlStateOf(error);
  if (code !== undefined) {
    if (code.startsWith('08') || NETWORK_CODES.has(code)) return true;
    if (code === '57P01' || code === '57P02' || code === '57P03' || code === '53300') return true;
  }
  const message = error instanceof Error ? error.message : '';
  return CONNECTION_MESSAGES.some((text) => message.includes(text));
}

/** `true` when trying again later may succeed. */
export function isRetryable(error: unknown): boolean {
  const code = sqlStateOf(error);
  return isConnectionError(error) || (code !== undefined && RETRYABLE_SQLSTATES.has(code));
}
