/**
 * One pass over the due ramps, safe to run from cron on several hosts at once. Invariants:
 * - A ramp is checked by one ticker at a time: `claimRamp` takes it under its advisory lock
 *   (`pg_try_advisory_xact_lock`; a ticker that does not get the lock skips the ramp) and leases it;
 *   the check runs outside any transaction; the decision is one `transitionRamp` transaction with
 *   compare-and-set on the ramp's revision and lease, so a ramp never moves twice for one due check.
 * - The ramp never fights a person: a flag changed by someone else since the ramp's last write pauses
 *   the ramp, quoting the audit log, whether the change came before the check or during it.
 * - A step passes only on a PASS checkpoint whose exposure test had enough data; WARN, UNKNOWN and
 *   "not enough data" hold, and `maxHolds` of them in a row pause; FAIL rolls back (compare-and-set).
 * - Time is the caller's (`now`), so tests drive holds without sleeping.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { InvalidOptionError } from '@kaviar/flags-core';
import { describe as describeValue, toError } from '@kaviar/flags-core/internal';
import {
  ConflictError,
  claimRamp,
  type FlagsDb,
  getFlag,
  listDueRamps,
  listRamps,
  type Ramp,
  RampConflictError,
  releaseRamp,
} from '@kaviar/flags-pg';
import type { Assertion } from './assertion';
import type { CheckFlagOptions } from './check-flag';
import { checkRampStep, type RampOutcome } from './check-ramp-step';
import type { WebhookOptions, WebhookResult } from './notify-checkpoint';
import { notifyCheckpoint } from './notify-checkpoint';
import { pauseForForeignChange } from './pause-ramp-for-change';
import type { Checkpoint } from './types';

/** Options of `tickRamps`. */
export interface TickRampsOptions {
  /** The clock. Default `() => new Date()`. Tests pass a fixed or stepped clock. */
  readonly now?: () => Date;
  /** Who the ramp's writes are audited as. Default `ramp`. */
  readonly actor?: string;
  /** Only this flag's ramp. Default every due ramp. */
  readonly flagKey?: string;
  /**
   * Guards in the library: custom assertions run with each check (on the same reads as the built-in
   * ones), for every ramp or chosen per ramp. A guard returning FAIL rolls the ramp back.
   */
  readonly guards?: readonly Assertion[] | ((ramp: Ramp) => readonly Assertion[]);
  /** Time limit of each guard command (ms); a command still running is killed and UNKNOWN. Default 30 000. */
  readonly guardTimeoutMs?: number;
  /** The environment guard commands get (plus the ramp variables). Default `process.env`. */
  readonly guardEnv?: Readonly<Record<string, string | undefined>>;
  /** Options passed to each `checkFlag` (settle window, live window, exposure test, ...). */
  readonly check?: Omit<CheckFlagOptions, 'expect' | 'phase' | 'label' | 'record' | 'assertions'>;
  /** Where rollbacks and pauses are posted (the monitor's webhook). Default: no notification. */
  readonly webhook?: WebhookOptions;
  /** How long a claimed ramp stays reserved for this ticker if it never finishes (ms). Default: settle + guards + 2 min. */
  readonly leaseMs?: number;
}

/** What a tick did with one ramp. */
export interface RampTickResult {
  readonly flagKey: string;
  /** `skipped`: another ticker had it or it changed meanwhile; `failed`: it could not be checked. */
  readonly outcome: RampOutcome | 'skipped' | 'failed';
  /** The decision in plain words (also stored with the ramp and in the checkpoint). */
  readonly explanation: string;
  /** 0 advanced/completed/skipped, 1 held or paused, 2 rolled back, 3 could not check. */
  readonly exitCode: 0 | 1 | 2 | 3;
  /** The ramp after the decision. */
  readonly ramp?: Ramp;
  /** The recorded checkpoint (with the `ramp` finding explaining the decision). */
  readonly checkpoint?: Checkpoint;
  /** What happened to the webhook notification (rollbacks and pauses). */
  readonly notification?: WebhookResult;
}

/** What one tick did. */
export interface TickRampsResult {
  /** One entry per due ramp. */
  readonly results: readonly RampTickResult[];
  /** The worst: 2 a ramp rolled back, 3 one could not be checked, 1 one held or paused, else 0. */
  readonly exitCode: 0 | 1 | 2 | 3;
  /** Ramps still active or holding after the tick. */
  readonly inProgress: number;
  /** When the earliest of them is due, `null` when none is. */
  readonly nextCheckAt: Date | null;
}

const SEVERITY = { 0: 0, 1: 1, 3: 2, 2: 3 } as const;
const EXIT: Record<RampOutcome, 0 | 1 | 2> = {
  advanced: 0,
  completed: 0,
  held: 1,
  paused: 1,
  rolled_back: 2,
};

/** The worst of exit codes by the monitoring-plugin order: 0 < 1 < 3 < 2. @internal */
export function worstExitCode(codes: Iterable<0 | 1 | 2 | 3>): 0 | 1 | 2 | 3 {
  let worst: 0 | 1 | 2 | 3 = 0;
  for (const code of codes) if (SEVERITY[code] > SEVERITY[worst]) worst = code;
  return worst;
}

/**
 * Makes one idempotent pass over the ramps whose check is due: for each, `checkFlag` with the current
 * step as the expectation plus the guards, then advance (PASS), hold (WARN, UNKNOWN, not enough
 * exposure data; pause after `maxHolds` in a row), or roll back (FAIL) and notify. A flag changed by
 * someone else pauses its ramp with who changed what. Never throws for one ramp's failure: that ramp's
 * result is `failed` (exit code 3).
 *
 * @example
 * const { results, exitCode } = await tickRamps(db, { webhook: { url: process.env.SLACK_WEBHOOK_URL!, format: 'slack' } });
 * for (const r of results) console.log(`${r.flagKey}: ${r.explanation}`);
 * process.exitCode = exitCode;
 */
export async function tickRamps(db: FlagsDb, options: TickRampsOptions = {}): Promise<TickRampsResult> {
  const clock = options.now ?? (() => new Date());
  const guardTimeoutMs = options.guardTimeoutMs ?? 30_000;
  if (!(Number.isFinite(guardTimeoutMs) && guardTimeoutMs > 0)) {
    throw new InvalidOptionError('guardTimeoutMs', guardTimeoutMs, 'is not a number > 0');
  }
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const due = (await listDueRamps(db, clock())).filter(
    (r) => options.flagKey === undefined || r.flagKey === options.flagKey,
  );
  const results: RampTickResult[] = [];
  for (const seen of due) {
    const now = clock();
    const leaseMs =
      options.leaseMs ?? (options.check?.settleMs ?? 10_000) + guardTimeoutMs * seen.guards.length + 120_000;
    const ramp = await claimRamp(db, seen.flagKey, { now, leaseMs, owner }).catch(() => undefined);
    if (!ramp) {
      results.push({
        flagKey: seen.flagKey,
        outcome: 'skipped',
        explanation: 'skipped: another ticker is checking it, or it is no longer due',
        exitCode: 0,
      });
      continue;
    }
    results.push(await tickOne(db, ramp, { ...options, guardTimeoutMs }, owner, now));
  }
  const open = await listRamps(db, {
    states: ['active', 'holding'],
    ...(options.flagKey && { flagKey: options.flagKey }),
  });
  const times = open.map((r) => r.nextCheckAt?.getTime()).filter((t): t is number => t !== undefined);
  return {
    results,
    exitCode: worstExitCode(results.map((r) => r.exitCode)),
    inProgress: open.length,
    nextCheckAt: times.length > 0 ? new Date(Math.min(...times)) : null,
  };
}

async function tickOne(
  db: FlagsDb,
  ramp: Ramp,
  options: TickRampsOptions & { guardTimeoutMs: number },
  owner: string,
  now: Date,
): Promise<RampTickResult> {
  const actor = options.actor ?? 'ramp';
  const base = { db, ramp, actor, owner, now };
  try {
    const flag = await getFlag(db, ramp.flagKey);
    let decided =
      flag && flag.version === ramp.flagVersion
        ? await checkRampStep(base, options).catch((caught: unknown) => {
            if (
              caught instanceof ConflictError ||
              (caught instanceof RampConflictError && caught.what === 'flag')
            )
              return undefined;
            throw caught;
          })
        : undefined;
    // Someone else wrote the flag, before the check or during it: pause, never fight.
    decided ??= await pauseForForeignChange(base);
    const notification =
      options.webhook && (decided.outcome === 'rolled_back' || decided.outcome === 'paused')
        ? await notifyCheckpoint(decided.checkpoint, options.webhook)
        : undefined;
    return {
      flagKey: ramp.flagKey,
      outcome: decided.outcome,
      explanation: decided.explanation,
      exitCode: EXIT[decided.outcome],
      ramp: decided.ramp,
      checkpoint: decided.checkpoint,
      ...(notification && { notification }),
    };
  } catch (caught) {
    await releaseRamp(db, ramp.flagKey, owner).catch(() => undefined);
    const error = toError(caught);
    if (error instanceof RampConflictError && error.what === 'ramp') {
      return {
        flagKey: ramp.flagKey,
        outcome: 'skipped',
        explanation: 'skipped: the ramp changed during the check (an operator paused, resumed or aborted it)',
        exitCode: 0,
      };
    }
    return {
      flagKey: ramp.flagKey,
      outcome: 'failed',
      explanation: `could not check the ramp: ${error.message || describeValue(caught)}`,
      exitCode: 3,
    };
  }
}
