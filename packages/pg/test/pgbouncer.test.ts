/**
 * The store through a real PgBouncer in transaction mode (`PGBOUNCER_URL`, started by `scripts/pgbouncer.sh`;
 * skipped without it, but under KAVIAR_FLAGS_REQUIRE_DB=1 the default 127.0.0.1:6432 is used and a missing
 * PgBouncer fails the run): polls and loads work without session
 * state or named prepared statements; a LISTEN through the pooler hears nothing, which the probe detects
 * (fallback to polling, reported once); `listenConnectionString` restores NOTIFY speed; a stall and killed
 * server connections behind the pooler are survived as on a direct connection.
 */

import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DATABASE_URL,
  dropTestDb,
  openTestDb,
  REQUIRE_DB,
  testAppName,
} from '../../../test/support/databases';
import { guardLeaks } from '../../../test/support/leaks';
import { startTcpProxy } from '../../../test/support/tcp-proxy';
import {
  addToAllowlist,
  createFlag,
  createPgFlags,
  deleteFlag,
  type FlagsDb,
  importAllowlist,
  openDb,
  removeFromAllowlist,
  updateFlag,
} from '../src/index';
import { loadAll, loadChanges } from '../src/source/load-flags';
import { expectCloseDespiteStall, expectStaleOnStall, plainFlags, testClients } from './support/clients';

guardLeaks();

/** `PGBOUNCER_URL`; under KAVIAR_FLAGS_REQUIRE_DB=1 it defaults to DATABASE_URL on port 6432 (scripts/pgbouncer.sh). */
function pgbouncerUrl(): string | undefined {
  if (process.env.PGBOUNCER_URL) return process.env.PGBOUNCER_URL;
  if (!REQUIRE_DB || DATABASE_URL === undefined) return undefined;
  const url = new URL(DATABASE_URL);
  url.port = '6432';
  return url.toString();
}

const PGBOUNCER_URL = pgbouncerUrl();
const actor = { actor: 'ops' };

if (PGBOUNCER_URL === undefined || DATABASE_URL === undefined) {
  if (REQUIRE_DB) {
    it('PGBOUNCER_URL and DATABASE_URL are set (KAVIAR_FLAGS_REQUIRE_DB=1; scripts/pgbouncer.sh starts one)', () => {
      throw new Error('KAVIAR_FLAGS_REQUIRE_DB=1 but PGBOUNCER_URL or DATABASE_URL is not set');
    });
  } else {
    describe.skip('PgBouncer (PGBOUNCER_URL not set; scripts/pgbouncer.sh starts one)', () => {
      it('skipped', () => {});
    });
  }
} else {
  const bouncer = PGBOUNCER_URL;
  describe('through PgBouncer in transaction mode', () => {
    let direct: FlagsDb;
    let pooled: FlagsDb;
    const open = testClients(() => ({ connectionString: bouncer, schema: direct.schema }));
    beforeAll(async () => {
      direct = await openTestDb('postgres'); // migrated on a direct connection
      pooled = await openDb({
        connectionString: bouncer,
        schema: direct.schema,
        applicationName: testAppName(),
      });
    });
    afterAll(async () => {
      await open.closeAll();
      await pooled?.close();
      if (!direct) return;
      // PgBouncer keeps its server connections for the next clients; these served ours (they carry our
      // application name) and would outlive the file: end them, so the leak guard sees only real leaks.
      await direct.query(
        `select pg_terminate_backend(pid) from pg_stat_activity
         where application_name like $1 || '%' and state = 'idle' and pid <> pg_backend_pid()`,
        [testAppName()],
      );
      await dropTestDb(direct);
    });

    it('the PgBouncer answers and pools in transaction mode', async () => {
      // Its admin console (simple protocol only) reports the mode.
      const admin = new pg.Client({ connectionString: bouncer.replace(/\/[^/]*$/, '/pgbouncer') });
      await admin.connect();
      try {
        const { rows } = await admin.query<{ key: string; value: string }>('SHOW CONFIG');
        expect(rows.find((r) => r.key === 'pool_mode')?.value).toBe('transaction');
      } finally {
        await admin.end();
      }
      const { rows } = await pooled.query<{ one: number }>('select 1 as one');
      expect(rows).toEqual([{ one: 1 }]);
    });

    it('incremental loads equal full loads through the pooler, whatever the changes', async () => {
      await createFlag(pooled, { key: 'pb.inc', enabled: true, rolloutPercentage: 1 }, actor);
      let base = await loadAll(pooled, pooled.ident);
      const steps = [
        () => updateFlag(pooled, 'pb.inc', { rolloutPercentage: 5 }, actor),
        () => addToAllowlist(pooled, 'pb.inc', ['p1', 'p2'], actor),
        () => removeFromAllowlist(pooled, 'pb.inc', ['p1'], actor),
        () => importAllowlist(pooled, 'pb.inc', ['p3', 'p4'], { ...actor, replace: true }),
        () => createFlag(pooled, { key: 'pb.other' }, actor),
        () => deleteFlag(pooled, 'pb.other', actor),
      ];
      for (const step of steps) {
        await step();
        const incremental = await loadChanges(pooled, pooled.ident, base.version, base.flags);
        const full = await loadAll(direct, direct.ident);
        expect(incremental?.version).toBe(full.version);
        expect(plainFlags(incremental!.flags)).toEqual(plainFlags(full.flags));
        base = incremental!;
      }
    });

    it('poll-only through the pooler: correct values, every change seen by polling, no direct connection', async () => {
      await createFlag(direct, { key: 'pb.poll', enabled: true, rolloutPercentage: 0 }, actor);
      const pollIntervalMs = 300;
      // Several clients share the pooler's server connections, as a fleet does.
      const fleet = Array.from({ length: 8 }, () => open({ listen: false, pollIntervalMs }));
      await Promise.all(fleet.map((c) => c.ready({ timeoutMs: 10_000 })));
      expect(fleet.every((c) => c.status().listen.state === 'off')).toBe(true);
      // Each change flips what the clients answer, so none can look current by chance.
      const steps = [
        {
          change: () => updateFlag(direct, 'pb.poll', { rolloutPercentage: 100 }, actor),
          subject: 'x',
          value: true,
        },
        {
          change: () => updateFlag(direct, 'pb.poll', { rolloutPercentage: 0 }, actor),
          subject: 'x',
          value: false,
        },
        { change: () => addToAllowlist(direct, 'pb.poll', ['vip'], actor), subject: 'vip', value: true },
        {
          change: () => removeFromAllowlist(direct, 'pb.poll', ['vip'], actor),
          subject: 'vip',
          value: false,
        },
      ];
      for (const { change, subject, value } of steps) {
        await change();
        const truth = await loadAll(direct, direct.ident);
        await expect
          .poll(
            () =>
              fleet.every(
                (c) => c.status().version === truth.version && c.isEnabled('pb.poll', subject) === value,
              ),
            { timeout: 10_000, interval: 5 },
          )
          .toBe(true);
        for (const c of fleet) {
          expect(plainFlags(c.snapshot()!.flags)).toEqual(plainFlags(truth.flags));
        }
      }
      expect(fleet.every((c) => c.status().state === 'ready' && c.status().lastError === undefined)).toBe(
        true,
      );
    });

    it('LISTEN through the pooler hears nothing: detected by the probe, reported once, polling carries on', async () => {
      await createFlag(direct, { key: 'pb.deaf', enabled: true, rolloutPercentage: 0 }, actor);
      const warnings: string[] = [];
      const client = open({
        listen: true,
        pollIntervalMs: 300,
        retryMinMs: 50,
        listenProbeTimeoutMs: 300,
        logger: { warn: (m) => warnings.push(m) },
      });
      await client.ready({ timeoutMs: 10_000 });
      await expect.poll(() => client.status().listen.state, { timeout: 10_000 }).toBe('unavailable');
      expect(client.status().listen.reason).toMatch(/probe NOTIFY did not come back within 300 ms/);
      expect(client.status().state).toBe('ready');
      // Retried with backoff meanwhile (50, 100, 200... ms), still said only once.
      await sleep(1500);
      expect(warnings.filter((w) => /probe NOTIFY did not come back/.test(w))).toHaveLength(1);
      expect(client.status().listen.state).toBe('unavailable');
      await updateFlag(direct, 'pb.deaf', { rolloutPercentage: 100 }, actor);
      await expect.poll(() => client.isEnabled('pb.deaf', 'x'), { timeout: 5000 }).toBe(true);
    });

    it('with listenConnectionString (direct), changes arrive by NOTIFY while everything else goes through the pooler', async () => {
      await createFlag(direct, { key: 'pb.notify', enabled: true, rolloutPercentage: 0 }, actor);
      const client = open({ listen: true, listenConnectionString: DATABASE_URL, pollIntervalMs: 600_000 });
      await client.ready({ timeoutMs: 10_000 });
      await expect.poll(() => client.status().listen.state, { timeout: 10_000 }).toBe('connected');
      // Polling is 10 minutes away: only NOTIFY can deliver these (the ceiling is for "never").
      for (let i = 1; i <= 5; i++) {
        await updateFlag(direct, 'pb.notify', { rolloutPercentage: i % 2 === 0 ? 0 : 100 }, actor);
        await expect
          .poll(() => client.isEnabled('pb.notify', 'x') === (i % 2 === 1), { timeout: 10_000, interval: 2 })
          .toBe(true);
      }
    });

    it('survives killed server connections behind the pooler: no exceptions, then current again', async () => {
      await createFlag(direct, { key: 'pb.kill', enabled: true, rolloutPercentage: 100 }, actor);
      const appName = testAppName(`pb-kill-${randomBytes(3).toString('hex')}`);
      const client = open({ appName, listen: false, pollIntervalMs: 100, retryMinMs: 20 });
      await client.ready({ timeoutMs: 10_000 });
      let exceptions = 0;
      for (let round = 0; round < 5; round++) {
        await direct.query(
          `select pg_terminate_backend(pid) from pg_stat_activity
           where application_name = $1 and pid <> pg_backend_pid()`,
          [appName],
        );
        for (let i = 0; i < 200; i++) {
          try {
            if (!client.isEnabled('pb.kill', `s-${i}`)) exceptions++; // wrong value counts too
          } catch {
            exceptions++;
          }
        }
        await sleep(150);
      }
      expect(exceptions).toBe(0);
      await updateFlag(direct, 'pb.kill', { enabled: false }, actor);
      await expect.poll(() => client.isEnabled('pb.kill', 'x', true), { timeout: 10_000 }).toBe(false);
      await expect.poll(() => client.status().state, { timeout: 10_000 }).toBe('ready');
    });

    it('a stalled path to the pooler is seen (the hung poll fails at queryTimeoutMs) and close() is bounded', async () => {
      await createFlag(direct, { key: 'pb.stall', enabled: true, rolloutPercentage: 100 }, actor);
      const proxy = await startTcpProxy(bouncer);
      const client = createPgFlags({
        connectionString: proxy.url,
        schema: direct.schema,
        appName: testAppName('pb-stall'),
        listen: false,
        pollIntervalMs: 300,
        queryTimeoutMs: 1000,
        heartbeat: false,
        countExposures: false,
      });
      try {
        await client.ready({ timeoutMs: 10_000 });
        await expectStaleOnStall(client, () => proxy.stall());
        expect(client.isEnabled('pb.stall', 'x')).toBe(true);
        await expectCloseDespiteStall(client);
      } finally {
        await client.close();
        await proxy.close();
      }
    });
  });
}
