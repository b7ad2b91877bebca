import { describe, expect, it } from 'vitest';
import { context, flag, observation } from '../test/support/observations';
import { assertExposures } from './assert-exposures';

function check(
  rolloutPercentage: number,
  evaluations: number,
  enabled: number,
  allowlisted = 0,
  enabledFlag = true,
) {
  const read = observation({
    flag: flag({ rolloutPercentage, enabled: enabledFlag }),
    exposures: { evaluations, enabled, allowlisted, instances: 3, fromVersion: 10 },
  });
  return assertExposures(context({ first: read }));
}

describe('assertExposures', () => {
  it('fails when 5 % of 50,000 non-allowlisted passengers got a 1 % flag', () => {
    // 50,000 non-allowlisted + 600 allowlisted evaluations; 2,500 in rollout.
    const finding = check(1, 50_600, 3_100, 600);
    expect(finding?.status).toBe('FAIL');
    expect(finding?.message).toBe(
      'observed 5 % (2500 of 50000 non-allowlisted evaluations) is inconsistent with rollout 1 %: the 99.9 % Wilson score interval [4.689 %, 5.331 %] excludes 1 % (two-sided test)',
    );
    expect(finding?.observed).toMatchObject({ trials: 50_000, successes: 2_500, share: 0.05 });
  });

  it('passes when 1.1 % of 10,000 got a 1 % flag', () => {
    const finding = check(1, 10_000, 110);
    expect(finding?.status).toBe('PASS');
    expect(finding?.message).toBe(
      'observed 1.1 % (110 of 10000 non-allowlisted evaluations); its 99.9 % Wilson score interval [0.806 %, 1.5 %] contains the configured rollout 1 %',
    );
  });

  it('skips with the sample size when there are only 30 samples', () => {
    const finding = check(1, 30, 1);
    expect(finding?.status).toBe('SKIP');
    expect(finding?.message).toBe(
      'not enough data: 30 non-allowlisted evaluations, need at least 1000 to test rollout 1 %',
    );
  });

  it('needs at least 10 expected subjects on each side', () => {
    expect(check(0.1, 5_000, 5)?.message).toBe(
      'not enough data: 5000 non-allowlisted evaluations, need at least 10000 to test rollout 0.1 %',
    );
  });

  it('skips when nothing but allowlisted subjects were evaluated', () => {
    expect(check(1, 12, 12, 12)?.status).toBe('SKIP');
  });

  it('treats 0 %, 100 % and disabled flags as exact', () => {
    expect(check(0, 50, 0)?.status).toBe('PASS');
    expect(check(0, 50, 1)).toMatchObject({
      status: 'FAIL',
      message: '1 of 50 non-allowlisted evaluations came out on with rollout 0 %; every one should be off',
    });
    expect(check(100, 50, 49)?.status).toBe('FAIL');
    expect(check(100, 50, 50)?.status).toBe('PASS');
    expect(check(50, 50, 3, 0, false)).toMatchObject({
      status: 'FAIL',
      message: '3 of 50 non-allowlisted evaluations came out on with flag disabled; every one should be off',
    });
  });
});
