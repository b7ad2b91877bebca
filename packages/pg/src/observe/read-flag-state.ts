import { type FlagRow, selectFlagsSql, toFlagRow } from '../admin/flag-row';
import type { FlagsDb } from '../db';

/**
 * One flag as a drift check sees it: the operator's `FlagRow`, plus the version an instance must have
 * loaded to serve it.
 */
export interface FlagState extends FlagRow {
  /** Version of the last change to the flag row or its allowlist (from the change log). */
  readonly configVersion: number;
}

/**
 * What {@link readFlagState} returns: the database clock at the read, and the flag if it exists, read in
 * one statement, so ages and windows are measured on the database's time, not the checker's.
 */
export interface FlagStateReading {
  readonly at: Date;
  readonly flag: FlagState | undefined;
}

/**
 * Reads one flag's state and the database clock. The config version is the newest change to the
 * flag or its allowlist (from the `changes` log), so a check can tell which instances are behind.
 */
export async function readFlagState(
  db: Pick<FlagsDb, 'ident' | 'query'>,
  flagKey: string,
): Promise<FlagStateReading> {
  const s = db.ident;
  const { rows } = await db.query<Parameters<typeof toFlagRow>[0] & { now: unknown; config_version: number }>(
    `select now() as now, f.*,
       greatest(f.version, coalesce((select max(c.version) from ${s}.changes c where c.flag_key = f.key), 0))
         as config_version
     from (select 1) one left join (${selectFlagsSql(s, 'where f.key = $1')}) f on true`,
    [flagKey],
  );
  const row = rows[0];
  if (!row) throw new Error('reading the flag returned no row');
  const at = asDate(row.now);
  if (row.key === null) return { at, flag: undefined };
  const flag = toFlagRow(row);
  return {
    at,
    flag: {
      ...flag,
      createdAt: asDate(flag.createdAt),
      updatedAt: asDate(flag.updatedAt),
      configVersion: Number(row.config_version),
    },
  };
}

/** The ids of `ids` that are not on the flag's allowlist, in the order given. */
export async function missingAllowlistMembers(
  db: Pick<FlagsDb, 'ident' | 'query'>,
  flagKey: string,
  ids: readonly string[],
): Promise<string[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query<{ id: string }>(
    `select m.id from unnest($2::text[]) with ordinality as m(id, n)
     where not exists (select 1 from ${db.ident}.allowlist a where a.flag_key = $1 and a.subject_id = m.id)
     order by m.n`,
    [flagKey, [...ids]],
  );
  return rows.map((r) => r.id);
}

/** A timestamp column as a `Date` on both drivers. @internal */
export function asDate(value: unknown): Date {
  return value instanceof Date ? value : new Date(String(value));
}
