import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { FileUnreadableError } from './cli-errors';
import type { OptionSpec } from './command-spec';
import { parseTextArg } from './input-values';
import type { ParsedArgs } from './parsed-args';

/** `--dry-run`: every write command takes it (the runner rolls the command's writes back). */
export const DRY_RUN_OPTION: OptionSpec = {
  type: 'boolean',
  description: 'Show exactly what would be written, write nothing (exit 0)',
};

/** `--actor`, `--reason`, `--dry-run` and `--yes`, shared by every command that writes. */
export const WRITE_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  'dry-run': DRY_RUN_OPTION,
  yes: {
    type: 'boolean',
    short: 'y',
    description: 'Apply a risky change without asking (needed without a terminal)',
  },
  actor: {
    type: 'string',
    value: 'NAME',
    description: 'Who makes the change, for the audit log (default: your OS user)',
  },
  reason: { type: 'string', value: 'TEXT', description: 'Why, for the audit log and checkpoints' },
};

/** The OS user name, the default actor; `unknown` when the system cannot tell. */
export function osUser(env: Readonly<Record<string, string | undefined>> = process.env): string {
  try {
    const name = userInfo().username;
    if (name) return name;
  } catch {
    // No passwd entry (some containers): fall back to the environment.
  }
  return env.USER || env.USERNAME || 'unknown';
}

/** Reads `--actor` (default the OS user) and `--reason`, validated. */
export function writeOptionsOf(args: ParsedArgs): { actor: string; reason?: string } {
  const actorText = args.string('actor');
  const reasonText = args.string('reason');
  const actor = actorText === undefined ? osUser() : parseTextArg(actorText, 'actor', args.command, 200);
  if (reasonText === undefined) return { actor };
  return { actor, reason: parseTextArg(reasonText, 'reason', args.command, 1000) };
}

/** Reads a text file named on the command line, or throws `FileUnreadableError`. */
export async function readInputFile(path: string, cwd: string): Promise<string> {
  try {
    return await readFile(resolve(cwd, path), 'utf8');
  } catch (error) {
    throw new FileUnreadableError(path, { cause: error });
  }
}
