/**
 * Bulk allowlist import, in time linear in the ids and holding the locks other writes wait for as
 * briefly as it can. In one transaction:
 * 1. stage: the ids go into a temporary table of the import's own session (no lock anyone waits for);
 * 2. lock the store's write lock (shared) and the flag's row (`for no key update`: only writes to this
 *    flag wait), then compute with hash anti-joins which ids to add and which to remove;
 * 3. apply: insert the new rows, then delete the removed ones, then touch the flag. The store's version
 *    (the `state` row, which every write to any flag needs) is taken by the allowlist's statement trigger
 *    once the inserted rows are written (schema 3), so writes to other flags wait only while the change
 *    log is written in one `insert ... select`, the removed rows are deleted, and the import commits.
 */
import type { FlagsDb, Queryable } from '../db';
import { FlagNotFoundError } from '../errors';
import { type AllowlistResult, BATCH, lockFlag, touchFlag, writeAllowlist } from './allowlist';
import type { WriteOptions } from './flag-row';
import { lockWrites } from './write-transaction';

/** How far an import got, as passed to `onProgress`. */
export interface ImportProgress {
  /** Distinct ids sent so far. */
  readonly done: number;
  /** Distinct ids to send (duplicates in the input count once). */
  readonly total: number;
}

/** Options of {@link importAllowlist}. */
export interface ImportAllowlistOptions extends WriteOptions {
  /** Make the allowlist exactly `ids` (remove every other id). Default `false`: only add. */
  readonly replace?: boolean;
  /**
   * Called after each batch of 10 000 ids is sent (so once for a small import), inside the import's
   * transaction: the ids are visible to others only when the import returns. An exception it throws
   * aborts the import and nothing is written.
   * @example
   * await importAllowlist(db, key, ids, { actor, onProgress: ({ done, total }) => log(`${done}/${total}`) });
   */
  readonly onProgress?: (progress: ImportProgress) => void;
  /**
   * Aborts the import: the running statement is cancelled on the server, the transaction rolls back, and
   * the call rejects with `WriteAbortedError` (nothing written). An abort once the commit is under way
   * changes nothing. On PGlite the import stops before its next statement.
   * @example
   * const controller = new AbortController();
   * process.once('SIGINT', () => controller.abort());
   * await importAllowlist(db, key, ids, { actor, replace: true, signal: controller.signal });
   */
  readonly signal?: AbortSignal;
}

// Temporary tables of the import's own session, dropped when its transaction ends.
const STAGE = 'pg_temp.kaviar_flags_import';
const TO_ADD = 'pg_temp.kaviar_flags_import_add';
const TO_REMOVE = 'pg_temp.kaviar_flags_import_remove';

/**
 * Bulk import: adds `ids`, and with `replace: true` removes every id not in `ids`, with one
 * `allowlist.import` audit row, in one transaction. Time is linear in the ids (10^6 ids take seconds).
 * Writes to other flags wait only while the change log of the new rows is written and the removed rows
 * are deleted (about 2 s for 10^6 new ids; see the pg README's benchmark). Throws `FlagNotFoundError`,
 * `InvalidOptionError` (a bad id, actor or reason) or `WriteAbortedError` (nothing written).
 */
export function importAllowlist(
  db: FlagsDb,
  key: string,
  ids: readonly string[],
  options: ImportAllowlistOptions,
): Promise<AllowlistResult> {
  const { onProgress, replace = false } = options;
  return writeAllowlist(db, key, ids, options, 'allowlist.import', async (tx, unique, actor) => {
    const ident = db.ident;
    await assertFlagExists(tx, ident, key);
    await stageIds(tx, unique, onProgress && ((done) => onProgress({ done, total: unique.length })));
    await lockWrites(tx, db.schema);
    const sizeBefore = await lockFlag(tx, ident, key);
    // In memory rather than in batches on disk: the hash tables of a 10^6-id import need tens of MB.
    await tx.query(`set local work_mem = '64MB'`);
    await tx.query(`create temporary table kaviar_flags_import_add (subject_id text) on commit drop`);
    await tx.query(
      `insert into ${TO_ADD} select s.subject_id from ${STAGE} s where not exists (
         select 1 from ${ident}.allowlist a where a.flag_key = $1 and a.subject_id = s.subject_id)`,
      [key],
    );
    if (replace) {
      await tx.query(`create temporary table kaviar_flags_import_remove (subject_id text) on commit drop`);
      await tx.query(
        `insert into ${TO_REMOVE} select a.subject_id from ${ident}.allowlist a where a.flag_key = $1
         and not exists (select 1 from ${STAGE} s where s.subject_id = a.subject_id)`,
        [key],
      );
    }
    // No `on conflict`: every writer of this flag's allowlist waits for the row lock taken above, so the
    // ids to add cannot appear meanwhile. The insert's trigger takes the version row once its rows are in;
    // from then on every write to any flag waits, so the rest is short.
    const { rows } = await tx.query<{ n: number }>(
      `with inserted as (
         insert into ${ident}.allowlist (flag_key, subject_id, added_by)
         select $1, subject_id, $2 from ${TO_ADD} returning 1
       ) select count(*)::int as n from inserted`,
      [key, actor],
    );
    let removed: number | undefined;
    if (replace) {
      const deleted = await tx.query<{ n: number }>(
        `with deleted as (
           delete from ${ident}.allowlist a using ${TO_REMOVE} r
           where a.flag_key = $1 and a.subject_id = r.subject_id returning 1
         ) select count(*)::int as n from deleted`,
        [key],
      );
      removed = deleted.rows[0]?.n ?? 0;
    }
    await touchFlag(tx, ident, key, actor);
    return { added: rows[0]?.n ?? 0, removed, sizeBefore };
  });
}

async function assertFlagExists(tx: Queryable, ident: string, key: string): Promise<void> {
  const { rows } = await tx.query(`select 1 from ${ident}.flags where key = $1`, [key]);
  if (rows.length === 0) throw new FlagNotFoundError(key);
}

/** Copies `ids` (distinct) into the staging table in batches; `onBatch` gets the ids sent so far. */
async function stageIds(
  tx: Queryable,
  ids: readonly string[],
  onBatch?: (done: number) => void,
): Promise<void> {
  await tx.query(`create temporary table kaviar_flags_import (subject_id text not null) on commit drop`);
  for (let i = 0; i < ids.length; i += BATCH) {
    await tx.query(`insert into ${STAGE} (subject_id) select unnest($1::text[])`, [ids.slice(i, i + BATCH)]);
    onBatch?.(Math.min(i + BATCH, ids.length));
  }
  // Row counts for the planner, so the anti-joins are hash joins, linear in the ids.
  await tx.query(`analyze ${STAGE}`);
}
