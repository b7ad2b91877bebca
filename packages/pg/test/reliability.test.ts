/**
 * Reliability on a real server: connection loss while evaluating, a change committed while the listener is
 * down, concurrent compare-and-set. Outages are simulated with pg_terminate_backend on this file's own
 * connections (by application_name) and with a TCP proxy the test cuts, never by restarting the shared server.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, expect, it } from 'vitest';
import { DATABASE_URL, forEachDatabase, testAppName } from '../../../test/support/databases';
import { guardLeaks } from '../../../test/support/leaks';
import { startTcpProxy } from '../../../test/support/tcp-proxy';
import {
  ConflictError,
  createFlag,
  createPgFlags,
  DatabaseUnavailableError,
  type FlagsDb,
  listAudit,
  type PgFlagsClient,
  updateFlag,
} from '../src/index';

guardLeaks();

const actor = { actor: 'ops' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function terminate(db: FlagsDb, appName: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `select count(*)::int as n from (select pg_terminate_backend(pid) from pg_stat_activity
     where application_name like $1 || '%' and pid <> pg_backend_pid()) t`,
    [appName],
  );
  return rows[0]?.n ?? 0;
}

forEachDatabase(
  (getDb, ctx) => {
    const clients: PgFlagsClient[] = [];
    afterAll(async () => {
      await Promise.all(clients.map((c) => c.close()));
    });
    const open = (appName: string, options: object) => {
      const client = createPgFlags({
        ...ctx.openOptions(),
        appName,
        heartbeat: false,
        exposures: false,
        ...options,
      });
      clients.push(client);
      return client;
    };

    it('keeps serving through an outage: no exceptions, stale with its age, a change after recovery seen within a poll', async () => {
      const db = getDb();
      await createFlag(db, { key: 'rel.outage', enabled: true, rolloutPercentage: 50 }, actor);
      const proxy = await startTcpProxy(DATABASE_URL!);
      const pollIntervalMs = 200;
      const client = createPgFlags({
        connectionString: proxy.url,
        schema: ctx.schema(),
        appName: testAppName('outage'),
        pollIntervalMs,
        retryMinMs: 20,
        heartbeat: false,
        exposures: false,
      });
      clients.push(client);
      try {
        await client.ready({ timeoutMs: 10_000 });
        const expected = client.isEnabled('rel.outage', 'subject-1');
        let evaluations = 0;
        let exceptions = 0;
        let wrong = 0;
        let maxStaleAgeMs = 0;
        const errors: Error[] = [];
        client.on('error', (e) => errors.push(e.error));
        let running = true;
        const loop = (async () => {
          while (running) {
            try {
              for (let i = 0; i < 1000; i++) {
                evaluations++;
                if (client.isEnabled('rel.outage', 'subject-1') !== expected) wrong++;
              }
              const evaluation = client.evaluate('rel.outage', 'subject-1');
              if (evaluation.stale) maxStaleAgeMs = Math.max(maxStaleAgeMs, evaluation.ageMs);
            } catch {
              exceptions++;
            }
            await sleep(1);
          }
        })();
        await proxy.cut();
        await expect.poll(() => client.status().state, { timeout: 5000 }).toBe('stale');
        await sleep(600);
        expect(client.status().lastError).toBeInstanceOf(DatabaseUnavailableError);
        await proxy.restore();
        await expect.poll(() => client.status().state, { timeout: 5000 }).toBe('ready');
        // A change right after recovery is seen within about one poll interval (plus jitter).
        const changedAt = Date.now();
        await updateFlag(db, 'rel.outage', { enabled: false }, actor);
        await expect
          .poll(() => client.isEnabled('rel.outage', 'subject-1'), { timeout: 5000, interval: 5 })
          .toBe(false);
        const seenAfterMs = Date.now() - changedAt;
        running = false;
        await loop;
        expect(exceptions).toBe(0);
        expect(wrong).toBe(0);
        expect(evaluations).toBeGreaterThan(10_000);
        expect(maxStaleAgeMs).toBeGreaterThanOrEqual(500);
        expect(errors.some((e) => e instanceof DatabaseUnavailableError)).toBe(true);
        expect(seenAfterMs).toBeLessThan(pollIntervalMs * 1.1 + 1000);
      } finally {
        await client.close();
        await proxy.close();
      }
    });

    it('does not lose a change committed while the listener is disconnected', async () => {
      const db = getDb();
      await createFlag(db, { key: 'rel.listen', enabled: true, rolloutPercentage: 0 }, actor);
      const appName = testAppName(`rel-${randomBytes(4).toString('hex')}`);
      // Polling is effectively off, so only the listener (and its resync on reconnect) can deliver.
      const client = open(appName, { pollIntervalMs: 600_000, retryMinMs: 50 });
      await client.ready({ timeoutMs: 10_000 });
      const listenerUp = async () => {
        const { rows } = await db.query(
          `select 1 from pg_stat_activity where application_name = $1 || '-listen'`,
          [appName],
        );
        return rows.length;
      };
      await expect.poll(listenerUp, { timeout: 5000 }).toBe(1);
      expect(await terminate(db, `${appName}-listen`)).toBe(1);
      await updateFlag(db, 'rel.listen', { rolloutPercentage: 100 }, actor);
      await expect.poll(() => client.isEnabled('rel.listen', 'anyone'), { timeout: 10_000 }).toBe(true);
    });

    it('two concurrent compare-and-set updates: exactly one wins, the audit has exactly that change', async () => {
      const db = getDb();
      await createFlag(db, { key: 'rel.cas', enabled: true, rolloutPercentage: 1 }, actor);
      const results = await Promise.allSettled([
        updateFlag(
          db,
          'rel.cas',
          { rolloutPercentage: 5 },
          { actor: 'ana', expect: { rolloutPercentage: 1 } },
        ),
        updateFlag(
          db,
          'rel.cas',
          { rolloutPercentage: 0 },
          { actor: 'bob', expect: { rolloutPercentage: 1 } },
        ),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect((lost[0] as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
      const winner = (won[0] as PromiseFulfilledResult<{ rolloutPercentage: number; updatedBy: string }>)
        .value;
      const updates = (await listAudit(db, { flagKey: 'rel.cas' })).filter((a) => a.action === 'update');
      expect(updates).toHaveLength(1);
      expect(updates[0]).toMatchObject({
        actor: winner.updatedBy,
        before: { rolloutPercentage: 1 },
        after: { rolloutPercentage: winner.rolloutPercentage },
      });
    });
  },
  { only: ['postgres'] },
);
