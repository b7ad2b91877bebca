import type { FlagClient, Subject } from '@kaviar/flags-core';

/** The flag that turns on favourite-driver matching. */
export const FAVORITES_FLAG = 'passenger_favorites_matching';

/** A driver near the passenger. */
export interface Driver {
  readonly id: string;
  /** Distance to the passenger in metres. */
  readonly distanceM: number;
}

/** A passenger and the drivers they marked as favourites. */
export interface Passenger {
  readonly id: string;
  readonly favoriteDriverIds: readonly string[];
}

/**
 * A backend function behind a flag: ranks nearby drivers for a passenger. With
 * `passenger_favorites_matching` on for this passenger, their favourite drivers come first (nearest
 * first among them); otherwise, the nearest driver first. Takes the flag client as a parameter, so
 * tests pass the test kit instead of a database.
 */
export function rankDrivers(
  passenger: Passenger,
  drivers: readonly Driver[],
  flags: Pick<FlagClient, 'isEnabled'>,
): Driver[] {
  const subject: Subject = { id: passenger.id };
  return orderDrivers(passenger, drivers, flags.isEnabled(FAVORITES_FLAG, subject));
}

/** The ranking itself: nearest first, with the passenger's favourites ahead when `favoritesFirst`. */
export function orderDrivers(
  passenger: Passenger,
  drivers: readonly Driver[],
  favoritesFirst: boolean,
): Driver[] {
  const byDistance = [...drivers].sort((a, b) => a.distanceM - b.distanceM);
  if (!favoritesFirst) return byDistance;
  const favorites = new Set(passenger.favoriteDriverIds);
  return [
    ...byDistance.filter((d) => favorites.has(d.id)),
    ...byDistance.filter((d) => !favorites.has(d.id)),
  ];
}
