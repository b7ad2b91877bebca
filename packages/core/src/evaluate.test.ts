import { describe, expect, it } from 'vitest';
import { bucketOf } from './bucket';
import { evaluate } from './evaluate';
import type { FlagConfig } from './types';

const flag: FlagConfig = {
  key: 'passenger_favorites_matching',
  enabled: true,
  rolloutPercentage: 1,
  allowlist: ['vip-1', 'vip-2'],
};

describe('evaluate', () => {
  it('follows the contract order', () => {
    expect(evaluate(undefined, 'p')).toMatchObject({ enabled: false, reason: 'FLAG_NOT_FOUND' });
    expect(evaluate({ ...flag, enabled: false }, 'vip-1')).toEqual({
      flagKey: flag.key,
      enabled: false,
      reason: 'DISABLED',
    });
    expect(evaluate({ ...flag, rolloutPercentage: 0 }, 'vip-1')).toEqual({
      flagKey: flag.key,
      enabled: true,
      reason: 'ALLOWLIST',
    });
    for (const subject of [
      '',
      { id: '' },
      { id: null },
      {},
      null,
      undefined,
      { id: Number.NaN },
      { id: 1e21 },
      { id: 0.5 },
    ]) {
      expect(evaluate(flag, subject)).toEqual({ flagKey: flag.key, enabled: false, reason: 'NO_SUBJECT' });
    }
  });

  it('puts a subject in the rollout iff its bucket is under the threshold', () => {
    for (let i = 0; i < 3000; i++) {
      const id = `passenger-${i}`;
      const bucket = bucketOf(flag.key, id);
      expect(evaluate(flag, id)).toEqual({
        flagKey: flag.key,
        enabled: bucket < 100,
        reason: bucket < 100 ? 'ROLLOUT' : 'OUT_OF_ROLLOUT',
        bucket,
      });
    }
  });

  it('buckets a numeric id as its decimal string', () => {
    expect(evaluate(flag, { id: 123456 })).toEqual(evaluate(flag, '123456'));
    expect(evaluate(flag, { id: 123456 }).bucket).toBe(bucketOf(flag.key, '123456'));
  });

  it('turns on everyone at 100 % and no one (but the allowlist) at 0 %', () => {
    const ids = Array.from({ length: 500 }, (_, i) => `p${i}`);
    expect(ids.every((id) => evaluate({ ...flag, rolloutPercentage: 100 }, id).enabled)).toBe(true);
    expect(ids.some((id) => evaluate({ ...flag, rolloutPercentage: 0 }, id).enabled)).toBe(false);
  });
});
