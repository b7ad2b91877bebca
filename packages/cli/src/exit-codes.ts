import { FlagsError, type FlagsErrorCode } from '@kaviar/flags-core';

/**
 * Every exit code `kaviar-flags` uses. 0–3 follow the monitoring-plugin convention for `check`
 * (PASS, WARN, FAIL, UNKNOWN); the codes from 64 follow BSD `sysexits.h` where one fits, so scripts
 * can tell "fix your command" from "retry later" without reading messages.
 */
export const EXIT_CODES = {
  /** Success; for `check`, the checkpoint is PASS. */
  OK: 0,
  /** `check` only: the checkpoint is WARN. */
  WARN: 1,
  /** `check` only: the checkpoint is FAIL. */
  FAIL: 2,
  /** `check` only: the check could not run (bad input, database unreachable, ...). */
  UNKNOWN: 3,
  /** Bad command line: unknown command or option, missing argument, invalid value. Nothing was written. */
  USAGE: 64,
  /** A file's content is invalid (malformed JSON or snapshot, no ids). Nothing was written. */
  INVALID_INPUT: 65,
  /** A file could not be read. Nothing was written. */
  FILE_UNREADABLE: 66,
  /** The flag does not exist. */
  FLAG_NOT_FOUND: 67,
  /** The flag already exists (`create`). */
  FLAG_EXISTS: 68,
  /** The database is unreachable. */
  DB_UNAVAILABLE: 69,
  /** An unexpected internal error (a bug: please report it with the message). */
  INTERNAL: 70,
  /** An output file could not be written. */
  FILE_UNWRITABLE: 73,
  /** Compare-and-set lost: the flag changed since you read it (`--expect-rollout`). Nothing was written. */
  CONFLICT: 75,
  /** The embedded database is in use by another process. */
  DB_LOCKED: 76,
  /** Authentication or permission refused: wrong password, unknown role, pg_hba.conf, a missing grant (42501). */
  AUTH: 77,
  /**
   * Configuration: no database named, a bad or non-postgres URL, an unknown database, an SSL mismatch,
   * or the schema missing (run `kaviar-flags migrate`) or newer than this version of the CLI.
   */
  CONFIG: 78,
  /** The same code as `CONFIG`, by its earlier name. */
  SCHEMA: 78,
  /** Interrupted (Ctrl-C or SIGTERM), as shells report a SIGINT. */
  INTERRUPTED: 130,
} as const;

/** One of the documented exit codes. */
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

// Keyed by the whole code union: a new error code without an exit code does not compile.
const BY_ERROR_CODE: Readonly<Record<FlagsErrorCode, ExitCode>> = {
  USAGE: EXIT_CODES.USAGE,
  INVALID_FLAG: EXIT_CODES.USAGE,
  INVALID_INPUT: EXIT_CODES.INVALID_INPUT,
  INVALID_SNAPSHOT: EXIT_CODES.INVALID_INPUT,
  FILE_UNREADABLE: EXIT_CODES.FILE_UNREADABLE,
  FLAG_NOT_FOUND: EXIT_CODES.FLAG_NOT_FOUND,
  FLAG_EXISTS: EXIT_CODES.FLAG_EXISTS,
  DB_UNAVAILABLE: EXIT_CODES.DB_UNAVAILABLE,
  TIMEOUT: EXIT_CODES.DB_UNAVAILABLE,
  FILE_UNWRITABLE: EXIT_CODES.FILE_UNWRITABLE,
  GIT_FAILED: EXIT_CODES.FILE_UNWRITABLE,
  CONFLICT: EXIT_CODES.CONFLICT,
  DB_LOCKED: EXIT_CODES.DB_LOCKED,
  DB_AUTH: EXIT_CODES.AUTH,
  DB_CONFIG: EXIT_CODES.CONFIG,
  NO_DATABASE: EXIT_CODES.CONFIG,
  SCHEMA_MISSING: EXIT_CODES.CONFIG,
  SCHEMA_AHEAD: EXIT_CODES.CONFIG,
  INVALID_OPTION: EXIT_CODES.USAGE,
  NOT_CONFIRMED: EXIT_CODES.USAGE,
  INTERRUPTED: EXIT_CODES.INTERRUPTED,
  INVALID_RAMP: EXIT_CODES.USAGE,
  RAMP_NOT_FOUND: EXIT_CODES.FLAG_NOT_FOUND,
  RAMP_EXISTS: EXIT_CODES.CONFLICT,
  RAMP_STATE: EXIT_CODES.CONFLICT,
  RAMP_CONFLICT: EXIT_CODES.CONFLICT,
  // Lost to concurrent writers after the bounded retries; nothing was written, trying again may succeed.
  WRITE_CONTENTION: EXIT_CODES.CONFLICT,
  WRITE_ABORTED: EXIT_CODES.INTERRUPTED,
  SNAPSHOT_FILE_REFUSED: EXIT_CODES.INVALID_INPUT,
  // Programmer errors: a closed client, the test kit asked for impossible subjects.
  CLOSED: EXIT_CODES.INTERNAL,
  NO_SUBJECTS: EXIT_CODES.INTERNAL,
};

/** Errors in the command line itself: even `check` exits 64 for these, since no check was attempted. */
const COMMAND_LINE_ERRORS: ReadonlySet<FlagsErrorCode> = new Set<FlagsErrorCode>(['USAGE', 'INVALID_FLAG']);

/**
 * The exit code for an error that ended a command. `FlagsError`s map by their stable `code`;
 * anything else is `INTERNAL` (70). For `check`, every error but a bad command line (64) is
 * `UNKNOWN` (3), so a monitoring system sees 0–3 from every check that was attempted.
 */
export function exitCodeForError(error: unknown, command?: string): ExitCode {
  // `ramp tick` speaks the same convention: an error means the ramps could not be checked.
  if (command === 'ramp tick') return EXIT_CODES.UNKNOWN;
  if (command === 'check') {
    const usage = error instanceof FlagsError && COMMAND_LINE_ERRORS.has(error.code);
    return usage ? EXIT_CODES.USAGE : EXIT_CODES.UNKNOWN;
  }
  if (error instanceof FlagsError) return BY_ERROR_CODE[error.code] ?? EXIT_CODES.INTERNAL;
  return EXIT_CODES.INTERNAL;
}

/** The exit code table as printed by `--help` and documented in the README. */
export const EXIT_CODE_HELP: readonly (readonly [ExitCode, string])[] = [
  [0, 'success (check: PASS)'],
  [1, 'check: WARN'],
  [2, 'check: FAIL'],
  [3, 'check: UNKNOWN, the check could not run (any error below but 64, during check)'],
  [
    64,
    'bad command line (unknown command/option, missing argument, invalid value), or a risky change not confirmed; nothing written',
  ],
  [65, 'invalid file content (malformed JSON or snapshot, no ids found)'],
  [66, 'file not readable'],
  [67, 'flag not found'],
  [68, 'flag already exists'],
  [69, 'database unreachable (host, port, network)'],
  [70, 'internal error (a bug: please report it)'],
  [73, 'output file (or snapshot --tag/--backup-branch) not writable'],
  [75, 'conflict: the flag changed since --expect-rollout was read; nothing written'],
  [76, 'embedded database in use by another kaviar-flags process'],
  [77, 'authentication or permission refused (password, role, pg_hba.conf, missing grant)'],
  [78, 'configuration: no database named, bad URL, unknown database, SSL mismatch, schema missing or newer'],
  [130, 'interrupted (Ctrl-C)'],
];
