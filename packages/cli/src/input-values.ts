import { InvalidFlagError, parseFlagKey, parseRolloutPercentage } from '@kaviar/flags-core';
import { describe } from '@kaviar/flags-core/internal';
import { UsageError } from './cli-errors';

/*
 * Every value typed on the command line is validated here, before a command opens the database,
 * so bad input always exits with USAGE and never writes anything.
 */

/** A flag key argument, or `UsageError` naming the pattern. */
export function parseFlagKeyArg(text: string | undefined, command: string): string {
  if (text === undefined || text === '') throw new UsageError('Missing the flag key argument', command);
  try {
    return parseFlagKey(text);
  } catch {
    throw new UsageError(
      `Invalid flag key ${JSON.stringify(text)}: use lowercase letters, digits, _ . - (up to 128 characters)`,
      command,
    );
  }
}

/** A rollout percentage: 0..100, at most two decimals (`1`, `0.5`, `12.25`). */
export function parseRolloutArg(text: string, option: string, command: string): number {
  try {
    return parseRolloutPercentage(text, option);
  } catch (error) {
    const problem =
      error instanceof InvalidFlagError ? `${describe(error.value)} ${error.problem}` : String(error);
    throw new UsageError(`--${option}: ${problem}`, command);
  }
}

/** `true` or `false`, exactly as `--help` shows it (`true|false`). */
export function parseBooleanArg(text: string, option: string, command: string): boolean {
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw new UsageError(`--${option}: ${JSON.stringify(text)} must be true or false`, command);
}

/** A whole number >= `min`. */
export function parseIntegerArg(text: string, option: string, command: string, min = 0): number {
  const n = /^\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`--${option}: ${JSON.stringify(text)} must be a whole number >= ${min}`, command);
  }
  return n;
}

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A duration as `250ms`, `10s`, `2m`, `1h`, or a bare number of seconds. Returns milliseconds. */
export function parseDurationArg(text: string, option: string, command: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) {
    throw new UsageError(
      `--${option}: ${JSON.stringify(text)} must be a duration like 10s, 500ms or 2m`,
      command,
    );
  }
  return Math.round(Number(match[1]) * (UNIT_MS[match[2] ?? 's'] ?? 1000));
}

/** An IANA time zone (`America/Sao_Paulo`, `UTC`). */
export function parseTimeZoneArg(text: string, command: string): string {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: text }).resolvedOptions().timeZone;
  } catch {
    throw new UsageError(
      `--tz: unknown time zone ${JSON.stringify(text)} (use e.g. America/Sao_Paulo or UTC)`,
      command,
    );
  }
}

/** A date/time for `--since`: ISO 8601 (`2026-02-03T10:00:00Z`), or a duration back from now (`2h`). */
export function parseSinceArg(text: string, command: string, now = Date.now()): Date {
  if (/^\d+(?:\.\d+)?(ms|s|m|h)$/.test(text.trim())) {
    return new Date(now - parseDurationArg(text, 'since', command));
  }
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) {
    throw new UsageError(
      `--since: ${JSON.stringify(text)} must be an ISO date or a duration like 2h`,
      command,
    );
  }
  return date;
}

/** A non-empty single-line text (actor, reason, phase, label). */
export function parseTextArg(text: string, option: string, command: string, maxLength = 500): string {
  const trimmed = text.trim();
  if (trimmed === '' || /[\r\n]/.test(trimmed) || trimmed.length > maxLength) {
    throw new UsageError(
      `--${option}: must be one non-empty line of at most ${maxLength} characters`,
      command,
    );
  }
  return trimmed;
}
