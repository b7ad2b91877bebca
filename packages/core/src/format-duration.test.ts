import { describe, expect, it } from 'vitest';
import { formatDuration } from './format-duration';

describe('formatDuration', () => {
  it('writes at most two units, the largest first, as every package prints holds and ages', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(1_500)).toBe('1.5 s');
    expect(formatDuration(12_400)).toBe('12.4 s');
    expect(formatDuration(60_000)).toBe('1 min');
    expect(formatDuration(185_000)).toBe('3 min 5 s');
    expect(formatDuration(1_800_000)).toBe('30 min');
    expect(formatDuration(7_260_000)).toBe('2 h 1 min');
    expect(formatDuration(3_600_000 + 1_000)).toBe('1 h');
    expect(formatDuration(187_200_000)).toBe('2 d 4 h');
  });

  it('prints what is not a duration as it is', () => {
    expect(formatDuration(-5)).toBe('-5');
    expect(formatDuration(Number.NaN)).toBe('NaN');
  });
});
