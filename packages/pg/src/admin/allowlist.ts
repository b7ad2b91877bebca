import { assertFlagKey, InvalidFlagError } from '@kaviar/flags-core';
import type { FlagsDb, Queryable } from '../db';
import { FlagNotFoundError } from '../errors';
import { AUDIT_IDS_SHOWN, writeAudit } from './audit';
import { checkWriteOptions, type WriteOptions } from './flag-row';

/** What an allowlist write did. */
export interface AllowlistResult {
  /** Ids newly added (ids already present are not counted). */
  readonly added: number;
  /** Ids removed. */
  readonly removed: number;
  /** Allowlist size after the write. */
  readonly size: number;
}

/** How far an import got, as passed to `onProgress`. */
export interface ImportProgress {
  /** Distinct ids written so far (inserted or already there). */
  readonly done: number;
  /** Distinct ids to write (duplicates in the input count once). */
  readonly total: number;
}

/** Options of {@link importAllowlist}. */
export interface ImportAllowlistOptions extends WriteOptions {
  /** Make the allowlist exactly `ids` (remove every other id). Default `false`: only add. */
  readonly replace?: boolean;
  /**
   * Called after each batch of 10 000 ids is written (so once for a small import), inside the import's
   * transaction: the ids are visible to others only when the import returns. An exception it throws
   * aborts the import and nothing is written.
   * @example
   * await importAllowlist(db, key, ids, { actor, onProgress: ({ done, total }) => log(`${done}/${total}`) });
   */
  readonly onProgress?: (progress: ImportProgress) => void;
}

// Rows per statement: large enough to amortise round trips, small enough for one parameter.
const BATCH = 10_000;
const MAX_ID_LENGTH = 1024;

/** Validates and de-duplicates subject ids (non-empty strings up to 1024 characters). @internal */
export function checkIds(ids: readonly string[]): string[] {
  if (!Array.isArray(ids)) throw new InvalidFlagError('ids', ids, 'must be an array of subject ids');
  ids.forEach((id, i) => {
    if (typeof id !== 'string' || id === '' || id.length > MAX_ID_LENGTH) {
      throw new InvalidFlagError(
        `ids[${i}]`,
        id,
        `must be a non-empty string of at most ${MAX_ID_LENGTH} characters`,
      );
    }
  });
  return [...new Set(ids)];
}

// Locks the flag row (so a concurrent delete waits) and records who touched the flag last.
async function touchFlag(tx: Queryable, ident: string, key: string, actor: string): Promise<void> {
  const { rows } = await tx.query(
    `update ${ident}.flags set updated_at = now(), updated_by = $2 where key = $1 returning key`,
    [key, actor],
  );
  if (rows.length === 0) throw new FlagNotFoundError(key);
}

/** Inserts ids in batches; returns how many were new. `onBatch` gets the ids written so far. @internal */
export async function insertIds(
  tx: Queryable,
  ident: string,
  key: string,
  ids: readonly string[],
  actor: string,
  onBatch?: (done: number) => void,
): Promise<number> {
  let added = 0;
  for (let i = 0; i < ids.length; i += BATCH) {
    const { rows } = await tx.query<{ n: number }>(
      `with inserted as (
         insert into ${ident}.allowlist (flag_key, subject_id, added_by)
         select $1, id, $3 from unnest($2::text[]) as id
         on conflict do nothing returning 1
       ) select count(*)::int as n from inserted`,
      [key, ids.slice(i, i + BATCH), actor],
    );
    added += rows[0]?.n ?? 0;
    onBatch?.(Math.min(i + BATCH, ids.length));
  }
  return added;
}

/** Deletes ids in batches; returns how many were there. @internal */
export async function deleteIds(
  tx: Queryable,
  ident: string,
  key: string,
  ids: readonly string[],
): Promise<number> {
  let removed = 0;
  for (let i = 0; i < ids.length; i += BATCH) {
    const { rows } = await tx.query<{ n: number }>(
      `with deleted as (
         delete from ${ident}.allowlist where flag_key = $1 and subject_id = any($2::text[]) returning 1
       ) select count(*)::int as n from deleted`,
      [key, ids.slice(i, i + BATCH)],
    );
    removed += rows[0]?.n ?? 0;
  }
  return removed;
}

async function sizeOf(tx: Queryable, ident: string, key: string): Promise<number> {
  const { rows } = await tx.query<{ n: number }>(
    `select count(*)::int as n from ${ident}.allowlist where flag_key = $1`,
    [key],
  );
  return rows[0]?.n ?? 0;
}

/**
 * Adds subject ids to a flag's allowlist (ids already there are kept), with an `allowlist.add` audit row,
 * in one transaction. Throws `FlagNotFoundError` or `InvalidFlagError` (nothing written).
 */
export function addToAllowlist(
  db: FlagsDb,
  key: string,
  ids: readonly string[],
  options: WriteOptions,
): Promise<AllowlistResult> {
  return writeAllowlist(db, key, ids, options, 'allowlist.add', async (tx, unique, actor) => ({
    added: await insertIds(tx, db.ident, key, unique, actor),
  }));
}

/**
 * Removes subject ids from a flag's allowlist (unknown ids are ignored), with an `allowlist.remove` audit
 * row, in one transaction. Throws `FlagNotFoundError` or `InvalidFlagError` (nothing written).
 */
export function removeFromAllowlist(
  db: FlagsDb,
  key: string,
  ids: readonly string[],
  options: WriteOptions,
): Promise<AllowlistResult> {
  return writeAllowlist(db, key, ids, options, 'allowlist.remove', async (tx, unique) => ({
    removed: await deleteIds(tx, db.ident, key, unique),
  }));
}

/**
 * Bulk import: adds `ids` (10^5 ids take seconds: batched `insert ... select unnest(...)`), and with
 * `replace: true` removes every id not in `ids`, with one `allowlist.import` audit row, in one transaction.
 * Throws `FlagNotFoundError` or `InvalidFlagError` (nothing written).
 */
export function importAllowlist(
  db: FlagsDb,
  key: string,
  ids: readonly string[],
  options: ImportAllowlistOptions,
): Promise<AllowlistResult> {
  return writeAllowlist(db, key, ids, options, 'allowlist.import', async (tx, unique, actor) => {
    let removed: number | undefined;
    if (options.replace) {
      const { rows } = await tx.query<{ n: number }>(
        `with deleted as (
           delete from ${db.ident}.allowlist where flag_key = $1
           and subject_id not in (select unnest($2::text[])) returning 1
         ) select count(*)::int as n from deleted`,
        [key, unique],
      );
      removed = rows[0]?.n ?? 0;
    }
    const { onProgress } = options;
    const added = await insertIds(
      tx,
      db.ident,
      key,
      unique,
      actor,
      onProgress && ((done) => onProgress({ done, total: unique.length })),
    );
    return { added, removed };
  });
}

/** What one allowlist write changed; the counts it did not do are left out of its audit row. */
interface AllowlistCounts {
  readonly added?: number | undefined;
  readonly removed?: number | undefined;
}

/**
 * The frame every allowlist write shares: validate, then in one transaction lock and touch the flag,
 * apply `change`, and write the audit row with the counts, the new size and the first few ids.
 */
async function writeAllowlist(
  db: FlagsDb,
  key: string,
  ids: readonly string[],
  options: WriteOptions,
  action: 'allowlist.add' | 'allowlist.remove' | 'allowlist.import',
  change: (tx: Queryable, unique: readonly string[], actor: string) => Promise<AllowlistCounts>,
): Promise<AllowlistResult> {
  assertFlagKey(key);
  const { actor, reason } = checkWriteOptions(options);
  const unique = checkIds(ids);
  return db.transaction(async (tx) => {
    await touchFlag(tx, db.ident, key, actor);
    const { added, removed } = await change(tx, unique, actor);
    const size = await sizeOf(tx, db.ident, key);
    await writeAudit(tx, db.ident, {
      flagKey: key,
      action,
      actor,
      reason,
      before: null,
      after: {
        ...(added !== undefined && { added }),
        ...(removed !== undefined && { removed }),
        size,
        ids: unique.slice(0, AUDIT_IDS_SHOWN),
      },
    });
    return { added: added ?? 0, removed: removed ?? 0, size };
  });
}
