import type { Queryable } from '@kaviar/flags-pg';

/** An application instance as its last heartbeat reported it. */
export interface InstanceRow {
  readonly id: string;
  readonly app: string;
  readonly host: string;
  readonly pid: number | null;
  readonly loadedVersion: number;
  readonly state: string;
  readonly lastError: string | null;
  readonly startedAt: Date;
  readonly lastSeenAt: Date;
  /** Milliseconds since the last heartbeat, by the database clock. */
  readonly ageMs: number;
}

/**
 * Instances that sent a heartbeat within `withinMs` (default one hour), newest heartbeat first.
 * @internal
 */
export async function readInstances(
  db: Queryable & { readonly ident: string },
  withinMs = 3_600_000,
): Promise<InstanceRow[]> {
  const { rows } = await db.query<{
    id: string;
    app: string;
    host: string;
    pid: number | null;
    loaded_version: number;
    state: string;
    last_error: string | null;
    started_at: Date;
    last_seen_at: Date;
    age_ms: number;
  }>(
    `select id, app, host, pid, loaded_version::float8 as loaded_version, state, last_error, started_at, last_seen_at,
            (extract(epoch from (now() - last_seen_at)) * 1000)::float8 as age_ms
       from ${db.ident}.instances
      where last_seen_at > now() - ($1::float8 * interval '1 millisecond')
      order by last_seen_at desc, id`,
    [withinMs],
  );
  return rows.map((r) => ({
    id: r.id,
    app: r.app,
    host: r.host,
    pid: r.pid,
    loadedVersion: Number(r.loaded_version),
    state: r.state,
    lastError: r.last_error,
    startedAt: r.started_at,
    lastSeenAt: r.last_seen_at,
    ageMs: Math.max(0, Number(r.age_ms)),
  }));
}
