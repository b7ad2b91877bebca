/**
 * The observed exposure share of a flag, one entry per flag version, with the interval the exposure
 * check would compute for it (same sample corrections: windows that may share subjects, quasi-binomial
 * widening; see `exposure-stats.ts`). For reports and dashboards that show how each rollout step
 * actually landed, not only the current one.
 */
import { InvalidOptionError } from '@kaviar/flags-core';
import { type ExposureWindow, listAudit, selectExposureWindows } from '@kaviar/flags-pg';
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
    throw new InvalidOptionError('confidence', confidence, 'is not between 0 and 1');
  if (!(Number.isInteger(versions) && versions > 0))
    throw new InvalidOptionError('versions', versions, 'is not a whole number > 0');
  const windows = await selectExposureWindows(db, flagKey, { versions });
  if (windows.length === 0) return [];
  const audit = await listAudit(db, { flagKey, limit: 1000 });
  const states = audit.flatMap((entry) => {
    const after = entry.after as Record<string, unknown> | null;
    const rollout = auditField(after, 'rolloutPercentage');
    const enabled = auditField(after, 'enabled');
    if (entry.version === null || typeof rollout !== 'number' || typeof enabled !== 'boolean') return [];
    return [{ version: entry.version, enabled, rolloutPercentage: rollout }];
  });
  states.sort((a, b) => b.version - a.version);
  const byVersion = new Map<number, ExposureWindow[]>();
  for (const window of windows) {
    const list = byVersion.get(window.flagVersion) ?? [];
    list.push(window);
    byVersion.set(window.flagVersion, list);
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
  windows: readonly ExposureWindow[],
  confidence: number,
  minSamples: number,
): VersionExposure {
  const counted = windows.filter((w) => w.subjects > 0);
  const subjects = sum(counted.map((w) => w.subjects));
  const subjectsEnabled = sum(counted.map((w) => w.subjectsEnabled));
  const share = configured ? (configured.enabled ? configured.rolloutPercentage / 100 : 0) : undefined;
  const minWindow = share === undefined ? Number.POSITIVE_INFINITY : minWindowSubjects(share);
  const big = counted.filter((w) => w.subjects >= minWindow);
  const phi = dispersionFactor({
    windows: big.length,
    subjects: sum(big.map((w) => w.subjects)),
    subjectsEnabled: sum(big.map((w) => w.subjectsEnabled)),
    sumEnabledSquaredPerSubject: sum(big.map((w) => (w.subjectsEnabled * w.subjectsEnabled) / w.subjects)),
  });
  const effective = overlapSafeSubjects(subjects, sum(counted.map((w) => Math.sqrt(w.subjects)))) / phi;
  const observed = subjects > 0 ? subjectsEnabled / subjects : null;
  const testable = share !== undefined && share > 0 && share < 1 && observed !== null;
  const needed = testable
    ? Math.max(minSamples, Math.ceil(10 / share), Math.ceil(10 / (1 - share)))
    : Number.POSITIVE_INFINITY;
  const times = windows.map((w) => w.windowStart.getTime());
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
    instances: new Set(windows.map((w) => w.instanceId)).size,
    firstWindow: new Date(Math.min(...times)),
    lastWindow: new Date(Math.max(...times)),
  };
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
