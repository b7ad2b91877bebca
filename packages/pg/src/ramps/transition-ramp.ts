/**
 * Every change of a ramp after its start goes through `transitionRamp`. Invariants:
 * - One transaction (retried on a deadlock or serialization failure, like every write): the ramp's
 *   advisory lock, its row (`for update`), a compare-and-set on its revision, the optional flag write
 *   (`updateFlag` with compare-and-set, so its own audit row), the optional checkpoint, the ramp row and
 *   its `ramp.*` audit row. Either all of it commits or nothing.
 * - Locks are taken in the order of every write (see `admin/write-transaction.ts`): the store's write lock
 *   (shared), the ramp's advisory lock, the flag's row, the ramp's row, the state row (by the version
 *   trigger). The flag's row comes before the ramp's because deleting a flag (or a restore) locks the flag
 *   row and then, by cascade, its ramp rows.
 * - A flag written by someone else since the ramp last wrote or accepted it (a higher flag version)
 *   makes the transition throw `RampConflictError` (`what: 'flag'`) when it was to write the flag.
 */

import { describe } from '@kaviar/flags-core/internal';
import { type RampAuditAction, writeAudit } from '../admin/audit';
import { checkWriteOptions, readFlagRow, type WriteOptions } from '../admin/flag-row';
import { updateFlag } from '../admin/update-flag';
import { runWrite } from '../admin/write-transaction';
import type { FlagsDb } from '../db';
import { RampConflictError, RampNotFoundError } from '../errors';
import {
  describeSteps,
  RAMP_LOCK_SQL,
  type Ramp,
  type RampDecision,
  type RampState,
  type RampStepResult,
  readRampInProgress,
  selectRamps,
} from './ramp';
import { transactionDb } from './tx-db';

/** One change of a ramp in progress. */
export interface RampTransition {
  /** The revision the caller read; nothing is written unless it is still current. */
  readonly expectRevision: number;
  /** The ticker that claimed the ramp (`claimRamp`); the transition requires and releases its lease. */
  readonly leaseOwner?: string;
  readonly action: RampAuditAction;
  readonly decision: RampDecision;
  readonly state: RampState;
  /** New current step (default: unchanged). A new step restarts `stepStartedAt` at `now`. */
  readonly stepIndex?: number;
  /** When the next check is due; `null` for a paused or finished ramp. */
  readonly nextCheckAt: Date | null;
  /** Consecutive checks without PASS after this transition. */
  readonly holds: number;
  /** The decision in plain words (stored, audited, shown by `ramp status`). */
  readonly explanation: string;
  /** The verdict of the check that led here, `null` when none ran. Default `null`. */
  readonly status?: RampStepResult['status'];
  /** A rollout write made with the transition, compare-and-set on `from` (and the flag switched on). */
  readonly rollout?: { readonly from: number; readonly to: number };
  /**
   * `require` (default when `rollout` is set): the flag must still be at the version the ramp last wrote
   * or accepted, else `RampConflictError` (`what: 'flag'`); `accept`: adopt the flag's current version
   * (resume); `ignore` (default otherwise).
   */
  readonly flagVersion?: 'require' | 'accept' | 'ignore';
  /** The caller's clock. */
  readonly now: Date;
}

/** Who makes the transition, plus work to do in the same transaction. */
export interface TransitionRampOptions extends WriteOptions {
  /**
   * Runs in the transaction after the flag write and before the ramp row is written (the monitor records
   * the checkpoint here); resolves to the id of what it recorded, kept in the ramp's history.
   */
  readonly record?: (tx: FlagsDb) => Promise<number | undefined>;
}

/**
 * Applies one change to a flag's ramp in progress with compare-and-set on its revision (see the
 * invariants above). Resolves to the ramp after the change. Throws `RampNotFoundError`,
 * `RampConflictError` (revision or flag changed; nothing written), `ConflictError` (the rollout
 * compare-and-set lost). The building block of `tickRamps` and the operator actions; most callers want those.
 */
export async function transitionRamp(
  db: FlagsDb,
  flagKey: string,
  change: RampTransition,
  options: TransitionRampOptions,
): Promise<Ramp> {
  const { actor, reason } = checkWriteOptions(options);
  return runWrite(db, `Ramp change of ${describe(flagKey)}`, {}, async (tx) => {
    await tx.query(RAMP_LOCK_SQL('pg_advisory_xact_lock'), [db.schema, flagKey]);
    const flag = await readFlagRow(tx, db.ident, flagKey, true);
    const ramp = flag && (await readRampInProgress(tx, db.ident, flagKey, true));
    if (!ramp) throw new RampNotFoundError(flagKey);
    if (ramp.revision !== change.expectRevision) {
      throw new RampConflictError(flagKey, 'ramp', change.expectRevision, ramp.revision);
    }
    if (change.leaseOwner !== undefined && ramp.leaseOwner !== change.leaseOwner) {
      // Our lease expired and another ticker took the ramp: it owns the decision now.
      throw new RampConflictError(flagKey, 'ramp', change.expectRevision, ramp.revision);
    }
    const versionRule = change.flagVersion ?? (change.rollout ? 'require' : 'ignore');
    let flagVersion = ramp.flagVersion;
    if (versionRule !== 'ignore' && flag) {
      if (versionRule === 'require' && flag.version !== ramp.flagVersion) {
        throw new RampConflictError(flagKey, 'flag', ramp.flagVersion, flag.version);
      }
      flagVersion = flag.version;
    }
    const txDb = transactionDb(db, tx);
    if (change.rollout) {
      const written = await updateFlag(
        txDb,
        flagKey,
        { rolloutPercentage: change.rollout.to },
        {
          actor,
          reason: `ramp ${change.decision.replace('_', ' ')} ${change.rollout.from} % → ${change.rollout.to} % (ramp ${describeSteps(ramp.steps)})`,
          expect: { rolloutPercentage: change.rollout.from, enabled: ramp.expectEnabled },
        },
      );
      flagVersion = written.version;
    }
    const checkpointId = (await options.record?.(txDb)) ?? null;
    const stepIndex = change.stepIndex ?? ramp.stepIndex;
    const entry: RampStepResult = {
      step: ramp.stepIndex,
      percent: ramp.currentPercent,
      phase: ramp.phases[ramp.stepIndex] ?? '',
      status: change.status ?? null,
      decision: change.decision,
      checkpointId,
      at: change.now.toISOString(),
      explanation: change.explanation,
    };
    const finished = ['completed', 'rolled_back', 'aborted'].includes(change.state);
    await tx.query(
      `update ${db.ident}.ramps set state = $2, step_index = $3,
         step_started_at = case when $3 <> step_index then $4 else step_started_at end,
         next_check_at = $5, holds = $6, flag_version = $7, revision = revision + 1, lease_owner = null,
         lease_until = null, updated_at = $4, ended_at = case when $8 then $4 else null end, explanation = $9,
         step_results = step_results || $10::jsonb
       where id = $1`,
      [
        ramp.id,
        change.state,
        stepIndex,
        change.now,
        change.nextCheckAt,
        change.holds,
        flagVersion,
        finished,
        change.explanation,
        JSON.stringify([entry]),
      ],
    );
    const rolloutAfter = change.rollout?.to ?? ramp.currentPercent;
    await writeAudit(tx, db.ident, {
      flagKey,
      action: change.action,
      actor,
      reason: reason ?? change.explanation,
      before: { state: ramp.state, step: ramp.stepIndex + 1, percent: ramp.currentPercent },
      after: { state: change.state, step: stepIndex + 1, percent: rolloutAfter },
    });
    const [after] = await selectRamps(tx, db.ident, 'where id = $1', [ramp.id]);
    return after!;
  });
}
