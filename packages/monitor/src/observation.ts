import type { ExposureTotals, FlagState, InstanceRow } from '@kaviar/flags-pg';

export type { ExposureTotals, FlagState } from '@kaviar/flags-pg';

/**
 * An audit log entry as the monitor reads it: `AuditEntry` from @kaviar/flags-pg (`listAudit`), with
 * `before`/`after` as plain records, since rows written by older versions may hold other fields.
 */
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

/**
 * One application instance as its heartbeat last reported it: `InstanceRow` from @kaviar/flags-pg
 * (read with its `listInstances`), under the monitor's name.
 */
export type InstanceState = InstanceRow;

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
