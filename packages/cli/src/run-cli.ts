import { parseArgs } from 'node:util';
import { FlagsError } from '@kaviar/flags-core';
import { toError } from '@kaviar/flags-core/internal';
import type { FlagsDb } from '@kaviar/flags-pg';
import { UsageError } from './cli-errors';
import { CLI_VERSION } from './cli-version';
import type { CommandContext, CommandSpec } from './command-spec';
import { COMMANDS, findCommand } from './commands';
import { EXIT_CODES, exitCodeForError } from './exit-codes';
import { systemTimeZone } from './format-time';
import { GLOBAL_OPTIONS } from './global-options';
import { parseTimeZoneArg } from './input-values';
import { maskSecrets } from './mask-secrets';
import { type OpenConnection, openConnection, resolveConnection } from './open-connection';
import { createParsedArgs } from './parsed-args';
import { createPrinter, type TextSink } from './printer';
import { renderCommandHelp, renderMainHelp } from './render-help';

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
}

const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

/** Commands with sub-commands, and the sub-commands named when one is missing. */
const GROUPS: Readonly<Record<string, string>> = {
  allowlist: 'add, remove, list or import',
  ramp: 'start, status, tick, pause, resume or abort',
};

function selectCommand(argv: readonly string[]): { spec: CommandSpec; rest: string[] } {
  const [first = '', second] = argv;
  if (first.startsWith('-')) {
    throw new UsageError(`Put the command first, e.g. \`kaviar-flags status ${first}\``);
  }
  const group = GROUPS[first];
  const name = group ? `${first} ${second ?? ''}`.trim() : first;
  const spec = findCommand(name);
  if (spec) return { spec, rest: argv.slice(name.split(' ').length) };
  if (group) {
    throw new UsageError(`${first} needs a sub-command: ${group} (see kaviar-flags --help)`);
  }
  throw new UsageError(`Unknown command ${JSON.stringify(first)} (run kaviar-flags --help for the list)`);
}

/** `--rollout -1` → `--rollout=-1`, so a negative number reaches validation instead of looking like an option. */
function joinNegativeValues(
  rest: readonly string[],
  options: Readonly<Record<string, { type: string }>>,
): string[] {
  const out: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const token = rest[i] ?? '';
    const next = rest[i + 1];
    const name = token.startsWith('--') ? token.slice(2) : undefined;
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      out.push(`${token}=${next}`);
      i++;
    } else out.push(token);
  }
  return out;
}

function parseCommandLine(spec: CommandSpec, rest: string[]) {
  const options = { ...GLOBAL_OPTIONS, ...spec.options };
  try {
    return parseArgs({
      args: joinNegativeValues(rest, options),
      options: Object.fromEntries(
        Object.entries(options).map(([name, o]) => [
          name,
          { type: o.type, ...(o.short && { short: o.short }), ...(o.multiple && { multiple: true }) },
        ]),
      ),
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    const message = toError(error).message.split('\n').join(' ');
    throw new UsageError(message, spec.name);
  }
}

/**
 * Runs one `kaviar-flags` invocation and resolves to its exit code; never throws. Every error
 * ends here and is printed as one line (and as `{ "error": ... }` on stdout with `--json`).
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const wantsJson = argv.includes('--json');
  let commandName: string | undefined;
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
    if (GROUPS[first] && (argv[1] === undefined || argv[1] === '--help' || argv[1] === '-h')) {
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
      throw new UsageError(
        '--database-url: empty (leave it out to use DATABASE_URL or the embedded database)',
        spec.name,
      );
    }
    const schema = args.string('schema') ?? spec.defaultSchema;
    if (schema !== undefined && !SCHEMA_PATTERN.test(schema)) {
      throw new UsageError(`--schema: ${JSON.stringify(schema)} must match ${SCHEMA_PATTERN}`, spec.name);
    }
    const target = resolveConnection({
      databaseUrl: args.string('database-url'),
      dataDir: args.string('data-dir'),
      env: io.env,
      cwd: io.cwd,
    });
    const printer = createPrinter({ ...io, json: args.flag('json'), timeZone });
    // Validation (and reading input files) happens here, before any connection exists.
    const input = await spec.parse(args);
    const ctx: CommandContext = {
      printer,
      env: io.env,
      cwd: io.cwd,
      target,
      schema: io.database ? io.database.schema : schema,
      now: io.now ?? Date.now,
      async db() {
        if (io.database) return io.database;
        opening ??= openConnection(target, schema, (text) => printer.notice(text)).then((open) => {
          connection = open;
          return open;
        });
        return (await opening).db;
      },
    };
    return (await spec.run(input, ctx)) ?? EXIT_CODES.OK;
  } catch (caught) {
    return reportError(caught, commandName, wantsJson, io);
  } finally {
    await opening?.catch(() => undefined);
    await connection?.close().catch(() => undefined);
  }
}

function reportError(caught: unknown, command: string | undefined, json: boolean, io: CliIo): number {
  const error = toError(caught);
  const exitCode = exitCodeForError(error, command);
  const code = error instanceof FlagsError ? error.code : 'INTERNAL';
  const message = maskSecrets(error.message.split('\n').join(' '));
  const prefix = command ? `kaviar-flags ${command}` : 'kaviar-flags';
  const verdict = command === 'check' || command === 'ramp tick' ? 'UNKNOWN: ' : '';
  const hint =
    code === 'USAGE' && command
      ? ` (see kaviar-flags ${command} --help)`
      : code === 'INTERNAL'
        ? io.env.KAVIAR_FLAGS_DEBUG
          ? `\n${maskSecrets(error.stack ?? '')}`
          : ' (unexpected error; set KAVIAR_FLAGS_DEBUG=1 to see the stack, and please report it)'
        : '';
  if (json) io.stdout.write(`${JSON.stringify({ error: { code, message }, exitCode }, null, 2)}\n`);
  io.stderr.write(`${prefix}: ${verdict}${message}${hint}\n`);
  return exitCode;
}
