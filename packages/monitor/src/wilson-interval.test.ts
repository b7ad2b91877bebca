import { describe, expect, it } from 'vitest';
import { normalQuantile, wilsonInterval } from './wilson-interval';

describe('normalQuantile', () => {
  it('matches reference quantiles of the standard normal', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.9599639845400536, 8);
    expect(normalQuantile(0.9995)).toBeCloseTo(3.2905267314919255, 8);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.3263478740408408, 8);
    expect(normalQuantile(0.5)).toBe(0);
  });

  it('rejects probabilities outside (0, 1)', () => {
    expect(() => normalQuantile(0)).toThrow(RangeError);
    expect(() => normalQuantile(1)).toThrow(RangeError);
  });
});

describe('wilsonInterval', () => {
  it('matches the Wilson score interval computed independently', () => {
    const a = wilsonInterval(81, 263, 0.95);
    expect(a.low).toBeCloseTo(0.2552885198782743, 8);
    expect(a.high).toBeCloseTo(0.3662095769828001, 8);
    const b = wilsonInterval(110, 10_000, 0.999);
    expect(b.low).toBeCloseTo(0.008058117430057573, 8);
    expect(b.high).toBeCloseTo(0.014999673211616518, 8);
  });

  it('stays inside [0, 1] at the edges', () => {
    expect(wilsonInterval(0, 10, 0.95).low).toBe(0);
    expect(wilsonInterval(10, 10, 0.95).high).toBe(1);
  });

  it('rejects impossible counts', () => {
    expect(() => wilsonInterval(5, 0, 0.95)).toThrow(RangeError);
    expect(() => wilsonInterval(11, 10, 0.95)).toThrow(RangeError);
  });
});
