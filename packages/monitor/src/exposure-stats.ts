/**
 * The sample behind the exposure test, from distinct-subject counts per (instance, minute) window.
 *
 * Instances count each non-allowlisted subject once per flush interval and add those counts into one
 * row per instance and minute, so a subject seen in several windows is counted once in each. Within
 * a window the subjects are distinct, so a window's enabled count is binomial; across windows nothing
 * says which subjects recur. Two corrections keep the interval honest:
 *
 * - **Shared subjects (worst case).** Windows may share subjects, which correlates them. By
 *   Cauchy-Schwarz, Var(Σx) <= p(1-p)(Σ√n)², whatever the overlap, so the test uses the effective
 *   sample n² / (Σ√n)²: the total when there is one window, the size of one window when many
 *   equal windows could hold the same subjects. Pearson's χ² cannot see this: shared subjects make
 *   windows more alike, not less.
 * - **Overdispersion (quasi-binomial).** Windows that differ more than binomial noise allows (an
 *   instance that serves another population, a share that moves over time) widen the interval by
 *   √φ, φ = Pearson χ² / (k − 1) over the k windows with at least `minWindowSubjects` subjects, with
 *   the pooled share of those windows, clamped to >= 1.
 */

import type { DispersionSums } from '@kaviar/flags-pg';

export type { DispersionSums };

/**
 * The fewest subjects a window needs to take part in the dispersion estimate: 10 expected on each
 * side of the rollout. `Infinity` for a share of 0 or 1 (nothing to estimate). @internal
 */
export function minWindowSubjects(share: number): number {
  if (!(share > 0 && share < 1)) return Number.POSITIVE_INFINITY;
  return Math.ceil(10 / Math.min(share, 1 - share) - 1e-9);
}

/** φ = Pearson χ² / (k − 1), clamped to >= 1; 1 with fewer than two windows. @internal */
export function dispersionFactor(sums: DispersionSums): number {
  const { windows, subjects: n, subjectsEnabled: x, sumEnabledSquaredPerSubject: s } = sums;
  if (windows < 2 || n <= 0 || x <= 0 || x >= n) return 1;
  const p = x / n;
  // Σ (x_i - n_i p)² / (n_i p (1 - p)), expanded so the database only sums x²/n.
  const chi2 = (s - p * x) / (p * (1 - p));
  return Math.max(1, chi2 / (windows - 1));
}

/** n² / (Σ√n)²: the sample size that stays valid however much the windows overlap. @internal */
export function overlapSafeSubjects(subjects: number, sumSqrtSubjects: number): number {
  if (subjects <= 0 || sumSqrtSubjects <= 0) return 0;
  return Math.min(subjects, (subjects * subjects) / (sumSqrtSubjects * sumSqrtSubjects));
}
