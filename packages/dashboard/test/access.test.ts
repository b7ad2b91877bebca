import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachDatabase } from '../../../test/support/databases';
import { guardLeaks } from '../../../test/support/leaks';
import { createFlag, type FlagsDb, openDb } from '../../pg/src/index';
import { presentedToken, tokenMatches } from '../src/access';
import { createDashboard, type DashboardServer, isLoopbackHost, serveDashboard } from '../src/index';
import { openEvents, request } from './support/http';

guardLeaks();

const TOKEN = 'correct-horse-battery-staple-42';
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('token checks', () => {
  it('accepts the token as Bearer or as the Basic password, nothing else', () => {
    const req = (authorization?: string) => ({ headers: authorization ? { authorization } : {} }) as never;
    expect(tokenMatches(presentedToken(req(`Bearer ${TOKEN}`)), TOKEN)).toBe(true);
    expect(tokenMatches(presentedToken(req(basic('anyone', TOKEN))), TOKEN)).toBe(true);
    expect(tokenMatches(presentedToken(req(basic(TOKEN, 'x'))), TOKEN)).toBe(false);
    expect(tokenMatches(presentedToken(req(`Bearer ${TOKEN}x`)), TOKEN)).toBe(false);
    expect(tokenMatches(presentedToken(req(`Bearer ${TOKEN.slice(0, -1)}`)), TOKEN)).toBe(false);
    expect(tokenMatches(presentedToken(req()), TOKEN)).toBe(false);
    expect(tokenMatches('', TOKEN)).toBe(false);
  });

  it('knows loopback hosts', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'])
      expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['0.0.0.0', '10.0.0.7', '::', 'example.com', '127.0.0.1.nip.io']) {
      expect(isLoopbackHost(h)).toBe(false);
    }
  });

  it('refuses a short token and a bad base path', async () => {
    const db = {} as FlagsDb;
    expect(() => createDashboard({ db, token: 'short' })).toThrow(/at least 16 characters/);
    expect(() => createDashboard({ db, basePath: 'ops/' })).toThrow(/basePath/);
    await expect(serveDashboard({ db, host: '0.0.0.0', port: 0 })).rejects.toMatchObject({
      code: 'INVALID_OPTION',
    });
  });

  it('the generated assets match assets/', () => {
    const script = new URL('../scripts/gen-assets.mjs', import.meta.url).pathname;
    expect(() => execFileSync(process.execPath, [script, '--check'], { stdio: 'pipe' })).not.toThrow();
  });
});

forEachDatabase((getDb) => {
  describe('with a token, on a non-loopback address', () => {
    let server: DashboardServer | undefined;
    let url = '';
    beforeAll(async () => {
      await createFlag(getDb(), { key: 'guarded', enabled: true, rolloutPercentage: 1 }, { actor: 'ana' });
      server = await serveDashboard({ db: getDb(), host: '0.0.0.0', port: 0, token: TOKEN });
      url = `http://127.0.0.1:${server.port}`;
    });
    afterAll(async () => {
      await server?.close();
    });

    it('answers 401 without the token, on every path, the event stream included', async () => {
      for (const path of [
        '/',
        '/flags/guarded',
        '/checkpoints',
        '/events',
        '/assets/dashboard.css',
        '/nope',
      ]) {
        for (const headers of [
          {} as Record<string, string>,
          { Authorization: 'Bearer wrong-token-wrong-token' },
          { Authorization: basic('admin', 'wrong-token-wrong-token') },
        ]) {
          const reply = await request(url + path, { headers });
          expect(reply.status, `${path} ${JSON.stringify(headers)}`).toBe(401);
          expect(reply.headers['www-authenticate']).toBe('Basic realm="kaviar flags", charset="UTF-8"');
          expect(reply.body).not.toContain('guarded');
          expect(reply.body).not.toContain(TOKEN);
        }
      }
      // Never taken from the URL.
      expect((await request(`${url}/?token=${TOKEN}`)).status).toBe(401);
      expect((await request(`${url}/?access_token=${TOKEN}`)).status).toBe(401);
    });

    it('serves pages and events with it, and never echoes it', async () => {
      for (const auth of [`Bearer ${TOKEN}`, basic('ops', TOKEN)]) {
        const reply = await request(`${url}/flags/guarded`, { headers: { Authorization: auth } });
        expect(reply.status).toBe(200);
        expect(reply.body).toContain('guarded');
        expect(reply.body + JSON.stringify(reply.headers)).not.toContain(TOKEN);
      }
      const events = await openEvents(`${url}/events`, { Authorization: `Bearer ${TOKEN}` });
      try {
        expect(events.status).toBe(200);
        await events.waitFor(/event: status/);
        expect(events.text()).not.toContain(TOKEN);
      } finally {
        events.close();
      }
      expect(server?.url).not.toContain(TOKEN);
    });
  });

  describe('without a token, on loopback', () => {
    let server: DashboardServer | undefined;
    beforeAll(async () => {
      server = await serveDashboard({ db: getDb(), port: 0 });
    });
    afterAll(async () => {
      await server?.close();
    });

    it('listens on 127.0.0.1 and answers only requests addressed to a loopback name', async () => {
      expect(server?.host).toBe('127.0.0.1');
      expect(server?.url).toBe(`http://127.0.0.1:${server?.port}/`);
      const url = `http://127.0.0.1:${server?.port}/`;
      expect((await request(url)).status).toBe(200);
      expect((await request(url, { headers: { Host: `localhost:${server?.port}` } })).status).toBe(200);
      // A page on another site whose name was rebound to 127.0.0.1 sends its own name.
      const rebound = await request(url, { headers: { Host: `attacker.example:${server?.port}` } });
      expect(rebound.status).toBe(403);
      expect(rebound.body).not.toContain('guarded');
    });
  });
});

describe('when the database cannot be read', () => {
  it('answers 503 with the error code, never the connection string', async () => {
    const secret = 'p4ssw0rd-in-the-url';
    const db = await openDb({
      connectionString: `postgres://kaviar:${secret}@127.0.0.1:9/flags`,
      connectTimeoutMs: 2000,
    });
    const errors: Error[] = [];
    const server = await serveDashboard({ db, port: 0, onError: (e) => errors.push(e) });
    try {
      for (const path of ['/', '/flags/some-flag', '/checkpoints']) {
        const reply = await request(`http://127.0.0.1:${server.port}${path}`);
        expect(reply.status).toBe(503);
        expect(reply.body).toContain('data-error="DB_UNAVAILABLE"');
        expect(reply.body).not.toContain(secret);
        expect(reply.body).not.toMatch(/postgres:\/\/|127\.0\.0\.1:9/);
      }
      expect(errors.length).toBeGreaterThan(0);
    } finally {
      await server.close();
      await db.close();
    }
  });
});
