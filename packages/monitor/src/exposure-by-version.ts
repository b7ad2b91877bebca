/**
 * The observed exposure share of a flag, one entry per flag version, with the interval the exposure
 * check would compute for it (same sample corrections: windows that may share subjects, quasi-binomial
 * widening; see `exposure-stats.ts`). For reports and dashboards that show how each rollout step
 * actually landed, not only the current one.
 */
import { InvalidCheckOptionsError } from './errors';
import { dispersionFactor, minWindowSubjects, overlapSafeSubjects } from './exposure-stats';
import type { MonitorDb } from './monitor-db';
import { auditField } from './quote-audit';
import { type Interval, wilsonInterval } from './wilson-interval';

/** What the exposures of one flag version say, next to what was configured at that version. */
export interface VersionExposure {
  /** The flag version the instances evaluated. */
  readonly flagVersion: number;
  /** The configuration at that version, from the newest audited state at or before it; `null` when the audit log does not say. */
  readonly configured: { readonly enabled: boolean; readonly rolloutPercentage: number } | null;
  /** Distinct non-allowlisted subjects, summed over (instance, minute) windows. */
  readonly subjects: number;
  /** Of those, how many got the feature. */
  readonly subjectsEnabled: number;
  /** `subjectsEnabled / subjects`, or `null` with no subjects. */
  readonly share: number | null;
  /**
   * Interval of the observed share at `confidence` on the effective sample, or `null` when the
   * configuration is unknown, deterministic (0 %, 100 %, disabled) or there are no subjects.
   */
  readonly interval: Interval | null;
  /** The sample the interval is computed on (subjects, corrected for shared windows and dispersion). */
  readonly effectiveSample: number;
  /** Whether the exposure check would test this sample (otherwise it says "not enough data"). */
  readonly enoughData: boolean;
  /** (instance, minute) windows with at least one subject. */
  readonly windows: number;
  /** Instances that reported this version. */
  readonly instances: number;
  /** First and last window that counted this version. */
  readonly firstWindow: Date;
  readonly lastWindow: Date;
}

/** Options of {@link exposureByVersion}. */
export interface ExposureByVersionOptions {
  /** Confidence of the interval. Default 0.999, as the exposure check. */
  readonly confidence?: number;
  /** Smallest effective sample that is tested. Default 1000, as the exposure check. */
  readonly minSamples?: number;
  /** How many versions, newest first. Default 10. */
  readonly versions?: number;
}

interface WindowRow {
  flag_version: number;
  instance_id: string;
  window_start: Date;
  n: number;
  x: number;
}

/**
 * The observed share per flag version, newest version first. Never reads allowlist members.
 *
 * @example
 * const [current] = await exposureByVersion(db, 'passenger_favorites_matching');
 * // { flagVersion: 7, configured: { enabled: true, rolloutPercentage: 1 }, share: 0.0101, interval: { low, high }, ... }
 */
export async function exposureByVersion(
  db: MonitorDb,
  flagKey: string,
  options: ExposureByVersionOptions = {},
): Promise<VersionExposure[]> {
  const confidence = options.confidence ?? 0.999;
  const minSamples = options.minSamples ?? 1000;
  const versions = options.versions ?? 10;
  if (!(confidence > 0 && confidence < 1))
    throw new InvalidCheckOptionsError('confidence', `${confidence} is not between 0 and 1`);
  if (!(Number.isInteger(versions) && versions > 0))
    throw new InvalidCheckOptionsError('versions', `${versions} is not a whole number > 0`);
  const { rows } = await db.query<WindowRow>(
    `with v as (
       select distinct flag_version from ${db.ident}.exposures where flag_key = $1
       order by flag_version desc limit $2
     )
     select e.flag_version::float8 as flag_version, e.instance_id, e.window_start,
       sum(e.subjects)::float8 as n, sum(e.subjects_enabled)::float8 as x
     from ${db.ident}.exposures e join v using (flag_version)
     where e.flag_key = $1
     group by e.flag_version, e.instance_id, e.window_start
     order by e.flag_version desc, e.window_start`,
    [flagKey, versions],
  );
  const audit = await db.query<{ version: number | null; after: unknown }>(
    `select version::float8 as version, after from ${db.ident}.audit
     where flag_key = $1 and version is not null order by version desc limit 1000`,
    [flagKey],
  );
  const states = audit.rows.flatMap((r) => {
    const after = (typeof r.after === 'string' ? JSON.parse(r.after) : r.after) as Record<
      string,
      unknown
    > | null;
    const rollout = auditField(after, 'rolloutPercentage');
    const enabled = auditField(after, 'enabled');
    if (typeof rollout !== 'number' || typeof enabled !== 'boolean') return [];
    return [{ version: Number(r.version), enabled, rolloutPercentage: rollout }];
  });
  const byVersion = new Map<number, WindowRow[]>();
  for (const row of rows) {
    const version = Number(row.flag_version);
    const list = byVersion.get(version) ?? [];
    list.push({ ...row, n: Number(row.n), x: Number(row.x) });
    byVersion.set(version, list);
  }
  return [...byVersion.entries()].map(([flagVersion, windows]) => {
    const state = states.find((s) => s.version <= flagVersion);
    const configured = state ? { enabled: state.enabled, rolloutPercentage: state.rolloutPercentage } : null;
    return summarise(flagVersion, configured, windows, confidence, minSamples);
  });
}

function summarise(
  flagVersion: number,
  configured: VersionExposure['configured'],
  windows: readonly WindowRow[],
  confidence: number,
  minSamples: number,
): VersionExposure {
  const counted = windows.filter((w) => w.n > 0);
  const subjects = sum(counted.map((w) => w.n));
  const subjectsEnabled = sum(counted.map((w) => w.x));
  const share = configured ? (configured.enabled ? configured.rolloutPercentage / 100 : 0) : undefined;
  const minWindow = share === undefined ? Number.POSITIVE_INFINITY : minWindowSubjects(share);
  const big = counted.filter((w) => w.n >= minWindow);
  const phi = dispersionFactor({
    windows: big.length,
    subjects: sum(big.map((w) => w.n)),
    subjectsEnabled: sum(big.map((w) => w.x)),
    sumEnabledSquaredPerSubject: sum(big.map((w) => (w.x * w.x) / w.n)),
  });
  const effective = overlapSafeSubjects(subjects, sum(counted.map((w) => Math.sqrt(w.n)))) / phi;
  const observed = subjects > 0 ? subjectsEnabled / subjects : null;
  const testable = share !== undefined && share > 0 && share < 1 && observed !== null;
  const needed = testable
    ? Math.max(minSamples, Math.ceil(10 / share), Math.ceil(10 / (1 - share)))
    : Number.POSITIVE_INFINITY;
  const times = windows.map((w) =>
    w.window_start instanceof Date ? w.window_start : new Date(w.window_start),
  );
  return {
    flagVersion,
    configured,
    subjects,
    subjectsEnabled,
    share: observed,
    interval: testable && effective > 0 ? wilsonInterval(observed * effective, effective, confidence) : null,
    effectiveSample: effective,
    enoughData: share !== undefined && subjects > 0 && (!testable || effective >= needed),
    windows: counted.length,
    instances: new Set(windows.map((w) => w.instance_id)).size,
    firstWindow: new Date(Math.min(...times.map((t) => t.getTime()))),
    lastWindow: new Date(Math.max(...times.map((t) => t.getTime()))),
  };
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
