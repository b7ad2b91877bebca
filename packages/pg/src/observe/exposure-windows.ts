import type { FlagsDb } from '../db';
import { asDate } from './read-flag-state';

/** Exposure counts of one flag version in one (instance, minute) window. */
export interface ExposureWindow {
  readonly flagVersion: number;
  readonly instanceId: string;
  readonly windowStart: Date;
  /** Distinct non-allowlisted subjects the instance counted in the window. */
  readonly subjects: number;
  /** Of those, how many got the feature. */
  readonly subjectsEnabled: number;
}

/**
 * The exposure windows of a flag's newest `versions` flag versions (that have any), newest version
 * first, then by window start. What a report of the observed share per version is computed from.
 *
 * @example
 * const windows = await selectExposureWindows(db, 'passenger_favorites_matching', { versions: 5 });
 */
export async function selectExposureWindows(
  db: Pick<FlagsDb, 'ident' | 'query'>,
  flagKey: string,
  options: { readonly versions: number },
): Promise<ExposureWindow[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    `with v as (
       select distinct flag_version from ${db.ident}.exposures where flag_key = $1
       order by flag_version desc limit $2
     )
     select e.flag_version::float8 as flag_version, e.instance_id, e.window_start,
       sum(e.subjects)::float8 as n, sum(e.subjects_enabled)::float8 as x
     from ${db.ident}.exposures e join v using (flag_version)
     where e.flag_key = $1
     group by e.flag_version, e.instance_id, e.window_start
     order by e.flag_version desc, e.window_start, e.instance_id`,
    [flagKey, options.versions],
  );
  return rows.map((r) => ({
    flagVersion: Number(r.flag_version),
    instanceId: String(r.instance_id),
    windowStart: asDate(r.window_start),
    subjects: Number(r.n),
    subjectsEnabled: Number(r.x),
  }));
}
