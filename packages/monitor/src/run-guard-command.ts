/**
 * A guard command speaks the monitoring-plugin convention (Nagios, Icinga, Sensu): exit 0 OK (PASS),
 * 1 WARNING (WARN), 2 CRITICAL (FAIL), anything else, a signal or a timeout UNKNOWN. Its first output
 * line (stdout, else stderr; performance data after `|` dropped) is the finding's message. Output is
 * read as UTF-8 with invalid bytes replaced, control characters removed, and at most 64 KiB kept, so a
 * plugin printing binary garbage or megabytes cannot break the check or its JSON.
 */
import { spawn } from 'node:child_process';
import { formatDuration, toError } from '@kaviar/flags-core/internal';
import type { RampGuardCommand } from '@kaviar/flags-pg';
import type { Finding, FindingStatus } from './types';

/** What a guard command is told about the ramp, as environment variables. */
export interface GuardCommandContext {
  readonly flagKey: string;
  /** 1-based number of the step being checked. */
  readonly step: number;
  readonly steps: readonly number[];
  /** The rollout being checked. */
  readonly percent: number;
  /** The next step's rollout, `null` at the last step. */
  readonly nextPercent: number | null;
  /** Where a FAIL would roll back to. */
  readonly rollbackPercent: number;
  readonly phase: string;
}

/** Options of `runGuardCommand`. */
export interface GuardCommandOptions {
  /** Kill the command (and its process group) after this long (ms): UNKNOWN. Default 30 000. */
  readonly timeoutMs?: number;
  /** The environment the ramp variables are added to. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

const MAX_OUTPUT = 64 * 1024;
const STATUS_BY_EXIT: Readonly<Record<number, FindingStatus>> = { 0: 'PASS', 1: 'WARN', 2: 'FAIL' };

/** The environment variables a guard command gets (`KAVIAR_FLAG`, `KAVIAR_RAMP_PERCENT`, ...). */
export function guardEnvironment(context: GuardCommandContext): Record<string, string> {
  return {
    KAVIAR_FLAG: context.flagKey,
    KAVIAR_RAMP_STEP: String(context.step),
    KAVIAR_RAMP_STEPS: context.steps.join(','),
    KAVIAR_RAMP_PERCENT: String(context.percent),
    KAVIAR_RAMP_NEXT_PERCENT: context.nextPercent === null ? '' : String(context.nextPercent),
    KAVIAR_RAMP_ROLLBACK_PERCENT: String(context.rollbackPercent),
    KAVIAR_RAMP_PHASE: context.phase,
  };
}

/** The name a guard command goes by when none is given: its program's base name (`check_error_rate`). */
export function guardName(command: string): string {
  const program = command.trim().split(/\s+/)[0] ?? 'guard';
  const base = program.split(/[\\/]/).at(-1) ?? program;
  return base.replace(/\.(sh|py|js|mjs|rb|pl)$/, '') || 'guard';
}

/** The first meaningful line of some output, cleaned for messages and JSON. @internal */
export function firstLine(bytes: Buffer): string {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  for (const raw of text.split(/\r?\n/)) {
    const line = [...raw]
      .filter((c) => !isControl(c.codePointAt(0) ?? 0))
      .join('')
      .split('|')[0]!
      .trim();
    if (line !== '') return line.length > 300 ? `${line.slice(0, 297)}...` : line;
  }
  return '';
}

/** C0 and C1 control characters (tab included: a message is one line). */
const isControl = (code: number) => code < 0x20 || (code >= 0x7f && code <= 0x9f);

function collect(stream: NodeJS.ReadableStream | null, into: Buffer[]): void {
  let size = 0;
  stream?.on('data', (chunk: Buffer) => {
    if (size >= MAX_OUTPUT) return;
    into.push(chunk.subarray(0, MAX_OUTPUT - size));
    size += chunk.length;
  });
}

/**
 * Runs one guard command through the shell with the ramp in its environment and returns its verdict as a
 * finding named `guard:<name>`. Never throws: a command that cannot start, times out or is killed is
 * UNKNOWN with the reason.
 *
 * @example
 * await runGuardCommand({ name: 'check_error_rate', command: './check_error_rate --max 1' }, context)
 * // { name: 'guard:check_error_rate', status: 'FAIL', message: 'CRITICAL: 3.1 % errors', ... }
 */
export async function runGuardCommand(
  guard: RampGuardCommand,
  context: GuardCommandContext,
  options: GuardCommandOptions = {},
): Promise<Finding> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const name = `guard:${guard.name}`;
  const expected = 'exit 0 (OK)';
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  const groups = process.platform !== 'win32';
  let timedOut = false;
  const outcome = await new Promise<{ code: number | null; signal: string | null; error?: Error }>(
    (resolve) => {
      let child: ReturnType<typeof spawn>;
      try {
        child = spawn(guard.command, {
          shell: true,
          // Its own process group, so a timeout kills the shell and everything it started.
          detached: groups,
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...(options.env ?? process.env), ...guardEnvironment(context) },
        });
      } catch (caught) {
        resolve({ code: null, signal: null, error: toError(caught) });
        return;
      }
      collect(child.stdout, stdout);
      collect(child.stderr, stderr);
      const timer = setTimeout(() => {
        timedOut = true;
        try {
          if (groups && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
          else child.kill('SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
      }, timeoutMs);
      child.on('error', (error) => {
        clearTimeout(timer);
        resolve({ code: null, signal: null, error });
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal });
      });
    },
  );
  const line = firstLine(Buffer.concat(stdout)) || firstLine(Buffer.concat(stderr));
  const observed = { exitCode: outcome.code, signal: outcome.signal, timedOut, output: line };
  if (outcome.error) {
    return {
      name,
      status: 'UNKNOWN',
      message: `could not run: ${outcome.error.message}`,
      expected,
      observed,
    };
  }
  if (timedOut) {
    const said = line ? ` (last said: ${line})` : '';
    return {
      name,
      status: 'UNKNOWN',
      message: `UNKNOWN: did not finish within ${formatDuration(timeoutMs)}, killed${said}`,
      expected,
      observed,
    };
  }
  const status = (outcome.code !== null && STATUS_BY_EXIT[outcome.code]) || 'UNKNOWN';
  const how = outcome.signal ? `killed by ${outcome.signal}` : `exited ${outcome.code}`;
  return { name, status, message: line || `${how} with no output`, expected, observed };
}
