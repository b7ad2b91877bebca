/**
 * How one of our evaluations reads in OpenFeature's terms. The decision is always the client's own
 * `evaluate()`; this file only renames it:
 *
 * | ours             | value          | variant | reason            | error code             |
 * | ---------------- | -------------- | ------- | ----------------- | ---------------------- |
 * | `ALLOWLIST`      | `true`         | `on`    | `TARGETING_MATCH` |                        |
 * | `ROLLOUT`        | `true`         | `on`    | `SPLIT`           |                        |
 * | `OUT_OF_ROLLOUT` | `false`        | `off`   | `SPLIT`           |                        |
 * | `DISABLED`       | `false`        | `off`   | `DISABLED`        |                        |
 * | `FLAG_NOT_FOUND` | the default    |         | `ERROR`           | `FLAG_NOT_FOUND`       |
 * | `NO_SUBJECT`     | the default    |         | `ERROR`           | `TARGETING_KEY_MISSING`|
 * | `NOT_READY`      | the default    |         | `ERROR`           | `PROVIDER_NOT_READY`   |
 */
import type { Evaluation, FlagClient, Reason } from '@kaviar/flags-core';
import { ErrorCode, type ResolutionDetails, StandardResolutionReasons } from '@openfeature/server-sdk';

/**
 * The `flagMetadata` of every resolution from `KaviarFlagsProvider`: how fresh the data behind the
 * answer is, and our own reason (finer than OpenFeature's: `ROLLOUT` and `OUT_OF_ROLLOUT` are both `SPLIT`).
 */
export interface KaviarFlagMetadata {
  /** Version of the flag snapshot evaluated against; 0 before anything is loaded. */
  readonly version: number;
  /** `true` while the store cannot confirm its data (the client serves its last good snapshot). */
  readonly stale: boolean;
  /** Milliseconds since the data was last confirmed current. */
  readonly ageMs: number;
  /** Our reason: `ALLOWLIST`, `ROLLOUT`, `OUT_OF_ROLLOUT`, `DISABLED`, `FLAG_NOT_FOUND`, `NO_SUBJECT`, `NOT_READY`. */
  readonly reason: Reason;
}

const { TARGETING_MATCH, SPLIT, DISABLED, ERROR } = StandardResolutionReasons;

/** The boolean resolution of one evaluation; `defaultValue` is returned only with an error code. */
export function booleanResolution(evaluation: Evaluation, defaultValue: boolean): ResolutionDetails<boolean> {
  const flagMetadata = {
    version: evaluation.version,
    stale: evaluation.stale,
    ageMs: evaluation.ageMs,
    reason: evaluation.reason,
  };
  switch (evaluation.reason) {
    case 'ROLLOUT':
      return { value: true, variant: 'on', reason: SPLIT, flagMetadata };
    case 'OUT_OF_ROLLOUT':
      return { value: false, variant: 'off', reason: SPLIT, flagMetadata };
    case 'ALLOWLIST':
      return { value: true, variant: 'on', reason: TARGETING_MATCH, flagMetadata };
    case 'DISABLED':
      // The operator's off switch: off whatever the caller's default, as `isEnabled` does.
      return { value: false, variant: 'off', reason: DISABLED, flagMetadata };
    case 'FLAG_NOT_FOUND':
      return {
        value: defaultValue,
        reason: ERROR,
        errorCode: ErrorCode.FLAG_NOT_FOUND,
        errorMessage: `No flag "${evaluation.flagKey}" in the store (snapshot version ${evaluation.version})`,
        flagMetadata,
      };
    case 'NO_SUBJECT':
      return {
        value: defaultValue,
        reason: ERROR,
        errorCode: ErrorCode.TARGETING_KEY_MISSING,
        errorMessage: `Flag "${evaluation.flagKey}" needs a non-empty string targetingKey (the subject id) in the evaluation context`,
        flagMetadata,
      };
    default:
      return {
        value: defaultValue,
        reason: ERROR,
        errorCode: ErrorCode.PROVIDER_NOT_READY,
        errorMessage: 'No flags loaded yet: the store has not answered',
        flagMetadata,
      };
  }
}

/**
 * The resolution of a string, number or object flag: our flags are boolean, so always the default,
 * with `TYPE_MISMATCH` when the flag exists (`FLAG_NOT_FOUND` or `PROVIDER_NOT_READY` otherwise).
 */
export function nonBooleanResolution<T>(
  client: FlagClient,
  flagKey: string,
  defaultValue: T,
  type: 'string' | 'number' | 'object',
): ResolutionDetails<T> {
  const snapshot = client.snapshot();
  const status = client.status();
  const flagMetadata = { version: status.version, stale: status.stale, ageMs: status.ageMs };
  const [errorCode, errorMessage] =
    snapshot === undefined
      ? [ErrorCode.PROVIDER_NOT_READY, 'No flags loaded yet: the store has not answered']
      : !snapshot.flags.has(flagKey)
        ? [
            ErrorCode.FLAG_NOT_FOUND,
            `No flag "${flagKey}" in the store (snapshot version ${snapshot.version})`,
          ]
        : [
            ErrorCode.TYPE_MISMATCH,
            `Flag "${flagKey}" is boolean; a ${type} was asked for: use getBooleanValue / getBooleanDetails`,
          ];
  return { value: defaultValue, reason: ERROR, errorCode, errorMessage, flagMetadata };
}
