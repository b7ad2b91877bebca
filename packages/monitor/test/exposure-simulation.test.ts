/**
 * The exposure test under realistic traffic: 100,000 passengers whose activity is log-normal
 * (σ = 1.5, so a few are evaluated thousands of times), spread over 4 instances and 10 minutes,
 * counted by the core client (distinct subjects per 15 s flush, summed per instance and minute) and
 * written to `exposures` as the instances write them. A correctly configured 1 % flag must PASS and
 * clients serving 5 % must FAIL. Deterministic (seeded); the same setup over 200 seeds gave no false
 * FAIL (per-call counts FAIL it most of the time, distinct subjects without the overlap bound about
 * a third of the time).
 */
import { createFlagClient, createMemorySource, type ExposureCount } from '@kaviar/flags-core';
import type { FlagsDb } from '@kaviar/flags-pg';
import { expect, it } from 'vitest';
import { forEachDatabase } from '../../../test/support/databases';
import { guardLeaks } from '../../../test/support/leaks';
import { mulberry32 } from '../../../test/support/prng';
import { checkFlag } from '../src/index';
import { seedFlag } from './seed';

const KEY = 'passenger_favorites_matching';
const PASSENGERS = 100_000;
const INSTANCES = 4;
const MINUTES = 10;
const FLUSHES_PER_MINUTE = 4;

/** Calls of the busiest passenger in the last simulation. */
let busiest = 0;

interface Row {
  instanceId: string;
  minute: number;
  counts: Omit<ExposureCount, 'flagKey' | 'flagVersion'>;
}

/** Evaluates the traffic on clients that serve `rolloutPercentage`, returning one row per instance and minute. */
function simulate(rolloutPercentage: number, seed: number): Row[] {
  const rng = mulberry32(seed);
  busiest = 0;
  const slots = INSTANCES * MINUTES * FLUSHES_PER_MINUTE;
  const calls: number[][] = Array.from({ length: slots }, () => []);
  for (let p = 0; p < PASSENGERS; p++) {
    const gauss = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
    const activity = 3 * Math.exp(1.5 * gauss); // median 3 calls, the busiest few thousand
    const n = Math.floor(activity) + (rng() < activity % 1 ? 1 : 0);
    busiest = Math.max(busiest, n);
    for (let c = 0; c < n; c++) calls[Math.floor(rng() * slots)]?.push(p);
  }
  const source = createMemorySource([{ key: KEY, enabled: true, rolloutPercentage, allowlist: [] }]);
  const rows = new Map<string, Row>();
  for (let instance = 0; instance < INSTANCES; instance++) {
    const client = createFlagClient({ source, countExposures: true });
    for (let flush = 0; flush < MINUTES * FLUSHES_PER_MINUTE; flush++) {
      for (const p of calls[instance * MINUTES * FLUSHES_PER_MINUTE + flush] ?? []) {
        client.isEnabled(KEY, { id: p + 1 });
      }
      const minute = Math.floor(flush / FLUSHES_PER_MINUTE);
      const id = `backend-${instance + 1}:${minute}`;
      for (const count of client.takeExposures()) {
        const row = rows.get(id) ?? {
          instanceId: `backend-${instance + 1}`,
          minute,
          counts: { evaluations: 0, enabled: 0, allowlisted: 0, subjects: 0, subjectsEnabled: 0 },
        };
        const c = row.counts;
        row.counts = {
          evaluations: c.evaluations + count.evaluations,
          enabled: c.enabled + count.enabled,
          allowlisted: c.allowlisted + count.allowlisted,
          subjects: c.subjects + count.subjects,
          subjectsEnabled: c.subjectsEnabled + count.subjectsEnabled,
        };
        rows.set(id, row);
      }
    }
    void client.close();
  }
  return [...rows.values()];
}

async function write(db: FlagsDb, key: string, rows: readonly Row[]): Promise<void> {
  for (const { instanceId, minute, counts: c } of rows) {
    await db.query(
      `insert into ${db.ident}.exposures
         (flag_key, instance_id, flag_version, window_start, evaluations, enabled, allowlisted, subjects, subjects_enabled)
       select $1, $2, f.version, date_trunc('minute', now()) - make_interval(mins => $3), $4, $5, $6, $7, $8
       from ${db.ident}.flags f where f.key = $1`,
      [
        key,
        instanceId,
        MINUTES - minute,
        c.evaluations,
        c.enabled,
        c.allowlisted,
        c.subjects,
        c.subjectsEnabled,
      ],
    );
  }
}

const correct = simulate(1, 7);
const misconfigured = simulate(5, 7);

it('simulates heavy-tailed traffic: the busiest passenger is evaluated thousands of times', () => {
  expect(busiest).toBeGreaterThan(1_000);
});

guardLeaks();

forEachDatabase((getDb) => {
  it('passes a correctly configured 1 % flag under log-normal passenger activity', async () => {
    const db = getDb();
    await seedFlag(db, 'sim_ok');
    await write(db, 'sim_ok', correct);
    const checkpoint = await checkFlag(db, 'sim_ok', { settleMs: 0 });
    const finding = checkpoint.findings.find((f) => f.name === 'exposures');
    expect(finding?.status, finding?.message).toBe('PASS');
    expect(finding?.observed).toMatchObject({ windows: INSTANCES * MINUTES, dispersion: 1 });
  });

  it('fails clients that serve 5 % of the same traffic on a 1 % flag', async () => {
    const db = getDb();
    await seedFlag(db, 'sim_bad');
    await write(db, 'sim_bad', misconfigured);
    const checkpoint = await checkFlag(db, 'sim_bad', { settleMs: 0 });
    const finding = checkpoint.findings.find((f) => f.name === 'exposures');
    expect(finding?.status, finding?.message).toBe('FAIL');
    expect(finding?.message).toMatch(/^observed 4\.9\d+ % .* is inconsistent with rollout 1 %/);
  });
});
