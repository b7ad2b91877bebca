import type { FlagsDb } from '../db';
import { InvalidOptionError } from '../errors';

/**
 * An application instance as its last heartbeat reported it (one row of the `instances` table, written
 * by `createPgFlags` with `heartbeat: true`).
 */
export interface InstanceRow {
  /** The client's `instanceId` (default `<host>-<pid>-<random>`). */
  readonly id: string;
  /** The client's `appName`; `''` when none was given. */
  readonly app: string;
  readonly host: string;
  readonly pid: number | null;
  /** Store version of the snapshot the instance serves. */
  readonly loadedVersion: number;
  /** Source state the instance reported: `starting`, `ready`, `stale`, or `closed` after `close()`. */
  readonly state: string;
  /** Message of the instance's last sync error, if any. */
  readonly lastError: string | null;
  readonly startedAt: Date;
  /** Time of the last heartbeat. */
  readonly lastSeenAt: Date;
  /** Milliseconds since the last heartbeat, by the database clock (never negative). */
  readonly ageMs: number;
}

/** Options of {@link listInstances}. */
export interface ListInstancesOptions {
  /**
   * Only instances whose last heartbeat is at most this many ms old, by the database clock.
   * Default 3 600 000 (one hour); `Infinity` lists every instance that ever reported.
   */
  readonly withinMs?: number;
}

interface RawInstance {
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
}

/**
 * Instances that sent a heartbeat within `withinMs`, newest heartbeat first (then by id). Needs only
 * `ident` and `query`, so a transaction handle with the schema identifier works too.
 * Throws `InvalidOptionError` for a negative or non-numeric `withinMs`.
 *
 * @example
 * const live = await listInstances(db, { withinMs: 60_000 });
 * const behind = live.filter((i) => i.state !== 'closed' && i.loadedVersion < flag.version);
 */
export async function listInstances(
  db: Pick<FlagsDb, 'ident' | 'query'>,
  options: ListInstancesOptions = {},
): Promise<InstanceRow[]> {
  const withinMs = options.withinMs ?? 3_600_000;
  if (typeof withinMs !== 'number' || Number.isNaN(withinMs) || withinMs < 0) {
    throw new InvalidOptionError('withinMs', withinMs, 'must be a number of milliseconds >= 0');
  }
  // Ages come from the database clock: application hosts and the database may disagree on the time.
  const { rows } = await db.query<RawInstance>(
    `select id, app, host, pid, loaded_version, state, last_error, started_at, last_seen_at,
            (extract(epoch from (now() - last_seen_at)) * 1000)::float8 as age_ms
       from ${db.ident}.instances
      where $1::float8 is null or last_seen_at >= now() - make_interval(secs => $1::float8 / 1000)
      order by last_seen_at desc, id`,
    [Number.isFinite(withinMs) ? withinMs : null],
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
