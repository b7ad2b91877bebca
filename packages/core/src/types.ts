/**
 * One feature flag as the evaluator sees it: whether it is on, for what share of subjects,
 * and which subjects always get it.
 *
 * @example
 * const flag: FlagConfig = {
 *   key: 'passenger_favorites_matching',
 *   enabled: true,
 *   rolloutPercentage: 1,
 *   allowlist: ['passenger-1', 'passenger-2'],
 * };
 */
export interface FlagConfig {
  /** Stable key, matching `^[a-z0-9][a-z0-9_.-]{0,127}$`. Part of the hash input: renaming reshuffles subjects. */
  readonly key: string;
  /** Master switch. `false` turns the flag off for everyone, the allowlist included. */
  readonly enabled: boolean;
  /** Share of subjects that get the flag, 0..100 with at most two decimals (0.01 % steps). */
  readonly rolloutPercentage: number;
  /** Subject ids that get the flag whenever it is enabled, whatever the rollout. Non-empty strings. */
  readonly allowlist: readonly string[];
  /** Version of the last change to this flag, from the store's version sequence. */
  readonly version?: number;
  /** When the flag was last changed. */
  readonly updatedAt?: Date;
  /** Free text for operators. Never used by evaluation. */
  readonly description?: string;
}

/**
 * Who a flag is evaluated for: a string id, or an object with an `id`.
 * A numeric id counts as its decimal string (`42` and `'42'` land in the same bucket); only safe
 * integers are ids (a fraction or a number past 2^53 is `NO_SUBJECT`).
 * An empty or missing id is `NO_SUBJECT`: never hashed, never in a rollout.
 */
export type Subject = string | { readonly id?: string | number | null } | null | undefined;

/**
 * Why an evaluation came out as it did, in the order the evaluator checks:
 * - `NOT_READY`: the client has no snapshot yet (nothing loaded); the fallback is returned.
 * - `FLAG_NOT_FOUND`: no flag with this key in the snapshot; the fallback is returned.
 * - `DISABLED`: the flag is switched off (even allowlisted subjects are off).
 * - `ALLOWLIST`: the subject is on the flag's allowlist (on).
 * - `NO_SUBJECT`: no usable subject id (off).
 * - `ROLLOUT`: the subject's bucket is inside the rollout (on).
 * - `OUT_OF_ROLLOUT`: the subject's bucket is outside the rollout (off).
 */
export type Reason =
  | 'NOT_READY'
  | 'FLAG_NOT_FOUND'
  | 'DISABLED'
  | 'ALLOWLIST'
  | 'NO_SUBJECT'
  | 'ROLLOUT'
  | 'OUT_OF_ROLLOUT';

/** The result of evaluating one flag for one subject, as data. */
export interface EvaluationResult {
  readonly flagKey: string;
  readonly enabled: boolean;
  readonly reason: Reason;
  /** The subject's bucket (0..9999), present when the subject was hashed (`ROLLOUT`, `OUT_OF_ROLLOUT`). */
  readonly bucket?: number;
}

/** An evaluation through a client: the result plus how fresh the data behind it is. */
export interface Evaluation extends EvaluationResult {
  /** Version of the snapshot evaluated against; 0 before anything is loaded. */
  readonly version: number;
  /** `true` when the source could not confirm its data on its last attempt (serving last-known-good). */
  readonly stale: boolean;
  /** Milliseconds since the data was last confirmed current by the source. */
  readonly ageMs: number;
}
