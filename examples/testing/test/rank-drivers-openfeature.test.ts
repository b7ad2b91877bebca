import { createTestFlags } from '@kaviar/flags-core';
import { KaviarFlagsProvider } from '@kaviar/flags-openfeature';
import { type EventDetails, OpenFeature, ProviderEvents } from '@openfeature/server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAVORITES_FLAG, rankDrivers } from '../src/rank-drivers';
import { rankDriversOpenFeature } from '../src/rank-drivers-openfeature';

const drivers = [
  { id: 'far-favorite', distanceM: 900 },
  { id: 'near', distanceM: 100 },
  { id: 'mid', distanceM: 400 },
];
const passenger = (id: string) => ({ id, favoriteDriverIds: ['far-favorite'] });
const first = async (id: string, client: Parameters<typeof rankDriversOpenFeature>[2]) =>
  (await rankDriversOpenFeature(passenger(id), drivers, client))[0]?.id;

describe('rankDriversOpenFeature with the test kit behind KaviarFlagsProvider', () => {
  // The seed's configuration: enabled, 1 %, a few allowlisted beta passengers.
  const flags = createTestFlags({
    [FAVORITES_FLAG]: { enabled: true, rolloutPercentage: 1, allowlist: ['beta-1', 'beta-2'] },
  });
  // A domain of its own, so the test never touches the application's default provider.
  const client = OpenFeature.getClient('rank-drivers-test');

  beforeAll(async () => {
    await OpenFeature.setProviderAndWait('rank-drivers-test', new KaviarFlagsProvider(flags));
  });
  afterAll(async () => {
    await OpenFeature.clearProviders();
  });

  it('puts favourites first for an allowlisted passenger and inside the rollout, nearest first outside', async () => {
    const [inside] = flags.subjectsIn(FAVORITES_FLAG, 1, { prefix: 'passenger-' });
    const [outside] = flags.subjectsOut(FAVORITES_FLAG, 1, { prefix: 'passenger-' });
    expect(await first('beta-1', client)).toBe('far-favorite');
    expect(await first(inside ?? '', client)).toBe('far-favorite');
    expect(await first(outside ?? '', client)).toBe('near');
  });

  it('decides exactly as the isEnabled version for 5,000 passengers', async () => {
    const ids = Array.from({ length: 5000 }, (_, i) => `passenger-${i}`);
    const viaOpenFeature = await Promise.all(ids.map((id) => first(id, client)));
    const direct = ids.map((id) => rankDrivers(passenger(id), drivers, flags)[0]?.id);
    expect(viaOpenFeature).toEqual(direct);
    // Binomial(5000, 0.01): mean 50, sigma 7; 4 sigma is 28.
    const favored = viaOpenFeature.filter((id) => id === 'far-favorite').length;
    expect(Math.abs(favored - 50)).toBeLessThan(28);
  });

  it('follows a rollback made in the test, and the provider announces it', async () => {
    const changed: unknown[] = [];
    const onChange = (details?: EventDetails) => {
      changed.push(details?.flagsChanged);
    };
    client.addHandler(ProviderEvents.ConfigurationChanged, onChange);
    flags.set(FAVORITES_FLAG, { enabled: false });
    expect(await first('beta-2', client)).toBe('near');
    expect(changed).toEqual([[FAVORITES_FLAG]]);
    client.removeHandler(ProviderEvents.ConfigurationChanged, onChange);
    flags.set(FAVORITES_FLAG, { enabled: true });
    expect(await first('beta-2', client)).toBe('far-favorite');
  });

  it('falls back to the default (nearest first) for a passenger without an id', async () => {
    const details = await client.getBooleanDetails(FAVORITES_FLAG, false, { targetingKey: '' });
    expect(details).toMatchObject({ value: false, errorCode: 'TARGETING_KEY_MISSING' });
    expect(await first('', client)).toBe('near');
  });
});
