/**
 * The LISTEN side of the source: one dedicated connection on the primary (NOTIFY is not replicated).
 * A notification is only a hint to refresh now; polling stays the truth, so a lost notification or a
 * dropped connection costs latency, never correctness. On loss it reconnects with capped exponential
 * backoff plus jitter and, once back, asks for a refresh (changes may have been missed meanwhile).
 */
import { toError } from '@kaviar/flags-core';
import type { FlagsDb, NotificationListener } from '../db';
import { backoffDelay } from './backoff';

/** The channel every write notifies on (see migration 0001). @internal */
export const NOTIFY_CHANNEL = 'kaviar_flags';

/** @internal */
export interface NotifyHandlers {
  /** A write committed `version` in our schema. */
  onVersion(version: number): void;
  /** The connection is (re)established; `reconnected` is false the first time. */
  onConnected(reconnected: boolean): void;
  /** The connection failed or was lost; a reconnect is scheduled. */
  onError(error: Error): void;
}

/** @internal */
export class NotifyListener {
  private listener: NotificationListener | undefined;
  private connecting: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private everConnected = false;
  private stopped = false;

  constructor(
    private readonly db: FlagsDb,
    private readonly handlers: NotifyHandlers,
    private readonly retry: { minMs: number; maxMs: number; random: () => number },
  ) {}

  /** Whether the LISTEN connection is up. */
  get connected(): boolean {
    return this.listener !== undefined;
  }

  start(): void {
    this.connecting = this.connect();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    try {
      const listener = await this.db.listen(
        NOTIFY_CHANNEL,
        (payload) => this.onPayload(payload),
        (error) => this.onLost(error),
      );
      if (this.stopped) {
        await listener.close();
        return;
      }
      this.listener = listener;
      this.attempt = 0;
      const reconnected = this.everConnected;
      this.everConnected = true;
      this.handlers.onConnected(reconnected);
    } catch (caught) {
      this.onLost(toError(caught));
    }
  }

  private onPayload(payload: string): void {
    try {
      const message = JSON.parse(payload) as { schema?: unknown; version?: unknown };
      if (message.schema === this.db.schema && typeof message.version === 'number') {
        this.handlers.onVersion(message.version);
      }
    } catch {
      // Another application's payload on the same channel: not ours to read.
    }
  }

  private onLost(error: Error): void {
    this.listener = undefined;
    if (this.stopped) return;
    this.handlers.onError(error);
    const delay = backoffDelay(this.attempt++, this.retry.minMs, this.retry.maxMs, this.retry.random);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.connecting = this.connect();
    }, delay);
    this.timer.unref();
  }

  /** Stops listening and reconnecting; waits for an in-flight connect. Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.connecting;
    const listener = this.listener;
    this.listener = undefined;
    await listener?.close();
  }
}
