/**
 * The leak guard itself (test/support/leaks.ts): it must see what a client left open, and nothing once the
 * client is closed. Without this, a guard that never fires would pass every suite.
 */
import { describe, expect, it } from 'vitest';
import {
  dropTestDb,
  openTestDb,
  randomSchema,
  testAppName,
  testDatabaseKinds,
} from '../../../test/support/databases';
import { findLeaks, guardLeaks, tcpSockets } from '../../../test/support/leaks';
import { sharedPglite } from '../../../test/support/pglite';
import { createPgFlags } from '../src/index';

guardLeaks();

describe.each(testDatabaseKinds())('%s', (kind) => {
  it('the guard reports an open client (timers; sockets and backends on Postgres) and nothing once it is closed', async () => {
    const schema = randomSchema('leak');
    await (await openTestDb(kind, { schema })).close();
    try {
      const baselineSockets = tcpSockets();
      expect(await findLeaks({ baselineSockets })).toEqual([]);
      const client = createPgFlags({
        ...(kind === 'postgres'
          ? { connectionString: process.env.DATABASE_URL }
          : { pglite: await sharedPglite() }),
        schema,
        appName: testAppName('leaky'),
        heartbeatIntervalMs: 60_000,
        pollIntervalMs: 60_000,
      });
      await client.ready({ timeoutMs: 10_000 });
      await client.refresh(); // resolves once the next poll is scheduled
      const leaks = await findLeaks({ baselineSockets, graceMs: 0 });
      // Found by where they were created, unref'd or not: the poll timer and the heartbeat interval.
      expect(leaks.some((l) => l.startsWith('a timeout created at') && l.includes('pg-source.ts'))).toBe(
        true,
      );
      expect(
        leaks.some((l) => l.startsWith('an interval created at') && l.includes('instance-reporter.ts')),
      ).toBe(true);
      if (kind === 'postgres') {
        expect(leaks.some((l) => /TCP socket\(s\) still open/.test(l))).toBe(true);
        expect(leaks.some((l) => l.startsWith('backend ') && l.includes(testAppName('leaky')))).toBe(true);
      }
      await client.close();
      expect(await findLeaks({ baselineSockets })).toEqual([]);
    } finally {
      await dropTestDb(await openTestDb(kind, { schema, migrated: false }));
    }
  });
});
