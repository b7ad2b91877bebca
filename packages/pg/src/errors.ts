import { FlagsError } from '@kaviar/flags-core';
import { describe } from '@kaviar/flags-core/internal';

/** No flag with this key exists in the store. Code `FLAG_NOT_FOUND`; defined in core. */
export { FlagNotFoundError } from '@kaviar/flags-core';

/** A flag with this key already exists. Code `FLAG_EXISTS`. */
export class FlagExistsError extends FlagsError {
  readonly flagKey: string;

  constructor(flagKey: string, options?: { cause?: unknown }) {
    super('FLAG_EXISTS', `Flag ${describe(flagKey)} already exists; update it instead`, options);
    this.flagKey = flagKey;
  }
}

/**
 * A compare-and-set update lost: the flag's current values are not the expected ones, so nothing
 * was written. Code `CONFLICT`. Re-read the flag and decide again.
 */
export class ConflictError extends FlagsError {
  readonly flagKey: string;
  /** The values the caller expected. */
  readonly expected: Readonly<Record<string, unknown>>;
  /** The values found in the store, for the same fields. */
  readonly actual: Readonly<Record<string, unknown>>;

  /** `options.message` words it for the caller's audience (the CLI speaks of `--expect-rollout`). */
  constructor(
    flagKey: string,
    expected: Record<string, unknown>,
    actual: Record<string, unknown>,
    options?: { message?: string; cause?: unknown },
  ) {
    super(
      'CONFLICT',
      options?.message ??
        `Flag ${describe(flagKey)} changed concurrently: expected ${describe(expected)}, found ${describe(actual)}; nothing was written`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.flagKey = flagKey;
    this.expected = expected;
    this.actual = actual;
  }
}

/** The database schema is newer than this version of the package. Code `SCHEMA_AHEAD`. Upgrade the package. */
export class SchemaAheadError extends FlagsError {
  readonly databaseVersion: number;
  readonly codeVersion: number;

  constructor(schema: string, databaseVersion: number, codeVersion: number) {
    super(
      'SCHEMA_AHEAD',
      `Schema "${schema}" is at migration ${databaseVersion} but this @kaviar/flags-pg only knows ${codeVersion}; upgrade @kaviar/flags-pg instead of running older code against it`,
    );
    this.databaseVersion = databaseVersion;
    this.codeVersion = codeVersion;
  }
}

/** Where a schema is behind this package: what {@link SchemaMissingError} knows when it checked the version. */
export interface SchemaBehind {
  /** The schema's migration number (0: no migrations table). */
  readonly databaseVersion: number;
  /** The migrations this package needs that the schema lacks, by name (`0002_ramps`). */
  readonly missing: readonly string[];
}

/**
 * The flags schema does not exist or lacks migrations this package needs. Code `SCHEMA_MISSING`. The message
 * names the missing migrations and the commands that apply them: `kaviar-flags migrate` (or `migrate()`),
 * or `kaviar-flags migrate --print-sql --from N` for the team's own migration tool.
 */
export class SchemaMissingError extends FlagsError {
  /** The schema's migration number, when it was read (`undefined`: a table was missing mid-query). */
  readonly databaseVersion: number | undefined;
  /** The missing migrations by name, when the version was read. */
  readonly missing: readonly string[] | undefined;

  /** `options.message` words it for the caller's audience (the CLI names its own command). */
  constructor(schema: string, options?: { cause?: unknown; behind?: SchemaBehind; message?: string }) {
    const behind = options?.behind;
    const schemaOption = schema === 'kaviar_flags' ? '' : ` --schema ${schema}`;
    const from = behind && behind.databaseVersion > 0 ? ` --from ${behind.databaseVersion}` : '';
    const printSql = `\`kaviar-flags migrate --print-sql${schemaOption}${from}\``;
    const message =
      behind === undefined
        ? `Schema "${schema}" has no @kaviar/flags tables; run migrate() (or \`kaviar-flags migrate\`) first, or apply ${printSql} with your migration tool`
        : `Schema "${schema}" is at migration ${behind.databaseVersion}, without ${behind.missing.join(', ')} that this @kaviar/flags-pg needs; run migrate() (or \`kaviar-flags migrate${schemaOption}\`), or apply ${printSql} with your migration tool`;
    super(
      'SCHEMA_MISSING',
      options?.message ?? message,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.databaseVersion = behind?.databaseVersion;
    this.missing = behind?.missing;
  }
}

/** The database could not be reached or dropped the connection. Code `DB_UNAVAILABLE`. Retrying may help. */
export class DatabaseUnavailableError extends FlagsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DB_UNAVAILABLE', `Database unavailable: ${message}`, options);
  }
}

/** A snapshot document (or file) is not valid; `problems` lists every issue found. Code `INVALID_SNAPSHOT`. */
export class InvalidSnapshotError extends FlagsError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    const shown = problems.slice(0, 10).join('; ');
    const more = problems.length > 10 ? ` (and ${problems.length - 10} more)` : '';
    super('INVALID_SNAPSHOT', `Invalid snapshot: ${shown}${more}; nothing was written`);
    this.problems = problems;
  }
}

/** An option passed to this package is not valid (e.g. a schema name). Code `INVALID_OPTION`; defined in core. */
export { InvalidOptionError } from '@kaviar/flags-core';

/**
 * The local snapshot file (`snapshotFile`) was not served: unreadable, not a valid snapshot, its checksum does
 * not match (edited by hand or partly written), dated in the future, or older than `maxSnapshotAgeMs`.
 * Code `SNAPSHOT_FILE_REFUSED`. `databaseError` is set when the database could not be read either, so nothing
 * at all could be served.
 */
export class SnapshotFileError extends FlagsError {
  /** Path of the file. */
  readonly path: string;
  /** What is wrong with the file. */
  readonly problem: string;
  /** Why the database could not be read meanwhile, when it could not. */
  readonly databaseError: Error | undefined;

  constructor(path: string, problem: string, options: { cause?: unknown; databaseError?: Error } = {}) {
    const db = options.databaseError
      ? `; the database could not be read either: ${options.databaseError.message}`
      : '';
    super('SNAPSHOT_FILE_REFUSED', `Snapshot file ${path} not served: ${problem}${db}`, {
      cause: options.cause ?? options.databaseError,
    });
    this.path = path;
    this.problem = problem;
    this.databaseError = options.databaseError;
  }
}

/** A ramp definition (or a field of one) is not valid. `field` names it; nothing was written. Code `INVALID_RAMP`. */
export class InvalidRampError extends FlagsError {
  readonly field: string;
  readonly value: unknown;
  /** What is wrong with `value`, e.g. `must be strictly increasing (1 after 5)`. */
  readonly problem: string;

  constructor(field: string, value: unknown, problem: string) {
    super('INVALID_RAMP', `Invalid ramp ${field}: ${describe(value)} ${problem}; nothing was written`);
    this.field = field;
    this.value = value;
    this.problem = problem;
  }
}

/** The flag already has a ramp in progress (active, holding or paused). Code `RAMP_EXISTS`. */
export class RampExistsError extends FlagsError {
  readonly flagKey: string;
  /** The state of the ramp in progress. */
  readonly state: string;

  constructor(flagKey: string, state: string, options?: { cause?: unknown }) {
    super(
      'RAMP_EXISTS',
      `Flag ${describe(flagKey)} already has a ramp in progress (${state}); resume or abort it first. Nothing was written`,
      options,
    );
    this.flagKey = flagKey;
    this.state = state;
  }
}

/** The flag has no ramp in progress. Code `RAMP_NOT_FOUND`. */
export class RampNotFoundError extends FlagsError {
  readonly flagKey: string;

  constructor(flagKey: string) {
    super('RAMP_NOT_FOUND', `Flag ${describe(flagKey)} has no ramp in progress; start one first`);
    this.flagKey = flagKey;
  }
}

/** The ramp is in a state that does not allow this action (resume an active ramp). Code `RAMP_STATE`. */
export class RampStateError extends FlagsError {
  readonly flagKey: string;
  readonly state: string;

  constructor(flagKey: string, state: string, problem: string) {
    super('RAMP_STATE', `The ramp of ${describe(flagKey)} is ${state}: ${problem}; nothing was written`);
    this.flagKey = flagKey;
    this.state = state;
  }
}

/**
 * A ramp transition lost a compare-and-set: the ramp changed since it was read (`what: 'ramp'`: another
 * ticker or an operator), or its flag changed outside the ramp (`what: 'flag'`: someone wrote the flag or
 * its allowlist). Nothing was written. Code `RAMP_CONFLICT`.
 */
export class RampConflictError extends FlagsError {
  readonly flagKey: string;
  readonly what: 'ramp' | 'flag';
  /** The revision (`ramp`) or flag version (`flag`) expected. */
  readonly expected: number;
  /** The one found. */
  readonly actual: number;

  constructor(flagKey: string, what: 'ramp' | 'flag', expected: number, actual: number) {
    const subject = what === 'ramp' ? 'ramp revision' : 'flag version';
    super(
      'RAMP_CONFLICT',
      `The ramp of ${describe(flagKey)} changed concurrently: expected ${subject} ${expected}, found ${actual}; nothing was written`,
    );
    this.flagKey = flagKey;
    this.what = what;
    this.expected = expected;
    this.actual = actual;
  }
}

/**
 * A write kept losing to concurrent transactions (a serialization failure, SQLSTATE 40001, or a deadlock,
 * 40P01) and was rolled back each time; it was retried `attempts` times in all, and nothing was written.
 * Code `WRITE_CONTENTION`. Trying again later may succeed. Writes made through this package take their
 * locks in one order and do not deadlock one another; this comes from other transactions on the same
 * tables or from a stricter isolation level.
 */
export class WriteContentionError extends FlagsError {
  /** How many times the write was tried. */
  readonly attempts: number;
  /** The SQLSTATE of the last failure (`40001` or `40P01`). */
  readonly sqlState: string;

  constructor(what: string, attempts: number, sqlState: string, options?: { cause?: unknown }) {
    super(
      'WRITE_CONTENTION',
      `${what} conflicted with concurrent transactions ${attempts} times (SQLSTATE ${sqlState}) and was rolled back each time; nothing was written; try again`,
      options,
    );
    this.attempts = attempts;
    this.sqlState = sqlState;
  }
}

/**
 * A write was aborted through its `signal` before it committed: the server-side statement was cancelled
 * and the transaction rolled back, so nothing was written. Code `WRITE_ABORTED`.
 */
export class WriteAbortedError extends FlagsError {
  constructor(what: string, options?: { cause?: unknown }) {
    super('WRITE_ABORTED', `${what} was aborted before it committed; nothing was written`, options);
  }
}
