/**
 * The seed's scenario: `passenger_favorites_matching`, enabled, 1 % rollout, a 12-passenger allowlist,
 * evaluated for 1,000,000 distinct passengers. Every candidate is configured from this one object.
 */
import { generatePassengerIds } from './passenger-ids';

/** What every candidate evaluates. */
export interface Scenario {
  readonly flagKey: string;
  readonly rolloutPercentage: number;
  /** `round(rolloutPercentage * 100)`: subjects with a bucket below it are in the rollout. */
  readonly threshold: number;
  /** Passenger ids, all distinct, the same on every run. */
  readonly ids: readonly string[];
  /** The 12 allowlisted passengers, taken from `ids` so the benchmark actually meets them. */
  readonly allowlist: readonly string[];
}

/** The flag from the ops snapshot. */
export const FLAG_KEY = 'passenger_favorites_matching';
/** Its rollout, in percent. */
export const ROLLOUT_PERCENTAGE = 1;
/** Its allowlist size. */
export const ALLOWLIST_SIZE = 12;

/**
 * Builds the scenario over `count` passenger ids (default 1,000,000), allowlisting 12 of them spread
 * evenly through the list.
 */
export function createScenario(count = 1_000_000): Scenario {
  const ids = generatePassengerIds(count);
  const step = Math.floor(count / ALLOWLIST_SIZE);
  const allowlist = Array.from({ length: ALLOWLIST_SIZE }, (_, k) => ids[k * step + 7] as string);
  return {
    flagKey: FLAG_KEY,
    rolloutPercentage: ROLLOUT_PERCENTAGE,
    threshold: Math.round(ROLLOUT_PERCENTAGE * 100),
    ids,
    allowlist,
  };
}

/**
 * The bucket (0..9999) of a MurmurHash3 value, per the bucketing contract:
 * `q = h mod 10000; bucket = (q mod 100) * 100 + floor(q / 100)`.
 */
export function bucketOfHash(hash: number): number {
  const q = hash % 10_000;
  return (q % 100) * 100 + Math.floor(q / 100);
}
