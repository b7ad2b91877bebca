/**
 * The dashboard through a database outage (a TCP proxy the test cuts): open pages are told their data
 * is stale, page requests answer 503 without details, and once the database is back the stream says
 * so and carries changes again.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachDatabase } from '../../../test/support/databases';
import { guardLeaks } from '../../../test/support/leaks';
import { startTcpProxy, type TcpProxy } from '../../../test/support/tcp-proxy';
import { createFlag, type FlagsDb, openDb, updateFlag } from '../../pg/src/index';
import { type DashboardServer, serveDashboard } from '../src/index';
import { openEvents, request } from './support/http';

guardLeaks();

forEachDatabase(
  (getDb, ctx) => {
    let proxy: TcpProxy | undefined;
    let viaProxy: FlagsDb | undefined;
    let server: DashboardServer | undefined;

    beforeAll(async () => {
      await createFlag(getDb(), { key: 'outage', enabled: true, rolloutPercentage: 1 }, { actor: 'ana' });
      proxy = await startTcpProxy(process.env.DATABASE_URL!);
      viaProxy = await openDb({ connectionString: proxy.url, schema: ctx.schema(), connectTimeoutMs: 1000 });
      server = await serveDashboard({ db: viaProxy, port: 0, pollIntervalMs: 200 });
    });
    afterAll(async () => {
      await server?.close();
      await viaProxy?.close();
      await proxy?.close();
    });

    it('says stale while the database is away, and live again with changes once it is back', async () => {
      const url = server!.url;
      const events = await openEvents(`${url}events`);
      try {
        await events.waitFor(/"state":"ready"/);
        const before = events.text().length;
        await proxy!.cut();
        await events.waitFor(/"stale":true/, { from: before });
        const page = await request(url);
        expect(page.status).toBe(503);
        expect(page.body).toContain('data-error="DB_UNAVAILABLE"');
        expect(page.body).not.toContain(proxy!.url);
        await proxy!.restore();
        await events.waitFor(/"stale":false,"state":"ready"/, { from: events.text().length });
        await updateFlag(
          getDb(),
          'outage',
          { rolloutPercentage: 3 },
          { actor: 'ana', reason: 'after the outage' },
        );
        await events.waitFor(/event: change\ndata: \{"type":"change","version":\d+,"keys":\["outage"\]\}/);
        expect((await request(url)).status).toBe(200);
      } finally {
        events.close();
      }
    });
  },
  { only: ['postgres'] },
);
