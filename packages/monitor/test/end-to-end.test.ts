import { createPgFlags, type FlagsDb, type PgFlagsClient } from '@kaviar/flags-pg';
import { afterEach, expect, it } from 'vitest';
import { forEachDatabase } from '../../../test/support/databases';
import { guardLeaks } from '../../../test/support/leaks';
import { checkFlag } from '../src/index';
import { seedFlag, setRollout } from './seed';

const KEY = 'passenger_favorites_matching';
const SUBJECTS = 100_000;

/** Waits until the instances flushed `total` evaluations of the flag at `version` or later. */
async function flushed(db: FlagsDb, total: number, version: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const { rows } = await db.query<{ n: number }>(
      `select coalesce(sum(evaluations), 0)::float8 as n from ${db.ident}.exposures where flag_key = $1 and flag_version >= $2`,
      [KEY, version],
    );
    if (Number(rows[0]?.n) === total) return;
    if (Date.now() > deadline) throw new Error(`exposures never reached ${total} (at ${rows[0]?.n})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The distinct subjects counted match the passengers evaluated: the client tells subjects apart by 30
 * bits of their hash, so a handful of the 99,988 may collide and be counted once.
 */
function expectDistinct(observed: unknown, inRollout: number): void {
  const { trials, successes } = observed as { trials: number; successes: number };
  expect(trials).toBeLessThanOrEqual(SUBJECTS - 12);
  expect(trials).toBeGreaterThan(SUBJECTS - 12 - 20);
  expect(successes).toBeLessThanOrEqual(inRollout);
  expect(successes).toBeGreaterThan(inRollout - 5);
}

/** Evaluates passengers 1..SUBJECTS, alternating between the clients; returns how many got it outside the allowlist. */
function evaluateAll(clients: PgFlagsClient[], allowlist: ReadonlySet<string>): number {
  let inRollout = 0;
  for (let i = 1; i <= SUBJECTS; i++) {
    const id = `passenger-${i}`;
    const client = clients[i % clients.length] as PgFlagsClient;
    if (client.isEnabled(KEY, { id }) && !allowlist.has(id)) inRollout++;
  }
  return inRollout;
}

guardLeaks();

forEachDatabase((getDb) => {
  let clients: PgFlagsClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.map((c) => c.close()));
    clients = [];
  });

  it('checks a flag from the heartbeats and exposure counts of real clients', async () => {
    const db = getDb();
    const allowlist = new Set(await seedFlag(db, KEY));
    clients = ['api-1', 'api-2'].map((instanceId) =>
      createPgFlags({
        db,
        instanceId,
        appName: 'kaviar-backend',
        pollIntervalMs: 100,
        heartbeatIntervalMs: 100,
      }),
    );
    await Promise.all(clients.map((c) => c.ready({ timeoutMs: 10_000 })));
    const v1 = clients[0]?.status().version ?? 0;

    const at1 = evaluateAll(clients, allowlist);
    await flushed(db, SUBJECTS, v1);
    const pass = await checkFlag(db, KEY, {
      expect: { enabled: true, rolloutPercentage: 1, allowlistSize: 12 },
      settleMs: 1_000,
    });
    expect(pass.findings.map((f) => [f.name, f.status])).toEqual([
      ['exists', 'PASS'],
      ['enabled', 'PASS'],
      ['rollout', 'PASS'],
      ['allowlist', 'PASS'],
      ['propagation', 'PASS'],
      ['exposures', 'PASS'],
    ]);
    expect(pass.status).toBe('PASS');
    expect(pass.findings[4]?.message).toBe(`all 2 live instances serve version ${v1} or later`);
    expect(pass.findings[5]?.observed).toMatchObject({
      evaluations: SUBJECTS,
      allowlisted: 12,
      instances: 2,
    });
    expectDistinct(pass.findings[5]?.observed, at1);

    // Ramp to 5 %: the clients load it, new counts are kept apart from the 1 % ones.
    const ramp = await setRollout(db, KEY, 5, 'alice', 'phase 3');
    await Promise.all(clients.map((c) => c.refresh()));
    expect(clients.map((c) => c.status().version)).toEqual([ramp.version, ramp.version]);
    const at5 = evaluateAll(clients, allowlist);
    await flushed(db, SUBJECTS, ramp.version ?? 0);
    const stillExpecting1 = await checkFlag(db, KEY, { expect: { rolloutPercentage: 1 }, settleMs: 200 });
    expect(stillExpecting1.status).toBe('FAIL');
    expect(stillExpecting1.findings.find((f) => f.name === 'rollout')?.message).toContain(
      'set from 1 % to 5 % by alice',
    );
    const ramped = await checkFlag(db, KEY, { expect: { rolloutPercentage: 5 }, settleMs: 1_000 });
    expect(ramped.status).toBe('PASS');
    expect(ramped.findings.find((f) => f.name === 'exposures')?.observed).toMatchObject({
      evaluations: SUBJECTS,
      fromVersion: ramp.version,
    });
    expectDistinct(ramped.findings.find((f) => f.name === 'exposures')?.observed, at5);
    expect(at5).toBeGreaterThan(at1);
  });
});
