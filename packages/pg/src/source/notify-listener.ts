/**
 * The LISTEN side of the source: one dedicated connection on the primary (NOTIFY is not replicated).
 * A notification is only a hint to refresh now; polling stays the truth, so a lost notification or a
 * dropped connection costs latency, never correctness. Invariants:
 * - After each (re)connect, a probe NOTIFY on this listener's own channel, sent through the store's pool,
 *   must come back within `probeTimeoutMs`. A listener that hears nothing (LISTEN through a transaction-mode
 *   pooler "succeeds" and then never delivers) is closed and reported `unavailable`: the source falls back to
 *   polling and the listener keeps retrying with capped exponential backoff plus jitter.
 * - A lost connection is retried the same way; once back, the source is asked to refresh (changes may have
 *   been missed meanwhile).
 * - `kick()` is the source's word that the database is back (a sync succeeded after failures): a retry waiting
 *   out its backoff after a connection failure runs at once, and a connected listener is re-probed (its
 *   connection may be half-open after a network stall) and replaced if it no longer hears.
 * - `stop()` never waits for a connect in flight: the driver's `close()` bounds what is left.
 */
import { randomBytes } from 'node:crypto';
import { toError } from '@kaviar/flags-core/internal';
import type { FlagsDb, NotificationListener } from '../db';
import { backoffDelay } from './backoff';

/** The channel every write notifies on (see migration 0001). @internal */
export const NOTIFY_CHANNEL = 'kaviar_flags';

/**
 * The listener's state, in `status().listen`: `off` (`listen: false`), `connecting` (first connect, or
 * reconnecting after a lost connection), `connected` (hears NOTIFY: changes arrive at once), `unavailable`
 * (LISTEN does not deliver, e.g. behind a transaction-mode pooler: changes arrive by polling; retried with
 * backoff).
 */
export type ListenState = 'off' | 'connecting' | 'connected' | 'unavailable';

/** The listener's state and, unless connected, why. */
export interface ListenStatus {
  readonly state: ListenState;
  /** Why it is not connected (the last connection error, or what the probe found). */
  readonly reason?: string;
}

/** @internal */
export interface NotifyHandlers {
  /** A write committed `version` in our schema. */
  onVersion(version: number): void;
  /** The connection is (re)established and heard its probe; `reconnected` is false the first time. */
  onConnected(reconnected: boolean): void;
  /** The connection failed or was lost; a reconnect is scheduled. */
  onError(error: Error): void;
  /** LISTEN connected but its probe did not come back: notifications do not arrive. Retried with backoff. */
  onUnavailable(reason: string): void;
}

/** @internal */
export interface NotifyListenerOptions {
  readonly minMs: number;
  readonly maxMs: number;
  readonly random: () => number;
  /** How long a probe NOTIFY may take to come back. */
  readonly probeTimeoutMs: number;
}

/** @internal */
export class NotifyListener {
  private listener: NotificationListener | undefined;
  private timer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private everConnected = false;
  private stopped = false;
  private busy = false; // a connect or a probe is in flight
  private state: Exclude<ListenState, 'off'> = 'connecting';
  private reason: string | undefined;
  private lastFailure: 'connection' | 'probe' | undefined;
  private probe: { token: string; settle: (heard: boolean) => void } | undefined;
  private readonly probeChannel = `${NOTIFY_CHANNEL}_probe_${randomBytes(6).toString('hex')}`;

  constructor(
    private readonly db: FlagsDb,
    private readonly handlers: NotifyHandlers,
    private readonly options: NotifyListenerOptions,
  ) {}

  /** Whether the LISTEN connection is up and heard its probe. */
  get connected(): boolean {
    return this.state === 'connected';
  }

  status(): ListenStatus {
    return this.reason === undefined ? { state: this.state } : { state: this.state, reason: this.reason };
  }

  start(): void {
    void this.connect();
  }

  private async connect(): Promise<void> {
    if (this.stopped || this.busy) return;
    this.busy = true;
    let listener: NotificationListener | undefined;
    try {
      listener = await this.db.listen(
        [NOTIFY_CHANNEL, this.probeChannel],
        (payload, channel) => this.onPayload(payload, channel),
        (error) => this.onLost(error, listener),
      );
      if (this.stopped) {
        await listener.close();
        return;
      }
      this.listener = listener;
      const heard = await this.sendProbe();
      if (this.stopped) return;
      if (this.listener !== listener) {
        this.retryLater(); // lost during the probe (onLost left the retry to us)
        return;
      }
      if (!heard) {
        this.listener = undefined;
        await listener.close();
        this.lastFailure = 'probe';
        const reason = `LISTEN connected but a probe NOTIFY did not come back within ${this.options.probeTimeoutMs} ms (a transaction-mode pooler such as PgBouncer? set listenConnectionString to a direct connection); polling instead`;
        const first = this.state !== 'unavailable';
        this.state = 'unavailable';
        this.reason = reason;
        if (first) this.handlers.onUnavailable(reason);
        this.retryLater();
        return;
      }
      this.attempt = 0;
      this.lastFailure = undefined;
      this.state = 'connected';
      this.reason = undefined;
      const reconnected = this.everConnected;
      this.everConnected = true;
      this.handlers.onConnected(reconnected);
    } catch (caught) {
      const error = toError(caught);
      if (listener && this.listener === listener) {
        this.listener = undefined;
        await listener.close();
      }
      this.busy = false;
      this.onLost(error, undefined);
    } finally {
      this.busy = false;
    }
  }

  /** Sends a NOTIFY through the store's pool and waits for it on the LISTEN connection. */
  private async sendProbe(): Promise<boolean> {
    const token = randomBytes(8).toString('hex');
    let timer: NodeJS.Timeout | undefined;
    let settle!: (heard: boolean) => void;
    const outcome = new Promise<boolean>((resolve) => {
      settle = resolve;
    });
    this.probe = { token, settle };
    try {
      await this.db.query('select pg_notify($1, $2)', [this.probeChannel, token]);
      // The notification may already be here; the bound counts from the commit.
      timer = setTimeout(() => settle(false), this.options.probeTimeoutMs);
      return await outcome;
    } finally {
      clearTimeout(timer);
      this.probe = undefined;
    }
  }

  private onPayload(payload: string, channel: string): void {
    if (channel === this.probeChannel) {
      if (payload === this.probe?.token) this.probe.settle(true);
      return;
    }
    try {
      const message = JSON.parse(payload) as { schema?: unknown; version?: unknown };
      if (message.schema === this.db.schema && typeof message.version === 'number') {
        this.handlers.onVersion(message.version);
      }
    } catch {
      // Another application's payload on the same channel: not ours to read.
    }
  }

  private onLost(error: Error, lost: NotificationListener | undefined): void {
    if (lost !== undefined && this.listener !== lost) return; // an old connection, already replaced
    this.listener = undefined;
    this.probe?.settle(false); // ends a probe wait at once; the caller sees the listener is gone
    if (this.stopped) return;
    this.lastFailure = 'connection';
    if (this.state !== 'unavailable') {
      this.state = 'connecting';
      this.reason = error.message;
    }
    this.handlers.onError(error);
    if (!this.busy) this.retryLater();
  }

  private retryLater(): void {
    if (this.stopped) return;
    const { minMs, maxMs, random } = this.options;
    const delay = backoffDelay(this.attempt++, minMs, maxMs, random);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.connect();
    }, delay);
    this.timer.unref();
  }

  /**
   * The database answers again: reconnect now if a connection failure is waiting out its backoff, or
   * re-probe a connected listener and replace it if it no longer hears.
   */
  kick(): void {
    if (this.stopped || this.busy) return;
    if (this.listener === undefined) {
      if (this.lastFailure !== 'connection' || this.timer === undefined) return;
      clearTimeout(this.timer);
      this.timer = undefined;
      this.attempt = 0;
      void this.connect();
      return;
    }
    void this.verify(this.listener);
  }

  private async verify(listener: NotificationListener): Promise<void> {
    this.busy = true;
    let heard: boolean | undefined;
    try {
      heard = await this.sendProbe();
    } catch {
      // The database is not back after all: polling says so. Only a lost listener needs us.
    } finally {
      this.busy = false;
    }
    if (this.stopped) return;
    if (this.listener !== listener) {
      this.retryLater(); // lost during the probe (onLost left the retry to us)
      return;
    }
    if (heard !== false) return;
    this.listener = undefined;
    await listener.close();
    this.attempt = 0;
    this.state = 'connecting';
    this.reason = 'the LISTEN connection stopped hearing notifications; reconnecting';
    void this.connect();
  }

  /**
   * Stops listening and reconnecting. Idempotent; a connect in flight closes what it opens. Does not wait for
   * the connection to end: the driver's `close()` bounds that, together with the pool's.
   */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.probe?.settle(false);
    const listener = this.listener;
    this.listener = undefined;
    void listener?.close().catch(() => {});
  }
}
