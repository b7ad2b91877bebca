import type { CommandSpec, OptionSpec } from './command-spec';
import { EXIT_CODE_HELP } from './exit-codes';
import { GLOBAL_OPTIONS } from './global-options';

function optionLines(options: Readonly<Record<string, OptionSpec>>): string[] {
  const entries = Object.entries(options).map(([name, spec]) => {
    const short = spec.short ? `-${spec.short}, ` : '';
    const value = spec.type === 'string' ? ` ${spec.value ?? 'VALUE'}` : '';
    return [`${short}--${name}${value}`, spec.description + (spec.multiple ? ' (repeatable)' : '')] as const;
  });
  const width = Math.max(0, ...entries.map(([left]) => left.length));
  return entries.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
}

function exitCodeLines(): string[] {
  return EXIT_CODE_HELP.map(([code, text]) => `  ${String(code).padStart(2)}  ${text}`);
}

/** The help of one command: usage, options, examples, exit codes. */
export function renderCommandHelp(spec: CommandSpec): string {
  return [
    `Usage: kaviar-flags ${spec.name} ${spec.usage}`.trimEnd(),
    '',
    spec.summary,
    ...(spec.notes?.length ? ['', ...spec.notes] : []),
    ...(Object.keys(spec.options).length ? ['', 'Options:', ...optionLines(spec.options)] : []),
    '',
    'Global options:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    spec.examples.length > 1 ? 'Examples:' : 'Example:',
    ...spec.examples.map((example) => `  ${example}`),
    '',
    'Exit codes:',
    ...exitCodeLines(),
    '',
  ].join('\n');
}

/** The top-level help: every command with its summary. */
export function renderMainHelp(commands: readonly CommandSpec[], version: string): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `kaviar-flags ${version}: operate @kaviar/flags feature flags on your PostgreSQL (or an embedded database).`,
    '',
    'Usage: kaviar-flags <command> [arguments] [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Global options:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    'Without --database-url or DATABASE_URL, data lives in an embedded database in ./.kaviar-flags/.',
    'Run `kaviar-flags <command> --help` for a command’s options and an example.',
    '',
    'Examples:',
    '  kaviar-flags demo',
    '  kaviar-flags status passenger_favorites_matching --tz America/Sao_Paulo',
    '  kaviar-flags set passenger_favorites_matching --rollout 1 --expect-rollout 0 --reason "phase 1"',
    '',
    'Exit codes:',
    ...exitCodeLines(),
    '',
  ].join('\n');
}
