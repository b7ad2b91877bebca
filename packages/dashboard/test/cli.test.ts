/**
 * `kaviar-flags dashboard` as an operator runs it: the built executable in its own process, on the
 * test Postgres schema and on an embedded database; the token and host rules on the command line.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachDatabase } from '../../../test/support/databases';
import { buildIfStale, KAVIAR_BIN } from '../../cli/test/global-setup';
import { spawnKaviar } from '../../cli/test/support/kaviar';
import { createFlag } from '../../pg/src/index';
import { request } from './support/http';

const TOKEN = 'a-long-enough-dashboard-token';

beforeAll(() => {
  buildIfStale();
}, 180_000);

/** Starts `kaviar-flags dashboard ...`; resolves with the URL it printed. */
function startDashboard(
  argv: readonly string[],
  env: Record<string, string | undefined> = {},
): Promise<{ child: ChildProcessWithoutNullStreams; url: string; output: () => string }> {
  const base: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1' };
  delete base.DATABASE_URL;
  delete base.KAVIAR_FLAGS_DASHBOARD_TOKEN;
  const child = spawn(process.execPath, [KAVIAR_BIN, 'dashboard', '--port', '0', ...argv], {
    env: { ...base, ...env },
  }) as ChildProcessWithoutNullStreams;
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL printed:\n${out}`)), 60_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const match = /Dashboard on (http:\/\/\S+\/)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]!, output: () => out });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code} before serving:\n${out}`));
    });
  });
}

function stopDashboard(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

describe('kaviar-flags dashboard: bad input', () => {
  it('refuses a non-loopback host without a token, and a short token', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'kaviar-dashboard-cli-'));
    try {
      const open = await spawnKaviar(['dashboard', '--host', '0.0.0.0', '--data-dir', 'db'], { cwd });
      expect(open.code).toBe(64);
      expect(open.stderr).toMatch(/listening on 0\.0\.0\.0 lets other machines in: give a token/);
      const short = await spawnKaviar(['dashboard', '--token', 'short', '--data-dir', 'db'], { cwd });
      expect(short.code).toBe(64);
      expect(short.stderr).toContain('at least 16 characters');
      expect(short.stderr).not.toContain('short\n');
      const port = await spawnKaviar(['dashboard', '--port', '70000'], { cwd });
      expect(port.code).toBe(64);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});

forEachDatabase(
  (getDb, ctx) => {
    beforeAll(async () => {
      await createFlag(getDb(), { key: 'cli-served', enabled: true, rolloutPercentage: 7 }, { actor: 'ana' });
    });

    it('serves the flags of the named schema on 127.0.0.1 until SIGTERM', async () => {
      const url = process.env.DATABASE_URL!;
      const {
        child,
        url: served,
        output,
      } = await startDashboard(['--schema', ctx.schema()], {
        DATABASE_URL: url,
      });
      try {
        expect(served).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
        const page = await request(served);
        expect(page.status).toBe(200);
        expect(page.body).toContain('cli-served');
        expect(page.body).toContain('7 %');
      } finally {
        expect(await stopDashboard(child)).toBe(0);
      }
      expect(output()).toContain(`schema ${ctx.schema()}`);
    });

    it('with the token from the environment: never printed, required on every request', async () => {
      const { child, url, output } = await startDashboard(['--schema', ctx.schema(), '--host', '0.0.0.0'], {
        DATABASE_URL: process.env.DATABASE_URL,
        KAVIAR_FLAGS_DASHBOARD_TOKEN: TOKEN,
      });
      try {
        const local = url.replace('0.0.0.0', '127.0.0.1');
        expect((await request(local)).status).toBe(401);
        expect((await request(`${local}events`)).status).toBe(401);
        const ok = await request(local, { headers: { Authorization: `Bearer ${TOKEN}` } });
        expect(ok.status).toBe(200);
        expect(ok.body).toContain('cli-served');
      } finally {
        expect(await stopDashboard(child)).toBe(0);
      }
      expect(output()).not.toContain(TOKEN);
      expect(output()).toContain('token as password');
    });
  },
  { only: ['postgres'] },
);

describe('on the embedded database', () => {
  let cwd = '';
  beforeAll(() => {
    cwd = mkdtempSync(join(tmpdir(), 'kaviar-dashboard-embedded-'));
  });
  afterAll(() => {
    rmSync(cwd, { recursive: true, force: true });
  });

  it('serves the demo schema the demo points to', async () => {
    // Only migrate creates an embedded database; other commands refuse one nobody created.
    expect((await spawnKaviar(['migrate', '--data-dir', join(cwd, 'db')], { cwd })).code).toBe(0);
    const created = await spawnKaviar(
      [
        'create',
        'embedded-flag',
        '--rollout',
        '3',
        '--enabled',
        'true',
        '--data-dir',
        join(cwd, 'db'),
        '--actor',
        'ana',
      ],
      { cwd },
    );
    expect(created.code).toBe(0);
    const { child, url } = await startDashboard(['--data-dir', join(cwd, 'db')]);
    try {
      const page = await request(url);
      expect(page.status).toBe(200);
      expect(page.body).toContain('embedded-flag');
    } finally {
      expect(await stopDashboard(child)).toBe(0);
    }
  }, 90_000);
});
