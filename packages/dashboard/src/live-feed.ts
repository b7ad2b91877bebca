/**
 * What tells open pages to refresh. Flag changes arrive through a flag client on the store
 * (`createPgFlags`: LISTEN/NOTIFY for near-instant news, its version poll as the truth when LISTEN is
 * unavailable or a notification is lost). Checkpoints and instance heartbeats do not notify, so a
 * light poll (the newest checkpoint, the instances' versions and states) runs too. Both run only
 * while at least one page listens; the last one leaving stops them.
 *
 * States: idle (no subscriber) → running → idle ...; `close()` is final and idempotent.
 */
import { toError } from '@kaviar/flags-core/internal';
import { listCheckpoints } from '@kaviar/flags-monitor';
import { createPgFlags, type FlagsDb, listInstances, type PgFlagsClient } from '@kaviar/flags-pg';

/** What a page is told. @internal */
export type LiveEvent =
  | { readonly type: 'change'; readonly version: number; readonly keys: readonly string[] }
  | { readonly type: 'status'; readonly stale: boolean; readonly state: string; readonly ageMs: number };

/** @internal */
export interface LiveFeedOptions {
  readonly pollIntervalMs: number;
  readonly liveWindowMs: number;
  /** How often a status event goes out even when nothing changed (pages use it to tell they are live). */
  readonly statusEveryMs: number;
  readonly onError: (error: Error) => void;
}

/** @internal */
export class LiveFeed {
  private readonly subscribers = new Set<(event: LiveEvent) => void>();
  private client: PgFlagsClient | undefined;
  private timer: NodeJS.Timeout | undefined;
  private fingerprint: string | undefined;
  private lastStatusAt = 0;
  private closed = false;
  private polling: Promise<void> | undefined;

  constructor(
    private readonly db: FlagsDb,
    private readonly options: LiveFeedOptions,
  ) {}

  /** Adds a listener; starts the feed for the first one. Returns the unsubscribe function. */
  subscribe(listener: (event: LiveEvent) => void): () => void {
    if (this.closed) return () => undefined;
    this.subscribers.add(listener);
    if (this.subscribers.size === 1) this.start();
    listener(this.status());
    return () => {
      if (this.subscribers.delete(listener) && this.subscribers.size === 0) void this.stop();
    };
  }

  /** How many pages listen. */
  get size(): number {
    return this.subscribers.size;
  }

  private emit(event: LiveEvent): void {
    for (const listener of this.subscribers) {
      try {
        listener(event);
      } catch (error) {
        this.options.onError(toError(error));
      }
    }
  }

  private status(): LiveEvent {
    const s = this.client?.status();
    return {
      type: 'status',
      stale: s ? s.stale || s.state === 'stale' : false,
      state: s?.state ?? 'starting',
      ageMs: s?.ageMs ?? 0,
    };
  }

  private start(): void {
    const client = createPgFlags({
      db: this.db,
      listen: true,
      pollIntervalMs: this.options.pollIntervalMs,
      heartbeat: false,
      countExposures: false,
      appName: 'kaviar-flags-dashboard',
    });
    this.client = client;
    let first = true;
    client.on('change', (event) => {
      // The first load is the state the page already shows.
      if (first) {
        first = false;
        return;
      }
      this.emit({ type: 'change', version: event.snapshot.version, keys: event.changedKeys });
    });
    client.on('state', () => this.emit(this.status()));
    client.on('error', () => undefined);
    this.fingerprint = undefined;
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.closed || this.subscribers.size === 0 || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.polling = this.poll().finally(() => {
        this.polling = undefined;
        this.schedule(this.options.pollIntervalMs);
      });
    }, ms);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    try {
      const [last] = await listCheckpoints(this.db, { limit: 1 });
      const instances = await listInstances(this.db, { withinMs: this.options.liveWindowMs });
      const next = JSON.stringify([
        last?.id ?? null,
        instances.map((i) => [i.id, i.loadedVersion, i.state]).sort(),
      ]);
      const changed = this.fingerprint !== undefined && next !== this.fingerprint;
      this.fingerprint = next;
      if (changed) this.emit({ type: 'change', version: this.client?.status().version ?? 0, keys: [] });
    } catch (error) {
      this.options.onError(toError(error));
    }
    const now = Date.now();
    if (now - this.lastStatusAt >= this.options.statusEveryMs) {
      this.lastStatusAt = now;
      this.emit(this.status());
    }
  }

  private async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const client = this.client;
    this.client = undefined;
    await this.polling;
    await client?.close();
  }

  /** Stops everything and drops the listeners. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.subscribers.clear();
    await this.stop();
  }
}
