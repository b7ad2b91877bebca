import { describe, expect, it } from 'vitest';
import { ALLOWLIST, simulateRollout } from '../src/rollout';

describe('in-memory rollout example', () => {
  it('gives the feature to the 12 allowlisted passengers and about 1 % of the rest', () => {
    const report = simulateRollout(100_000, 1);
    expect(report.passengers).toBe(100_012);
    expect(report.byReason.ALLOWLIST).toBe(ALLOWLIST.length);
    const rollout = report.byReason.ROLLOUT ?? 0;
    // 1 % of 100,000 is 1000, sigma about 31.5: 4 sigma is 126.
    expect(Math.abs(rollout - 1000)).toBeLessThan(126);
    expect(report.enabled).toBe(rollout + 12);
    expect((report.byReason.OUT_OF_ROLLOUT ?? 0) + rollout + 12).toBe(100_012);
  });

  it('rolls back to the allowlist alone at 0 %', () => {
    const report = simulateRollout(10_000, 0);
    expect(report.enabled).toBe(12);
    expect(report.byReason.ROLLOUT).toBeUndefined();
  });
});
