import { describe, expect, it } from 'vitest';
import {
  context,
  type ExposureWindow,
  exposureTotals,
  flag,
  observation,
} from '../test/support/observations';
import { assertExposures } from './assert-exposures';

function judge(rolloutPercentage: number, windows: readonly ExposureWindow[], enabledFlag = true) {
  const read = observation({
    flag: flag({ rolloutPercentage, enabled: enabledFlag }),
    exposures: exposureTotals(windows, enabledFlag ? rolloutPercentage / 100 : 0),
  });
  return assertExposures(context({ first: read }));
}

/** One window of `subjects` distinct non-allowlisted subjects, `on` of whom got the flag. */
const check = (rolloutPercentage: number, subjects: number, on: number, enabledFlag = true) =>
  judge(rolloutPercentage, [{ subjects, subjectsEnabled: on }], enabledFlag);

describe('assertExposures', () => {
  it('fails when 5 % of 50,000 non-allowlisted passengers got a 1 % flag', () => {
    const finding = check(1, 50_000, 2_500);
    expect(finding?.status).toBe('FAIL');
    expect(finding?.message).toBe(
      'observed 5 % (2500 of 50000 non-allowlisted subjects) is inconsistent with rollout 1 %: the 99.9 % Wilson score interval [4.689 %, 5.331 %] excludes 1 % (two-sided test)',
    );
    expect(finding?.observed).toMatchObject({ trials: 50_000, successes: 2_500, share: 0.05 });
  });

  it('passes when 1.1 % of 10,000 got a 1 % flag', () => {
    const finding = check(1, 10_000, 110);
    expect(finding?.status).toBe('PASS');
    expect(finding?.message).toBe(
      'observed 1.1 % (110 of 10000 non-allowlisted subjects); its 99.9 % Wilson score interval [0.806 %, 1.5 %] contains the configured rollout 1 %',
    );
  });

  it('skips with the sample size when there are only 30 samples', () => {
    const finding = check(1, 30, 1);
    expect(finding?.status).toBe('SKIP');
    expect(finding?.message).toBe(
      'not enough data: 30 non-allowlisted subjects, need at least 1000 to test rollout 1 %',
    );
  });

  it('tests distinct subjects, not calls: busy passengers evaluated thousands of times do not decide it', () => {
    // 10,000 passengers, 1 % of them in; the 100 in the rollout happen to be the busy ones.
    const finding = judge(1, [
      { evaluations: 1_000_000, enabled: 500_000, subjects: 10_000, subjectsEnabled: 100 },
    ]);
    expect(finding?.status).toBe('PASS');
    expect(finding?.observed).toMatchObject({ evaluations: 1_000_000, trials: 10_000, successes: 100 });
  });

  it('allows for windows that share subjects: 40 windows of the same 2,500 passengers are not 100,000', () => {
    const same = Array.from({ length: 40 }, (_, i) => ({
      instanceId: `web-${i % 4}`,
      subjects: 2_500,
      subjectsEnabled: 40,
    }));
    // Counted as 100,000 independent subjects, 1.6 % would be a FAIL; it is 2,500 passengers at most.
    const finding = judge(1, same);
    expect(finding?.status).toBe('PASS');
    expect(finding?.message).toBe(
      'observed 1.6 % (1600 of 100000 non-allowlisted subjects in 40 instance-minute windows); its 99.9 % quasi-binomial Wilson score interval [0.959 %, 2.659 %] on an effective sample of 2500 subjects (windows may share subjects) contains the configured rollout 1 %',
    );
    expect(finding?.observed).toMatchObject({ windows: 40, dispersion: 1, effectiveSample: 2500 });
  });

  it('widens the interval by √φ when windows differ more than binomial noise allows', () => {
    // Two instances serving different populations: 0.4 % and 1.8 %, pooled 1.1 %.
    const finding = judge(1, [
      { instanceId: 'web-1', subjects: 20_000, subjectsEnabled: 80 },
      { instanceId: 'web-2', subjects: 20_000, subjectsEnabled: 360 },
    ]);
    // χ² = 2 · 140² / (20,000 · 0.011 · 0.989) ≈ 180 on 1 degree of freedom.
    expect(finding?.observed).toMatchObject({ windows: 2, dispersion: 180.164 });
    expect(finding?.status).toBe('SKIP');
    expect(finding?.message).toMatch(
      /^not enough data: 440 of 40000 non-allowlisted subjects in 2 instance-minute windows, an effective sample of 111 subjects \(windows may share subjects, dispersion φ = 180\.16\), need at least 1000 to test rollout 1 %$/,
    );
  });

  it('still fails a 5 % misconfiguration spread over many windows', () => {
    const windows = Array.from({ length: 40 }, () => ({ subjects: 2_500, subjectsEnabled: 125 }));
    expect(judge(1, windows)?.status).toBe('FAIL');
  });

  it('needs at least 10 expected subjects on each side', () => {
    expect(check(0.1, 5_000, 5)?.message).toBe(
      'not enough data: 5000 non-allowlisted subjects, need at least 10000 to test rollout 0.1 %',
    );
  });

  it('skips when nothing but allowlisted subjects were evaluated', () => {
    const finding = judge(1, [
      { evaluations: 12, enabled: 12, allowlisted: 12, subjects: 0, subjectsEnabled: 0 },
    ]);
    expect(finding?.status).toBe('SKIP');
    expect(finding?.message).toBe('not enough data: no non-allowlisted subjects since version 10');
  });

  it('says so when the instances report calls but no distinct subjects', () => {
    const finding = judge(1, [{ evaluations: 5_000, enabled: 50, subjects: 0, subjectsEnabled: 0 }]);
    expect(finding?.status).toBe('SKIP');
    expect(finding?.message).toBe(
      "not enough data: 5000 non-allowlisted evaluations since version 10 but no distinct-subject counts (the instances' client does not report subjects)",
    );
  });

  it('treats 0 %, 100 % and disabled flags as exact', () => {
    expect(check(0, 50, 0)?.status).toBe('PASS');
    expect(check(0, 50, 1)).toMatchObject({
      status: 'FAIL',
      message: '1 of 50 non-allowlisted subjects came out on with rollout 0 %; every one should be off',
    });
    expect(check(100, 50, 49)?.status).toBe('FAIL');
    expect(check(100, 50, 50)?.status).toBe('PASS');
    expect(check(50, 50, 3, false)).toMatchObject({
      status: 'FAIL',
      message: '3 of 50 non-allowlisted subjects came out on with flag disabled; every one should be off',
    });
  });
});
