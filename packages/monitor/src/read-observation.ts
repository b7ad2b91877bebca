import { listInstances } from '@kaviar/flags-pg';
import { minWindowSubjects } from './exposure-stats';
import type { MonitorDb } from './monitor-db';
import type { AuditRecord, ExposureTotals, FlagState, Observation } from './observation';

/** What `readObservation` needs besides the flag key. @internal */
export interface ReadOptions {
  /** Subject ids whose allowlist membership is checked. */
  readonly members: readonly string[];
  /** Instances seen within this many ms are read. */
  readonly liveWindowMs: number;
  /** Only exposure windows that started within this many ms count; `undefined` counts all. */
  readonly exposureWindowMs: number | undefined;
}

interface FlagRow {
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

const num = (value: unknown): number => Number(value);
const date = (value: unknown): Date => (value instanceof Date ? value : new Date(String(value)));

/**
 * Reads the authoritative state of one flag: the row (with the database clock), allowlist size
 * and missing members, live instances and exposure totals for the current flag version.
 * Every bigint is cast to float8 so both drivers return plain numbers. @internal
 */
export async function readObservation(
  db: MonitorDb,
  flagKey: string,
  options: ReadOptions,
): Promise<Observation> {
  const s = db.ident;
  const { rows } = await db.query<FlagRow>(
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
  const at = date(row.now);
  const flag: FlagState | undefined =
    row.key === null
      ? undefined
      : {
          key: row.key,
          enabled: row.enabled,
          rolloutPercentage: num(row.rollout_percentage),
          version: num(row.version),
          configVersion: num(row.config_version),
          updatedAt: date(row.updated_at),
          updatedBy: row.updated_by,
          allowlistSize: num(row.allowlist_size),
        };
  let missingMembers: string[] = [];
  if (flag && options.members.length > 0) {
    const missing = await db.query<{ id: string }>(
      `select m.id from unnest($2::text[]) as m(id)
       where not exists (select 1 from ${s}.allowlist a where a.flag_key = $1 and a.subject_id = m.id)`,
      [flagKey, [...options.members]],
    );
    missingMembers = missing.rows.map((r) => r.id);
  }
  const instances = await listInstances(db, { withinMs: options.liveWindowMs });
  // By id, so findings that list instances read the same from one check to the next.
  instances.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const fromVersion = flag?.version ?? 0;
  const share = flag?.enabled ? flag.rolloutPercentage / 100 : 0;
  const minWindow = minWindowSubjects(share);
  const params: unknown[] = [flagKey, fromVersion, Number.isFinite(minWindow) ? minWindow : null];
  if (options.exposureWindowMs !== undefined) params.push(options.exposureWindowMs);
  const windowClause =
    options.exposureWindowMs === undefined
      ? ''
      : `and window_start >= now() - make_interval(secs => $4::float8 / 1000)`;
  // One row per (instance, minute) window, the unit the dispersion estimate works on.
  const exposures = await db.query<Record<string, unknown>>(
    `with w as (
       select instance_id, sum(evaluations)::float8 as e, sum(enabled)::float8 as en, sum(allowlisted)::float8 as a,
         sum(subjects)::float8 as n, sum(subjects_enabled)::float8 as x
       from ${s}.exposures where flag_key = $1 and flag_version >= $2 ${windowClause}
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
  const e = exposures.rows[0] ?? {};
  const totals: ExposureTotals = {
    evaluations: num(e.evaluations ?? 0),
    enabled: num(e.enabled ?? 0),
    allowlisted: num(e.allowlisted ?? 0),
    subjects: num(e.subjects ?? 0),
    subjectsEnabled: num(e.subjects_enabled ?? 0),
    windows: num(e.windows ?? 0),
    sumSqrtSubjects: num(e.sum_sqrt_subjects ?? 0),
    dispersion: {
      windows: num(e.d_windows ?? 0),
      subjects: num(e.d_subjects ?? 0),
      subjectsEnabled: num(e.d_enabled ?? 0),
      sumEnabledSquaredPerSubject: num(e.d_squares ?? 0),
    },
    instances: num(e.instances ?? 0),
    fromVersion,
  };
  return { at, flag, missingMembers, instances, exposures: totals };
}

/** The flag's most recent audit entries, newest first. @internal */
export async function readAudit(db: MonitorDb, flagKey: string, limit: number): Promise<AuditRecord[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    `select id::float8 as id, flag_key, action, actor, reason, before, after, at, version::float8 as version
     from ${db.ident}.audit where flag_key = $1 order by at desc, id desc limit $2`,
    [flagKey, limit],
  );
  return rows.map((r) => ({
    id: num(r.id),
    flagKey: String(r.flag_key),
    action: String(r.action),
    actor: String(r.actor),
    reason: r.reason === null || r.reason === undefined ? null : String(r.reason),
    before: parseJson(r.before),
    after: parseJson(r.after),
    at: date(r.at),
    version: r.version === null || r.version === undefined ? null : num(r.version),
  }));
}

function parseJson(value: unknown): Record<string, unknown> | null {
  const parsed = typeof value === 'string' ? JSON.parse(value) : value;
  return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : null;
}
