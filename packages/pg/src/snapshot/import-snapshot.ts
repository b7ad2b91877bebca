/**
 * Restores a snapshot document: validated first (nothing is written if anything is wrong), compared with
 * the store into a diff, then applied in ONE transaction with a `restore` audit row per changed flag.
 * `dryRun` returns the same diff and writes nothing.
 *
 * A restore takes the store's write lock exclusively (see `runWrite`) before it reads the store, so no
 * other write of this package runs between the read and the commit: the store ends exactly as the
 * document says, and each audit row's `before` is the state the flag really had. A flag created behind
 * that lock (by a writer that does not take it) is a `ConflictError`, and nothing is written.
 */

import { deleteIds, insertIds } from '../admin/allowlist';
import { type AuditFlagState, writeAudit } from '../admin/audit';
import { checkWriteOptions, type WriteOptions } from '../admin/flag-row';
import { runWrite } from '../admin/write-transaction';
import type { FlagsDb, Queryable } from '../db';
import { ConflictError } from '../errors';
import { parseSnapshotDocument, type SnapshotFlag } from './snapshot-document';

/** Options of {@link importSnapshot}. */
export interface ImportSnapshotOptions extends WriteOptions {
  /** Compute and return the diff only; write nothing. Default `false`. */
  readonly dryRun?: boolean;
  /** Also delete flags that are in the store but not in the snapshot. Default `false`. */
  readonly deleteMissing?: boolean;
  /**
   * Aborts the restore before it commits: the running statement is cancelled, the transaction rolls
   * back, and the call rejects with `WriteAbortedError` (nothing written).
   */
  readonly signal?: AbortSignal;
}

/** How one flag differs between the store and the snapshot. */
export interface FlagDiff {
  readonly key: string;
  /** `null` when the flag does not exist in the store (it is created). */
  readonly before: AuditFlagState | null;
  /** `null` when the flag is deleted (`deleteMissing`). */
  readonly after: AuditFlagState | null;
  /** Allowlist ids added and removed (all of them). */
  readonly allowlistAdded: readonly string[];
  readonly allowlistRemoved: readonly string[];
}

/** What a restore changes (or, with `dryRun`, would change). */
export interface SnapshotDiff {
  readonly created: readonly FlagDiff[];
  readonly updated: readonly FlagDiff[];
  readonly deleted: readonly FlagDiff[];
  /** Keys of flags already equal to the snapshot. */
  readonly unchanged: readonly string[];
}

/** Result of {@link importSnapshot}. */
export interface ImportSnapshotResult {
  readonly diff: SnapshotDiff;
  /** `false` for a dry run or when nothing differed. */
  readonly applied: boolean;
  /** Store version after the import (unchanged when nothing was written). */
  readonly version: number;
}

interface Current {
  state: AuditFlagState;
  allowlist: Set<string>;
}

// With `lock`, the rows are locked in key order (step 2 of the write lock order).
async function readCurrent(tx: Queryable, ident: string, lock: boolean): Promise<Map<string, Current>> {
  const { rows } = await tx.query<{
    key: string;
    enabled: boolean;
    rollout: number;
    description: string;
    ids: string[];
  }>(
    `select f.key, f.enabled, f.rollout_percentage as rollout, f.description,
       (select coalesce(array_agg(a.subject_id), '{}') from ${ident}.allowlist a where a.flag_key = f.key) as ids
     from ${ident}.flags f order by f.key ${lock ? 'for update of f' : ''}`,
  );
  return new Map(
    rows.map((r) => [
      r.key,
      {
        state: { enabled: r.enabled, rolloutPercentage: r.rollout, description: r.description },
        allowlist: new Set(r.ids),
      },
    ]),
  );
}

function diffOf(
  flags: readonly SnapshotFlag[],
  current: Map<string, Current>,
  deleteMissing: boolean,
): SnapshotDiff {
  const created: FlagDiff[] = [];
  const updated: FlagDiff[] = [];
  const unchanged: string[] = [];
  for (const flag of flags) {
    const old = current.get(flag.key);
    const after: AuditFlagState = {
      enabled: flag.enabled,
      rolloutPercentage: flag.rollout_percentage,
      description: flag.description ?? old?.state.description ?? '',
    };
    const wanted =
      flag.allowlist === undefined ? (old?.allowlist ?? new Set<string>()) : new Set(flag.allowlist);
    const had = old?.allowlist ?? new Set<string>();
    const allowlistAdded = [...wanted].filter((id) => !had.has(id));
    const allowlistRemoved = [...had].filter((id) => !wanted.has(id));
    const entry = { key: flag.key, before: old?.state ?? null, after, allowlistAdded, allowlistRemoved };
    if (!old) created.push(entry);
    else if (
      old.state.enabled !== after.enabled ||
      old.state.rolloutPercentage !== after.rolloutPercentage ||
      old.state.description !== after.description ||
      allowlistAdded.length + allowlistRemoved.length > 0
    ) {
      updated.push(entry);
    } else unchanged.push(flag.key);
  }
  const inDoc = new Set(flags.map((f) => f.key));
  const deleted: FlagDiff[] = deleteMissing
    ? [...current]
        .filter(([key]) => !inDoc.has(key))
        .map(([key, c]) => ({
          key,
          before: c.state,
          after: null,
          allowlistAdded: [],
          allowlistRemoved: [...c.allowlist],
        }))
    : [];
  return { created, updated, deleted, unchanged };
}

/** Creates or updates the flag row of `change`; a row that appeared since the store was read is a conflict. */
async function writeFlagRow(
  tx: Queryable,
  ident: string,
  change: FlagDiff & { after: AuditFlagState },
  createdAt: string | null,
  actor: string,
): Promise<void> {
  const { key, after } = change;
  const values = [key, after.enabled, after.rolloutPercentage, after.description];
  if (change.before === null) {
    const { rows } = await tx.query(
      `insert into ${ident}.flags (key, enabled, rollout_percentage, description, created_at, updated_by)
       values ($1, $2, $3, $4, coalesce($5::timestamptz, now()), $6) on conflict (key) do nothing returning key`,
      [...values, createdAt, actor],
    );
    if (rows.length === 0) throw new ConflictError(key, { exists: false }, { exists: true });
  } else {
    await tx.query(
      `update ${ident}.flags set enabled = $2, rollout_percentage = $3, description = $4,
       updated_at = now(), updated_by = $5 where key = $1`,
      [...values, actor],
    );
  }
}

/**
 * Validates `input` (parsed JSON) as a snapshot and makes the store match it: creates missing flags, updates
 * differing ones, replaces allowlists given in the snapshot (a flag without `allowlist` keeps its own), and
 * with `deleteMissing` deletes flags absent from it. One transaction; a `restore` audit row per changed flag.
 * Throws `InvalidSnapshotError` listing every problem, `ConflictError`, `WriteContentionError` or
 * `WriteAbortedError` (nothing written in each case).
 */
export async function importSnapshot(
  db: FlagsDb,
  input: unknown,
  options: ImportSnapshotOptions,
): Promise<ImportSnapshotResult> {
  const { actor, reason } = checkWriteOptions(options);
  const doc = parseSnapshotDocument(input);
  const byKey = new Map(doc.flags.map((f) => [f.key, f]));
  // A dry run only reads: one consistent statement, no lock that writers would wait for.
  const dryRun = options.dryRun ?? false;
  return runWrite(
    db,
    dryRun ? 'Restore dry run' : 'Restore',
    { signal: options.signal, lock: dryRun ? 'late' : 'exclusive' },
    async (tx) => {
      const current = await readCurrent(tx, db.ident, !dryRun);
      const diff = diffOf(doc.flags, current, options.deleteMissing ?? false);
      const changes = [...diff.created, ...diff.updated, ...diff.deleted];
      if (dryRun || changes.length === 0) {
        const { rows } = await tx.query<{ version: number }>(`select version from ${db.ident}.state`);
        return { diff, applied: false, version: rows[0]?.version ?? 0 };
      }
      for (const change of changes) {
        const { key, after } = change;
        if (after === null) {
          await tx.query(`delete from ${db.ident}.flags where key = $1`, [key]);
        } else {
          await writeFlagRow(tx, db.ident, { ...change, after }, byKey.get(key)?.created_at ?? null, actor);
          await deleteIds(tx, db.ident, key, change.allowlistRemoved);
          await insertIds(tx, db.ident, key, change.allowlistAdded, actor);
        }
        await writeAudit(tx, db.ident, {
          flagKey: key,
          action: 'restore',
          actor,
          reason,
          before: change.before,
          after: after && {
            ...after,
            allowlistAdded: change.allowlistAdded.length,
            allowlistRemoved: change.allowlistRemoved.length,
          },
        });
      }
      const { rows } = await tx.query<{ version: number }>(`select version from ${db.ident}.state`);
      return { diff, applied: true, version: rows[0]?.version ?? 0 };
    },
  );
}
