import type { FlagsDb } from '@kaviar/flags-pg';
import type { Prompt } from './confirm-change';
import type { TextSink } from './printer';

/** The process around a CLI run; `runCli` touches nothing else, so tests run it in-process. */
export interface CliIo {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  /** Environment variables (`DATABASE_URL`, `NO_COLOR`, ...). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Directory relative paths (files, `./.kaviar-flags`) resolve against. */
  readonly cwd: string;
  /** Clock in epoch ms. Default `Date.now`. */
  readonly now?: () => number;
  /**
   * An open database to use instead of resolving `--database-url` / `DATABASE_URL` / the embedded one
   * (tests, or a program embedding the CLI). It is left open; `--schema` is ignored.
   */
  readonly database?: FlagsDb;
  /**
   * Asks the operator a question on a terminal. Give it only when stdin and stderr are terminals: risky
   * changes are then confirmed by asking; without it they need `--yes`.
   */
  readonly prompt?: Prompt;
  /** Aborted on Ctrl-C / SIGTERM: the command stops, closes the database and exits 130. */
  readonly signal?: AbortSignal;
}
