import { formatDuration } from '@kaviar/flags-core/internal';
import type { WriteOptions } from '../admin/flag-row';
import { checkWriteOptions, readFlagRow } from '../admin/flag-row';
import type { FlagsDb } from '../db';
import { RampNotFoundError, RampStateError } from '../errors';
import { type Ramp, readRampInProgress, stamp } from './ramp';
import { transitionRamp } from './transition-ramp';

/** Who acts on a ramp, why, and the clock. */
export interface RampActionOptions extends WriteOptions {
  /** The clock (history times, the next check after a resume). Default `new Date()`. */
  readonly now?: Date;
}

function said(actor: string, now: Date, reason: string | null): string {
  return `by ${actor} at ${stamp(now)}${reason ? ` (reason: ${JSON.stringify(reason)})` : ''}`;
}

async function current(db: FlagsDb, flagKey: string): Promise<Ramp> {
  const ramp = await readRampInProgress(db, db.ident, flagKey);
  if (!ramp) throw new RampNotFoundError(flagKey);
  return ramp;
}

/**
 * Pauses a flag's active or holding ramp: no more checks until `resumeRamp`; the rollout stays where it
 * is. Audited as `ramp.pause`. Throws `RampNotFoundError`, `RampStateError` (already paused).
 */
export async function pauseRamp(db: FlagsDb, flagKey: string, options: RampActionOptions): Promise<Ramp> {
  const { actor, reason } = checkWriteOptions(options);
  const now = options.now ?? new Date();
  const ramp = await current(db, flagKey);
  if (ramp.state === 'paused') throw new RampStateError(flagKey, ramp.state, 'it is already paused');
  return transitionRamp(
    db,
    flagKey,
    {
      expectRevision: ramp.revision,
      action: 'ramp.pause',
      decision: 'paused',
      state: 'paused',
      nextCheckAt: null,
      holds: ramp.holds,
      explanation: `paused at ${ramp.currentPercent} % ${said(actor, now, reason)}`,
      now,
    },
    options,
  );
}

/**
 * Resumes a paused ramp at its current step, checked again after one hold. The flag must be back at the
 * step's rollout and switched on (after a change by someone else, set it back first); the ramp then
 * accepts the flag as it is now (allowlist included). Audited as `ramp.resume`. Throws
 * `RampNotFoundError`, `RampStateError` (not paused, or the rollout is not the step's).
 */
export async function resumeRamp(db: FlagsDb, flagKey: string, options: RampActionOptions): Promise<Ramp> {
  const { actor, reason } = checkWriteOptions(options);
  const now = options.now ?? new Date();
  const ramp = await current(db, flagKey);
  if (ramp.state !== 'paused') throw new RampStateError(flagKey, ramp.state, 'only a paused ramp resumes');
  const flag = await readFlagRow(db, db.ident, flagKey);
  if (!flag) throw new RampNotFoundError(flagKey);
  if (flag.rolloutPercentage !== ramp.currentPercent || flag.enabled !== ramp.expectEnabled) {
    throw new RampStateError(
      flagKey,
      ramp.state,
      `the flag is ${flag.enabled ? `at ${flag.rolloutPercentage} %` : 'switched off'}, not at the step's ` +
        `${ramp.currentPercent} %; set it back (kaviar-flags set ${flagKey} --rollout ${ramp.currentPercent} ` +
        `--expect-rollout ${flag.rolloutPercentage}) or abort the ramp`,
    );
  }
  const next = new Date(now.getTime() + ramp.holdMs);
  return transitionRamp(
    db,
    flagKey,
    {
      expectRevision: ramp.revision,
      action: 'ramp.resume',
      decision: 'resumed',
      state: 'active',
      nextCheckAt: next,
      holds: 0,
      flagVersion: 'accept',
      explanation: `resumed at ${ramp.currentPercent} % ${said(actor, now, reason)}; next check after ${formatDuration(ramp.holdMs)}`,
      now,
    },
    options,
  );
}

/**
 * Ends a flag's ramp in progress for good; the rollout stays where it is (roll back with `updateFlag` if
 * needed). Audited as `ramp.abort`. Throws `RampNotFoundError`.
 */
export async function abortRamp(db: FlagsDb, flagKey: string, options: RampActionOptions): Promise<Ramp> {
  const { actor, reason } = checkWriteOptions(options);
  const now = options.now ?? new Date();
  const ramp = await current(db, flagKey);
  return transitionRamp(
    db,
    flagKey,
    {
      expectRevision: ramp.revision,
      action: 'ramp.abort',
      decision: 'aborted',
      state: 'aborted',
      nextCheckAt: null,
      holds: ramp.holds,
      explanation: `aborted at ${ramp.currentPercent} % ${said(actor, now, reason)}; the rollout is left as it is`,
      now,
    },
    options,
  );
}
