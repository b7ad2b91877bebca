import { InvalidOptionError } from '@kaviar/flags-core';

/**
 * The `limit` option of every read that returns the newest N rows (`listAudit`, the monitor's
 * `listCheckpoints` and `searchCheckpoints`): a positive integer, `fallback` when absent. Throws
 * `InvalidOptionError` naming `limit`. Shared through `./internal`.
 */
export function limitOption(value: number | undefined, fallback: number): number {
  const limit = value ?? fallback;
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new InvalidOptionError('limit', limit, 'must be a positive integer');
  }
  return limit;
}
