import { bucketOfHash, flagPrefix, thresholdOf } from './bucket';
import { ExposureCounter } from './exposure-counter';
import { hashWithPrefix, type PrefixState } from './murmur';
import type { FlagConfig } from './types';

/**
 * A flag prepared for the hot path: the allowlist as a Set, the threshold as a bucket count and the
 * `flagKey:` hash prefix computed once; plus, in a client that counts exposures, its own counter.
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
  readonly exposure: ExposureCounter | undefined;
}

/** @internal */
export function compileFlag(config: FlagConfig, countExposures = false): CompiledFlag {
  return {
    config,
    key: config.key,
    enabled: config.enabled,
    threshold: thresholdOf(config.rolloutPercentage),
    allowlist: new Set(config.allowlist),
    prefix: flagPrefix(config.key),
    exposure: countExposures ? new ExposureCounter(config.key, config.version ?? 0) : undefined,
  };
}

/** The hash of a subject for a compiled flag (the bucket is `bucketOfHash` of it). @internal */
export function hashFor(flag: CompiledFlag, subjectId: string): number {
  return hashWithPrefix(flag.prefix, subjectId);
}

/** The bucket of a subject for a compiled flag. @internal */
export function bucketFor(flag: CompiledFlag, subjectId: string): number {
  return bucketOfHash(hashWithPrefix(flag.prefix, subjectId));
}
