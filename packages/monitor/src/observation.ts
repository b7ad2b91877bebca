import type { ExposureTotals, FlagState, InstanceRow } from '@kaviar/flags-pg';

export type { AuditEntry, ExposureTotals, FlagState, InstanceRow } from '@kaviar/flags-pg';

/** Everything the built-in assertions look at, read at one moment. */
export interface Observation {
  /** Database clock at the read. */
  readonly at: Date;
  /** The flag row, or `undefined` when it does not exist. */
  readonly flag: FlagState | undefined;
  /** Members of `expect.allowlistIncludes` that are not on the allowlist. */
  readonly missingMembers: readonly string[];
  /** Instances that sent a heartbeat within `liveWindowMs`, by id (liveness is decided by the assertion). */
  readonly instances: readonly InstanceRow[];
  readonly exposures: ExposureTotals;
}
