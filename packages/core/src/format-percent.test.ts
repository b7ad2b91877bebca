import { expect, it } from 'vitest';
import { formatPercent, formatShare } from './format-percent';

it('prints a rollout as the number, a space and a percent sign', () => {
  expect([0, 1, 0.5, 12.25, 100].map(formatPercent)).toEqual(['0 %', '1 %', '0.5 %', '12.25 %', '100 %']);
});

it('prints anything but a number as is', () => {
  expect([undefined, null, '5'].map(formatPercent)).toEqual(['undefined', 'null', '5']);
});

it('prints a share as a percentage rounded to the given decimals, without trailing zeros', () => {
  expect(formatShare(0.04912, 1)).toBe('4.9 %');
  expect(formatShare(0.999, 3)).toBe('99.9 %');
  expect(formatShare(0.0012345, 3)).toBe('0.123 %');
  expect(formatShare(0.0012355, 2)).toBe('0.12 %');
  expect(formatShare(0.05, 1)).toBe('5 %');
  expect(formatShare(0, 2)).toBe('0 %');
  expect(formatShare(1, 1)).toBe('100 %');
});
