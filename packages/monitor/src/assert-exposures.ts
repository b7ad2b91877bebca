/**
 * The share of subjects that got the feature matches the configured rollout.
 *
 * Counts come from the exposures the instances report, restricted to the current flag version, and
 * the share is over distinct non-allowlisted subjects per (instance, minute) window:
 * `subjectsEnabled / subjects` (per-call counts would let a few busy subjects decide the test).
 * - Rollout 0 %, 100 % or a disabled flag is deterministic: one subject on the wrong side is a FAIL.
 * - Otherwise a two-sided test: FAIL when the configured share lies outside the Wilson score
 *   interval of the observed share at `confidence` (default 99.9 %), computed on an effective
 *   sample that allows for windows sharing subjects and widened by √φ for overdispersion
 *   (quasi-binomial; see `exposure-stats.ts`).
 * - Too little data (an effective sample under `minSamples`, or under 10 expected subjects on either
 *   side) is a SKIP with the sample size, never a PASS.
 */
import { formatPercent, formatShare } from '@kaviar/flags-core/internal';
import type { Assertion } from './assertion';
import { dispersionFactor, overlapSafeSubjects } from './exposure-stats';
import { wilsonInterval } from './wilson-interval';

const pct = (share: number) => formatShare(share, 3);
const round = (value: number, digits: number) => Number(value.toFixed(digits));

export const assertExposures: Assertion = (ctx) => {
  const flag = ctx.last.flag;
  if (!flag) return undefined;
  const { confidence, minSamples } = ctx.options;
  const totals = ctx.last.exposures;
  const { subjects: trials, subjectsEnabled: successes, windows } = totals;
  const share = flag.enabled ? flag.rolloutPercentage / 100 : 0;
  const phi = dispersionFactor(totals.dispersion);
  const effective = overlapSafeSubjects(trials, totals.sumSqrtSubjects) / phi;
  const expected = { share, confidence, minSamples };
  const observed = {
    evaluations: totals.evaluations,
    enabled: totals.enabled,
    allowlisted: totals.allowlisted,
    trials,
    successes,
    share: trials > 0 ? successes / trials : null,
    windows,
    dispersion: round(phi, 3),
    effectiveSample: round(effective, 1),
    instances: totals.instances,
    fromVersion: totals.fromVersion,
  };
  const base = { name: 'exposures', expected, observed } as const;
  const config = flag.enabled ? `rollout ${formatPercent(flag.rolloutPercentage)}` : 'flag disabled';
  if (trials <= 0) {
    const calls = totals.evaluations - totals.allowlisted;
    const why =
      calls > 0
        ? `${calls} non-allowlisted evaluations since version ${totals.fromVersion} but no distinct-subject counts (the instances' client does not report subjects)`
        : `no non-allowlisted subjects since version ${totals.fromVersion}`;
    return { ...base, status: 'SKIP', message: `not enough data: ${why}` };
  }
  const across = windows > 1 ? ` in ${windows} instance-minute windows` : '';
  const sample = `${successes} of ${trials} non-allowlisted subjects${across}`;
  if (share === 0 || share === 1) {
    const wrong = share === 0 ? successes : trials - successes;
    if (wrong > 0) {
      return {
        ...base,
        status: 'FAIL',
        message: `${wrong} of ${trials} non-allowlisted subjects came out ${share === 0 ? 'on' : 'off'} with ${config}; every one should be ${share === 0 ? 'off' : 'on'}`,
      };
    }
    return { ...base, status: 'PASS', message: `${sample} on, as ${config} requires` };
  }
  const needed = Math.max(minSamples, Math.ceil(10 / share), Math.ceil(10 / (1 - share)));
  const widened = effective < trials - 1e-9;
  const effectiveText = `an effective sample of ${Math.floor(effective)} subjects (${describeWidening(windows, phi)})`;
  if (effective < needed) {
    return {
      ...base,
      status: 'SKIP',
      message: `not enough data: ${widened ? `${sample}, ${effectiveText}` : `${trials} non-allowlisted subjects`}, need at least ${needed} to test ${config}`,
    };
  }
  const observedShare = successes / trials;
  const interval = wilsonInterval(observedShare * effective, effective, confidence);
  const test = `${pct(confidence)} ${widened ? 'quasi-binomial ' : ''}Wilson score interval [${pct(interval.low)}, ${pct(interval.high)}]`;
  const on = widened ? ` on ${effectiveText}` : '';
  const inside = share >= interval.low && share <= interval.high;
  return {
    ...base,
    status: inside ? 'PASS' : 'FAIL',
    message: inside
      ? `observed ${pct(observedShare)} (${sample}); its ${test}${on} contains the configured ${config}`
      : `observed ${pct(observedShare)} (${sample}) is inconsistent with ${config}: the ${test}${on} excludes ${pct(share)} (two-sided test)`,
  };
};

function describeWidening(windows: number, phi: number): string {
  const parts: string[] = [];
  if (windows > 1) parts.push('windows may share subjects');
  if (phi > 1) parts.push(`dispersion φ = ${round(phi, 2)}`);
  return parts.join(', ');
}
