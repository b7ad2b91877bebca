import type { InstanceRow } from '@kaviar/flags-pg';
import type { DispersionSums } from './exposure-stats';

/** The authoritative state of one flag as read from the store at one moment. */
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

/**
 * One application instance as its heartbeat last reported it: `InstanceRow` from @kaviar/flags-pg
 * (read with its `listInstances`), under the monitor's name.
 */
export type InstanceState = InstanceRow;

/**
 * Exposure counts for a flag, summed over instances and windows, counting only evaluations made
 * against the current flag version (older versions had another rollout).
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
  /** Pearson χ² inputs over the windows with enough subjects for the dispersion estimate. */
  readonly dispersion: DispersionSums;
  /** Number of distinct instances that reported. */
  readonly instances: number;
  /** Lowest flag version counted. */
  readonly fromVersion: number;
}

/** An audit log entry as the monitor reads it. */
export interface AuditRecord {
  readonly id: number;
  readonly flagKey: string;
  readonly action: string;
  readonly actor: string;
  readonly reason: string | null;
  readonly before: Readonly<Record<string, unknown>> | null;
  readonly after: Readonly<Record<string, unknown>> | null;
  readonly at: Date;
  readonly version: number | null;
}

/** Everything the built-in assertions look at, read at one moment. */
export interface Observation {
  /** Database clock at the read. */
  readonly at: Date;
  /** The flag row, or `undefined` when it does not exist. */
  readonly flag: FlagState | undefined;
  /** Members of `expect.allowlistIncludes` that are not on the allowlist. */
  readonly missingMembers: readonly string[];
  /** Instances that sent a heartbeat within `liveWindowMs`, by id (liveness is decided by the assertion). */
  readonly instances: readonly InstanceState[];
  readonly exposures: ExposureTotals;
}
