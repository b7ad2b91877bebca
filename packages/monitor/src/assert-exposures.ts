/**
 * The share of subjects that got the feature matches the configured rollout.
 *
 * Counts come from the exposures the instances report, restricted to the current flag version.
 * Allowlisted evaluations are excluded from both sides: the share is
 * (enabled - allowlisted) / (evaluations - allowlisted).
 * - Rollout 0 %, 100 % or a disabled flag is deterministic: one evaluation on the wrong side is a FAIL.
 * - Otherwise a two-sided test: FAIL when the configured share lies outside the Wilson score interval
 *   of the observed share at `confidence` (default 99.9 %). The interval assumes independent trials;
 *   counts are evaluations, and one subject evaluated many times makes the data look surer than it
 *   is, which is one reason the default confidence is strict.
 * - Too little data for the approximation (fewer than `minSamples`, or fewer than 10 expected
 *   subjects on either side) is a SKIP with the sample size, never a PASS.
 */
import type { Assertion } from './assertion';
import { wilsonInterval } from './wilson-interval';

const pct = (share: number) => `${Number((share * 100).toFixed(3))} %`;

export const assertExposures: Assertion = (ctx) => {
  const flag = ctx.last.flag;
  if (!flag) return undefined;
  const { confidence, minSamples } = ctx.options;
  const totals = ctx.last.exposures;
  const trials = totals.evaluations - totals.allowlisted;
  const successes = totals.enabled - totals.allowlisted;
  const share = flag.enabled ? flag.rolloutPercentage / 100 : 0;
  const expected = { share, confidence, minSamples };
  const observed = {
    evaluations: totals.evaluations,
    enabled: totals.enabled,
    allowlisted: totals.allowlisted,
    trials,
    successes,
    share: trials > 0 ? successes / trials : null,
    instances: totals.instances,
    fromVersion: totals.fromVersion,
  };
  const base = { name: 'exposures', expected, observed } as const;
  const config = flag.enabled ? `rollout ${flag.rolloutPercentage} %` : 'flag disabled';
  if (trials <= 0) {
    return {
      ...base,
      status: 'SKIP',
      message: `not enough data: no non-allowlisted evaluations since version ${totals.fromVersion}`,
    };
  }
  const sample = `${successes} of ${trials} non-allowlisted evaluations`;
  if (share === 0 || share === 1) {
    const wrong = share === 0 ? successes : trials - successes;
    if (wrong > 0) {
      return {
        ...base,
        status: 'FAIL',
        message: `${wrong} of ${trials} non-allowlisted evaluations came out ${share === 0 ? 'on' : 'off'} with ${config}; every one should be ${share === 0 ? 'off' : 'on'}`,
      };
    }
    return { ...base, status: 'PASS', message: `${sample} on, as ${config} requires` };
  }
  const needed = Math.max(minSamples, Math.ceil(10 / share), Math.ceil(10 / (1 - share)));
  if (trials < needed) {
    return {
      ...base,
      status: 'SKIP',
      message: `not enough data: ${trials} non-allowlisted evaluations, need at least ${needed} to test ${config}`,
    };
  }
  const interval = wilsonInterval(successes, trials, confidence);
  const test = `${Number((confidence * 100).toFixed(3))} % Wilson score interval [${pct(interval.low)}, ${pct(interval.high)}]`;
  const inside = share >= interval.low && share <= interval.high;
  return {
    ...base,
    status: inside ? 'PASS' : 'FAIL',
    message: inside
      ? `observed ${pct(successes / trials)} (${sample}); its ${test} contains the configured ${config}`
      : `observed ${pct(successes / trials)} (${sample}) is inconsistent with ${config}: the ${test} excludes ${pct(share)} (two-sided test)`,
  };
};
