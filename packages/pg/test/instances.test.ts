import { beforeAll, expect, it } from 'vitest';
import { forEachDatabase } from '../../../test/support/databases';
import { guardLeaks } from '../../../test/support/leaks';
import { InvalidOptionError, listInstances } from '../src/index';
import { manualClients } from './support/clients';

guardLeaks();

forEachDatabase((getDb) => {
  beforeAll(async () => {
    const db = getDb();
    // Ages relative to the database clock: 5 s, 90 s, 2 h and 3 days ago.
    await db.query(
      `insert into ${db.ident}.instances
         (id, app, host, pid, loaded_version, state, last_error, started_at, last_seen_at)
       values
         ('web-b', 'api', 'ip-10-0-0-8', 32, 7, 'ready', null, now() - interval '1 day', now() - interval '5 seconds'),
         ('web-a', 'api', 'ip-10-0-0-7', 31, 6, 'stale', 'connection refused', now() - interval '1 day', now() - interval '90 seconds'),
         ('old', '', '', null, 1, 'closed', null, now() - interval '4 days', now() - interval '2 hours'),
         ('ancient', '', '', null, 1, 'ready', null, now() - interval '4 days', now() - interval '3 days')`,
    );
  });

  it('lists instances seen within the last hour by default, newest heartbeat first, all fields mapped', async () => {
    const rows = await listInstances(getDb());
    expect(rows.map((r) => r.id)).toEqual(['web-b', 'web-a']);
    const [b, a] = rows;
    expect(a).toMatchObject({
      id: 'web-a',
      app: 'api',
      host: 'ip-10-0-0-7',
      pid: 31,
      loadedVersion: 6,
      state: 'stale',
      lastError: 'connection refused',
    });
    expect(b?.lastError).toBeNull();
    expect(typeof a?.loadedVersion).toBe('number');
    expect(a?.startedAt).toBeInstanceOf(Date);
    expect(a?.lastSeenAt).toBeInstanceOf(Date);
    expect(a!.lastSeenAt.getTime() - a!.startedAt.getTime()).toBe(86_400_000 - 90_000);
    // By the database clock: the test's own clock plays no part.
    expect(a!.ageMs).toBeGreaterThanOrEqual(90_000);
    expect(a!.ageMs).toBeLessThan(100_000);
    expect(b!.ageMs).toBeGreaterThanOrEqual(5_000);
    expect(b!.ageMs).toBeLessThan(15_000);
  });

  it('withinMs narrows or widens the window; Infinity lists every instance', async () => {
    const db = getDb();
    expect((await listInstances(db, { withinMs: 60_000 })).map((r) => r.id)).toEqual(['web-b']);
    expect((await listInstances(db, { withinMs: 0 })).map((r) => r.id)).toEqual([]);
    expect((await listInstances(db, { withinMs: 3 * 3_600_000 })).map((r) => r.id)).toEqual([
      'web-b',
      'web-a',
      'old',
    ]);
    expect((await listInstances(db, { withinMs: Number.POSITIVE_INFINITY })).map((r) => r.id)).toEqual([
      'web-b',
      'web-a',
      'old',
      'ancient',
    ]);
    const [old] = await listInstances(db, { withinMs: Number.POSITIVE_INFINITY }).then((r) => r.slice(2));
    expect(old).toMatchObject({ app: '', host: '', pid: null, state: 'closed' });
  });

  it('rejects a negative or non-numeric window', async () => {
    const db = getDb();
    await expect(listInstances(db, { withinMs: -1 })).rejects.toBeInstanceOf(InvalidOptionError);
    await expect(listInstances(db, { withinMs: Number.NaN })).rejects.toBeInstanceOf(InvalidOptionError);
    await expect(listInstances(db, { withinMs: '60' as unknown as number })).rejects.toThrow(/withinMs/);
  });

  const clients = manualClients();

  it('sees a live client’s heartbeat with the version it serves', async () => {
    const db = getDb();
    const client = clients(db, {
      heartbeat: true,
      heartbeatIntervalMs: 50,
      appName: 'list-test',
      instanceId: `list-${db.schema}`,
    });
    await client.ready({ timeoutMs: 10_000 });
    await expect
      .poll(async () => (await listInstances(db, { withinMs: 60_000 }))[0]?.id, { timeout: 5000 })
      .toBe(client.instanceId);
    const [row] = await listInstances(db, { withinMs: 60_000 });
    expect(row).toMatchObject({
      app: 'list-test',
      pid: process.pid,
      loadedVersion: client.status().version,
      state: 'ready',
    });
  });
});
