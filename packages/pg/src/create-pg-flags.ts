import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { type ClientStatus, createFlagClient, type FlagClient } from '@kaviar/flags-core';
import { type FlagsDb, type OpenDbOptions, openDb } from './db';
import { InvalidOptionError } from './errors';
import { requireCurrentSchema } from './migrate';
import { DEFAULT_SCHEMA, quoteSchema } from './schema-name';
import { InstanceReporter } from './source/instance-reporter';
import type { ListenStatus } from './source/notify-listener';
import { type FlagsLogger, PgSource } from './source/pg-source';

/** Options of {@link createPgFlags}. Give exactly one of `connectionString`, `pool`, `pglite`, `db`. */
export interface PgFlagsOptions extends Pick<OpenDbOptions, 'connectionString' | 'pool' | 'pglite'> {
  /** An already open database (left open by `close()`). */
  db?: FlagsDb;
  /** Schema of the flags tables. Default `kaviar_flags`. Ignored with `db`. */
  schema?: string;
  /**
   * A read replica for loads and polls. LISTEN and heartbeats stay on the primary (NOTIFY is not
   * replicated; replicas are read-only). Replica lag adds to propagation time.
   */
  readConnectionString?: string;
  /** Poll interval in ms; polls are spread ±10 % so instances do not poll in step. Default 5000. */
  pollIntervalMs?: number;
  /**
   * LISTEN for change notifications on one dedicated primary connection, for near-instant propagation.
   * Default `true`. After each (re)connect a probe NOTIFY must come back within `listenProbeTimeoutMs`;
   * if not (LISTEN through a transaction-mode pooler hears nothing), the client polls, says so once through
   * `logger` and in `status().listen`, and keeps retrying with backoff. With hundreds of instances consider
   * `false`: polling alone stays correct, it only adds up to `pollIntervalMs` of latency.
   */
  listen?: boolean;
  /**
   * A direct connection (not through a transaction-mode pooler) for the LISTEN connection only, when
   * `connectionString` or `pool` goes through PgBouncer. Default: the pool's own target.
   */
  listenConnectionString?: string;
  /** How long the probe NOTIFY after each LISTEN (re)connect may take to come back, in ms. Default 2000. */
  listenProbeTimeoutMs?: number;
  /**
   * Connections in the pool this client creates from `connectionString` (not counting the LISTEN connection).
   * Default 2: syncs run one at a time and the heartbeat is one statement, so two connections let a heartbeat
   * never wait behind a slow load; more only cost server connections. Each instance thus holds at most
   * `poolSize` + 1 connections (with `listen`).
   */
  poolSize?: number;
  /**
   * Bound on every query the client makes, in ms (client-side: a query without an answer in time fails, its
   * connection is dropped, and the client turns `stale` as for any failed sync). Default: `pollIntervalMs`,
   * kept within 2000..15000. Not applied to a `db` passed in (its own settings hold).
   */
  queryTimeoutMs?: number;
  /** TCP keepalive on this client's connections: idle ms before the first probe; 0 turns it off. Default 10000. */
  keepAliveMs?: number;
  /**
   * `close()` returns within about this many ms whatever the network does: connections that do not end
   * politely in time are abandoned (their sockets destroyed). Default 2000.
   */
  closeTimeoutMs?: number;
  /** Snapshot files older than this (ms, from their `exported_at`) are refused. Default: any age. */
  maxSnapshotAgeMs?: number;
  /**
   * Path of a local snapshot file, written atomically (with a SHA-256 checksum) after each sync that changed
   * the flags. Read once at start, in parallel with the first database load, and served as `stale` with the
   * file's age until the database answers: `ready()` then resolves with `origin: 'snapshot-file'` without
   * waiting out a hanging connect. A file that fails its checksum (edited, truncated), has none, is dated in
   * the future or is older than `maxSnapshotAgeMs` is refused (`SnapshotFileError`). Default: none.
   */
  snapshotFile?: string;
  /** Where to log state changes (`console` works). Default: silent. */
  logger?: FlagsLogger;
  /** Application name in the instances table and in `application_name`. Default `process.title`. */
  appName?: string;
  /** Upsert this instance's row in `instances` (loaded version, state, last error). Default `true`. */
  heartbeat?: boolean;
  /** Heartbeat and exposure flush interval in ms. Default 15000. */
  heartbeatIntervalMs?: number;
  /**
   * Count evaluations per flag (core's `countExposures`) and flush them into the `exposures` table for the
   * monitor. Default `true`.
   */
  countExposures?: boolean;
  /** What `ready({ timeoutMs })` does when nothing loaded in time: reject (default) or resolve as `defaults`. */
  readyTimeout?: 'reject' | 'defaults';
  /** Minimum retry delay in ms after a failed sync; doubles per failure up to `pollIntervalMs`. Default 250. */
  retryMinMs?: number;
  /** Connect timeout in ms for connections this package opens. Default 5000. */
  connectTimeoutMs?: number;
  /** Instance id in `instances`. Default: host, pid and a random suffix. */
  instanceId?: string;
  /** Clock in epoch ms, for tests. Default `Date.now`. */
  now?: () => number;
}

/** {@link PgFlagsClient.status}: the core status plus the LISTEN connection's state. */
export interface PgClientStatus extends ClientStatus {
  /** Whether changes arrive by NOTIFY (`connected`) or only by polling, and why. */
  readonly listen: ListenStatus;
}

/** The client returned by {@link createPgFlags}: the core client plus store controls. */
export interface PgFlagsClient extends FlagClient {
  /** Syncs with the database now (also waits for a sync in flight). Never rejects. */
  refresh(): Promise<void>;
  /** This instance's id in the `instances` table. */
  readonly instanceId: string;
  /** Status including staleness, age, the last error and the LISTEN connection's state. */
  status(): PgClientStatus;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidOptionError(name, value, 'must be a positive number of milliseconds');
  }
  return value;
}

/**
 * Creates a flag client backed by the Postgres store: loads every flag, then polls (one single-row query
 * when idle) and listens for changes; serves the last good snapshot through outages, marked stale.
 * Returns immediately; `await client.ready({ timeoutMs })` before taking traffic.
 *
 * @example
 * const flags = createPgFlags({ connectionString: process.env.DATABASE_URL, appName: 'backend' });
 * await flags.ready({ timeoutMs: 5000 });
 * if (flags.isEnabled('passenger_favorites_matching', passenger)) { ... }
 */
export function createPgFlags(options: PgFlagsOptions): PgFlagsClient {
  const given = [options.connectionString, options.pool, options.pglite, options.db].filter(
    (v) => v !== undefined,
  );
  if (given.length !== 1) {
    throw new InvalidOptionError(
      'connectionString | pool | pglite | db',
      `${given.length} given`,
      'exactly one is required',
    );
  }
  const schema = options.db?.schema ?? options.schema ?? DEFAULT_SCHEMA;
  quoteSchema(schema);
  const pollIntervalMs = positive('pollIntervalMs', options.pollIntervalMs, 5000);
  const heartbeatIntervalMs = positive('heartbeatIntervalMs', options.heartbeatIntervalMs, 15_000);
  const appName = options.appName ?? process.title;
  const instanceId = options.instanceId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const connectTimeoutMs = positive('connectTimeoutMs', options.connectTimeoutMs, 5000);
  const queryTimeoutMs = positive(
    'queryTimeoutMs',
    options.queryTimeoutMs,
    Math.min(15_000, Math.max(2000, pollIntervalMs)),
  );
  const closeTimeoutMs = positive('closeTimeoutMs', options.closeTimeoutMs, 2000);
  const listenProbeTimeoutMs = positive('listenProbeTimeoutMs', options.listenProbeTimeoutMs, 2000);
  const maxSnapshotAgeMs =
    options.maxSnapshotAgeMs === undefined
      ? undefined
      : positive('maxSnapshotAgeMs', options.maxSnapshotAgeMs, 0);
  const poolSize = options.poolSize ?? 2;
  if (!Number.isInteger(poolSize) || poolSize < 1) {
    throw new InvalidOptionError('poolSize', poolSize, 'must be a whole number >= 1');
  }
  const keepAliveMs = options.keepAliveMs ?? 10_000;
  if (!Number.isFinite(keepAliveMs) || keepAliveMs < 0) {
    throw new InvalidOptionError('keepAliveMs', keepAliveMs, 'must be a number of milliseconds >= 0');
  }
  // close(): a quarter for the last heartbeat, a fifth for a sync in flight, the rest for the connections
  // (ending politely, then a short grace after their sockets are destroyed).
  const driver = {
    connectTimeoutMs,
    queryTimeoutMs,
    keepAliveMs,
    closeTimeoutMs: Math.max(0, closeTimeoutMs * 0.55 - 250),
  };
  const opened: FlagsDb[] = [];
  let dbs: Promise<{ db: FlagsDb; readDb: FlagsDb }> | undefined;

  const connect = () => {
    dbs ??= (async () => {
      const db =
        options.db ??
        (await openDb({
          connectionString: options.connectionString,
          pool: options.pool,
          pglite: options.pglite,
          schema,
          applicationName: appName || 'kaviar-flags',
          maxConnections: poolSize,
          listenConnectionString: options.listenConnectionString,
          ...driver,
        }));
      try {
        await requireCurrentSchema(db);
      } catch (error) {
        if (!options.db) await db.close();
        throw error;
      }
      if (!options.db) opened.push(db);
      let readDb = db;
      if (options.readConnectionString) {
        readDb = await openDb({
          connectionString: options.readConnectionString,
          schema,
          applicationName: appName || 'kaviar-flags',
          maxConnections: poolSize,
          ...driver,
        });
        opened.push(readDb);
      }
      return { db, readDb };
    })().catch((error: unknown) => {
      dbs = undefined;
      throw error;
    });
    return dbs;
  };

  const source = new PgSource({
    connect,
    disconnect: async () => {
      await Promise.allSettled(opened.map((db) => db.close()));
    },
    pollIntervalMs,
    pollJitter: 0.2,
    listen: options.listen ?? true,
    snapshotFile: options.snapshotFile,
    retryMinMs: Math.min(positive('retryMinMs', options.retryMinMs, 250), pollIntervalMs),
    retryMaxMs: pollIntervalMs,
    listenRetryMaxMs: 30_000,
    listenProbeTimeoutMs,
    maxSnapshotAgeMs,
    closeWaitMs: closeTimeoutMs / 5,
    readyTimeoutFallback: options.readyTimeout ?? 'reject',
    logger: options.logger,
    now: options.now ?? Date.now,
    random: Math.random,
  });
  const countExposures = options.countExposures ?? true;
  const client = createFlagClient({ source, countExposures, now: options.now });
  const reporter = new InstanceReporter({
    instanceId,
    app: appName,
    host: hostname(),
    pid: process.pid,
    intervalMs: heartbeatIntervalMs,
    heartbeat: options.heartbeat ?? true,
    countExposures,
    db: async () => (await connect()).db,
    status: () => source.status(),
    takeExposures: () => client.takeExposures(),
    onError: (error) => source.reportError(error),
  });
  // Report soon after each change so the monitor sees which version every instance serves.
  source.subscribe((event) => {
    if (event.type === 'change' && event.snapshot.origin === 'database') void reporter.tick();
  });
  source.start();
  reporter.start();
  let closing: Promise<void> | undefined;
  return {
    isEnabled: client.isEnabled.bind(client),
    evaluate: client.evaluate.bind(client),
    status: () => ({ ...client.status(), listen: source.listenStatus() }),
    snapshot: client.snapshot.bind(client),
    ready: client.ready.bind(client),
    on: client.on.bind(client),
    takeExposures: client.takeExposures.bind(client),
    refresh: () => source.refreshNow(),
    instanceId,
    close() {
      closing ??= (async () => {
        await reporter.stop(true, closeTimeoutMs / 4);
        await client.close();
      })();
      return closing;
    },
  };
}
