import { createTestFlags, type Reason } from '@kaviar/flags-core';

/** The seed's flag: enabled, 1 % of passengers, plus 12 allowlisted passengers. */
export const FLAG_KEY = 'passenger_favorites_matching';
export const ALLOWLIST = Array.from(
  { length: 12 },
  (_, i) => `passenger-beta-${String(i + 1).padStart(2, '0')}`,
);

/** Who got the feature and why, over `passengers` passengers (the allowlist included). */
export interface RolloutReport {
  readonly passengers: number;
  readonly byReason: Readonly<Partial<Record<Reason, number>>>;
  readonly enabled: number;
  readonly sample: readonly { readonly id: string; readonly reason: Reason; readonly bucket?: number }[];
}

/** Evaluates the seed's flag for `count` generated passengers plus the allowlist, in memory. */
export function simulateRollout(count = 100_000, rolloutPercentage = 1): RolloutReport {
  const flags = createTestFlags({ [FLAG_KEY]: { enabled: true, rolloutPercentage, allowlist: ALLOWLIST } });
  const byReason: Partial<Record<Reason, number>> = {};
  const sample: { id: string; reason: Reason; bucket?: number }[] = [];
  let enabled = 0;
  const ids = [...ALLOWLIST, ...Array.from({ length: count }, (_, i) => `passenger-${i + 1}`)];
  for (const id of ids) {
    const result = flags.evaluate(FLAG_KEY, { id });
    byReason[result.reason] = (byReason[result.reason] ?? 0) + 1;
    if (result.enabled) {
      enabled++;
      if (sample.length < 20 && (result.reason === 'ROLLOUT' || sample.length < 3)) {
        sample.push({
          id,
          reason: result.reason,
          ...(result.bucket !== undefined && { bucket: result.bucket }),
        });
      }
    }
  }
  return { passengers: ids.length, byReason, enabled, sample };
}
