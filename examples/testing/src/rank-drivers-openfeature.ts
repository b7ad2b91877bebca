import type { Client } from '@openfeature/server-sdk';
import { type Driver, FAVORITES_FLAG, orderDrivers, type Passenger } from './rank-drivers';

/**
 * The same backend function for a codebase that asks OpenFeature: the decision comes from
 * `getBooleanValue` with the passenger id as `targetingKey`. Takes the OpenFeature client as a
 * parameter, so tests bind the test kit through `KaviarFlagsProvider` instead of a database.
 */
export async function rankDriversOpenFeature(
  passenger: Passenger,
  drivers: readonly Driver[],
  client: Pick<Client, 'getBooleanValue'>,
): Promise<Driver[]> {
  const favoritesFirst = await client.getBooleanValue(FAVORITES_FLAG, false, { targetingKey: passenger.id });
  return orderDrivers(passenger, drivers, favoritesFirst);
}
