import type { FlagConfig } from './types';

/** Where the data a source serves came from. `defaults` means nothing was loaded. */
export type SnapshotOrigin = 'database' | 'snapshot-file' | 'memory' | 'defaults';

/**
 * An immutable set of flags at one version. Sources publish a new snapshot object for each change
 * and reuse the `FlagConfig` objects of flags that did not change, so clients recompile only what changed.
 */
export interface FlagSnapshot {
  /** Monotonic version of the whole set (the store's version sequence); 0 when empty. */
  readonly version: number;
  /** Flags by key. */
  readonly flags: ReadonlyMap<string, FlagConfig>;
  /** Where the data came from. */
  readonly origin: SnapshotOrigin;
}

/** The lifecycle of a source. `stale` means it serves its last good snapshot while it cannot refresh. */
export type SourceState = 'starting' | 'ready' | 'stale' | 'closed';

/** What a source reports about itself; `client.status()` passes it on. */
export interface SourceStatus {
  readonly state: SourceState;
  /** Version of the snapshot being served (0 before the first load). */
  readonly version: number;
  /** Where the served snapshot came from. */
  readonly origin: SnapshotOrigin;
  /** Epoch ms when the data was last confirmed current, or `undefined` before the first load. */
  readonly confirmedAt: number | undefined;
  /** The last refresh error, cleared by the next success. */
  readonly lastError?: Error;
}

/** Events a source emits. Listeners that throw are isolated: they never break the source. */
export type SourceEvent =
  | { readonly type: 'change'; readonly snapshot: FlagSnapshot; readonly changedKeys: readonly string[] }
  | { readonly type: 'error'; readonly error: Error }
  | { readonly type: 'state'; readonly state: SourceState };

/** What `ready()` resolves with: where the served data came from and its version. */
export interface ReadyResult {
  readonly origin: SnapshotOrigin;
  readonly version: number;
  /** Age of the data in ms when ready resolved (a snapshot file can be old). */
  readonly ageMs: number;
}

/**
 * Anything that can hand the client a current snapshot and tell it about changes:
 * the Postgres source, a file snapshot, the in-memory test source.
 */
export interface FlagSource {
  /** The snapshot to serve now, or `undefined` if nothing has been loaded yet. Must be cheap. */
  current(): FlagSnapshot | undefined;
  /** Source state and freshness. Must be cheap. */
  status(): SourceStatus;
  /** Subscribe to events; returns the unsubscribe function. */
  subscribe(listener: (event: SourceEvent) => void): () => void;
  /** Resolves once the source serves data (or gives up on `timeoutMs` with a `TimeoutError`). */
  ready(options?: { readonly timeoutMs?: number }): Promise<ReadyResult>;
  /** Stops background work and releases connections. Idempotent. */
  close(): Promise<void>;
}
