import { describe, expect, it } from 'vitest';
import { InvalidFlagError } from './errors';
import { createTestFlags } from './test-flags';

const KEY = 'passenger_favorites_matching';

describe('createTestFlags', () => {
  it('runs the real evaluator, percentages included', () => {
    const flags = createTestFlags({ [KEY]: { rolloutPercentage: 1, allowlist: ['vip'] } });
    const inside = flags.subjectsIn(KEY, 20);
    const outside = flags.subjectsOut(KEY, 20);
    expect(inside).toHaveLength(20);
    expect(outside).toHaveLength(20);
    expect(inside.every((id) => flags.evaluate(KEY, id).reason === 'ROLLOUT')).toBe(true);
    expect(outside.every((id) => flags.evaluate(KEY, id).reason === 'OUT_OF_ROLLOUT')).toBe(true);
    expect(flags.evaluate(KEY, 'vip').reason).toBe('ALLOWLIST');
  });

  it('changes and removes flags inside a test', () => {
    const flags = createTestFlags({ [KEY]: { rolloutPercentage: 50 }, other: true });
    const [inside] = flags.subjectsIn(KEY, 1);
    flags.set(KEY, { rolloutPercentage: 0 });
    expect(flags.isEnabled(KEY, inside!)).toBe(false);
    flags.set(KEY, { enabled: false, rolloutPercentage: 100 });
    expect(flags.evaluate(KEY, inside!).reason).toBe('DISABLED');
    flags.set(KEY, { enabled: true });
    expect(flags.isEnabled(KEY, inside!)).toBe(true);
    expect(flags.isEnabled('other', 'anyone')).toBe(true);
    flags.remove('other');
    expect(flags.isEnabled('other', 'anyone', true)).toBe(true);
    expect(flags.evaluate('other', 'anyone').reason).toBe('FLAG_NOT_FOUND');
  });

  it('refuses invalid flags and impossible searches', () => {
    expect(() => createTestFlags({ 'Bad Key': true })).toThrow(InvalidFlagError);
    const flags = createTestFlags({ [KEY]: { rolloutPercentage: 0 } });
    expect(() => flags.set(KEY, { rolloutPercentage: 150 })).toThrow(InvalidFlagError);
    expect(() => flags.subjectsIn(KEY, 1)).toThrow(/inside a 0 % rollout/);
    expect(() => flags.subjectsIn('missing', 1)).toThrow(/No test flag/);
    expect(() => flags.subjectsIn('missing', 1)).toThrow(
      expect.objectContaining({ code: 'FLAG_NOT_FOUND', flagKey: 'missing' }),
    );
  });
});
