import { expect, it } from 'vitest';
import { formatPercent } from './format-percent';

it('prints a rollout as the number, a space and a percent sign', () => {
  expect([0, 1, 0.5, 12.25, 100].map(formatPercent)).toEqual(['0 %', '1 %', '0.5 %', '12.25 %', '100 %']);
});

it('prints anything but a number as is', () => {
  expect([undefined, null, '5'].map(formatPercent)).toEqual(['undefined', 'null', '5']);
});
