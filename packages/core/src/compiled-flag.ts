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

/**
 * Compiles a flag. An empty id on the allowlist is dropped: no subject id means `NO_SUBJECT`, never
 * `ALLOWLIST`, whatever a source put on the list, so `isEnabled` and `evaluate` agree for every source.
 * @internal
 */
export function compileFlag(config: FlagConfig, countExposures = false): CompiledFlag {
  const allowlist = new Set(config.allowlist);
  allowlist.delete('');
  return {
    config,
    key: config.key,
    enabled: config.enabled,
    threshold: thresholdOf(config.rolloutPercentage),
    allowlist,
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
