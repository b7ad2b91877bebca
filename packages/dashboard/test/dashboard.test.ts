import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachDatabase } from '../../../test/support/databases';
import { guardLeaks } from '../../../test/support/leaks';
import { checkFlag, recordCheckpoint } from '../../monitor/src/index';
import { createFlag, type FlagsDb, updateFlag } from '../../pg/src/index';
import { ASSETS } from '../src/assets.generated';
import { CONTENT_SECURITY_POLICY, createDashboard, type Dashboard } from '../src/index';
import { openEvents, request } from './support/http';
import { FLAG, MEMBERS, seedStory } from './support/seed-story';

guardLeaks();

const HIDDEN_MEMBER = 'vip-required-but-missing-777';
const EVIL = '<script>alert("x")</script>';

async function listen(handle: Dashboard['handle']): Promise<{ server: Server; url: string }> {
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function stop(server: Server | undefined): Promise<void> {
  if (!server) return;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** Operator-typed text everywhere it can be typed: description, actor, reason, phase, label, instance. */
async function seedHostileText(db: FlagsDb): Promise<void> {
  await createFlag(
    db,
    { key: 'hostile-flag', enabled: true, rolloutPercentage: 10, description: EVIL },
    {
      actor: `<script>actor()</script>`,
      reason: `<img src=x onerror=alert(1)> "quoted" & 'single'`,
    },
  );
  await updateFlag(
    db,
    'hostile-flag',
    { rolloutPercentage: 20 },
    { actor: 'ana', reason: `</textarea>${EVIL}` },
  );
  const cp = await checkFlag(db, 'hostile-flag', {
    phase: '<script>phase()</script>',
    label: '"><svg onload=alert(1)>',
    settleMs: 0,
  });
  await recordCheckpoint(db, cp);
  await db.query(
    `insert into ${db.ident}.instances (id, app, host, loaded_version, state, last_error)
     values ($1, $2, $3, 1, 'stale', $4)`,
    ['<script>i()</script>', '<b>app</b>', '<i>host</i>', `connect failed ${EVIL}`],
  );
}

forEachDatabase((getDb) => {
  let dashboard: Dashboard | undefined;
  let server: Server | undefined;
  let url = '';
  const bodies: string[] = [];
  const get = async (path: string, init: Parameters<typeof request>[1] = {}) => {
    const reply = await request(url + path, init);
    bodies.push(reply.body, JSON.stringify(reply.headers));
    return reply;
  };

  beforeAll(async () => {
    const db = getDb();
    await seedStory(db);
    // The operator required a member that is not on the allowlist: the finding names it.
    await checkFlag(db, FLAG, {
      phase: 'audit',
      label: 'members',
      expect: { allowlistIncludes: [MEMBERS[0]!, HIDDEN_MEMBER] },
      settleMs: 0,
      record: true,
    });
    await seedHostileText(db);
    // A day-long live window: instance liveness does not depend on how long the suite takes.
    dashboard = createDashboard({ db, pollIntervalMs: 100, liveWindowMs: 86_400_000 });
    ({ server, url } = await listen(dashboard.handle));
  });
  afterAll(async () => {
    await dashboard?.close();
    await stop(server);
  });

  it('flags page: every flag with rollout, allowlist count, version, last check and instances', async () => {
    const reply = await get('/');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('text/html; charset=utf-8');
    const row = reply.body.slice(reply.body.indexOf(`data-flag="${FLAG}"`));
    const cells = row.slice(0, row.indexOf('</tr>'));
    expect(cells).toContain('1 %');
    expect(cells).toMatch(/data-label="Allowlist" class="num">12</);
    // The newest checkpoint is the members check, which failed.
    expect(cells).toMatch(/FAIL<\/span><\/a> <span class="muted">audit \/ members<\/span>/);
    // Live: two serve the current version; the one on the 5 % version and the hostile one are behind;
    // the one silent since before the change is presumed gone and not counted.
    expect(cells).toMatch(
      /2 \/ 4<\/span> <span class="badge status-warn"><span aria-hidden="true">!<\/span> 2 behind/,
    );
    expect(cells).toMatch(/data-label="Ramp"><span class="muted">none<\/span>/);
  });

  it('flag page: timeline points 1 % → 5 % → 1 % and markers PASS, FAIL, PASS in time order', async () => {
    const reply = await get(`/flags/${FLAG}`);
    expect(reply.status).toBe(200);
    const points = [...reply.body.matchAll(/class="point"[^>]*data-rollout="([\d.]+)"/g)].map((m) =>
      Number(m[1]),
    );
    expect(points).toEqual([1, 5, 1]);
    const markers = [
      ...reply.body.matchAll(/class="marker[^"]*"[^>]*data-status="(\w+)"[^>]*data-at="([^"]+)"/g),
    ]
      .map((m) => ({ status: m[1], at: m[2]! }))
      .sort((a, b) => a.at.localeCompare(b.at));
    // The story's three checks, then the members check made after it.
    expect(markers.map((m) => m.status)).toEqual(['PASS', 'FAIL', 'PASS', 'FAIL']);
    // Every marker links to its checkpoint's findings on the page.
    for (const m of reply.body.matchAll(/href="#checkpoint-(\d+)"/g)) {
      expect(reply.body).toContain(`id="checkpoint-${m[1]}"`);
    }
    // The FAIL checkpoint explains itself with the audit quote.
    expect(reply.body).toContain('config_json copied from staging');
    // Exposure per version against the configured rollout, with an interval.
    expect(reply.body).toMatch(/data-version="\d+"/);
    expect(reply.body).toMatch(/\d+\.\d+ % – \d+\.\d+ %/);
    // Instances: the one serving the 5 % version is behind; the silent one is presumed gone.
    expect(reply.body).toMatch(/data-instance="backend-b1"[\s\S]*?behind/);
    expect(reply.body).toMatch(/data-instance="backend-old"[\s\S]*?presumed gone/);
    // Audit feed: who, before → after, why.
    expect(reply.body).toMatch(/config-sync[\s\S]*?enabled, 1 %<\/span>[\s\S]*?enabled, 5 %/);
  });

  it('checkpoints page: newest first, filtered by status and phase', async () => {
    const all = await get('/checkpoints');
    const statuses = [...all.body.matchAll(/<tr data-status="(\w+)"/g)].map((m) => m[1]);
    expect(statuses.length).toBeGreaterThanOrEqual(5);
    const fail = await get('/checkpoints?status=FAIL');
    expect(
      [...fail.body.matchAll(/<tr data-status="(\w+)" data-phase="([^"]+)"/g)].map((m) => [m[1], m[2]]),
    ).toEqual([
      ['FAIL', 'audit'],
      ['FAIL', 'ROLLOUT_1PCT'],
    ]);
    const phase = await get('/checkpoints?phase=phase2_rollout&status=PASS&status=WARN');
    expect(
      [...phase.body.matchAll(/<tr data-status="(\w+)" data-phase="([^"]+)"/g)].map((m) => [m[1], m[2]]),
    ).toEqual([['PASS', 'phase2_rollout']]);
  });

  it('every response carries the CSP and nosniff, and no CORS header even when asked', async () => {
    for (const path of ['/', `/flags/${FLAG}`, '/checkpoints', '/nope', `/assets/dashboard.css`]) {
      const reply = await get(path, { headers: { Origin: 'https://evil.example' } });
      expect(reply.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
      expect(reply.headers['x-content-type-options']).toBe('nosniff');
      expect(Object.keys(reply.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    }
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  });

  it('has no write endpoint: other methods get 405', async () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
      const reply = await get(`/flags/${FLAG}`, { method, body: '{"rolloutPercentage":100}' });
      expect(reply.status).toBe(405);
      expect(reply.headers.allow).toBe('GET, HEAD');
    }
    const flag = await getDb().query<{ r: number }>(
      `select rollout_percentage::float8 as r from ${getDb().ident}.flags where key = $1`,
      [FLAG],
    );
    expect(flag.rows[0]?.r).toBe(1);
  });

  it('escapes operator-typed text on every page', async () => {
    for (const path of ['/', '/flags/hostile-flag', '/checkpoints', `/flags/${encodeURIComponent(EVIL)}`]) {
      const reply = await get(path);
      // The one script element is the dashboard's own.
      expect(reply.body.match(/<script/g)).toHaveLength(1);
      expect(reply.body).not.toMatch(/<img|<svg onload|<\/textarea>|<b>app|<i>host/);
    }
    const page = (await get('/flags/hostile-flag')).body;
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(page).toContain('&lt;script&gt;actor()&lt;/script&gt;');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    const checkpoints = (await get('/checkpoints')).body;
    expect(checkpoints).toContain('&lt;script&gt;phase()&lt;/script&gt;');
    expect(checkpoints).toContain('&quot;&gt;&lt;svg onload=alert(1)&gt;');
  });

  it('404 for an unknown flag or path, and HEAD sends no body', async () => {
    expect((await get('/flags/no-such-flag')).status).toBe(404);
    expect((await get('/flags/UPPER')).status).toBe(404);
    expect((await get('/anything')).status).toBe(404);
    const head = await get('/', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('serves its assets from memory, versioned and cacheable', async () => {
    const js = ASSETS['dashboard.js']!;
    const reply = await get(`/assets/dashboard.js?v=${js.hash}`);
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(reply.headers['cache-control']).toContain('immutable');
    expect(reply.body).toBe(js.body);
    expect((await get('/assets/dashboard.js', { headers: { 'If-None-Match': `"${js.hash}"` } })).status).toBe(
      304,
    );
    expect((await get('/assets/../package.json')).status).toBe(404);
  });

  it('the event stream reports a change made through the API', async () => {
    const events = await openEvents(`${url}/events`);
    try {
      expect(events.status).toBe(200);
      expect(events.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      expect(events.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
      await events.waitFor(/event: status/);
      // Let the feed load the current state first: the change below is news.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await updateFlag(getDb(), 'hostile-flag', { rolloutPercentage: 30 }, { actor: 'ana', reason: 'live' });
      await events.waitFor(
        /event: change\ndata: \{"type":"change","version":\d+,"keys":\["hostile-flag"\]\}/,
      );
      bodies.push(events.text());
    } finally {
      events.close();
    }
  });

  it('no response carries an allowlist member or a connection string', async () => {
    for (const path of [
      '/',
      `/flags/${FLAG}`,
      '/checkpoints',
      '/checkpoints?status=FAIL&status=WARN',
      '/nope',
    ]) {
      await get(path);
    }
    const everything = bodies.join('\n');
    expect(everything.length).toBeGreaterThan(10_000);
    for (const id of [...MEMBERS, HIDDEN_MEMBER]) expect(everything).not.toContain(id);
    expect(everything).not.toMatch(/postgres(ql)?:\/\//);
    if (process.env.DATABASE_URL) expect(everything).not.toContain(process.env.DATABASE_URL);
    // The member the check could not find is still reported, without its id.
    expect(everything).toContain('(an allowlist member)');
  });
});

describe('mounting under a path', () => {
  forEachDatabase((getDb) => {
    let dashboard: Dashboard | undefined;
    let server: Server | undefined;
    let url = '';
    beforeAll(async () => {
      await createFlag(getDb(), { key: 'mounted', enabled: true, rolloutPercentage: 3 }, { actor: 'ana' });
      dashboard = createDashboard({ db: getDb(), basePath: '/ops/flags' });
      // With `X-Mount: express`, the request arrives as Express hands it over: `url` relative to the
      // mount point, the full path in `originalUrl`.
      const expressLike = createServer((req, res) => {
        const full = req.url ?? '/';
        if (req.headers['x-mount'] === 'express' && full.startsWith('/ops/flags')) {
          Object.assign(req, { originalUrl: full, url: full.slice('/ops/flags'.length) || '/' });
        }
        dashboard!.handle(req, res);
      });
      await new Promise<void>((resolve) => expressLike.listen(0, '127.0.0.1', resolve));
      server = expressLike;
      url = `http://127.0.0.1:${(expressLike.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await dashboard?.close();
      await stop(server);
    });

    it('links and assets carry the base path', async () => {
      const reply = await request(`${url}/ops/flags/`);
      expect(reply.status).toBe(200);
      expect(reply.body).toContain('href="/ops/flags/flags/mounted"');
      expect(reply.body).toMatch(/src="\/ops\/flags\/assets\/dashboard\.js\?v=/);
      expect((await request(`${url}/ops/flags/flags/mounted`)).status).toBe(200);
      expect((await request(`${url}/elsewhere/`)).status).toBe(404);
    });

    it('works with the request an Express mount hands over', async () => {
      const reply = await request(`${url}/ops/flags/flags/mounted`, { headers: { 'X-Mount': 'express' } });
      expect(reply.status).toBe(200);
      expect(reply.body).toContain('<h1 class="flag-key">mounted</h1>');
    });
  });
});
