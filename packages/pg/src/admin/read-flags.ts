import { parseFlagKey } from '@kaviar/flags-core';
import type { FlagsDb } from '../db';
import { FlagNotFoundError } from '../errors';
import { type FlagRow, readFlagRow, readFlagRows } from './flag-row';

/** One flag, or `undefined` when there is none with this key. */
export function getFlag(db: FlagsDb, key: string): Promise<FlagRow | undefined> {
  return readFlagRow(db, db.ident, parseFlagKey(key));
}

/** Every flag, ordered by key. */
export function listFlags(db: FlagsDb): Promise<FlagRow[]> {
  return readFlagRows(db, db.ident);
}

/** The flag's allowlist, sorted. Throws `FlagNotFoundError` when the flag does not exist. */
export async function getAllowlist(db: FlagsDb, key: string): Promise<string[]> {
  parseFlagKey(key);
  const { rows } = await db.query<{ subject_id: string | null }>(
    `select a.subject_id from ${db.ident}.flags f
     left join ${db.ident}.allowlist a on a.flag_key = f.key
     where f.key = $1 order by a.subject_id collate "C"`,
    [key],
  );
  if (rows.length === 0) throw new FlagNotFoundError(key);
  return rows.flatMap((r) => (r.subject_id === null ? [] : [r.subject_id]));
}
