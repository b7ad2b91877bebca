import { describe, formatDuration } from '@kaviar/flags-core/internal';
import { writeAudit } from '../admin/audit';
import type { WriteOptions } from '../admin/flag-row';
import { checkWriteOptions, readFlagRow } from '../admin/flag-row';
import { updateFlag } from '../admin/update-flag';
import { runWrite } from '../admin/write-transaction';
import type { FlagsDb } from '../db';
import { ConflictError, FlagNotFoundError, InvalidRampError, RampExistsError } from '../errors';
import { ALREADY_EXISTS_SQLSTATES, sqlStateOf } from '../sqlstate';
import { describeSteps, type Ramp, readRampInProgress, stamp } from './ramp';
import { transactionDb } from './tx-db';
import { type NewRamp, validateRamp } from './validate-ramp';

/** Who starts the ramp and why, plus the clock and a dry run. */
export interface StartRampOptions extends WriteOptions {
  /** The clock: the first check is due at `now + holdMs`. Default `new Date()`. */
  readonly now?: Date;
  /** Check everything and return what would happen without writing anything. Default `false`. */
  readonly dryRun?: boolean;
  /**
   * Compare-and-set: start only if the flag's rollout is this now (what a confirmed dry run saw), else
   * `ConflictError` and nothing written.
   */
  readonly expectRollout?: number;
}

/** What `startRamp` did (or, with `dryRun`, would do). */
export interface StartRampResult {
  readonly ramp: Ramp;
  /** The rollout change the start made, when the first step differed from the flag's rollout. */
  readonly moved: { readonly from: number; readonly to: number } | null;
  /** `true` when nothing was written. */
  readonly dryRun: boolean;
}

class DryRun extends Error {
  constructor(readonly result: StartRampResult) {
    super('dry run');
  }
}

/**
 * Starts a guarded ramp of a flag: validates the steps, refuses a second ramp in progress, moves the
 * rollout to the first step when it differs (an audited `updateFlag` with compare-and-set), and stores
 * the ramp with its `ramp.start` audit row, all in one transaction. The first check is due after one hold.
 * Throws `InvalidRampError` (nothing written), `FlagNotFoundError`, `RampExistsError`, `ConflictError`.
 *
 * @example
 * await startRamp(db, { flagKey: 'passenger_favorites_matching', steps: [1, 5, 25, 50, 100], holdMs: 30 * 60_000 },
 *   { actor: 'goes', reason: 'phase 2 rollout' });
 */
export async function startRamp(
  db: FlagsDb,
  input: NewRamp,
  options: StartRampOptions,
): Promise<StartRampResult> {
  const plan = validateRamp(input);
  const { actor, reason } = checkWriteOptions(options);
  const now = options.now ?? new Date();
  const key = plan.flagKey;
  try {
    // The store's write lock first (runWrite), then the flag's row: the order of every write.
    return await runWrite(db, `Ramp start of ${describe(key)}`, {}, async (tx) => {
      const flag = await readFlagRow(tx, db.ident, key, true);
      if (!flag) throw new FlagNotFoundError(key);
      if (options.expectRollout !== undefined && flag.rolloutPercentage !== options.expectRollout) {
        throw new ConflictError(
          key,
          { rolloutPercentage: options.expectRollout },
          { rolloutPercentage: flag.rolloutPercentage },
        );
      }
      if (!flag.enabled) {
        throw new InvalidRampError(
          'flagKey',
          key,
          'is switched off; switch it on before ramping its rollout',
        );
      }
      const existing = await readRampInProgress(tx, db.ident, key);
      if (existing) throw new RampExistsError(key, existing.state);
      const first = plan.steps[0] ?? 0;
      if (flag.rolloutPercentage > first) {
        throw new InvalidRampError(
          'steps',
          plan.steps,
          `start at ${first} %, below the flag's current ${flag.rolloutPercentage} %; a ramp only moves the rollout up`,
        );
      }
      const moved = flag.rolloutPercentage === first ? null : { from: flag.rolloutPercentage, to: first };
      const guards = plan.guards.map((g) => `guard \`${g.name}\``);
      const checks = ['drift', 'propagation', 'exposure', ...guards].join(', ');
      const back = plan.rollbackTo === 'zero' ? '0 %' : 'the previous step';
      const explanation =
        `started by ${actor} at ${stamp(now)}: ${describeSteps(plan.steps)}, each held ${formatDuration(plan.holdMs)} ` +
        `and checked (${checks}); a FAIL rolls back to ${back}` +
        (moved ? `; rollout moved ${moved.from} % → ${moved.to} %` : '');
      if (moved) {
        await updateFlag(
          transactionDb(db, tx),
          key,
          { rolloutPercentage: first },
          {
            actor,
            reason: reason ?? `ramp ${describeSteps(plan.steps)} started`,
            expect: { rolloutPercentage: flag.rolloutPercentage },
          },
        );
      }
      const after = (await readFlagRow(tx, db.ident, key))!;
      const history = [
        {
          step: 0,
          percent: first,
          phase: plan.phases[0],
          status: null,
          decision: 'started',
          checkpointId: null,
          at: now.toISOString(),
          explanation,
        },
      ];
      await tx.query(
        `insert into ${db.ident}.ramps (flag_key, steps, phases, hold_ms, rollback_to, initial_rollout,
           expect_enabled, expect_allowlist_size, guards, max_holds, state, step_index, step_started_at,
           next_check_at, holds, flag_version, started_by, reason, started_at, updated_at, explanation, step_results)
         values ($1, $2::numeric[], $3::text[], $4, $5, $6, true, $7, $8::jsonb, $9, 'active', 0, $10, $11, 0, $12,
           $13, $14, $10, $10, $15, $16::jsonb)`,
        [
          key,
          plan.steps,
          plan.phases,
          plan.holdMs,
          plan.rollbackTo,
          flag.rolloutPercentage,
          after.allowlistCount,
          JSON.stringify(plan.guards),
          plan.maxHolds,
          now,
          new Date(now.getTime() + plan.holdMs),
          after.version,
          actor,
          reason,
          explanation,
          JSON.stringify(history),
        ],
      );
      const ramp = (await readRampInProgress(tx, db.ident, key))!;
      await writeAudit(tx, db.ident, {
        flagKey: key,
        action: 'ramp.start',
        actor,
        reason: reason ?? explanation,
        before: null,
        after: { state: 'active', step: 1, percent: first, steps: plan.steps, holdMs: plan.holdMs },
      });
      const result = { ramp, moved, dryRun: false };
      if (options.dryRun) throw new DryRun({ ...result, dryRun: true });
      return result;
    });
  } catch (caught) {
    if (caught instanceof DryRun) return caught.result;
    const code = sqlStateOf(caught);
    // Two starts racing: the partial unique index lets one in.
    if (code !== undefined && ALREADY_EXISTS_SQLSTATES.has(code)) {
      throw new RampExistsError(key, 'active', { cause: caught });
    }
    throw caught;
  }
}
