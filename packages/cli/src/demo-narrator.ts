import type { FlagsDb } from '@kaviar/flags-pg';
import type { CommandContext } from './command-spec';
import type { TextSink } from './printer';
import { shellQuote } from './render-ops-snapshot-text';

/** How a demo chapter talks: headings, and `kaviar-flags` commands echoed, run on the demo's database, and their exit codes. */
export interface DemoNarrator {
  /** `true` under `--json`: nothing is printed. */
  readonly quiet: boolean;
  /** Prints a step heading. */
  say(text: string): void;
  /** Echoes `$ kaviar-flags ARGV` as an operator would paste it, runs it in-process on the demo's database, and returns its exit code. */
  kaviar(...argv: string[]): Promise<number>;
}

/**
 * The narration both demo chapters share: the commands get the demo's schema and time zone, print in
 * the demo's colours, and show no progress lines of their own (the demo has its own). @internal
 */
export function demoNarrator(db: FlagsDb, ctx: CommandContext): DemoNarrator {
  const { printer } = ctx;
  const quiet = printer.json;
  const write = (text: string) => (quiet ? true : printer.line(text.replace(/\n$/, '')));
  const stdout: TextSink = { write, isTTY: printer.color.enabled };
  const stderr: TextSink = { write, isTTY: false };
  const schemaArgs = db.schema === 'kaviar_flags' ? [] : ['--schema', db.schema];
  return {
    quiet,
    say(text) {
      if (!quiet) printer.line(printer.color.bold(text));
    },
    async kaviar(...argv) {
      if (!quiet)
        printer.line(
          printer.color.cyan(`$ kaviar-flags ${[...argv, ...schemaArgs].map(shellQuote).join(' ')}`),
        );
      const code = await ctx.runCli([...argv, ...schemaArgs, '--tz', printer.timeZone], {
        stdout,
        stderr,
        env: ctx.env,
        cwd: ctx.cwd,
        database: db,
      });
      if (!quiet) {
        printer.line(printer.color.dim(`(exit code ${code})`));
        printer.line();
      }
      return code;
    },
  };
}
