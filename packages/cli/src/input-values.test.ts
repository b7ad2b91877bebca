import { describe, expect, it } from 'vitest';
import { UsageError } from './cli-errors';
import {
  parseBooleanArg,
  parseDurationArg,
  parseFlagKeyArg,
  parseIntegerArg,
  parseRolloutArg,
  parseSinceArg,
  parseTimeZoneArg,
} from './input-values';

describe('command-line values', () => {
  it('accepts rollouts 0..100 with two decimals and rejects the rest with USAGE', () => {
    expect(parseRolloutArg('1', 'rollout', 'set')).toBe(1);
    expect(parseRolloutArg('12.25', 'rollout', 'set')).toBe(12.25);
    expect(parseRolloutArg('100', 'rollout', 'set')).toBe(100);
    for (const bad of ['150', '-1', 'abc', '1.234', '', 'NaN', 'Infinity']) {
      expect(() => parseRolloutArg(bad, 'rollout', 'set'), bad).toThrow(UsageError);
    }
    expect(() => parseRolloutArg('150', 'rollout', 'set')).toThrow(
      '--rollout: "150" must be between 0 and 100',
    );
    expect(() => parseRolloutArg('1.234', 'rollout', 'set')).toThrow(/at most two decimals/);
  });

  it('validates flag keys', () => {
    expect(parseFlagKeyArg('passenger_favorites_matching', 'set')).toBe('passenger_favorites_matching');
    expect(() => parseFlagKeyArg('Bad Key', 'set')).toThrow(/Invalid flag key "Bad Key"/);
    expect(() => parseFlagKeyArg(undefined, 'set')).toThrow(/Missing the flag key/);
  });

  it('parses booleans, integers, durations, zones and since', () => {
    expect(parseBooleanArg('true', 'enabled', 'set')).toBe(true);
    expect(parseBooleanArg('false', 'enabled', 'set')).toBe(false);
    // Exactly what --help shows (true|false): no yes/on/1 aliases.
    for (const other of ['TRUE', 'off', 'yes', '1', ' true'])
      expect(() => parseBooleanArg(other, 'enabled', 'set')).toThrow(/must be true or false/);
    expect(() => parseBooleanArg('maybe', 'enabled', 'set')).toThrow(/must be true or false/);
    expect(parseIntegerArg('12', 'last', 'history', 1)).toBe(12);
    expect(() => parseIntegerArg('0', 'last', 'history', 1)).toThrow(/>= 1/);
    expect(() => parseIntegerArg('1.5', 'last', 'history')).toThrow(UsageError);
    expect(parseDurationArg('10s', 'settle', 'check')).toBe(10_000);
    expect(parseDurationArg('250ms', 'settle', 'check')).toBe(250);
    expect(parseDurationArg('2m', 'settle', 'check')).toBe(120_000);
    expect(parseDurationArg('3', 'settle', 'check')).toBe(3000);
    expect(() => parseDurationArg('soon', 'settle', 'check')).toThrow(/duration/);
    expect(parseTimeZoneArg('America/Sao_Paulo', 'status')).toBe('America/Sao_Paulo');
    expect(() => parseTimeZoneArg('Mars/Olympus', 'status')).toThrow(/unknown time zone/);
    expect(parseSinceArg('2h', 'history', 10_000_000).getTime()).toBe(10_000_000 - 7_200_000);
    expect(parseSinceArg('2026-02-03T10:00:00Z', 'history').toISOString()).toBe('2026-02-03T10:00:00.000Z');
    expect(() => parseSinceArg('yesterday', 'history')).toThrow(UsageError);
  });
});
