import type { FlagsDb } from '@kaviar/flags-pg';
import type { CliIo } from './cli-io';
import type { ConnectionTarget } from './open-connection';
import type { ParsedArgs } from './parsed-args';
import type { Printer } from './printer';

/** One option of a command, as `node:util` parseArgs takes it plus help text. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  /** One-letter alias (`-h`). */
  readonly short?: string;
  /** May be given more than once. */
  readonly multiple?: boolean;
  /** Placeholder shown in help (`N`, `TEXT`). */
  readonly value?: string;
  /** One line for `--help`. */
  readonly description: string;
}

/** What a command gets at run time. The database is opened on first `db()` call, after validation. */
export interface CommandContext {
  readonly printer: Printer;
  /** The environment (`process.env` or a test's). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Working directory files are resolved against. */
  readonly cwd: string;
  /** Where the data lives (masked label for printing). */
  readonly target: ConnectionTarget;
  /** The `--schema` given, or `undefined` for the default. */
  readonly schema: string | undefined;
  /** Opens (once) and returns the database. With `--dry-run`, a handle whose writes are rolled back. */
  db(): Promise<FlagsDb>;
  /** The current time in ms (tests pin it). */
  now(): number;
  /** `--dry-run` was given: everything the command writes is rolled back at the end. */
  readonly dryRun: boolean;
  /** Aborted on Ctrl-C / SIGTERM (for commands with `handlesInterrupt`). */
  readonly signal?: AbortSignal;
  /**
   * Confirms a risky change described by `change` (one line each): resolves at once with `--yes` or
   * `--dry-run`, asks on a terminal, and otherwise throws `NotConfirmedError` (exit 64, nothing written).
   */
  confirm(change: readonly string[]): Promise<void>;
  /**
   * Runs another `kaviar-flags` command line in-process and resolves to its exit code: the runner's own
   * `runCli`, handed in so that a command (the demo) need not import the runner that imports it.
   */
  runCli(argv: readonly string[], io: CliIo): Promise<number>;
}

/**
 * A command: its help, a `parse` step that validates every input (and reads input files) without
 * touching the database, and a `run` step. Splitting the two is what guarantees that bad input
 * never writes anything. `run` resolves to the exit code (default 0).
 */
export interface CommandSpec<Input = unknown> {
  /** `set`, or `allowlist add` for a sub-command. */
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** Arguments after the command name, as shown in help (`<flag> [--rollout N]`). */
  readonly usage: string;
  /** Command-specific options (the global ones are added by the runner). */
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Runnable examples, shown in help. */
  readonly examples: readonly string[];
  /** Schema used when `--schema` is not given. Default: the store's (`kaviar_flags`). */
  readonly defaultSchema?: string;
  /**
   * The command may create the embedded database when no database exists yet (`migrate`, `demo`).
   * Every other command fails with NO_DATABASE (78) rather than write to a database it created.
   */
  readonly createsEmbeddedDatabase?: boolean;
  /** The command watches `ctx.signal` itself and reports what an interruption left behind. */
  readonly handlesInterrupt?: boolean;
  /** Extra help paragraphs (behaviour, exit codes specific to the command). */
  readonly notes?: readonly string[];
  /** Validates arguments and reads input files. Must not open the database. */
  parse(args: ParsedArgs): Input | Promise<Input>;
  /** Does the work. */
  run(input: Input, ctx: CommandContext): Promise<number | undefined>;
}

/** Declares a command with its input type checked between `parse` and `run`. */
export function defineCommand<Input>(spec: CommandSpec<Input>): CommandSpec<unknown> {
  return spec as CommandSpec<unknown>;
}
