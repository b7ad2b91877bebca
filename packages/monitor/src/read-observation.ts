import {
  listAudit,
  listInstances,
  missingAllowlistMembers,
  readFlagState,
  sumExposures,
} from '@kaviar/flags-pg';
import { minWindowSubjects } from './exposure-stats';
import type { MonitorDb } from './monitor-db';
import type { AuditEntry, Observation } from './observation';

/** What `readObservation` needs besides the flag key. @internal */
export interface ReadOptions {
  /** Subject ids whose allowlist membership is checked. */
  readonly members: readonly string[];
  /** Instances seen within this many ms are read. */
  readonly liveWindowMs: number;
  /** Only exposure windows that started within this many ms count; `undefined` counts all. */
  readonly exposureWindowMs: number | undefined;
}

/**
 * Reads the authoritative state of one flag through the store's own reads (@kaviar/flags-pg owns
 * the schema): the row with the database clock, the missing allowlist members, live instances and
 * exposure totals for the current flag version. @internal
 */
export async function readObservation(
  db: MonitorDb,
  flagKey: string,
  options: ReadOptions,
): Promise<Observation> {
  const { at, flag } = await readFlagState(db, flagKey);
  const missingMembers = flag ? await missingAllowlistMembers(db, flagKey, options.members) : [];
  const instances = await listInstances(db, { withinMs: options.liveWindowMs });
  // By id, so findings that list instances read the same from one check to the next.
  instances.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const share = flag?.enabled ? flag.rolloutPercentage / 100 : 0;
  const exposures = await sumExposures(db, flagKey, {
    fromVersion: flag?.version ?? 0,
    minWindowSubjects: minWindowSubjects(share),
    windowMs: options.exposureWindowMs,
  });
  return { at, flag, missingMembers, instances, exposures };
}

/**
 * The flag's most recent audit entries, newest first. A ramp's own `ramp.*` rows record the ramp's
 * state, not the flag's (its flag writes are ordinary `update` rows), so they are left out. @internal
 */
export async function readAudit(db: MonitorDb, flagKey: string, limit: number): Promise<AuditEntry[]> {
  // A ramp's own rows are not changes to the flag: they never explain a finding.
  if (limit === 0) return [];
  return listAudit(db, { flagKey, limit, flagChangesOnly: true });
}
