import type { FlagsDb } from '../db';

/** Pearson χ² inputs over the windows with enough subjects for the dispersion estimate. */
export interface DispersionSums {
  /** How many windows qualified. */
  readonly windows: number;
  /** Σ n over those windows (distinct non-allowlisted subjects). */
  readonly subjects: number;
  /** Σ x over those windows (of the subjects, how many got the flag). */
  readonly subjectsEnabled: number;
  /** Σ x² / n over those windows. */
  readonly sumEnabledSquaredPerSubject: number;
}

/**
 * Exposure counts for a flag, summed over instances and windows, counting only evaluations made
 * against `fromVersion` or later (older versions had another rollout).
 */
export interface ExposureTotals {
  /** Evaluations with a subject id (per call). */
  readonly evaluations: number;
  /** Of those, how many got the feature (allowlisted included). */
  readonly enabled: number;
  /** Of the enabled, how many because of the allowlist. */
  readonly allowlisted: number;
  /**
   * Distinct non-allowlisted subjects, counted once per instance and flush interval and summed over
   * windows: a busy subject weighs once per window, not once per call. The share tested is
   * `subjectsEnabled / subjects`.
   */
  readonly subjects: number;
  /** Of `subjects`, how many got the feature. */
  readonly subjectsEnabled: number;
  /** (instance, minute) windows with at least one subject. */
  readonly windows: number;
  /** Σ √subjects over those windows: bounds the variance when windows share subjects. */
  readonly sumSqrtSubjects: number;
  /** Pearson χ² inputs over the windows with at least `minWindowSubjects` subjects. */
  readonly dispersion: DispersionSums;
  /** Number of distinct instances that reported. */
  readonly instances: number;
  /** Lowest flag version counted. */
  readonly fromVersion: number;
}

/** Options of {@link sumExposures}. */
export interface SumExposuresOptions {
  /** Count only evaluations made against this flag version or later. */
  readonly fromVersion: number;
  /** Windows with fewer subjects than this stay out of `dispersion`; `Infinity` leaves every window out. */
  readonly minWindowSubjects: number;
  /** Count only windows that started within this many ms (database clock). Default: every window. */
  readonly windowMs?: number;
}

/**
 * Sums the exposure counts the clients flushed for one flag: one row per (instance, minute) window
 * is the unit the dispersion estimate works on. Every bigint is cast to float8 so both drivers
 * return plain numbers.
 */
export async function sumExposures(
  db: Pick<FlagsDb, 'ident' | 'query'>,
  flagKey: string,
  options: SumExposuresOptions,
): Promise<ExposureTotals> {
  const min = options.minWindowSubjects;
  const params: unknown[] = [flagKey, options.fromVersion, Number.isFinite(min) ? min : null];
  if (options.windowMs !== undefined) params.push(options.windowMs);
  const windowClause =
    options.windowMs === undefined
      ? ''
      : `and window_start >= now() - make_interval(secs => $4::float8 / 1000)`;
  const { rows } = await db.query<Record<string, unknown>>(
    `with w as (
       select instance_id, sum(evaluations)::float8 as e, sum(enabled)::float8 as en, sum(allowlisted)::float8 as a,
         sum(subjects)::float8 as n, sum(subjects_enabled)::float8 as x
       from ${db.ident}.exposures where flag_key = $1 and flag_version >= $2 ${windowClause}
       group by instance_id, window_start
     ), d as (select * from w where n > 0 and n >= $3::float8)
     select coalesce(sum(e), 0) as evaluations, coalesce(sum(en), 0) as enabled,
       coalesce(sum(a), 0) as allowlisted, coalesce(sum(n), 0) as subjects,
       coalesce(sum(x), 0) as subjects_enabled, count(*) filter (where n > 0)::float8 as windows,
       coalesce(sum(sqrt(n)), 0) as sum_sqrt_subjects, count(distinct instance_id)::float8 as instances,
       (select count(*) from d)::float8 as d_windows, (select coalesce(sum(n), 0) from d) as d_subjects,
       (select coalesce(sum(x), 0) from d) as d_enabled, (select coalesce(sum(x * x / n), 0) from d) as d_squares
     from w`,
    params,
  );
  const e = rows[0] ?? {};
  const num = (key: string) => Number(e[key] ?? 0);
  return {
    evaluations: num('evaluations'),
    enabled: num('enabled'),
    allowlisted: num('allowlisted'),
    subjects: num('subjects'),
    subjectsEnabled: num('subjects_enabled'),
    windows: num('windows'),
    sumSqrtSubjects: num('sum_sqrt_subjects'),
    dispersion: {
      windows: num('d_windows'),
      subjects: num('d_subjects'),
      subjectsEnabled: num('d_enabled'),
      sumEnabledSquaredPerSubject: num('d_squares'),
    },
    instances: num('instances'),
    fromVersion: options.fromVersion,
  };
}
