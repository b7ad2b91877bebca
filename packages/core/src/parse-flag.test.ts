import { describe, expect, it } from 'vitest';
import { InvalidFlagError } from './errors';
import { parseFlag, parseFlagKey, parseRolloutPercentage } from './parse-flag';

const seedRow = {
  key: 'passenger_favorites_matching',
  enabled: true,
  rollout_percentage: 1,
  updated_at: '2026-02-03T13:29:22.330Z',
  created_at: '2026-02-01T04:33:58.711Z',
};

function errorOf(fn: () => unknown): InvalidFlagError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InvalidFlagError) return error;
    throw error;
  }
  throw new Error('expected an InvalidFlagError');
}

describe('parseFlag', () => {
  it("reads the seed's snake_case JSON", () => {
    expect(parseFlag(seedRow)).toEqual({
      key: 'passenger_favorites_matching',
      enabled: true,
      rolloutPercentage: 1,
      allowlist: [],
      updatedAt: new Date('2026-02-03T13:29:22.330Z'),
    });
  });

  it('reads camelCase with an allowlist, removing duplicate ids', () => {
    const flag = parseFlag({
      key: 'a',
      enabled: false,
      rolloutPercentage: '12.5',
      allowlist: ['p1', 'p2', 'p1'],
    });
    expect(flag).toMatchObject({
      key: 'a',
      enabled: false,
      rolloutPercentage: 12.5,
      allowlist: ['p1', 'p2'],
    });
  });

  it.each([
    [{ ...seedRow, key: 'Bad Key' }, 'key', 'Bad Key'],
    [{ ...seedRow, key: 'x'.repeat(129) }, 'key', 'x'.repeat(129)],
    [{ ...seedRow, enabled: 'yes' }, 'enabled', 'yes'],
    [{ ...seedRow, rollout_percentage: 150 }, 'rollout_percentage', 150],
    [{ ...seedRow, rollout_percentage: -1 }, 'rollout_percentage', -1],
    [{ ...seedRow, rollout_percentage: 1.234 }, 'rollout_percentage', 1.234],
    [{ ...seedRow, rollout_percentage: 'abc' }, 'rollout_percentage', 'abc'],
    [{ ...seedRow, rollout_percentage: Number.NaN }, 'rollout_percentage', Number.NaN],
    [
      { ...seedRow, rollout_percentage: Number.POSITIVE_INFINITY },
      'rollout_percentage',
      Number.POSITIVE_INFINITY,
    ],
    [{ ...seedRow, allowlist: ['ok', ''] }, 'allowlist[1]', ''],
    [{ ...seedRow, allowlist: [7] }, 'allowlist[0]', 7],
    [{ ...seedRow, allowlist: 'p1' }, 'allowlist', 'p1'],
    [{ ...seedRow, updated_at: 'yesterday' }, 'updatedAt', 'yesterday'],
    [{ ...seedRow, version: -3 }, 'version', -3],
  ])('rejects %j naming field %s', (input, field, value) => {
    const error = errorOf(() => parseFlag(input));
    expect(error.code).toBe('INVALID_FLAG');
    expect(error.field).toBe(field);
    expect(error.value).toEqual(value);
    expect(error.message).toContain(field);
  });

  it('rejects what is not an object', () => {
    for (const input of [null, 'flag', 3, []]) expect(errorOf(() => parseFlag(input)).field).toBe('flag');
  });
});

describe('parseRolloutPercentage', () => {
  it('accepts 0..100 in 0.01 steps, float noise included', () => {
    expect([0, 0.01, 0.29, 1, '5', 33.33, 100].map((v) => parseRolloutPercentage(v))).toEqual([
      0, 0.01, 0.29, 1, 5, 33.33, 100,
    ]);
  });

  it('rejects empty strings, booleans and strings that are not plain decimals', () => {
    for (const value of ['', ' ', true, null, undefined, '0x10', '1e1', '0b11', 'Infinity', '1,5', '1.5%']) {
      expect(() => parseRolloutPercentage(value)).toThrow(InvalidFlagError);
    }
  });
});

describe('parseFlagKey', () => {
  it('accepts the key pattern and rejects the rest', () => {
    expect(parseFlagKey('passenger_favorites_matching')).toBe('passenger_favorites_matching');
    expect(parseFlagKey('9.a-b_c')).toBe('9.a-b_c');
    for (const key of ['', '_a', 'A', 'a b', 'ação', 42])
      expect(() => parseFlagKey(key)).toThrow(InvalidFlagError);
  });
});
