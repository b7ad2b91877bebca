/*
 * Why a connection (or a query's permission check) failed, in the terms an operator fixes it in.
 * One classification for every package: `db-error.ts` turns driver errors into the typed errors
 * below, the monitor describes UNKNOWN checkpoints with it, and the CLI maps the codes to exit codes
 * (`DB_AUTH` 77, `DB_UNAVAILABLE` 69, `DB_CONFIG` 78).
 */
import { FlagsError } from '@kaviar/flags-core';
import { isConnectionError, sqlStateOf } from './sqlstate';

/**
 * What went wrong reaching the database:
 * - `wrong-password`, `unknown-role`, `access-rejected` (pg_hba.conf), `permission-denied` (SQLSTATE 42501):
 *   authentication or permission, code `DB_AUTH`;
 * - `unknown-database`, `ssl-required`, `ssl-refused`, `invalid-url`, `unsupported-scheme`: the connection
 *   settings are wrong, code `DB_CONFIG`;
 * - `unreachable`: the server could not be reached or dropped the connection, code `DB_UNAVAILABLE`.
 */
export type ConnectionProblem =
  | 'wrong-password'
  | 'unknown-role'
  | 'access-rejected'
  | 'permission-denied'
  | 'unknown-database'
  | 'ssl-required'
  | 'ssl-refused'
  | 'invalid-url'
  | 'unsupported-scheme'
  | 'unreachable';

const AUTH_PROBLEMS: ReadonlySet<ConnectionProblem> = new Set([
  'wrong-password',
  'unknown-role',
  'access-rejected',
  'permission-denied',
]);

/** What to check, per problem: the second half of every message. */
const WHAT_TO_CHECK: Readonly<Record<ConnectionProblem, string>> = {
  'wrong-password': 'check the password in the connection string (or PGPASSWORD)',
  'unknown-role': 'check the user name in the connection string',
  'access-rejected': 'check that pg_hba.conf allows this user, database and client address',
  'permission-denied': 'the role lacks a grant: ask for USAGE on the schema and rights on its tables',
  'unknown-database': 'check the database name at the end of the connection string',
  'ssl-required':
    'the server only accepts encrypted connections: add ?sslmode=require to the connection string',
  'ssl-refused':
    'the server does not offer SSL: remove sslmode from the connection string, or enable SSL on the server',
  'invalid-url':
    'write it as postgres://user@host:5432/database (with :password after the user when one is needed)',
  'unsupported-scheme': 'use a postgres:// or postgresql:// URL',
  unreachable: 'check the host and port, and that the server is running and reachable from here',
};

/** The settings were refused: authentication or permission. Code `DB_AUTH`. `problem` says which. */
export class DatabaseAuthError extends FlagsError {
  /** `wrong-password`, `unknown-role`, `access-rejected` or `permission-denied`. */
  readonly problem: ConnectionProblem;

  constructor(problem: ConnectionProblem, detail: string, options?: { cause?: unknown }) {
    super('DB_AUTH', `${detail}: ${WHAT_TO_CHECK[problem]}`, options);
    this.problem = problem;
  }
}

/** The connection settings cannot work: bad URL, unknown database, SSL mismatch. Code `DB_CONFIG`. */
export class DatabaseConfigError extends FlagsError {
  /** `unknown-database`, `ssl-required`, `ssl-refused`, `invalid-url` or `unsupported-scheme`. */
  readonly problem: ConnectionProblem;

  constructor(problem: ConnectionProblem, detail: string, options?: { cause?: unknown }) {
    super('DB_CONFIG', `${detail}: ${WHAT_TO_CHECK[problem]}`, options);
    this.problem = problem;
  }
}

/**
 * Classifies a driver error (or one of this package's typed errors), or `undefined` when it is not
 * about reaching the database (a constraint violation, a missing table).
 */
export function classifyConnectionFailure(caught: unknown): ConnectionProblem | undefined {
  if (caught instanceof DatabaseAuthError || caught instanceof DatabaseConfigError) return caught.problem;
  if (caught instanceof FlagsError && caught.code === 'DB_UNAVAILABLE') return 'unreachable';
  const code = sqlStateOf(caught);
  const message = caught instanceof Error ? caught.message : String(caught);
  if (code === '28P01') return 'wrong-password';
  if (code === '28000') {
    if (/\bno encryption\b/i.test(message)) return 'ssl-required';
    if (/\brole .* does not exist/i.test(message)) return 'unknown-role';
    return 'access-rejected';
  }
  if (code === '3D000') return 'unknown-database';
  if (code === '42501') return 'permission-denied';
  if (/server does not support SSL/i.test(message)) return 'ssl-refused';
  if (isConnectionError(caught)) return 'unreachable';
  return undefined;
}

/**
 * Checks a connection string before anything connects: a `postgres://` or `postgresql://` URL that
 * parses. Throws `DatabaseConfigError` (`invalid-url`, `unsupported-scheme`), whose message never
 * holds the password.
 */
export function checkConnectionString(url: string): void {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    throw new DatabaseConfigError('invalid-url', 'The database URL is not a URL');
  }
  if (scheme !== 'postgres' && scheme !== 'postgresql') {
    throw new DatabaseConfigError('unsupported-scheme', `${scheme}:// is not a PostgreSQL URL`);
  }
  try {
    new URL(url);
  } catch {
    throw new DatabaseConfigError('invalid-url', 'The database URL does not parse');
  }
}

/** The typed error for a classified driver error. @internal */
export function connectionFailureError(problem: ConnectionProblem, cause: Error): FlagsError | undefined {
  if (problem === 'unreachable') return undefined;
  const detail = cause.message.replace(/\.$/, '');
  return AUTH_PROBLEMS.has(problem)
    ? new DatabaseAuthError(problem, detail, { cause })
    : new DatabaseConfigError(problem, detail, { cause });
}

/** What to check for `problem`, one phrase (`check the password in the connection string ...`). */
export function whatToCheck(problem: ConnectionProblem): string {
  return WHAT_TO_CHECK[problem];
}
