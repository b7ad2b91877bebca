import { FlagsError } from '@kaviar/flags-core';
import { toError } from '@kaviar/flags-core/internal';
import { type FlagsDb, schemaNameProblem } from '@kaviar/flags-pg';
import { InterruptedError, NotConfirmedError, UsageError } from './cli-errors';
import type { CliIo } from './cli-io';
import { CLI_VERSION } from './cli-version';
import { GROUPS, parseCommandLine, selectCommand } from './command-line';
import type { CommandContext } from './command-spec';
import { COMMANDS, findCommand } from './commands';
import { confirmChange } from './confirm-change';
import { connectionErrorLine } from './connection-error-line';
import { withRollback } from './dry-run';
import { EXIT_CODES, exitCodeForError } from './exit-codes';
import { systemTimeZone } from './format-time';
import { parseTimeZoneArg } from './input-values';
import { maskSecrets } from './mask-secrets';
import { type OpenConnection, openConnection, resolveConnection } from './open-connection';
import { createParsedArgs } from './parsed-args';
import { createPrinter } from './printer';
import { renderCommandHelp, renderMainHelp } from './render-help';

function rejectOnAbort(signal: AbortSignal | undefined): Promise<never> | undefined {
  if (!signal) return undefined;
  return new Promise((_, reject) => {
    const fail = () =>
      reject(new InterruptedError('Interrupted (Ctrl-C or SIGTERM); the database connection was closed'));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
}

/**
 * Runs one `kaviar-flags` invocation and resolves to its exit code; never throws. Every error
 * ends here and is printed as one line (and as `{ "error": ... }` on stdout with `--json`).
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const wantsJson = argv.includes('--json');
  let commandName: string | undefined;
  let targetLabel: string | undefined;
  let connection: OpenConnection | undefined;
  let opening: Promise<OpenConnection> | undefined;
  try {
    const [first] = argv;
    if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
      const topic = first === 'help' && argv.length > 1 ? findCommand(argv.slice(1).join(' ')) : undefined;
      io.stdout.write(topic ? renderCommandHelp(topic) : renderMainHelp(COMMANDS, CLI_VERSION));
      return first === undefined ? EXIT_CODES.USAGE : EXIT_CODES.OK;
    }
    if (first === '--version' || first === '-v') {
      io.stdout.write(`${CLI_VERSION}\n`);
      return EXIT_CODES.OK;
    }
    if (Object.hasOwn(GROUPS, first) && (argv[1] === undefined || argv[1] === '--help' || argv[1] === '-h')) {
      io.stdout.write(
        renderMainHelp(
          COMMANDS.filter((c) => c.name.startsWith(`${first} `)),
          CLI_VERSION,
        ),
      );
      return argv[1] === undefined ? EXIT_CODES.USAGE : EXIT_CODES.OK;
    }
    const { spec, rest } = selectCommand(argv);
    commandName = spec.name;
    const { values, positionals } = parseCommandLine(spec, rest);
    if (values.help === true) {
      io.stdout.write(renderCommandHelp(spec));
      return EXIT_CODES.OK;
    }
    const args = createParsedArgs(spec.name, io.cwd, values, positionals);
    const timeZone =
      args.string('tz') === undefined ? systemTimeZone() : parseTimeZoneArg(args.required('tz'), spec.name);
    if (args.string('database-url')?.trim() === '') {
      throw new UsageError('--database-url: empty (leave it out to use DATABASE_URL)', spec.name);
    }
    const schema = args.string('schema') ?? spec.defaultSchema;
    const schemaProblem = schema === undefined ? undefined : schemaNameProblem(schema);
    if (schemaProblem !== undefined) {
      throw new UsageError(`--schema: ${JSON.stringify(schema)} ${schemaProblem}`, spec.name);
    }
    const dryRun = Object.hasOwn(spec.options, 'dry-run') && args.flag('dry-run');
    const printer = createPrinter({ ...io, json: args.flag('json'), timeZone, dryRun });
    // Validation (and reading input files) happens here, before any connection exists.
    const input = await spec.parse(args);
    targetLabel = maskSecrets(args.string('database-url') ?? io.env.DATABASE_URL ?? '') || undefined;
    const target = resolveConnection({
      databaseUrl: args.string('database-url'),
      dataDir: args.string('data-dir'),
      env: io.env,
      cwd: io.cwd,
      // A database handed in by the program is used as is: nothing to find or create.
      createsEmbedded: spec.createsEmbeddedDatabase === true || io.database !== undefined,
    });
    targetLabel = target.label;
    const open = async (): Promise<FlagsDb> => {
      if (io.database) return io.database;
      opening ??= openConnection(target, schema, {
        create: spec.createsEmbeddedDatabase === true,
        notice: (text) => printer.notice(text),
      }).then((opened) => {
        connection = opened;
        return opened;
      });
      return (await opening).db;
    };
    const ctx: CommandContext = {
      printer,
      env: io.env,
      cwd: io.cwd,
      target,
      schema: io.database ? io.database.schema : schema,
      now: io.now ?? Date.now,
      dryRun,
      ...(io.signal && { signal: io.signal }),
      db: open,
      runCli,
      confirm: (change) =>
        dryRun || args.flag('yes') ? Promise.resolve() : confirmChange(change, io.prompt, printer),
    };
    const run = dryRun
      ? (async () => {
          const code = await withRollback(await open(), (bound) =>
            spec.run(input, { ...ctx, db: async () => bound }),
          );
          if (!printer.json) printer.line('Dry run: nothing was written (the change above was rolled back).');
          return code;
        })()
      : spec.run(input, ctx);
    // A command that watches the signal itself (allowlist import) reports the interruption truthfully.
    const aborted = spec.handlesInterrupt ? undefined : rejectOnAbort(io.signal);
    const code = aborted ? await Promise.race([run, aborted]) : await run;
    return code ?? EXIT_CODES.OK;
  } catch (caught) {
    return reportError(caught, commandName, targetLabel, wantsJson, io);
  } finally {
    await opening?.catch(() => undefined);
    await connection?.close().catch(() => undefined);
  }
}

function reportError(
  caught: unknown,
  command: string | undefined,
  target: string | undefined,
  json: boolean,
  io: CliIo,
): number {
  const error = toError(caught);
  const exitCode = exitCodeForError(error, command);
  const code = error instanceof FlagsError ? error.code : 'INTERNAL';
  const message = maskSecrets(connectionErrorLine(error, target) ?? error.message.split('\n').join(' '));
  const prefix = command ? `kaviar-flags ${command}` : 'kaviar-flags';
  const verdict =
    (command === 'check' || command === 'ramp tick') && exitCode === EXIT_CODES.UNKNOWN ? 'UNKNOWN: ' : '';
  const hint =
    code === 'USAGE' && command
      ? ` (see kaviar-flags ${command} --help)`
      : code === 'INTERNAL'
        ? io.env.KAVIAR_FLAGS_DEBUG
          ? `\n${maskSecrets(error.stack ?? '')}`
          : ' (unexpected error; set KAVIAR_FLAGS_DEBUG=1 to see the stack, and please report it)'
        : '';
  const change = error instanceof NotConfirmedError ? error.change : undefined;
  if (json) {
    const body = { code, message, ...(change && { change }) };
    io.stdout.write(`${JSON.stringify({ error: body, exitCode }, null, 2)}\n`);
  }
  if (change && !json) for (const line of change) io.stderr.write(`${maskSecrets(line)}\n`);
  io.stderr.write(`${prefix}: ${verdict}${message}${hint}\n`);
  return exitCode;
}
