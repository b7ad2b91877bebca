/**
 * The bucketing contract. It never changes silently: changing it reshuffles every rollout.
 *
 * - `h = MurmurHash3_x86_32(UTF-8 bytes of flagKey + ":" + subjectId, seed 0)`, unsigned;
 *   lone surrogates are encoded as U+FFFD, as `TextEncoder` does.
 * - `q = h mod 10000`; `bucket = (q mod 100) * 100 + floor(q / 100)`, in 0..9999.
 * - A subject is in a rollout of `p` percent iff `bucket < round(p * 100)`.
 *
 * For whole percentages this is Unleash's `normalizedHash` (`(h mod 100) + 1 <= p`, groupId = flag key):
 * `bucket < p * 100` iff `q mod 100 < p`. Raising `p` only ever adds subjects.
 */
import { hashWithPrefix, type PrefixState, prefixState } from './murmur';

/** Buckets per rollout: one bucket is 0.01 %. */
export const BUCKETS = 10_000;

/** The bucket of a hash value. @internal */
export function bucketOfHash(hash: number): number {
  const q = hash % BUCKETS;
  return (q % 100) * 100 + Math.floor(q / 100);
}

/** The hash state for a flag's `flagKey:` prefix, computed once per flag. @internal */
export function flagPrefix(flagKey: string): PrefixState {
  return prefixState(`${flagKey}:`);
}

/** A subject's bucket given its flag's precomputed prefix. @internal */
export function bucketWithPrefix(prefix: PrefixState, subjectId: string): number {
  return bucketOfHash(hashWithPrefix(prefix, subjectId));
}

/**
 * The bucket (0..9999) of a subject for a flag, per the bucketing contract.
 *
 * @example
 * bucketOf('passenger_favorites_matching', 'passenger-42') < thresholdOf(1); // in the 1 % rollout?
 */
export function bucketOf(flagKey: string, subjectId: string): number {
  return bucketWithPrefix(flagPrefix(flagKey), subjectId);
}

/** The bucket threshold of a rollout percentage: subjects with `bucket < thresholdOf(p)` are in. */
export function thresholdOf(rolloutPercentage: number): number {
  return Math.round(rolloutPercentage * 100);
}
