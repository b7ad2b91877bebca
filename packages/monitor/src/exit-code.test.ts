import { describe, expect, it } from 'vitest';
import { exitCodeFor, worstStatus } from './exit-code';

describe('exitCodeFor', () => {
  it('follows the monitoring-plugin convention', () => {
    expect(exitCodeFor('PASS')).toBe(0);
    expect(exitCodeFor('WARN')).toBe(1);
    expect(exitCodeFor('FAIL')).toBe(2);
    expect(exitCodeFor('UNKNOWN')).toBe(3);
  });
});

describe('worstStatus', () => {
  it('is PASS for nothing and for skips', () => {
    expect(worstStatus([])).toBe('PASS');
    expect(worstStatus(['SKIP', 'PASS', 'SKIP'])).toBe('PASS');
  });

  it('orders PASS < WARN < UNKNOWN < FAIL', () => {
    expect(worstStatus(['PASS', 'WARN'])).toBe('WARN');
    expect(worstStatus(['WARN', 'UNKNOWN', 'PASS'])).toBe('UNKNOWN');
    expect(worstStatus(['UNKNOWN', 'FAIL', 'WARN'])).toBe('FAIL');
    expect(worstStatus(['FAIL', 'SKIP'])).toBe('FAIL');
  });
});
