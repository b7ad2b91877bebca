import { InvalidOptionError, parseFlagKey, subjectIdProblem } from '@kaviar/flags-core';
import { describe } from '@kaviar/flags-core/internal';
import type { FlagsDb, Queryable } from '../db';
import { FlagNotFoundError } from '../errors';
import { writeAudit } from './audit';
import { checkWriteOptions, type WriteOptions } from './flag-row';
import { runWrite } from './write-transaction';

/** What an allowlist write did. */
export interface AllowlistResult {
  /** Ids newly added (ids already present are not counted). */
  readonly added: number;
  /** Ids removed. */
  readonly removed: number;
  /** Allowlist size after the write. */
  readonly size: number;
}

// Rows per statement: large enough to amortise round trips, small enough for one parameter.
/** @internal */
export const BATCH = 10_000;

/**
 * Validates and de-duplicates subject ids (core's `subjectIdProblem`). Throws `InvalidOptionError`
 * naming the first bad one (`ids[3]`). @internal
 */
export function checkIds(ids: readonly string[]): string[] {
  if (!Array.isArray(ids)) throw new InvalidOptionError('ids', ids, 'must be an array of subject ids');
  ids.forEach((id, i) => {
    const problem = subjectIdProblem(id);
    if (problem !== undefined) throw new InvalidOptionError(`ids[${i}]`, id, problem);
  });
  return [...new Set(ids)];
}

/**
 * Locks the flag's row against other writes to this flag only (the version row, which every write needs,
 * is not taken yet) and returns its allowlist size. Throws `FlagNotFoundError`. @internal
 */
export async function lockFlag(tx: Queryable, ident: string, key: string): Promise<number> {
  const { rows } = await tx.query(`select 1 from ${ident}.flags where key = $1 for no key update`, [key]);
  if (rows.length === 0) throw new FlagNotFoundError(key);
  return sizeOf(tx, ident, key);
}

/** Records who touched the flag last; takes the version row, held until commit. @internal */
export async function touchFlag(tx: Queryable, ident: string, key: string, actor: string): Promise<void> {
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
 * in one transaction. Throws `FlagNotFoundError`, `InvalidFlagError` (key) or `InvalidOptionError` (ids,
 * actor, reason); nothing written.
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
 * row, in one transaction. Throws `FlagNotFoundError`, `InvalidFlagError` (key) or `InvalidOptionError`
 * (ids, actor, reason); nothing written.
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

/** What one allowlist write changed; the counts it did not do are left out of its audit row. @internal */
export interface AllowlistCounts {
  readonly added?: number | undefined;
  readonly removed?: number | undefined;
  /** The size before the change, when `change` locked the flag itself (an import). */
  readonly sizeBefore?: number;
}

const ACTION_NAMES = {
  'allowlist.add': 'Allowlist add',
  'allowlist.remove': 'Allowlist remove',
  'allowlist.import': 'Allowlist import',
} as const;

/**
 * The frame every allowlist write shares: validate, then in one write (`runWrite`) lock and touch the
 * flag (an import does it itself, late), apply `change`, and write the audit row with the counts and the
 * new size (never the ids).
 * @internal
 */
export async function writeAllowlist(
  db: FlagsDb,
  key: string,
  ids: readonly string[],
  options: WriteOptions & { readonly signal?: AbortSignal | undefined },
  action: 'allowlist.add' | 'allowlist.remove' | 'allowlist.import',
  change: (tx: Queryable, unique: readonly string[], actor: string) => Promise<AllowlistCounts>,
): Promise<AllowlistResult> {
  parseFlagKey(key);
  const { actor, reason } = checkWriteOptions(options);
  const unique = checkIds(ids);
  const late = action === 'allowlist.import';
  const what = `${ACTION_NAMES[action]} of flag ${describe(key)}`;
  return runWrite(db, what, { signal: options.signal, lock: late ? 'late' : 'shared' }, async (tx) => {
    // An import locks late, once its ids are staged; the others lock the flag first. The size is counted
    // under the flag's row lock, before the version row is taken.
    let sizeBefore = 0;
    if (!late) {
      sizeBefore = await lockFlag(tx, db.ident, key);
      await touchFlag(tx, db.ident, key, actor);
    }
    const { added, removed, ...counts } = await change(tx, unique, actor);
    const size = (counts.sizeBefore ?? sizeBefore) + (added ?? 0) - (removed ?? 0);
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
      },
    });
    return { added: added ?? 0, removed: removed ?? 0, size };
  });
}
