/**
 * The floor: what `isEnabled` cannot beat in JavaScript. MurmurHash3 with the `flagKey:` prefix hashed
 * once and only the subject's bytes mixed per call, the bucket, and a `Set.has` for the allowlist.
 * No flag lookup, no options, no error handling.
 */
import { type Candidate, FULL_PLAN } from '../candidate';
import { createPrefixHash } from '../floor-hash';
import { bucketOfHash, type Scenario } from '../scenario';

/** The floor row. */
export async function floor(scenario: Scenario): Promise<Candidate> {
  const hash = createPrefixHash(`${scenario.flagKey}:`);
  const allowlist = new Set(scenario.allowlist);
  const threshold = scenario.threshold;
  return {
    name: 'floor: prefix MurmurHash3 + Set.has',
    kind: 'baseline',
    call: 'sync',
    hash: 'contract',
    plan: FULL_PLAN(scenario.ids.length),
    run(ids, from, to, decisions) {
      let on = 0;
      for (let i = from; i < to; i++) {
        const id = ids[i] as string;
        const enabled = allowlist.has(id) || bucketOfHash(hash(id)) < threshold;
        decisions[i] = enabled ? 1 : 0;
        if (enabled) on++;
      }
      return on;
    },
    close: async () => {},
  };
}
