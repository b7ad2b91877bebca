/**
 * @launchdarkly/node-server-sdk, offline: the SDK's `TestData` source (no network), events off. The flag
 * is preconfigured as LaunchDarkly stores it: individual targets for the allowlist, then a fallthrough
 * rollout of 1 % (weight 1000 of 100000) to `true`. LaunchDarkly buckets with SHA-1 of
 * `flagKey.salt.key`, so only the share of ids must match. `boolVariation` returns a Promise: the row
 * awaits each evaluation, as callers do.
 */
import { basicLogger, init } from '@launchdarkly/node-server-sdk';
import { TestData } from '@launchdarkly/node-server-sdk/integrations';
import type { Candidate } from '../candidate';
import type { Scenario } from '../scenario';

/** The LaunchDarkly row. */
export async function launchDarkly(scenario: Scenario): Promise<Candidate> {
  const data = new TestData();
  const onWeight = Math.round(scenario.rolloutPercentage * 1000);
  await data.usePreconfiguredFlag({
    key: scenario.flagKey,
    version: 1,
    on: true,
    variations: [true, false],
    offVariation: 1,
    targets: [{ variation: 0, values: [...scenario.allowlist] }],
    contextTargets: [],
    rules: [],
    prerequisites: [],
    fallthrough: {
      rollout: {
        variations: [
          { variation: 0, weight: onWeight },
          { variation: 1, weight: 100_000 - onWeight },
        ],
      },
    },
    salt: 'kaviar-bench',
    trackEvents: false,
    trackEventsFallthrough: false,
    clientSide: false,
    deleted: false,
  });
  const client = init('sdk-key-unused-offline', {
    updateProcessor: data.getFactory(),
    sendEvents: false,
    diagnosticOptOut: true,
    logger: basicLogger({ level: 'none' }),
  });
  await client.waitForInitialization({ timeout: 10 });
  const key = scenario.flagKey;
  return {
    name: '@launchdarkly/node-server-sdk 9.13.7',
    kind: 'peer',
    call: 'async (await per evaluation)',
    hash: 'own',
    plan: { warmupIds: 100_000, idsPerRound: 125_000 },
    async run(ids, from, to, decisions) {
      let on = 0;
      for (let i = from; i < to; i++) {
        const enabled = await client.boolVariation(key, { kind: 'user', key: ids[i] as string }, false);
        decisions[i] = enabled ? 1 : 0;
        if (enabled) on++;
      }
      return on;
    },
    close: async () => client.close(),
  };
}
