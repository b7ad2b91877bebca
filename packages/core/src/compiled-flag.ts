import { bucketWithPrefix, flagPrefix, thresholdOf } from './bucket';
import type { PrefixState } from './murmur';
import type { FlagConfig } from './types';

/**
 * A flag prepared for the hot path: the allowlist as a Set, the threshold as a bucket count and the
 * `flagKey:` hash prefix computed once. It also carries the exposure counters the client bumps.
 *
 * @internal
 */
export interface CompiledFlag {
  readonly config: FlagConfig;
  readonly key: string;
  readonly enabled: boolean;
  readonly threshold: number;
  readonly allowlist: ReadonlySet<string>;
  readonly prefix: PrefixState;
  evaluations: number;
  enabledCount: number;
  allowlisted: number;
}

/** @internal */
export function compileFlag(config: FlagConfig): CompiledFlag {
  return {
    config,
    key: config.key,
    enabled: config.enabled,
    threshold: thresholdOf(config.rolloutPercentage),
    allowlist: new Set(config.allowlist),
    prefix: flagPrefix(config.key),
    evaluations: 0,
    enabledCount: 0,
    allowlisted: 0,
  };
}

/** The bucket of a subject for a compiled flag. @internal */
export function bucketFor(flag: CompiledFlag, subjectId: string): number {
  return bucketWithPrefix(flag.prefix, subjectId);
}
