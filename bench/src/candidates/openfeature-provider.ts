/**
 * Two rows through the OpenFeature server SDK, beside its in-memory provider (`openfeature.ts`):
 * - ours: `KaviarFlagsProvider` from `@kaviar/flags-openfeature` (the built package) over our client on a
 *   memory source, so every evaluation is our `evaluate()` plus the resolution object;
 * - the OpenFeature floor: a provider that returns one constant resolution, through the same client API.
 *   What is left is the SDK's own cost (context merging, hooks, a Promise per call); ours over the floor
 *   is what our provider adds.
 * Each row binds its provider to a domain of its own, so the rows never share a provider. Calls await
 * `getBooleanValue`, as callers do.
 */
import { createFlagClient, createMemorySource } from '@kaviar/flags-core';
import { KaviarFlagsProvider } from '@kaviar/flags-openfeature';
import { type Client, OpenFeature, type Provider, type ResolutionDetails } from '@openfeature/server-sdk';
import type { Candidate, Plan } from '../candidate';
import type { Scenario } from '../scenario';

/** Every OpenFeature row evaluates the same slices, so their paired ratios compare like with like. */
export const OPENFEATURE_PLAN: Plan = { warmupIds: 20_000, idsPerRound: 25_000 };

/** The timed loop of every OpenFeature row: one awaited `getBooleanValue` per id, as its users call it. */
export function openFeatureLoop(client: Client, key: string): Candidate['run'] {
  return async (ids, from, to, decisions) => {
    let on = 0;
    for (let i = from; i < to; i++) {
      const enabled = await client.getBooleanValue(key, false, { targetingKey: ids[i] as string });
      decisions[i] = enabled ? 1 : 0;
      if (enabled) on++;
    }
    return on;
  };
}

/** Our provider through the OpenFeature client. */
export async function oursOpenFeature(scenario: Scenario): Promise<Candidate> {
  const flags = createFlagClient({
    source: createMemorySource([
      {
        key: scenario.flagKey,
        enabled: true,
        rolloutPercentage: scenario.rolloutPercentage,
        allowlist: scenario.allowlist,
      },
    ]),
  });
  const domain = 'bench-kaviar-provider';
  await OpenFeature.setProviderAndWait(domain, new KaviarFlagsProvider(flags));
  return {
    name: 'ours via OpenFeature (KaviarFlagsProvider)',
    kind: 'baseline',
    openFeature: 'ours',
    call: 'async (await per evaluation)',
    hash: 'contract',
    plan: OPENFEATURE_PLAN,
    run: openFeatureLoop(OpenFeature.getClient(domain), scenario.flagKey),
    close: () => flags.close(),
  };
}

/** Always `false`, the same object every time: the least a provider can do. */
class ConstantProvider implements Provider {
  readonly metadata = { name: 'constant' } as const;
  readonly runsOn = 'server' as const;
  private readonly resolution = { value: false, variant: 'off', reason: 'STATIC' } as const;
  async resolveBooleanEvaluation(): Promise<ResolutionDetails<boolean>> {
    return this.resolution;
  }
  async resolveStringEvaluation(_: string, value: string): Promise<ResolutionDetails<string>> {
    return { value };
  }
  async resolveNumberEvaluation(_: string, value: number): Promise<ResolutionDetails<number>> {
    return { value };
  }
  async resolveObjectEvaluation<T>(_: string, value: T): Promise<ResolutionDetails<T>> {
    return { value };
  }
}

/** The OpenFeature floor: a constant provider through the same client API. */
export async function openFeatureFloor(scenario: Scenario): Promise<Candidate> {
  const domain = 'bench-constant-provider';
  await OpenFeature.setProviderAndWait(domain, new ConstantProvider());
  return {
    name: 'OpenFeature floor: constant provider',
    kind: 'baseline',
    openFeature: 'floor',
    call: 'async (await per evaluation)',
    hash: 'none',
    plan: OPENFEATURE_PLAN,
    run: openFeatureLoop(OpenFeature.getClient(domain), scenario.flagKey),
    close: async () => {},
  };
}
