import { FlagsError } from '@kaviar/flags-core';

/**
 * The command line was wrong: an unknown command or option, a missing argument, or a value that does
 * not parse (`--rollout 150`). Raised before anything touches the database. Code `USAGE`.
 */
export class UsageError extends FlagsError {
  /** The command whose `--help` explains the fix, when known. */
  readonly command: string | undefined;

  constructor(message: string, command?: string) {
    super('USAGE', message);
    this.command = command;
  }
}

/** A file given on the command line could not be read (missing, a directory, no permission). Code `FILE_UNREADABLE`. */
export class FileUnreadableError extends FlagsError {
  /** The path as the operator typed it. */
  readonly path: string;

  constructor(path: string, options?: { cause?: unknown }) {
    const reason = (options?.cause as NodeJS.ErrnoException | undefined)?.code ?? 'unreadable';
    super('FILE_UNREADABLE', `Cannot read ${path} (${reason})`, options);
    this.path = path;
  }
}

/** A file was read but its content is not what the command expects (bad JSON, no ids). Code `INVALID_INPUT`. */
export class InvalidInputError extends FlagsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_INPUT', message, options);
  }
}

/** An output file (`snapshot --out`) could not be written. Code `FILE_UNWRITABLE`. */
export class FileUnwritableError extends FlagsError {
  /** The path as the operator typed it. */
  readonly path: string;

  constructor(path: string, options?: { cause?: unknown }) {
    const reason = (options?.cause as NodeJS.ErrnoException | undefined)?.code ?? 'unwritable';
    super('FILE_UNWRITABLE', `Cannot write ${path} (${reason})`, options);
    this.path = path;
  }
}

/** Another process holds the embedded database's lock file. Code `DB_LOCKED`. */
export class DatabaseLockedError extends FlagsError {
  /** The lock file. */
  readonly lockFile: string;
  /** Process id recorded in the lock file, when readable. */
  readonly pid: number | undefined;

  constructor(lockFile: string, pid: number | undefined) {
    super(
      'DB_LOCKED',
      `The embedded database is in use by another kaviar-flags process${pid ? ` (pid ${pid})` : ''}; ` +
        `wait for it to finish, or delete ${lockFile} if that process is gone`,
    );
    this.lockFile = lockFile;
    this.pid = pid;
  }
}

/**
 * No database was named and the command may not create one: no `--database-url`, no `DATABASE_URL`,
 * no `--data-dir` and no `./.kaviar-flags/` (or a `--data-dir` without a database in it). Code `NO_DATABASE`.
 */
export class NoDatabaseError extends FlagsError {
  constructor(message: string) {
    super('NO_DATABASE', message);
  }
}

/**
 * A risky change was not confirmed: no terminal to ask on and no `--yes`, or the operator said no.
 * `change` holds the lines describing what would have been written. Code `NOT_CONFIRMED`. Nothing was written.
 */
export class NotConfirmedError extends FlagsError {
  /** What the command would have changed, one line each. */
  readonly change: readonly string[];

  constructor(message: string, change: readonly string[]) {
    super('NOT_CONFIRMED', message);
    this.change = change;
  }
}

/** The operator pressed Ctrl-C (SIGINT) or the process got SIGTERM. Code `INTERRUPTED`. */
export class InterruptedError extends FlagsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INTERRUPTED', message, options);
  }
}
