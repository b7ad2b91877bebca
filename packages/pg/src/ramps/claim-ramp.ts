import type { FlagsDb } from '../db';
import { RAMP_LOCK_SQL, type Ramp, readRampInProgress } from './ramp';

/** Who claims a ramp, when, and for how long. */
export interface ClaimRampOptions {
  /** The caller's clock: the ramp must be due at `now`. */
  readonly now: Date;
  /** How long the claim holds if the ticker never finishes (ms). */
  readonly leaseMs: number;
  /** Identifies the ticker (host, pid, a random part). */
  readonly owner: string;
}

/**
 * Claims a due ramp for one check: under the ramp's advisory lock (`pg_try_advisory_xact_lock`; a
 * ticker that does not get it at once skips the ramp), re-reads it and, if it is still due and no
 * other ticker's lease is running, takes a lease until `now + leaseMs`. Resolves to the ramp, or
 * `undefined` when another ticker has it or it is no longer due. The check itself then runs outside
 * any transaction; `transitionRamp` with the same `leaseOwner` ends the lease. The building block of `tickRamps`.
 */
export async function claimRamp(
  db: FlagsDb,
  flagKey: string,
  options: ClaimRampOptions,
): Promise<Ramp | undefined> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ locked: boolean }>(RAMP_LOCK_SQL('pg_try_advisory_xact_lock'), [
      db.schema,
      flagKey,
    ]);
    if (rows[0]?.locked !== true) return undefined;
    const { rows: claimed } = await tx.query(
      `update ${db.ident}.ramps set lease_owner = $2, lease_until = $4
       where flag_key = $1 and state in ('active', 'holding') and next_check_at <= $3
         and (lease_until is null or lease_until <= $3)
       returning id`,
      [flagKey, options.owner, options.now, new Date(options.now.getTime() + options.leaseMs)],
    );
    if (claimed.length === 0) return undefined;
    return readRampInProgress(tx, db.ident, flagKey);
  });
}

/** Gives a claimed ramp back without a decision (the check could not finish). */
export async function releaseRamp(db: FlagsDb, flagKey: string, owner: string): Promise<void> {
  await db.query(
    `update ${db.ident}.ramps set lease_owner = null, lease_until = null
     where flag_key = $1 and lease_owner = $2 and state in ('active', 'holding', 'paused')`,
    [flagKey, owner],
  );
}
