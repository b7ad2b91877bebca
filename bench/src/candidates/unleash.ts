/**
 * unleash-client, offline: bootstrapped with the flag, no polling (`refreshInterval: 0`), no metrics,
 * in-memory storage, and a URL nothing listens on. Strategies in Unleash's order: `userWithId` for the
 * allowlist, then `flexibleRollout` at 1 % sticky on `userId` with groupId = flag key. Unleash's
 * normalized hash is our contract for whole percentages, so it must enable exactly our ids.
 */
import { once } from 'node:events';
import { InMemStorageProvider, Unleash } from 'unleash-client';
import type { Candidate } from '../candidate';
import type { Scenario } from '../scenario';

/** The unleash-client row. */
export async function unleash(scenario: Scenario): Promise<Candidate> {
  const client = new Unleash({
    appName: 'kaviar-bench',
    url: 'http://127.0.0.1:9/unleash-is-offline/',
    refreshInterval: 0,
    disableMetrics: true,
    skipInstanceCountWarning: true,
    storageProvider: new InMemStorageProvider(),
    bootstrap: {
      data: [
        {
          name: scenario.flagKey,
          enabled: true,
          type: 'release',
          project: 'default',
          stale: false,
          impressionData: false,
          variants: [],
          strategies: [
            { name: 'userWithId', parameters: { userIds: scenario.allowlist.join(',') }, constraints: [] },
            {
              name: 'flexibleRollout',
              parameters: {
                rollout: String(scenario.rolloutPercentage),
                stickiness: 'userId',
                groupId: scenario.flagKey,
              },
              constraints: [],
            },
          ],
        },
      ],
    },
  });
  client.on('error', () => {});
  client.on('warn', () => {});
  // Bootstrap data makes it ready without any network; a broken setup fails instead of hanging.
  await once(client, 'ready', { signal: AbortSignal.timeout(10_000) });
  const key = scenario.flagKey;
  return {
    name: 'unleash-client 6.12.1',
    kind: 'peer',
    call: 'sync',
    hash: 'contract',
    plan: { warmupIds: 100_000, idsPerRound: 125_000 },
    run(ids, from, to, decisions) {
      let on = 0;
      for (let i = from; i < to; i++) {
        const enabled = client.isEnabled(key, { userId: ids[i] });
        decisions[i] = enabled ? 1 : 0;
        if (enabled) on++;
      }
      return on;
    },
    close: async () => client.destroy(),
  };
}
