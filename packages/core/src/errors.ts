/**
 * Every error the @kaviar/flags packages throw is a `FlagsError` with a stable string `code`,
 * so callers branch on `err.code`, never on message text. Evaluation never throws: these are for
 * programmer errors, bad configuration and failed admin operations.
 */
/**
 * Every code a @kaviar/flags package throws, in one union, so a table keyed by code (the CLI's exit
 * codes) is checked by the compiler: a new code without an entry does not build. Each package's README
 * documents its own.
 */
export type FlagsErrorCode =
  // @kaviar/flags-core
  | 'INVALID_FLAG'
  | 'INVALID_OPTION'
  | 'FLAG_NOT_FOUND'
  | 'TIMEOUT'
  | 'CLOSED'
  | 'NO_SUBJECTS'
  // @kaviar/flags-pg
  | 'FLAG_EXISTS'
  | 'CONFLICT'
  | 'SCHEMA_MISSING'
  | 'SCHEMA_AHEAD'
  | 'DB_UNAVAILABLE'
  | 'DB_AUTH'
  | 'DB_CONFIG'
  | 'INVALID_SNAPSHOT'
  | 'SNAPSHOT_FILE_REFUSED'
  | 'WRITE_CONTENTION'
  | 'WRITE_ABORTED'
  | 'INVALID_RAMP'
  | 'RAMP_EXISTS'
  | 'RAMP_NOT_FOUND'
  | 'RAMP_STATE'
  | 'RAMP_CONFLICT'
  // @kaviar/flags-cli
  | 'USAGE'
  | 'INVALID_INPUT'
  | 'FILE_UNREADABLE'
  | 'FILE_UNWRITABLE'
  | 'GIT_FAILED'
  | 'NO_DATABASE'
  | 'DB_LOCKED'
  | 'NOT_CONFIRMED'
  | 'INTERRUPTED';

export class FlagsError extends Error {
  /** Stable, documented identifier of the error kind (e.g. `INVALID_FLAG`). */
  readonly code: FlagsErrorCode;

  constructor(code: FlagsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/**
 * A flag definition (or a field of one) is not valid. `field` names it, `value` is what was given and
 * `problem` says what is wrong with it (`must be between 0 and 100`), for callers that word their own message.
 */
export class InvalidFlagError extends FlagsError {
  readonly field: string;
  readonly value: unknown;
  readonly problem: string;

  constructor(field: string, value: unknown, problem: string) {
    super('INVALID_FLAG', `Invalid flag ${field}: ${describe(value)} ${problem}`);
    this.field = field;
    this.value = value;
    this.problem = problem;
  }
}

/**
 * An option passed to one of our functions cannot be right (a schema name, `settleMs: -5`, `limit: 0`).
 * `option` names it, `value` is what was given, `problem` what is wrong with it.
 */
export class InvalidOptionError extends FlagsError {
  readonly option: string;
  readonly value: unknown;
  readonly problem: string;

  constructor(option: string, value: unknown, problem: string) {
    super('INVALID_OPTION', `Invalid option ${option}: ${describe(value)} ${problem}`);
    this.option = option;
    this.value = value;
    this.problem = problem;
  }
}

/** No flag with this key exists (in the store, or among a test kit's flags). Code `FLAG_NOT_FOUND`. */
export class FlagNotFoundError extends FlagsError {
  readonly flagKey: string;

  constructor(
    flagKey: string,
    message = `Flag ${describe(flagKey)} does not exist; create it first or check the key`,
  ) {
    super('FLAG_NOT_FOUND', message);
    this.flagKey = flagKey;
  }
}

/** An operation did not finish in time (e.g. `ready({ timeoutMs })`). */
export class TimeoutError extends FlagsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TIMEOUT', message, options);
  }
}

/** The client or source was used after `close()`. */
export class ClosedError extends FlagsError {
  constructor(what: string) {
    super('CLOSED', `${what} is closed`);
  }
}

/** Turns anything caught into an `Error`, keeping the original as `cause` when it was not one. */
export function toError(caught: unknown): Error {
  if (caught instanceof Error) return caught;
  return new Error(typeof caught === 'string' ? caught : describe(caught), { cause: caught });
}

/** A short, printable form of a value for error messages. */
export function describe(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === undefined) return 'undefined';
  try {
    const text = JSON.stringify(value);
    return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return String(value);
  }
}
