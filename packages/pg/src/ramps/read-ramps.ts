import { parseFlagKey } from '@kaviar/flags-core';
import type { FlagsDb } from '../db';
import { limitOption } from '../limit-option';
import { type Ramp, type RampState, readRampInProgress, selectRamps } from './ramp';

/**
 * The ramp in progress of a flag (active, holding or paused), or else its latest ramp, or `undefined`
 * when the flag never had one.
 */
export async function getRamp(db: FlagsDb, flagKey: string): Promise<Ramp | undefined> {
  parseFlagKey(flagKey);
  const current = await readRampInProgress(db, db.ident, flagKey);
  if (current) return current;
  const [latest] = await selectRamps(
    db,
    db.ident,
    'where flag_key = $1 order by started_at desc, id desc limit 1',
    [flagKey],
  );
  return latest;
}

/** Filters of `listRamps`. */
export interface ListRampsOptions {
  /** Only this flag's ramps. */
  readonly flagKey?: string;
  /** Only ramps in these states. Default: every state. */
  readonly states?: readonly RampState[];
  /** At most this many, newest first. Default 100. */
  readonly limit?: number;
}

/** Ramps, newest first (ramps in progress before finished ones). */
export async function listRamps(db: FlagsDb, options: ListRampsOptions = {}): Promise<Ramp[]> {
  const limit = limitOption(options.limit, 100);
  if (options.flagKey !== undefined) parseFlagKey(options.flagKey);
  return selectRamps(
    db,
    db.ident,
    `where ($1::text is null or flag_key = $1) and ($2::text[] is null or state = any($2::text[]))
     order by (state in ('active', 'holding', 'paused')) desc, started_at desc, id desc limit $3`,
    [options.flagKey ?? null, options.states ? [...options.states] : null, limit],
  );
}

/**
 * Ramps whose check is due at `now` (active or holding, `nextCheckAt <= now`, not held by a ticker),
 * oldest due first. What a tick works through.
 */
export async function listDueRamps(db: FlagsDb, now: Date): Promise<Ramp[]> {
  return selectRamps(
    db,
    db.ident,
    `where state in ('active', 'holding') and next_check_at <= $1 and (lease_until is null or lease_until <= $1)
     order by next_check_at, id`,
    [now],
  );
}
