import { parseArgs } from 'node:util';
import { toError } from '@kaviar/flags-core/internal';
import { UsageError } from './cli-errors';
import type { CommandSpec, OptionSpec } from './command-spec';
import { COMMANDS, findCommand } from './commands';
import { didYouMean } from './did-you-mean';
import { GLOBAL_OPTIONS } from './global-options';

/*
 * From argv to a command and its values, with our own messages: global options are accepted before
 * the command (`kaviar-flags --database-url URL status`), unknown commands and options get the nearest
 * one suggested, and an option missing its value says so in the option's own terms.
 */

/** Commands with sub-commands, and the sub-commands named when one is missing. */
export const GROUPS: Readonly<Record<string, string>> = {
  allowlist: 'add, remove, list or import',
  ramp: 'start, status, tick, pause, resume or abort',
};

/** `--name=value` / `--name` / `-h` → the option's name, or `undefined` for a positional. */
function optionName(token: string): string | undefined {
  if (token.startsWith('--')) return token.slice(2).split('=')[0];
  if (/^-[a-zA-Z]$/.test(token)) return token.slice(1);
  return undefined;
}

function byName(options: Readonly<Record<string, OptionSpec>>, name: string): OptionSpec | undefined {
  if (name.length === 1) return Object.values(options).find((o) => o.short === name);
  return Object.hasOwn(options, name) ? options[name] : undefined;
}

function unknownOption(token: string, known: readonly string[], command?: string): UsageError {
  const name = optionName(token) ?? token;
  const hint = didYouMean(name, known, (n) => `--${n}`);
  const where = command ? ` for ${command}` : '';
  return new UsageError(`Unknown option ${token.split('=')[0]}${where}${hint}`, command);
}

/**
 * Splits argv into the command and the arguments meant for it; global options given before the
 * command are moved after it.
 */
export function selectCommand(argv: readonly string[]): { spec: CommandSpec; rest: string[] } {
  const leading: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const token = argv[i] ?? '';
    const name = optionName(token);
    if (name === undefined) break;
    const spec = byName(GLOBAL_OPTIONS, name);
    if (!spec) throw unknownOption(token, Object.keys(GLOBAL_OPTIONS));
    leading.push(token);
    if (spec.type === 'string' && !token.includes('=')) {
      const value = argv[i + 1];
      if (value === undefined) throw missingValue(token, spec);
      leading.push(value);
      i++;
    }
  }
  const [first = '', second] = argv.slice(i);
  if (first === '') throw new UsageError('Missing the command (run kaviar-flags --help for the list)');
  const group = Object.hasOwn(GROUPS, first) ? GROUPS[first] : undefined;
  const name = group ? `${first} ${second ?? ''}`.trim() : first;
  const spec = findCommand(name);
  const after = argv.slice(i + name.split(' ').length);
  if (spec) return { spec, rest: [...after, ...leading] };
  if (group) {
    const verbs = COMMANDS.filter((c) => c.name.startsWith(`${first} `)).map(
      (c) => c.name.split(' ')[1] ?? '',
    );
    const hint = second === undefined ? '' : didYouMean(second, verbs, (v) => `${first} ${v}`);
    throw new UsageError(`${first} needs a sub-command: ${group}${hint} (see kaviar-flags ${first} --help)`);
  }
  const hint = didYouMean(
    first,
    COMMANDS.map((c) => c.name.split(' ')[0] ?? c.name),
    (c) => `kaviar-flags ${c}`,
  );
  throw new UsageError(
    `Unknown command ${JSON.stringify(first)}${hint || ''} (run kaviar-flags --help for the list)`,
  );
}

function missingValue(token: string, spec: OptionSpec, command?: string): UsageError {
  return new UsageError(
    `${token} needs a value: ${token} ${spec.value ?? 'VALUE'} (${spec.description})`,
    command,
  );
}

/**
 * Checks every option token before `node:util` sees it: unknown names (with a suggestion), a string
 * option without its value, a value given to a boolean; then joins `--rollout -1` into
 * `--rollout=-1` so a negative number reaches validation instead of looking like an option.
 */
function checkTokens(
  rest: readonly string[],
  options: Readonly<Record<string, OptionSpec>>,
  command: string,
): string[] {
  const out: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const token = rest[i] ?? '';
    if (token === '--') {
      out.push(...rest.slice(i));
      break;
    }
    const name = optionName(token);
    if (name === undefined) {
      out.push(token);
      continue;
    }
    const spec = byName(options, name);
    if (!spec) throw unknownOption(token, Object.keys(options), command);
    if (spec.type === 'boolean') {
      if (token.includes('=')) {
        throw new UsageError(`${token.split('=')[0]} takes no value (${spec.description})`, command);
      }
      out.push(token);
      continue;
    }
    if (token.includes('=')) {
      out.push(token);
      continue;
    }
    const next = rest[i + 1];
    if (next === undefined || (next.startsWith('-') && !/^-\d/.test(next) && next !== '-')) {
      throw missingValue(token, spec, command);
    }
    out.push(`${token}=${next}`);
    i++;
  }
  return out;
}

/** Parses the arguments after the command name. Throws `UsageError` with our own messages. */
export function parseCommandLine(spec: CommandSpec, rest: readonly string[]) {
  const options = { ...GLOBAL_OPTIONS, ...spec.options };
  const args = checkTokens(rest, options, spec.name);
  try {
    return parseArgs({
      args,
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
