import { minWindowSubjects } from '../../src/exposure-stats';
import type {
  AssertionOptions,
  AuditEntry,
  CheckContext,
  ExposureTotals,
  FlagState,
  InstanceRow,
  Observation,
} from '../../src/index';

/** Builders for pure assertion tests: plain data, no database. */
export const T0 = new Date('2026-02-03T13:26:03.000Z');

export const at = (offsetMs: number) => new Date(T0.getTime() + offsetMs);

export function flag(overrides: Partial<FlagState> = {}): FlagState {
  return {
    key: 'passenger_favorites_matching',
    enabled: true,
    rolloutPercentage: 1,
    description: '',
    version: 10,
    configVersion: 10,
    createdAt: at(-86_400_000),
    updatedAt: at(-60_000),
    updatedBy: 'goes',
    allowlistCount: 12,
    ...overrides,
  };
}

export function instance(overrides: Partial<InstanceRow> = {}): InstanceRow {
  return {
    id: 'web-1',
    app: 'kaviar-backend',
    host: 'ip-10-0-0-7',
    pid: 31,
    loadedVersion: 10,
    state: 'ready',
    lastError: null,
    startedAt: at(-3_600_000),
    lastSeenAt: at(-1_000),
    ageMs: 1_000,
    ...overrides,
  };
}

export function observation(overrides: Partial<Observation> = {}): Observation {
  return {
    at: T0,
    flag: flag(),
    missingMembers: [],
    instances: [],
    exposures: exposureTotals([]),
    ...overrides,
  };
}

let nextId = 1;
export function audit(overrides: Partial<AuditEntry> & Pick<AuditEntry, 'version' | 'at'>): AuditEntry {
  return {
    id: nextId++,
    flagKey: 'passenger_favorites_matching',
    action: 'update',
    actor: 'goes',
    reason: null,
    before: null,
    after: null,
    ...overrides,
  };
}

/** A rollout change from `from` % to `to` %. */
export function rolloutChange(
  from: number,
  to: number,
  version: number,
  when: Date,
  actor = 'goes',
  reason: string | null = null,
) {
  return audit({
    version,
    at: when,
    actor,
    reason,
    before: { enabled: true, rolloutPercentage: from, description: '' },
    after: { enabled: true, rolloutPercentage: to, description: '' },
  });
}

export const defaultOptions: AssertionOptions = {
  liveWindowMs: 60_000,
  maxPropagationMs: 0,
  heartbeatIntervalMs: 15_000,
  confidence: 0.999,
  minSamples: 1000,
};

export function context(overrides: Partial<CheckContext> = {}): CheckContext {
  const first = overrides.first ?? observation();
  return {
    flagKey: 'passenger_favorites_matching',
    expect: {},
    first,
    last: overrides.last ?? first,
    audit: [],
    final: true,
    options: defaultOptions,
    ...overrides,
  };
}

/** One (instance, minute) row of exposure counts, as the instances write them. */
export interface ExposureWindow {
  readonly instanceId?: string;
  readonly evaluations?: number;
  readonly enabled?: number;
  readonly allowlisted?: number;
  readonly subjects: number;
  readonly subjectsEnabled: number;
}

/**
 * Exposure totals as `readObservation` sums them from `windows` (same sums as its SQL), for a flag
 * whose configured share is `share` (it decides which windows enter the dispersion estimate).
 */
export function exposureTotals(windows: readonly ExposureWindow[], share = 0.01): ExposureTotals {
  const min = minWindowSubjects(share);
  const sum = (rows: readonly ExposureWindow[], f: (w: ExposureWindow) => number) =>
    rows.reduce((total, w) => total + f(w), 0);
  const used = windows.filter((w) => w.subjects > 0);
  const big = used.filter((w) => w.subjects >= min);
  return {
    evaluations: sum(windows, (w) => w.evaluations ?? w.subjects),
    enabled: sum(windows, (w) => w.enabled ?? w.subjectsEnabled),
    allowlisted: sum(windows, (w) => w.allowlisted ?? 0),
    subjects: sum(used, (w) => w.subjects),
    subjectsEnabled: sum(used, (w) => w.subjectsEnabled),
    windows: used.length,
    sumSqrtSubjects: sum(used, (w) => Math.sqrt(w.subjects)),
    dispersion: {
      windows: big.length,
      subjects: sum(big, (w) => w.subjects),
      subjectsEnabled: sum(big, (w) => w.subjectsEnabled),
      sumEnabledSquaredPerSubject: sum(big, (w) => (w.subjectsEnabled * w.subjectsEnabled) / w.subjects),
    },
    instances: new Set(windows.map((w) => w.instanceId ?? 'web-1')).size,
    fromVersion: 10,
  };
}
