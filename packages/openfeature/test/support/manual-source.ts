/**
 * A `FlagSource` the test drives by hand: publish snapshots, go stale, recover, with an injected clock.
 * Wrapped in the real `createFlagClient`, so the provider under test sees a real client's events.
 */
import {
  createFlagClient,
  type FlagClient,
  type FlagConfig,
  type FlagSnapshot,
  type FlagSource,
  type ReadyResult,
  type SourceEvent,
  type SourceStatus,
  TimeoutError,
} from '@kaviar/flags-core';
import { createListenerSet } from '@kaviar/flags-core/internal';

export interface ManualSource {
  readonly client: FlagClient;
  /** Publishes a new snapshot (state `ready`, confirmed now) and emits `change` with `changedKeys`. */
  publish(flags: FlagConfig[], changedKeys?: string[]): void;
  /** The store failed: state `stale` (when something is loaded), then an `error` event, as the Postgres source does. */
  fail(error: Error): void;
  /** The store answered again with nothing new: state `ready`, confirmed now. */
  recover(): void;
  /** Moves the injected clock. */
  advance(ms: number): void;
}

export function manualSource(
  options: { flags?: FlagConfig[]; stale?: boolean; now?: number; readyError?: Error } = {},
): ManualSource {
  const listeners = createListenerSet<SourceEvent>();
  let now = options.now ?? 1_000_000;
  let snapshot: FlagSnapshot | undefined;
  let status: SourceStatus = { state: 'starting', version: 0, origin: 'defaults', confirmedAt: undefined };
  const waiters = new Set<() => void>();
  const set = (flags: FlagConfig[], version: number) => {
    snapshot = { version, flags: new Map(flags.map((f) => [f.key, f])), origin: 'database' };
    status = { state: 'ready', version, origin: 'database', confirmedAt: now };
  };
  if (options.flags) set(options.flags, 1);
  if (options.stale && snapshot) {
    status = {
      ...status,
      state: 'stale',
      origin: 'snapshot-file',
      lastError: new Error('connect ECONNREFUSED'),
    };
    snapshot = { ...snapshot, origin: 'snapshot-file' };
  }
  const source: FlagSource = {
    current: () => snapshot,
    status: () => status,
    subscribe: (listener) => listeners.add(listener),
    ready: (ready) =>
      new Promise<ReadyResult>((resolve, reject) => {
        const result = () => ({ origin: status.origin, version: status.version, ageMs: 0 });
        if (snapshot) return resolve(result());
        if (options.readyError) return reject(options.readyError);
        const timer =
          ready?.timeoutMs === undefined
            ? undefined
            : setTimeout(() => {
                waiters.delete(check);
                reject(
                  new TimeoutError(`No flags loaded within ${ready.timeoutMs} ms`, {
                    cause: status.lastError,
                  }),
                );
              }, ready.timeoutMs);
        const check = () => {
          if (!snapshot) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(result());
        };
        waiters.add(check);
      }),
    close: async () => {
      status = { ...status, state: 'closed' };
    },
  };
  const client = createFlagClient({ source, now: () => now });
  const setState = (state: SourceStatus['state']) => {
    if (status.state === state) return;
    status = { ...status, state };
    listeners.emit({ type: 'state', state });
  };
  return {
    client,
    publish(flags, changedKeys) {
      // As the Postgres source does: the change is emitted in the previous state, then the state moves.
      const previous = status.state;
      set(flags, (snapshot?.version ?? 0) + 1);
      const published = snapshot as FlagSnapshot;
      status = { ...status, state: previous };
      listeners.emit({
        type: 'change',
        snapshot: published,
        changedKeys: changedKeys ?? flags.map((f) => f.key),
      });
      for (const waiter of [...waiters]) waiter();
      setState('ready');
    },
    fail(error) {
      status = { ...status, lastError: error };
      if (snapshot) setState('stale');
      listeners.emit({ type: 'error', error });
    },
    recover() {
      status = { state: status.state, version: status.version, origin: status.origin, confirmedAt: now };
      setState('ready');
    },
    advance(ms) {
      now += ms;
    },
  };
}
