/**
 * Ours as a production backend runs it: `createPgFlags` from `@kaviar/flags-pg` (built package) over an
 * in-memory PGlite database holding the flag and its allowlist, with the defaults (exposure counting
 * on; polling and heartbeat run between rounds, as they run between requests). `isEnabled` is the same
 * client as `ours`; this row shows what the store around it costs on the hot path.
 */
import { addToAllowlist, createFlag, createPgFlags, type FlagsDb, migrate, openDb } from '@kaviar/flags-pg';
import { type Candidate, FULL_PLAN } from '../candidate';
import type { Scenario } from '../scenario';

/** The createPgFlags row. */
export async function oursPg(scenario: Scenario): Promise<Candidate> {
  const db: FlagsDb = await openDb({ pglite: 'memory://' });
  await migrate(db);
  const actor = { actor: 'kaviar-bench' };
  await createFlag(
    db,
    { key: scenario.flagKey, enabled: true, rolloutPercentage: scenario.rolloutPercentage },
    actor,
  );
  await addToAllowlist(db, scenario.flagKey, scenario.allowlist, actor);
  const client = createPgFlags({ db, appName: 'kaviar-bench', pollIntervalMs: 1000 });
  await client.ready({ timeoutMs: 10_000 });
  const key = scenario.flagKey;
  return {
    name: 'ours, createPgFlags on PGlite',
    kind: 'baseline',
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
      return on;
    },
    async close() {
      await client.close();
      await db.close();
    },
  };
}
