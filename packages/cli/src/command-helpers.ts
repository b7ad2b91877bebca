import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { FileUnreadableError } from './cli-errors';
import type { OptionSpec } from './command-spec';
import { parseTextArg } from './input-values';
import type { ParsedArgs } from './parsed-args';

/** `--actor` and `--reason`, shared by every command that writes. */
export const WRITE_OPTIONS: Readonly<Record<string, OptionSpec>> = {
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

/** A rollout for people: `1 %`, `0.5 %`. */
export function formatPercent(value: number): string {
  return `${value} %`;
}
