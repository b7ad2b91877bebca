import type { FlagsDb } from '../db';
import { InvalidOptionError } from '../errors';

/**
 * How far {@link pruneChanges} prunes. Give at most one of the two; neither keeps the last 1000 versions.
 */
export interface PruneChangesOptions {
  /** Keep the change rows of the newest `keepVersions` store versions. A whole number >= 0. */
  readonly keepVersions?: number;
  /** Delete the change rows of every version below this one. A whole number >= 0. */
  readonly olderThanVersion?: number;
}

/** What {@link pruneChanges} did. */
export interface PruneChangesResult {
  /** Change rows deleted. */
  readonly deleted: number;
  /** `state.pruned_through` after the prune: clients that loaded an older version do a full load next. */
  readonly prunedThrough: number;
  /** The store version at the prune (pruning does not change it). */
  readonly version: number;
}

/** Default of `keepVersions`. */
const KEEP_VERSIONS = 1000;

function wholeNumber(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidOptionError(option, value, 'must be a whole number >= 0');
  }
  return value;
}

/**
 * Deletes old rows of the `changes` log (which otherwise grows with every write) and advances
 * `state.pruned_through`, in one transaction. A client that loaded a version at or above the new
 * `pruned_through` keeps syncing incrementally; one that loaded before it does one full load at its next
 * change, so nobody misses a change. Writes no audit row and no new version: flags do not change.
 * Never lowers `pruned_through`, and never prunes past the current version.
 *
 * @example
 * await pruneChanges(db, { keepVersions: 10_000 }); // e.g. nightly
 * await pruneChanges(db, { olderThanVersion: 1200 }); // every change below version 1200
 */
export async function pruneChanges(
  db: FlagsDb,
  options: PruneChangesOptions = {},
): Promise<PruneChangesResult> {
  if (options.keepVersions !== undefined && options.olderThanVersion !== undefined) {
    throw new InvalidOptionError(
      'keepVersions | olderThanVersion',
      options,
      'give at most one (neither keeps the last 1000 versions)',
    );
  }
  // Both bounds as "prune through version v - keep"; olderThanVersion V is "through V - 1".
  const keep =
    options.olderThanVersion === undefined
      ? wholeNumber('keepVersions', options.keepVersions ?? KEEP_VERSIONS)
      : undefined;
  const through =
    options.olderThanVersion === undefined
      ? undefined
      : wholeNumber('olderThanVersion', options.olderThanVersion) - 1;
  return db.transaction(async (tx) => {
    // Updating the state row takes the lock every write holds while it takes and commits its version, so
    // no write is in flight below the bound: the log above pruned_through stays complete.
    const { rows } = await tx.query<{ version: number; pruned_through: number }>(
      `update ${db.ident}.state
          set pruned_through = greatest(pruned_through, least(version, coalesce($1::bigint, version - $2::bigint)))
        returning version, pruned_through`,
      [through ?? null, keep ?? null],
    );
    const state = rows[0];
    if (!state) throw new Error(`${db.ident}.state has no row: was the schema migrated?`);
    const deleted = await tx.query<{ n: number }>(
      `with deleted as (delete from ${db.ident}.changes where version <= $1 returning 1)
       select count(*)::int as n from deleted`,
      [state.pruned_through],
    );
    return {
      deleted: deleted.rows[0]?.n ?? 0,
      prunedThrough: state.pruned_through,
      version: state.version,
    };
  });
}
