import { createListenerSet } from './listener-set';
import { parseFlag } from './parse-flag';
import type { FlagSnapshot, FlagSource, ReadyResult, SourceEvent, SourceStatus } from './source';
import type { FlagConfig } from './types';

/** A `FlagSource` held in memory: for tests, fixed configurations and bootstrapping. */
export interface MemorySource extends FlagSource {
  /** The current snapshot: a memory source always has one. */
  current(): FlagSnapshot;
  /** Adds or replaces a flag (validated with `parseFlag`), bumping the version and emitting `change`. */
  set(flag: FlagConfig): void;
  /** Removes a flag; returns whether it existed. */
  remove(key: string): boolean;
  /** Replaces every flag at once (one version bump, one `change`). */
  replace(flags: Iterable<FlagConfig>): void;
}

/** Options of `createMemorySource`. */
export interface MemorySourceOptions {
  /** Version of the initial snapshot. Default 1 (0 when there are no flags). */
  readonly version?: number;
}

/**
 * Creates an in-memory source. Flags are validated with `parseFlag`; each change publishes a new
 * snapshot with the version increased by one, and the changed flags get that version. Always `ready`, never stale.
 *
 * @example
 * const source = createMemorySource([{ key: 'checkout', enabled: true, rolloutPercentage: 5, allowlist: [] }]);
 */
export function createMemorySource(
  flags: Iterable<FlagConfig> = [],
  options: MemorySourceOptions = {},
): MemorySource {
  const listeners = createListenerSet<SourceEvent>();
  const initial = [...flags].map((flag) => parseFlag(flag));
  let closed = false;
  let snapshot: FlagSnapshot = {
    version: options.version ?? (initial.length === 0 ? 0 : 1),
    flags: new Map(initial.map((flag) => [flag.key, withVersion(flag, options.version ?? 1)])),
    origin: 'memory',
  };

  const publish = (next: Map<string, FlagConfig>, changedKeys: string[]) => {
    snapshot = { version: snapshot.version + 1, flags: next, origin: 'memory' };
    listeners.emit({ type: 'change', snapshot, changedKeys });
  };

  return {
    current: () => snapshot,
    status(): SourceStatus {
      return {
        state: closed ? 'closed' : 'ready',
        version: snapshot.version,
        origin: 'memory',
        confirmedAt: Date.now(),
      };
    },
    subscribe: (listener) => listeners.add(listener),
    ready: async (): Promise<ReadyResult> => ({ origin: 'memory', version: snapshot.version, ageMs: 0 }),
    async close() {
      closed = true;
      listeners.clear();
    },
    set(flag) {
      const parsed = withVersion(parseFlag(flag), snapshot.version + 1);
      publish(new Map(snapshot.flags).set(parsed.key, parsed), [parsed.key]);
    },
    remove(key) {
      if (!snapshot.flags.has(key)) return false;
      const next = new Map(snapshot.flags);
      next.delete(key);
      publish(next, [key]);
      return true;
    },
    replace(list) {
      const version = snapshot.version + 1;
      const next = new Map(
        [...list].map((flag) => parseFlag(flag)).map((flag) => [flag.key, withVersion(flag, version)]),
      );
      publish(next, [...new Set([...snapshot.flags.keys(), ...next.keys()])]);
    },
  };
}

// The source owns versions: a flag's version is the snapshot version of its last change.
function withVersion(flag: FlagConfig, version: number): FlagConfig {
  return { ...flag, version };
}
