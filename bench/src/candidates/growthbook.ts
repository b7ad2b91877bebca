/**
 * @growthbook/growthbook, offline: the multi-user `GrowthBookClient` initialised synchronously from a
 * payload (no client key, no network). The feature defaults to off, a force rule turns it on for the
 * allowlist (`id $in [...]`), and a rollout rule forces it on for `coverage: 0.01` hashed on `id`.
 * GrowthBook hashes with its own FNV-based function (version 2, the one GrowthBook recommends), so
 * only the share of ids must match.
 */
import { GrowthBookClient } from '@growthbook/growthbook';
import type { Candidate } from '../candidate';
import type { Scenario } from '../scenario';

/** The GrowthBook row. */
export async function growthbook(scenario: Scenario): Promise<Candidate> {
  const client = new GrowthBookClient();
  client.initSync({
    payload: {
      features: {
        [scenario.flagKey]: {
          defaultValue: false,
          rules: [
            { condition: { id: { $in: [...scenario.allowlist] } }, force: true },
            { force: true, coverage: scenario.rolloutPercentage / 100, hashAttribute: 'id', hashVersion: 2 },
          ],
        },
      },
    },
  });
  const key = scenario.flagKey;
  return {
    name: '@growthbook/growthbook 1.8.0',
    kind: 'peer',
    call: 'sync',
    hash: 'own',
    plan: { warmupIds: 100_000, idsPerRound: 125_000 },
    run(ids, from, to, decisions) {
      let on = 0;
      for (let i = from; i < to; i++) {
        const enabled = client.isOn(key, { attributes: { id: ids[i] } });
        decisions[i] = enabled ? 1 : 0;
        if (enabled) on++;
      }
      return on;
    },
    close: async () => client.destroy(),
  };
}
