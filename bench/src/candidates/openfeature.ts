/**
 * @openfeature/server-sdk with its in-memory provider: a context evaluator does the same as our flag
 * (allowlist `Set.has`, then the bucket from murmurhash3js-revisited over UTF-8, below 1 %), so it must
 * enable exactly our ids and the row shows the cost of the OpenFeature API around it.
 * `getBooleanValue` returns a Promise: the row awaits each evaluation, as callers do.
 */
import { type EvaluationContext, OpenFeature, TypedInMemoryProvider } from '@openfeature/server-sdk';
import type { Candidate } from '../candidate';
import { bucketOfHash, type Scenario } from '../scenario';
import { createLibraryHash } from './murmur-baseline';
import { OPENFEATURE_PLAN, openFeatureLoop } from './openfeature-provider';

/** The OpenFeature row. */
export async function openFeature(scenario: Scenario): Promise<Candidate> {
  const hash = createLibraryHash(`${scenario.flagKey}:`);
  const allowlist = new Set(scenario.allowlist);
  const threshold = scenario.threshold;
  const evaluator = (context: EvaluationContext): 'on' | 'off' => {
    const id = context.targetingKey;
    if (id === undefined || id === '') return 'off';
    return allowlist.has(id) || bucketOfHash(hash(id)) < threshold ? 'on' : 'off';
  };
  // A domain of its own: the OpenFeature rows never share a provider.
  const domain = 'bench-in-memory-provider';
  await OpenFeature.setProviderAndWait(
    domain,
    new TypedInMemoryProvider({
      [scenario.flagKey]: {
        variants: { on: true, off: false },
        defaultVariant: 'off',
        disabled: false,
        contextEvaluator: evaluator,
      },
    }),
  );
  const client = OpenFeature.getClient(domain);
  const key = scenario.flagKey;
  return {
    name: '@openfeature/server-sdk 1.23.0, in-memory',
    kind: 'peer',
    openFeature: 'peer',
    call: 'async (await per evaluation)',
    hash: 'contract',
    plan: OPENFEATURE_PLAN,
    run: openFeatureLoop(client, key),
    close: () => OpenFeature.close(),
  };
}
