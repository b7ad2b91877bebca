import { addToAllowlist, createFlag, type FlagsDb, listAudit, updateFlag } from '@kaviar/flags-pg';

/** The seed's flag: enabled, 1 % rollout, 12 allowlisted passengers. Returns the allowlist. */
export async function seedFlag(db: FlagsDb, key: string): Promise<string[]> {
  const passengers = Array.from({ length: 12 }, (_, i) => `passenger-${i + 1}`);
  await createFlag(db, { key, enabled: true, rolloutPercentage: 1 }, { actor: 'goes', reason: 'beta' });
  await addToAllowlist(db, key, passengers, { actor: 'goes', reason: 'beta testers' });
  return passengers;
}

/** Sets the rollout as `actor` with `reason`; returns the audit entry the change wrote. */
export async function setRollout(
  db: FlagsDb,
  key: string,
  rolloutPercentage: number,
  actor: string,
  reason: string,
) {
  await updateFlag(db, key, { rolloutPercentage }, { actor, reason });
  const [entry] = await listAudit(db, { flagKey: key, limit: 1 });
  if (!entry) throw new Error('no audit entry after an update');
  return entry;
}

/** The flag's current configuration version (what instances must load). */
export async function versionOf(db: FlagsDb): Promise<number> {
  const { rows } = await db.query<{ version: number }>(`select version from ${db.ident}.state`);
  return Number(rows[0]?.version);
}

/** Writes an instance heartbeat as a running client would. */
export async function heartbeat(
  db: FlagsDb,
  id: string,
  loadedVersion: number,
  host = 'ip-10-0-0-7',
): Promise<void> {
  await db.query(
    `insert into ${db.ident}.instances (id, app, host, pid, loaded_version, state, last_seen_at)
     values ($1, 'kaviar-backend', $2, 31, $3, 'ready', now())
     on conflict (id) do update set loaded_version = excluded.loaded_version, last_seen_at = now()`,
    [id, host, loadedVersion],
  );
}

/**
 * Writes one window of exposure counts for the flag's current version. Distinct subjects default to
 * one per non-allowlisted evaluation.
 */
export async function exposures(
  db: FlagsDb,
  key: string,
  counts: {
    evaluations: number;
    enabled: number;
    allowlisted: number;
    subjects?: number;
    subjectsEnabled?: number;
  },
  instanceId = 'web-1',
): Promise<void> {
  const subjects = counts.subjects ?? counts.evaluations - counts.allowlisted;
  const subjectsEnabled = counts.subjectsEnabled ?? counts.enabled - counts.allowlisted;
  await db.query(
    `insert into ${db.ident}.exposures
       (flag_key, instance_id, flag_version, window_start, evaluations, enabled, allowlisted, subjects, subjects_enabled)
     select $1, $2, f.version, date_trunc('minute', now()), $3, $4, $5, $6, $7 from ${db.ident}.flags f where f.key = $1`,
    [key, instanceId, counts.evaluations, counts.enabled, counts.allowlisted, subjects, subjectsEnabled],
  );
}

/** `2026-02-03 10:26:03Z`, as the monitor prints times. */
export const hhmmss = (at: Date) => `${at.toISOString().slice(0, 10)} ${at.toISOString().slice(11, 19)}Z`;
