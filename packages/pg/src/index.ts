export type { FlagsDb, NotificationListener, OpenDbOptions, Queryable } from './db';
export { openDb } from './db';
export {
  ConflictError,
  DatabaseUnavailableError,
  FlagExistsError,
  FlagNotFoundError,
  InvalidOptionError,
  InvalidSnapshotError,
  SchemaAheadError,
  SchemaMissingError,
} from './errors';
export type { MigrateResult } from './migrate';
export { migrate, SCHEMA_VERSION, schemaVersion } from './migrate';
export type { PGliteLike, PGliteTransactionLike } from './pglite-driver';
export { DEFAULT_SCHEMA, SCHEMA_NAME_PATTERN } from './schema-name';
export {
  ALREADY_EXISTS_SQLSTATES,
  isConnectionError,
  isRetryable,
  RETRYABLE_SQLSTATES,
  sqlStateOf,
} from './sqlstate';
