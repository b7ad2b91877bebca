import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidFlagError, InvalidOptionError, parseRolloutPercentage } from '@kaviar/flags-core';
import { toError } from '@kaviar/flags-core/internal';
import type { Assertion } from './assertion';
import { recordCheckpoint } from './checkpoints';
import { describeFailure } from './describe-failure';
import { worstStatus } from './exit-code';
import type { MonitorDb } from './monitor-db';
import { readAudit, readObservation } from './read-observation';
import { builtinAssertions, runCheck } from './run-check';
import type { Checkpoint, Expectations } from './types';

/** Options of `checkFlag`. Every one is optional. */
export interface CheckFlagOptions {
  /** What the operator expects; only what is given is asserted. Default `{}`. */
  readonly expect?: Expectations;
  /** Rollout phase, recorded with the checkpoint. Default `'adhoc'`. */
  readonly phase?: string;
  /** Label of this check, recorded with the checkpoint. Default `'manual'`. */
  readonly label?: string;
  /**
   * When a first read shows a problem, wait this long (ms) and read again before judging, so
   * transient states (a change being rolled back, an instance still loading) do not raise false
   * alarms. Set it above the instances' heartbeat interval. Default 10 000; 0 judges the first read.
   * A flag missing at the first read is judged at once (FAIL), without waiting.
   */
  readonly settleMs?: number;
  /**
   * Store the checkpoint in the checkpoints table (the returned checkpoint then has an `id`). A check
   * that could not read the database is returned UNKNOWN and not stored. Default `false`.
   */
  readonly record?: boolean;
  /** Extra assertions, run after the built-in ones on the same reads. */
  readonly assertions?: readonly Assertion[];
  /** An instance whose last heartbeat is older than this (ms) is not live and not checked. Default 60 000. */
  readonly liveWindowMs?: number;
  /**
   * The instances' heartbeat interval (ms), as given to `createPgFlags`. An instance behind the
   * change that has sent no heartbeat since before it, for more than twice this, is presumed gone
   * (stopped without `close()`): a note, not a WARN. Default 15 000, the pg client's default.
   */
  readonly heartbeatIntervalMs?: number;
  /** Grace (ms after the change) before a live instance still behind is a WARN. Default 0. */
  readonly maxPropagationMs?: number;
  /** Confidence of the exposure-share test (quasi-binomial Wilson score interval, two-sided). Default 0.999. */
  readonly confidence?: number;
  /** Minimum effective sample of distinct non-allowlisted subjects before the exposure share is tested. Default 1000. */
  readonly minSamples?: number;
  /** Count only exposure windows that started within this many ms. Default: every window since the current flag version. */
  readonly exposureWindowMs?: number;
  /** How many recent audit entries are read to explain findings. Default 100. */
  readonly auditLimit?: number;
  /** How to wait `settleMs` (tests inject their own). Default a `setTimeout` promise. */
  readonly sleep?: (ms: number) => Promise<void>;
}

function nonNegative(option: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0)
    throw new InvalidOptionError(option, value, 'is not a number >= 0');
  return value;
}

function validate(expect: Expectations): Expectations {
  let rolloutPercentage = expect.rolloutPercentage;
  if (rolloutPercentage !== undefined) {
    if (typeof rolloutPercentage !== 'number') {
      throw new InvalidOptionError('expect.rolloutPercentage', rolloutPercentage, 'is not a number');
    }
    try {
      rolloutPercentage = parseRolloutPercentage(rolloutPercentage);
    } catch (caught) {
      throw new InvalidOptionError(
        'expect.rolloutPercentage',
        rolloutPercentage,
        caught instanceof InvalidFlagError ? caught.problem : toError(caught).message,
      );
    }
  }
  const size = expect.allowlistSize;
  if (size !== undefined && !(Number.isInteger(size) && size >= 0)) {
    throw new InvalidOptionError('expect.allowlistSize', size, 'is not a whole number >= 0');
  }
  return rolloutPercentage === undefined ? expect : { ...expect, rolloutPercentage };
}

/**
 * Checks one flag against what the operator expects and returns a checkpoint: PASS, WARN, FAIL
 * or UNKNOWN, with one finding per assertion and the audit entries that explain them.
 * Never throws for a failed expectation or an unreachable database (that is UNKNOWN); throws
 * `InvalidOptionError` for options that cannot be right.
 *
 * @example
 * const checkpoint = await checkFlag(db, 'passenger_favorites_matching', {
 *   expect: { enabled: true, rolloutPercentage: 1, allowlistSize: 12 },
 *   phase: 'phase2_rollout', label: 'manual', record: true,
 * });
 * process.exitCode = exitCodeFor(checkpoint.status);
 */
export async function checkFlag(
  db: MonitorDb,
  flagKey: string,
  options: CheckFlagOptions = {},
): Promise<Checkpoint> {
  const expect = validate(options.expect ?? {});
  const confidence = options.confidence ?? 0.999;
  if (!(confidence > 0 && confidence < 1)) {
    throw new InvalidOptionError('confidence', confidence, 'is not between 0 and 1 (exclusive)');
  }
  const liveWindowMs = nonNegative('liveWindowMs', options.liveWindowMs, 60_000);
  const exposureWindowMs =
    options.exposureWindowMs === undefined
      ? undefined
      : nonNegative('exposureWindowMs', options.exposureWindowMs, 0);
  const auditLimit = nonNegative('auditLimit', options.auditLimit, 100);
  const readOptions = { members: expect.allowlistIncludes ?? [], liveWindowMs, exposureWindowMs };
  // A flag that is not there is not a transient state: judge it at once instead of waiting `settleMs`.
  let flagMissing = false;
  const wait = options.sleep ?? sleep;
  const { checkpoint, readFailed } = await runCheck(
    {
      observe: async () => {
        const observation = await readObservation(db, flagKey, readOptions);
        flagMissing = observation.flag === undefined;
        return observation;
      },
      audit: () => readAudit(db, flagKey, auditLimit),
    },
    {
      flagKey,
      phase: options.phase ?? 'adhoc',
      label: options.label ?? 'manual',
      expect,
      settleMs: nonNegative('settleMs', options.settleMs, 10_000),
      assertions: [...builtinAssertions, ...(options.assertions ?? [])],
      sleep: (ms) => (flagMissing ? Promise.resolve() : wait(ms)),
      liveWindowMs,
      maxPropagationMs: nonNegative('maxPropagationMs', options.maxPropagationMs, 0),
      heartbeatIntervalMs: nonNegative('heartbeatIntervalMs', options.heartbeatIntervalMs, 15_000),
      confidence,
      minSamples: nonNegative('minSamples', options.minSamples, 1000),
    },
  );
  // A check that could not read the database cannot record there either.
  if (!options.record || readFailed) return checkpoint;
  try {
    return await recordCheckpoint(db, checkpoint);
  } catch (caught) {
    // An unrecorded check is not a clean one (a read-only replica, a missing grant): say so.
    const { cause } = describeFailure(caught);
    const finding = {
      name: 'record',
      status: 'UNKNOWN' as const,
      message: `the checkpoint could not be recorded: ${cause}`,
      expected: 'recorded',
      observed: cause,
    };
    const findings = [...checkpoint.findings, finding];
    return { ...checkpoint, findings, status: worstStatus(findings.map((f) => f.status)) };
  }
}
