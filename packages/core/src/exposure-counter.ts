/**
 * Exposure counts of one flag version in one client, between two `takeExposures()` calls.
 *
 * Raw counts (`evaluations`, `enabled`, `allowlisted`) count calls. `subjects`/`subjectsEnabled`
 * count distinct non-allowlisted subjects, so a passenger who is evaluated a thousand times weighs
 * as much as one evaluated once: that is what a rollout share is about. Subjects are told apart by
 * 30 bits of their hash (collisions are negligible at the bound) and at most `MAX_DISTINCT_SUBJECTS`
 * per interval are tracked; later new subjects are left out, which does not bias the share.
 *
 * @internal
 */

/** Distinct subjects tracked per flag version and interval (about 4 MB at most per flag). */
export const MAX_DISTINCT_SUBJECTS = 65_536;

/** Evaluation counts of one flag version since the last `takeExposures()`. */
export interface ExposureCount {
  readonly flagKey: string;
  /** The flag's `version` when evaluated (0 if the source has none). */
  readonly flagVersion: number;
  /** Evaluations with a subject id (`NO_SUBJECT` and `DISABLED` are not counted). */
  readonly evaluations: number;
  /** Of those, how many were enabled (allowlisted included). */
  readonly enabled: number;
  /** Of those, how many were enabled because of the allowlist. */
  readonly allowlisted: number;
  /** Distinct subjects evaluated by bucket (allowlisted subjects excluded), up to the tracking bound. */
  readonly subjects: number;
  /** Of `subjects`, how many got the flag. */
  readonly subjectsEnabled: number;
}

/** @internal */
export class ExposureCounter {
  evaluations = 0;
  enabled = 0;
  allowlisted = 0;
  subjects = 0;
  subjectsEnabled = 0;
  private readonly seen = new Set<number>();

  constructor(
    readonly flagKey: string,
    readonly flagVersion: number,
  ) {}

  allowlistHit(): void {
    this.evaluations++;
    this.enabled++;
    this.allowlisted++;
  }

  bucketed(hash: number, on: boolean): void {
    this.evaluations++;
    if (on) this.enabled++;
    // 30 bits keep the key a small integer, stored unboxed in the Set.
    const key = hash >>> 2;
    if (this.seen.size < MAX_DISTINCT_SUBJECTS && !this.seen.has(key)) {
      this.seen.add(key);
      this.subjects++;
      if (on) this.subjectsEnabled++;
    }
  }

  /** The counts so far (undefined when there were none), resetting them. */
  take(): ExposureCount | undefined {
    if (this.evaluations === 0) return undefined;
    const count: ExposureCount = {
      flagKey: this.flagKey,
      flagVersion: this.flagVersion,
      evaluations: this.evaluations,
      enabled: this.enabled,
      allowlisted: this.allowlisted,
      subjects: this.subjects,
      subjectsEnabled: this.subjectsEnabled,
    };
    this.evaluations = 0;
    this.enabled = 0;
    this.allowlisted = 0;
    this.subjects = 0;
    this.subjectsEnabled = 0;
    this.seen.clear();
    return count;
  }
}
