/**
 * Where one instance stands against a flag's current configuration, by the rules of the propagation
 * check: live = a heartbeat within `liveWindowMs` and not closed; behind = its loaded version is older
 * than the flag's configuration version; presumed gone = behind, silent since before the change and
 * for more than two heartbeat intervals (stopped without `close()`), which the check notes but never
 * warns about.
 */
import type { InstanceRow } from './observation';

/** How an instance stands, see {@link instanceLag}. */
export interface InstanceLag {
  /** Heartbeat within `liveWindowMs` and not closed. */
  readonly live: boolean;
  /** Serves a version older than the flag's configuration version. */
  readonly behind: boolean;
  /** Behind and silent since before the change for more than two heartbeat intervals. */
  readonly presumedGone: boolean;
  /** How long it has been behind (ms since the change it misses), `null` when not behind or unknown. */
  readonly behindForMs: number | null;
}

/** Options of {@link instanceLag}; the defaults are the check's. */
export interface InstanceLagOptions {
  /** "Now", by the database clock when you have it. */
  readonly now: Date;
  /** Default 60 000. */
  readonly liveWindowMs?: number;
  /** Default 15 000. */
  readonly heartbeatIntervalMs?: number;
}

/**
 * Judges one instance against the flag's configuration version `target` (and when that change was
 * committed, if known), as the propagation check would.
 *
 * @example instanceLag(instance, { version: flag.version, changedAt: flag.updatedAt }, { now })
 */
export function instanceLag(
  instance: InstanceRow,
  target: { readonly version: number; readonly changedAt?: Date },
  options: InstanceLagOptions,
): InstanceLag {
  const now = options.now.getTime();
  const liveWindowMs = options.liveWindowMs ?? 60_000;
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 15_000;
  const seen = instance.lastSeenAt.getTime();
  const live = instance.state !== 'closed' && now - seen <= liveWindowMs;
  const behind = instance.loadedVersion < target.version;
  const changedAt = target.changedAt;
  const presumedGone =
    behind && changedAt !== undefined && seen < changedAt.getTime() && now - seen > 2 * heartbeatIntervalMs;
  return {
    live,
    behind,
    presumedGone,
    behindForMs: behind && changedAt !== undefined ? Math.max(0, now - changedAt.getTime()) : null,
  };
}
