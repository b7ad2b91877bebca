import type { FlagsDb } from '../db';

/**
 * One flag as a drift check sees it, read in one statement together with the database clock, so
 * ages and windows are measured on the database's time, not the checker's.
 */
export interface FlagState {
  readonly key: string;
  readonly enabled: boolean;
  /** Percent, 0..100. */
  readonly rolloutPercentage: number;
  /** Version of the last change to the flag row (enabled, rollout, description). */
  readonly version: number;
  /** Version of the last change to the flag row or its allowlist: what an instance must have loaded. */
  readonly configVersion: number;
  readonly updatedAt: Date;
  readonly updatedBy: string;
  /** Number of allowlisted subjects. */
  readonly allowlistSize: number;
}

/** What {@link readFlagState} returns: the database clock at the read, and the flag if it exists. */
export interface FlagStateReading {
  readonly at: Date;
  readonly flag: FlagState | undefined;
}

interface RawState {
  now: Date;
  key: string | null;
  enabled: boolean;
  rollout_percentage: number;
  version: number;
  config_version: number;
  updated_at: Date;
  updated_by: string;
  allowlist_size: number;
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
  const { rows } = await db.query<RawState>(
    `select now() as now, f.key, f.enabled, f.rollout_percentage::float8 as rollout_percentage,
       f.version::float8 as version, f.updated_at, f.updated_by,
       greatest(f.version, coalesce((select max(c.version) from ${s}.changes c where c.flag_key = f.key), 0))::float8
         as config_version,
       (select count(*) from ${s}.allowlist a where a.flag_key = f.key)::float8 as allowlist_size
     from (select 1) one left join ${s}.flags f on f.key = $1`,
    [flagKey],
  );
  const row = rows[0];
  if (!row) throw new Error('reading the flag returned no row');
  const at = asDate(row.now);
  if (row.key === null) return { at, flag: undefined };
  return {
    at,
    flag: {
      key: row.key,
      enabled: row.enabled,
      rolloutPercentage: Number(row.rollout_percentage),
      version: Number(row.version),
      configVersion: Number(row.config_version),
      updatedAt: asDate(row.updated_at),
      updatedBy: row.updated_by,
      allowlistSize: Number(row.allowlist_size),
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
