/**
 * Evaluation order (the contract): flag missing -> FLAG_NOT_FOUND; disabled -> DISABLED (the allowlist
 * too); allowlisted -> ALLOWLIST; no subject id -> NO_SUBJECT; bucket < threshold -> ROLLOUT;
 * else OUT_OF_ROLLOUT. The client's `isEnabled` tests "no subject id" before the allowlist (one
 * comparison cheaper than a Set lookup); the answers agree because `compileFlag` never puts the
 * empty id on a compiled allowlist.
 */
import { bucketFor, type CompiledFlag, compileFlag } from './compiled-flag';
import { subjectIdOf } from './subject';
import type { EvaluationResult, FlagConfig, Subject } from './types';

const compiledByConfig = new WeakMap<FlagConfig, CompiledFlag>();

/** @internal */
export function compiledFor(config: FlagConfig): CompiledFlag {
  let compiled = compiledByConfig.get(config);
  if (compiled === undefined) {
    compiled = compileFlag(config);
    compiledByConfig.set(config, compiled);
  }
  return compiled;
}

/** Evaluates a compiled flag for a subject. @internal */
export function evaluateCompiled(
  flagKey: string,
  flag: CompiledFlag | undefined,
  subject: Subject,
): EvaluationResult {
  if (flag === undefined) return { flagKey, enabled: false, reason: 'FLAG_NOT_FOUND' };
  if (!flag.enabled) return { flagKey, enabled: false, reason: 'DISABLED' };
  const id = subjectIdOf(subject);
  if (flag.allowlist.has(id)) return { flagKey, enabled: true, reason: 'ALLOWLIST' };
  if (id === '') return { flagKey, enabled: false, reason: 'NO_SUBJECT' };
  const bucket = bucketFor(flag, id);
  return bucket < flag.threshold
    ? { flagKey, enabled: true, reason: 'ROLLOUT', bucket }
    : { flagKey, enabled: false, reason: 'OUT_OF_ROLLOUT', bucket };
}

/**
 * Evaluates a flag for a subject, with the reason. Pure: same flag and subject, same result.
 * A missing flag gives `FLAG_NOT_FOUND` with `enabled: false`.
 *
 * @example
 * evaluate(flag, { id: 'passenger-42' }); // { flagKey, enabled: false, reason: 'OUT_OF_ROLLOUT', bucket: 5123 }
 */
export function evaluate(flag: FlagConfig | undefined, subject: Subject): EvaluationResult {
  if (flag === undefined) return { flagKey: '', enabled: false, reason: 'FLAG_NOT_FOUND' };
  return evaluateCompiled(flag.key, compiledFor(flag), subject);
}
