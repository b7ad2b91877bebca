import { InvalidOptionError } from '@kaviar/flags-core';
import { describe, expect, it } from 'vitest';
import { checkFlag } from './check-flag';
import type { MonitorDb } from './monitor-db';

const untouched: MonitorDb = {
  ident: '"kaviar_flags"',
  query: () => {
    throw new Error('options are validated before any query');
  },
};

describe('checkFlag options', () => {
  it.each([
    [{ expect: { rolloutPercentage: 150 } }, 'expect.rolloutPercentage'],
    [{ expect: { rolloutPercentage: 1.005 } }, 'expect.rolloutPercentage'],
    [{ expect: { rolloutPercentage: '1' as unknown as number } }, 'expect.rolloutPercentage'],
    [{ expect: { allowlistSize: -1 } }, 'expect.allowlistSize'],
    [{ confidence: 1 }, 'confidence'],
    [{ settleMs: -5 }, 'settleMs'],
    [{ liveWindowMs: Number.NaN }, 'liveWindowMs'],
  ])('rejects %j naming %s', async (options, option) => {
    const error = await checkFlag(untouched, 'f', options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect(error).toMatchObject({ code: 'INVALID_OPTION', option });
  });

  it('accepts a two-decimal rollout that binary floats cannot hold exactly (0.29)', async () => {
    const failing: MonitorDb = { ident: '"kaviar_flags"', query: () => Promise.reject(new Error('offline')) };
    const checkpoint = await checkFlag(failing, 'f', { expect: { rolloutPercentage: 0.29 } });
    expect(checkpoint.status).toBe('UNKNOWN');
    expect(checkpoint.expected).toEqual({ rolloutPercentage: 0.29 });
  });
});
