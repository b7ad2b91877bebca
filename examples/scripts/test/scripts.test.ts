import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { listCheckpoints } from '@kaviar/flags-monitor';
import { addToAllowlist, createFlag } from '@kaviar/flags-pg';
import { describe, expect, it } from 'vitest';
import { DATABASE_URL, forEachDatabase } from '../../../test/support/databases';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const KEY = 'passenger_favorites_matching';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one script the way an operator would (`npx tsx`, here `node --import tsx` to skip npx's startup). */
function run(script: string, args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', `examples/scripts/src/${script}.ts`, ...args],
      { cwd: root, env: { ...process.env, ...env }, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

forEachDatabase(
  (getDb, ctx) => {
    const env = () => ({ DATABASE_URL: DATABASE_URL ?? '', KAVIAR_FLAGS_SCHEMA: ctx.schema(), USER: 'goes' });

    it('walks the seed workflow: status, check, a wrong change caught, rollback', async () => {
      const db = getDb();
      await createFlag(db, { key: KEY, enabled: true, rolloutPercentage: 1 }, { actor: 'goes' });
      const ids = Array.from({ length: 12 }, (_, i) => `passenger-${i + 1}`);
      await addToAllowlist(db, KEY, ids, { actor: 'goes', reason: 'beta testers' });

      const status = await run('rollout-status', [KEY], env());
      expect(status.code).toBe(0);
      expect(status.stdout).toMatch(
        /^passenger_favorites_matching: enabled=true rollout=1% allowlist=12 version=\d+ updated=\S+ by goes\n$/,
      );

      const monitor = [
        'phase2_rollout',
        'manual',
        '--expected-rollout=1',
        '--expected-allowlist=12',
        '--settle-ms=0',
      ];
      const pass = await run('beta-monitor', [KEY, ...monitor], env());
      expect(pass.stderr).toBe('');
      expect(pass.code).toBe(0);
      expect(pass.stdout.split('\n')[0]).toMatch(
        /^PASS passenger_favorites_matching phase2_rollout\/manual at /,
      );
      expect(pass.stdout).toContain('  PASS rollout: rollout_percentage is 1 %\n');

      const up = await run('update-rollout', [KEY, '5', '--actor=alice', '--reason=load test'], env());
      expect(up.code).toBe(0);
      expect(up.stdout).toMatch(/^passenger_favorites_matching: rollout 1% -> 5% at version \d+ by alice\n$/);

      const received: string[] = [];
      const hook = createServer((req, res) => {
        let body = '';
        req.on('data', (chunk) => {
          body += chunk;
        });
        req.on('end', () => {
          received.push(body);
          res.end('ok');
        });
      });
      await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
      try {
        const fail = await run('beta-monitor', [KEY, ...monitor, `--webhook=${url}`], env());
        expect(fail.code).toBe(2);
        expect(fail.stdout.split('\n')[0]).toMatch(
          /^FAIL passenger_favorites_matching phase2_rollout\/manual at /,
        );
        expect(fail.stdout).toMatch(
          / {2}FAIL rollout: rollout_percentage is 5 %, expected 1 %: set from 1 % to 5 % by alice at .* \(reason: "load test"\)\n/,
        );
        expect(received).toHaveLength(1);
        expect(JSON.parse(received[0] ?? '{}').text).toMatch(/^FAIL passenger_favorites_matching/);
      } finally {
        hook.closeAllConnections();
        await new Promise((resolve) => hook.close(resolve));
      }

      const stale = await run('update-rollout', [KEY, '0', '--from=1'], env());
      expect(stale.code).toBe(1);
      expect(stale.stderr).toMatch(/^update-rollout: CONFLICT: /);

      const rollback = await run('update-rollout', [KEY, '0', '--from=5', '--reason=rollback'], env());
      expect(rollback.code).toBe(0);
      expect(rollback.stdout).toMatch(
        /^passenger_favorites_matching: rollout 5% -> 0% \(rollback\) at version \d+ by goes\n$/,
      );

      const recorded = await listCheckpoints(db, { flagKey: KEY });
      expect(recorded.map((c) => [c.phase, c.label, c.status])).toEqual([
        ['phase2_rollout', 'manual', 'FAIL'],
        ['phase2_rollout', 'manual', 'PASS'],
      ]);
    });

    it('exits 3 (UNKNOWN) on bad arguments and when the database is unreachable', async () => {
      const bad = await run('beta-monitor', [KEY, 'p', 'l', '--expected-rollout=abc'], env());
      expect(bad.code).toBe(3);
      expect(bad.stderr).toMatch(/^beta-monitor: .*rollout/);

      const down = await run('beta-monitor', [KEY, 'p', 'l', '--expected-rollout=1'], {
        ...env(),
        DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test',
      });
      expect(down.code).toBe(3);
      expect(down.stdout).toMatch(
        /^UNKNOWN passenger_favorites_matching p\/l at .*\n {2}UNKNOWN database: could not check passenger_favorites_matching: database unreachable: /,
      );

      const usage = await run('update-rollout', [KEY], env());
      expect(usage.code).toBe(2);
      expect(usage.stderr).toMatch(/^usage: update-rollout/);
      const missing = await run('rollout-status', ['no_such_flag'], env());
      expect(missing).toMatchObject({ code: 1, stderr: 'flag no_such_flag does not exist\n' });
    });
  },
  { only: ['postgres'] },
);

describe('scripts without a database', () => {
  it('rollout-status says DATABASE_URL is missing', async () => {
    const result = await run('rollout-status', [], { DATABASE_URL: '' });
    expect(result).toMatchObject({
      code: 1,
      stderr: 'rollout-status: DATABASE_URL is not set (postgres://user@host:5432/db)\n',
    });
  });
});
