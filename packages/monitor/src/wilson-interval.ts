/**
 * Binomial confidence intervals for the exposure check.
 *
 * The Wilson score interval (Wilson 1927) is used rather than the plain normal ("Wald") interval
 * because it stays inside [0, 1] and keeps close to its nominal coverage for small proportions
 * such as a 1 % rollout. The z value comes from an inverse normal CDF (Acklam's rational
 * approximation, relative error below 1.2e-9).
 */

/** A two-sided interval for a proportion, both ends in [0, 1]. */
export interface Interval {
  readonly low: number;
  readonly high: number;
}

/**
 * The standard normal quantile: the z with P(Z <= z) = p, for 0 < p < 1.
 *
 * @example normalQuantile(0.975) // 1.959963984540054
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile needs 0 < p < 1, got ${p}`);
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const [a0, a1, a2, a3, a4] = a as [number, number, number, number, number];
  const [b0, b1, b2, b3, b4] = b as [number, number, number, number, number];
  const [c0, c1, c2, c3] = c as [number, number, number, number];
  const [d0, d1, d2, d3] = d as [number, number, number, number];
  const c4 = 4.374664141464968;
  const c5 = 2.938163982698783;
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) /
      ((((d0 * q + d1) * q + d2) * q + d3) * q + 1)
    );
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + 2.506628277459239) * q) /
    (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1)
  );
}

/**
 * The two-sided Wilson score interval for `successes` out of `trials` at `confidence`
 * (e.g. 0.999 for 99.9 %). `trials` must be positive.
 *
 * @example wilsonInterval(110, 10_000, 0.999) // { low: ≈0.0080, high: ≈0.0151 }
 */
export function wilsonInterval(successes: number, trials: number, confidence: number): Interval {
  if (!(trials > 0) || successes < 0 || successes > trials) {
    throw new RangeError(
      `wilsonInterval needs 0 <= successes <= trials and trials > 0, got ${successes}/${trials}`,
    );
  }
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const n = trials;
  const p = successes / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // At 0 or n successes the bound is exactly 0 or 1; floating point would miss it by an ulp.
  return {
    low: successes === 0 ? 0 : Math.max(0, centre - half),
    high: successes === trials ? 1 : Math.min(1, centre + half),
  };
}
