/**
 * Ours: `client.isEnabled(flagKey, passengerId)` on a `createFlagClient` over a memory source, imported
 * from `@kaviar/flags-core` as users get it (the built package through node_modules).
 */
import { createFlagClient, createMemorySource } from '@kaviar/flags-core';
import { type Candidate, FULL_PLAN } from '../candidate';
import type { Scenario } from '../scenario';

function createOurs(scenario: Scenario, countExposures: boolean): Candidate {
  const client = createFlagClient({
    source: createMemorySource([
      {
        key: scenario.flagKey,
        enabled: true,
        rolloutPercentage: scenario.rolloutPercentage,
        allowlist: scenario.allowlist,
      },
    ]),
    countExposures,
  });
  const key = scenario.flagKey;
  return {
    name: countExposures ? 'ours, countExposures: true' : 'ours (@kaviar/flags-core)',
    kind: countExposures ? 'baseline' : 'ours',
    call: 'sync',
    hash: 'contract',
    plan: FULL_PLAN(scenario.ids.length),
    run(ids, from, to, decisions) {
      let on = 0;
      for (let i = from; i < to; i++) {
        const enabled = client.isEnabled(key, ids[i]);
        decisions[i] = enabled ? 1 : 0;
        if (enabled) on++;
      }
      // Counting is per evaluation; drain it so the counters never grow past a round.
      if (countExposures) client.takeExposures();
      return on;
    },
    close: () => client.close(),
  };
}

/** Our client with default options (no exposure counting): the row every ratio is taken against. */
export async function ours(scenario: Scenario): Promise<Candidate> {
  return createOurs(scenario, false);
}

/** Our client counting exposures, as the Postgres client does for the monitor. */
export async function oursCounting(scenario: Scenario): Promise<Candidate> {
  return createOurs(scenario, true);
}
