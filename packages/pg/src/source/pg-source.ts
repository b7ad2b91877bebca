/**
 * The Postgres flag source: a poller with a LISTEN hint. Invariants:
 * - One sync runs at a time; `refreshNow()` during a sync queues exactly one more.
 * - The first sync, and the first after any failure, loads everything ("full resync"); otherwise a poll
 *   is one single-row query, and a new version loads only what changed. A sync prompted by a NOTIFY of a
 *   newer version skips the version poll and reads the changes directly: one round trip.
 * - Once a snapshot is served it is never dropped: a failed sync marks it `stale` (age from the last
 *   confirmation), emits an `error` event and retries with capped exponential backoff plus jitter.
 * - The snapshot file is read once, at `start()`, in parallel with the first load: until the database
 *   answers (which may take a whole connect timeout when it hangs), a valid file is served as `stale` with
 *   its own age. Database data always wins: the file never replaces what the database sent.
 * - A snapshot file that cannot be served (unreadable, checksum mismatch, dated in the future, too old) is
 *   named in `lastError` (and so in `ready()`'s error) for as long as the database cannot be read either.
 * - A sync failing because the flags tables are not there (checked structurally, `to_regclass`) is a
 *   `SchemaMissingError`: `ready()` rejects with it at once instead of waiting out its timeout.
 * - A sync that succeeds after failures tells the listener the database is back (it reconnects at once).
 * - Poll and retry timers are unref'd; only a pending `ready({ timeoutMs })` holds the process, through its
 *   own timer, until it settles. `close()` is idempotent, waits at most `closeWaitMs` for an in-flight sync
 *   (a hung network must not hold it) and discards its result.
 */
import {
  ClosedError,
  type FlagSnapshot,
  type FlagSource,
  type ReadyResult,
  type SourceEvent,
  type SourceState,
  type SourceStatus,
  TimeoutError,
} from '@kaviar/flags-core';
import { createListenerSet, toError } from '@kaviar/flags-core/internal';
import type { FlagsDb } from '../db';
import { SchemaMissingError, SnapshotFileError } from '../errors';
import { sqlStateOf, UNDEFINED_OBJECT_SQLSTATES } from '../sqlstate';
import { backoffDelay, jittered } from './backoff';
import { type LoadedFlags, loadAll, loadChanges, readVersion } from './load-flags';
import { type ListenStatus, NotifyListener } from './notify-listener';
import { SerialRunner } from './serial-runner';
import { settlesWithin } from './settles-within';
import { readSnapshotFile, writeSnapshotFile } from './snapshot-file';

/** Where log lines go; any `console`-like object. */
export interface FlagsLogger {
  info?(message: string): void;
  warn?(message: string): void;
  error?(message: string): void;
}

/** @internal */
export interface PgSourceOptions {
  /** Opens the primary (LISTEN) and the read database; called again after a failure. */
  readonly connect: () => Promise<{ db: FlagsDb; readDb: FlagsDb }>;
  /** Closes what `connect` opened. */
  readonly disconnect: () => Promise<void>;
  readonly pollIntervalMs: number;
  readonly pollJitter: number;
  readonly listen: boolean;
  readonly snapshotFile: string | undefined;
  readonly retryMinMs: number;
  readonly retryMaxMs: number;
  readonly listenRetryMaxMs: number;
  /** How long a LISTEN probe NOTIFY may take to come back. */
  readonly listenProbeTimeoutMs: number;
  /** Snapshot files older than this are refused. */
  readonly maxSnapshotAgeMs: number | undefined;
  /** How long `close()` waits for an in-flight sync or file write. */
  readonly closeWaitMs: number;
  readonly readyTimeoutFallback: 'reject' | 'defaults';
  readonly logger: FlagsLogger | undefined;
  readonly now: () => number;
  readonly random: () => number;
}

/** @internal */
export class PgSource implements FlagSource {
  private snapshot: FlagSnapshot | undefined;
  private state: SourceState = 'starting';
  private confirmedAt: number | undefined;
  private lastError: Error | undefined;
  private fileError: SnapshotFileError | undefined;
  private schemaMissing: SchemaMissingError | undefined;
  private failures = 0;
  private needFull = true;
  // The newest version a NOTIFY announced that the next sync has not loaded yet (0: none).
  private hinted = 0;
  private dbs: { db: FlagsDb; readDb: FlagsDb } | undefined;
  private listener: NotifyListener | undefined;
  private timer: NodeJS.Timeout | undefined;
  // Runs the syncs; `refreshNow()` during one queues exactly one more.
  private readonly syncs = new SerialRunner(() => this.syncAndSchedule());
  private fileWrite: Promise<void> = Promise.resolve();
  private fileRead: Promise<void> = Promise.resolve();
  private readonly events = createListenerSet<SourceEvent>();
  private readonly waiters = new Set<() => void>();
  private closed = false;
  private listenFellBack = false;

  constructor(private readonly options: PgSourceOptions) {}

  current(): FlagSnapshot | undefined {
    return this.snapshot;
  }

  status(): SourceStatus {
    const status = {
      state: this.state,
      version: this.snapshot?.version ?? 0,
      origin: this.snapshot?.origin ?? ('defaults' as const),
      confirmedAt: this.confirmedAt,
    };
    return this.lastError === undefined ? status : { ...status, lastError: this.lastError };
  }

  /** The LISTEN connection's state (`off` with `listen: false`). */
  listenStatus(): ListenStatus {
    if (!this.options.listen) return { state: 'off' };
    return this.listener?.status() ?? { state: 'connecting' };
  }

  subscribe(listener: (event: SourceEvent) => void): () => void {
    return this.events.add(listener);
  }

  /** Emits an `error` event for background work outside the sync (heartbeat, snapshot file). @internal */
  reportError(error: Error): void {
    if (!this.closed) this.events.emit({ type: 'error', error });
  }

  /** Starts the first load, polling and (if enabled) LISTEN, and reads the snapshot file meanwhile. */
  start(): void {
    void this.refreshNow();
    if (this.options.snapshotFile) this.fileRead = this.loadFile(this.options.snapshotFile);
  }

  /** Syncs now (or right after the sync in flight). Never rejects. */
  refreshNow(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return this.syncs.run();
  }

  private async syncAndSchedule(): Promise<void> {
    if (this.closed) return; // a sync queued before close()
    try {
      await this.sync();
    } finally {
      if (!this.closed) this.schedule();
    }
  }

  private schedule(): void {
    const { pollIntervalMs, pollJitter, retryMinMs, retryMaxMs, random } = this.options;
    const delay =
      this.failures > 0
        ? backoffDelay(this.failures - 1, retryMinMs, retryMaxMs, random)
        : jittered(pollIntervalMs, pollJitter, random);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refreshNow(), delay);
    this.timer.unref();
  }

  private async sync(): Promise<void> {
    try {
      this.dbs ??= await this.options.connect();
      if (this.options.listen && !this.listener && !this.closed) this.startListener(this.dbs.db);
      const loaded = await this.load(this.dbs.readDb);
      if (this.closed) return;
      if (loaded) this.publish(loaded);
      if (this.failures > 0) this.listener?.kick(); // the database is back: so may LISTEN be
      this.failures = 0;
      this.schemaMissing = undefined;
      this.needFull = false;
      this.confirmedAt = this.options.now();
      if (this.lastError)
        this.options.logger?.info?.('@kaviar/flags: database reachable again; flags are current');
      this.lastError = undefined;
      this.setState('ready');
    } catch (caught) {
      if (this.closed) return;
      await this.fail(await this.explain(toError(caught)));
    }
  }

  /** A failure on a missing table or schema becomes `SchemaMissingError` when the tables are really not there. */
  private async explain(error: Error): Promise<Error> {
    if (error instanceof SchemaMissingError && error.missing !== undefined) {
      // The connect-time version check read the schema's migration number: it lacks migrations.
      this.schemaMissing = error;
      return error;
    }
    const code = sqlStateOf(error) ?? sqlStateOf(error.cause);
    const suspect =
      error instanceof SchemaMissingError || (code !== undefined && UNDEFINED_OBJECT_SQLSTATES.has(code));
    const db = this.dbs?.readDb;
    if (!suspect || db === undefined) return error;
    try {
      const { rows } = await db.query<{ present: boolean }>(
        'select to_regclass($1::text) is not null as present',
        [`${db.ident}.state`],
      );
      if (rows[0]?.present) return error;
      this.schemaMissing =
        error instanceof SchemaMissingError ? error : new SchemaMissingError(db.schema, { cause: error });
      return this.schemaMissing;
    } catch {
      return error; // the check failed too: report what the sync saw
    }
  }

  // undefined: nothing changed since the served version.
  private async load(db: FlagsDb): Promise<LoadedFlags | undefined> {
    const served = this.snapshot?.origin === 'database' ? this.snapshot : undefined;
    const hinted = this.hinted;
    this.hinted = 0;
    if (this.needFull || !served) return loadAll(db, db.ident, this.snapshot?.flags);
    if (hinted > served.version) {
      // loadChanges reads the version and the log's reach itself; undefined when pruned past us.
      const incremental = await loadChanges(db, db.ident, served.version, served.flags);
      return incremental ?? loadAll(db, db.ident, served.flags);
    }
    const { version, prunedThrough } = await readVersion(db, db.ident);
    if (version === served.version) return undefined;
    const incremental =
      version > served.version && prunedThrough <= served.version
        ? await loadChanges(db, db.ident, served.version, served.flags)
        : undefined;
    return incremental ?? loadAll(db, db.ident, served.flags);
  }

  private publish(loaded: LoadedFlags): void {
    const previous = this.snapshot;
    if (
      previous?.origin === 'database' &&
      previous.version === loaded.version &&
      loaded.changedKeys.length === 0
    ) {
      return;
    }
    const snapshot: FlagSnapshot = { version: loaded.version, flags: loaded.flags, origin: 'database' };
    this.snapshot = snapshot;
    const changedKeys = previous?.origin === 'database' ? loaded.changedKeys : [...loaded.flags.keys()];
    this.events.emit({ type: 'change', snapshot, changedKeys });
    this.wake();
    this.saveFile(snapshot);
  }

  private async fail(error: Error): Promise<void> {
    this.failures++;
    this.needFull = true;
    this.lastError = error;
    if (this.failures === 1) {
      this.options.logger?.warn?.(
        `@kaviar/flags: cannot refresh flags (${error.message}); serving last known`,
      );
    }
    // The file read started with the first load; a failure reports `stale` once the file is served.
    await this.fileRead;
    if (this.closed) return;
    // Nothing to serve: say why the file was not served, too.
    if (!this.snapshot && this.fileError) {
      this.lastError = new SnapshotFileError(this.fileError.path, this.fileError.problem, {
        databaseError: error,
      });
    }
    if (this.snapshot) this.setState('stale');
    this.events.emit({ type: 'error', error });
    this.wake(); // a waiting ready() may now settle on the snapshot file
  }

  private async loadFile(path: string): Promise<void> {
    try {
      const file = await readSnapshotFile(path, {
        now: this.options.now(),
        maxAgeMs: this.options.maxSnapshotAgeMs,
      });
      if (!file || this.closed || this.snapshot) return;
      this.snapshot = { version: file.version, flags: file.flags, origin: 'snapshot-file' };
      this.confirmedAt = file.savedAt;
      this.setState('stale');
      this.options.logger?.warn?.(
        `@kaviar/flags: serving snapshot file ${path} (version ${file.version}) until the database answers`,
      );
      this.events.emit({ type: 'change', snapshot: this.snapshot, changedKeys: [...file.flags.keys()] });
      this.wake();
    } catch (caught) {
      const error =
        caught instanceof SnapshotFileError
          ? caught
          : new SnapshotFileError(path, toError(caught).message, { cause: caught });
      this.fileError = error;
      this.options.logger?.warn?.(`@kaviar/flags: ${error.message}`);
      this.reportError(error);
    }
  }

  private saveFile(snapshot: FlagSnapshot): void {
    const path = this.options.snapshotFile;
    if (!path) return;
    const savedAt = new Date(this.options.now());
    this.fileWrite = this.fileWrite
      .then(() => writeSnapshotFile(path, snapshot.version, snapshot.flags.values(), savedAt))
      .catch((caught: unknown) => this.reportError(toError(caught)));
  }

  private startListener(db: FlagsDb): void {
    const listener = new NotifyListener(
      db,
      {
        onVersion: (version) => {
          if (version > (this.snapshot?.version ?? 0) || this.snapshot?.origin !== 'database') {
            this.hinted = Math.max(this.hinted, version);
            void this.refreshNow();
          }
        },
        // Changes may have committed before LISTEN took effect (first connect) or while it was down.
        onConnected: () => {
          if (this.listenFellBack) {
            this.listenFellBack = false;
            this.options.logger?.info?.(
              '@kaviar/flags: LISTEN hears notifications again; changes arrive at once',
            );
          }
          void this.refreshNow();
        },
        onError: (error) => this.reportError(error),
        onUnavailable: (reason) => {
          if (this.listenFellBack) return;
          this.listenFellBack = true;
          this.options.logger?.warn?.(`@kaviar/flags: ${reason}`);
        },
      },
      {
        minMs: this.options.retryMinMs,
        maxMs: this.options.listenRetryMaxMs,
        random: this.options.random,
        probeTimeoutMs: this.options.listenProbeTimeoutMs,
      },
    );
    this.listener = listener;
    listener.start();
  }

  private setState(state: SourceState): void {
    if (this.state === state || this.state === 'closed') return;
    this.state = state;
    this.events.emit({ type: 'state', state });
  }

  // Each waiter removes itself once it settles.
  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  /**
   * `ready()` settles on database data, or on the snapshot file once the database has failed (or the
   * ready timeout is up): with a healthy database, a faster file read never wins `ready()`.
   */
  private readyToServe(): boolean {
    const snapshot = this.snapshot;
    return snapshot !== undefined && (snapshot.origin === 'database' || this.failures > 0);
  }

  private readyResult(): ReadyResult {
    const snapshot = this.snapshot;
    const ageMs = this.confirmedAt === undefined ? 0 : Math.max(0, this.options.now() - this.confirmedAt);
    return snapshot
      ? { origin: snapshot.origin, version: snapshot.version, ageMs }
      : { origin: 'defaults', version: 0, ageMs: 0 };
  }

  ready(options: { readonly timeoutMs?: number } = {}): Promise<ReadyResult> {
    if (this.closed) return Promise.reject(new ClosedError('Flag source'));
    if (this.readyToServe()) return Promise.resolve(this.readyResult());
    if (this.schemaMissing) return Promise.reject(this.schemaMissing);
    return new Promise<ReadyResult>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const settle = (outcome: () => void) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        outcome();
      };
      const check = () => {
        if (!this.snapshot && this.schemaMissing) {
          const error = this.schemaMissing;
          settle(() => reject(error));
        } else if (this.closed) {
          settle(() =>
            this.snapshot ? resolve(this.readyResult()) : reject(new ClosedError('Flag source')),
          );
        } else if (this.readyToServe()) {
          settle(() => resolve(this.readyResult()));
        }
      };
      this.waiters.add(check);
      if (options.timeoutMs !== undefined) {
        timer = setTimeout(() => {
          // Time is up: a snapshot file being served is better than nothing (the database hangs).
          if (this.snapshot || this.options.readyTimeoutFallback === 'defaults') {
            return settle(() => resolve(this.readyResult()));
          }
          const why = this.lastError ? `: ${this.lastError.message}` : '';
          settle(() =>
            reject(
              new TimeoutError(`No flags loaded within ${options.timeoutMs} ms${why}`, {
                cause: this.lastError,
              }),
            ),
          );
        }, options.timeoutMs);
        // Left ref'd on purpose: `await ready({ timeoutMs })` must settle even when nothing else keeps
        // the process alive (a refused connection leaves only the unref'd retry timer).
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.state = 'closed';
    this.events.emit({ type: 'state', state: 'closed' });
    this.wake();
    this.listener?.stop();
    await settlesWithin(
      Promise.allSettled([this.syncs.idle(), this.fileRead, this.fileWrite]),
      this.options.closeWaitMs,
    );
    this.events.clear();
    await this.options.disconnect();
  }
}
