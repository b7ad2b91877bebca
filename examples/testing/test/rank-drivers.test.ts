import { createTestFlags } from '@kaviar/flags-core';
import { describe, expect, it } from 'vitest';
import { FAVORITES_FLAG, rankDrivers } from '../src/rank-drivers';

const drivers = [
  { id: 'far-favorite', distanceM: 900 },
  { id: 'near', distanceM: 100 },
  { id: 'mid', distanceM: 400 },
];
const passenger = (id: string) => ({ id, favoriteDriverIds: ['far-favorite'] });
const ids = (list: { id: string }[]) => list.map((d) => d.id);

describe('rankDrivers with the flag stubbed by the test kit', () => {
  // The seed's configuration: enabled, 1 %, a few allowlisted beta passengers.
  const flags = createTestFlags({
    [FAVORITES_FLAG]: { enabled: true, rolloutPercentage: 1, allowlist: ['beta-1', 'beta-2'] },
  });

  it('puts favourites first for an allowlisted passenger', () => {
    expect(ids(rankDrivers(passenger('beta-1'), drivers, flags))).toEqual(['far-favorite', 'near', 'mid']);
  });

  it('puts favourites first for a passenger inside the 1 % rollout, nearest first outside it', () => {
    const [inside] = flags.subjectsIn(FAVORITES_FLAG, 1, { prefix: 'passenger-' });
    const [outside] = flags.subjectsOut(FAVORITES_FLAG, 1, { prefix: 'passenger-' });
    expect(ids(rankDrivers(passenger(inside ?? ''), drivers, flags))).toEqual([
      'far-favorite',
      'near',
      'mid',
    ]);
    expect(ids(rankDrivers(passenger(outside ?? ''), drivers, flags))).toEqual([
      'near',
      'mid',
      'far-favorite',
    ]);
  });

  it('gives about 1 % of 20,000 passengers the feature, and raising the rollout only adds passengers', () => {
    const population = Array.from({ length: 20_000 }, (_, i) => `passenger-${i}`);
    const favored = (list: string[]) =>
      list.filter((id) => rankDrivers(passenger(id), drivers, flags)[0]?.id === 'far-favorite');
    const atOne = favored(population);
    // Binomial(20000, 0.01): mean 200, sigma 14.1; 4 sigma is 56.
    expect(Math.abs(atOne.length - 200)).toBeLessThan(56);
    flags.set(FAVORITES_FLAG, { rolloutPercentage: 5 });
    const atFive = new Set(favored(population));
    expect(Math.abs(atFive.size - 1000)).toBeLessThan(4 * Math.sqrt(20_000 * 0.05 * 0.95));
    expect(atOne.every((id) => atFive.has(id))).toBe(true);
    flags.set(FAVORITES_FLAG, { rolloutPercentage: 1 });
  });

  it('rolls back: at 0 % only the allowlist keeps it, disabled nobody does', () => {
    flags.set(FAVORITES_FLAG, { rolloutPercentage: 0 });
    const [formerlyInside] = createTestFlags({ [FAVORITES_FLAG]: { rolloutPercentage: 1 } }).subjectsIn(
      FAVORITES_FLAG,
      1,
    );
    expect(ids(rankDrivers(passenger(formerlyInside ?? ''), drivers, flags))[0]).toBe('near');
    expect(ids(rankDrivers(passenger('beta-2'), drivers, flags))[0]).toBe('far-favorite');
    flags.set(FAVORITES_FLAG, { enabled: false });
    expect(ids(rankDrivers(passenger('beta-2'), drivers, flags))[0]).toBe('near');
  });
});
