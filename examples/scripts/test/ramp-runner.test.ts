import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createFlag, getFlag, startRamp } from '@kaviar/flags-pg';
import { describe, expect, it } from 'vitest';
import { DATABASE_URL, forEachDatabase } from '../../../test/support/databases';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const KEY = 'passenger_favorites_matching';

function runner(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'examples/scripts/src/ramp-runner.ts', ...args],
      { cwd: root, env: { ...process.env, ...env }, timeout: 30_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

forEachDatabase(
  (getDb, ctx) => {
    it('advances a due ramp from cron, then rolls it back when its guard fails', async () => {
      const db = getDb();
      const env = { DATABASE_URL: DATABASE_URL ?? '', KAVIAR_FLAGS_SCHEMA: ctx.schema() };
      await createFlag(db, { key: KEY, enabled: true, rolloutPercentage: 1 }, { actor: 'goes' });
      const guard =
        'if [ "$KAVIAR_RAMP_PERCENT" = 5 ]; then echo "CRITICAL: 2.4 % errors"; exit 2; fi; echo "OK: 0.1 % errors"';
      await startRamp(
        db,
        {
          flagKey: KEY,
          steps: [1, 5, 25],
          holdMs: 1,
          guards: [{ name: 'check_error_rate', command: guard }],
        },
        { actor: 'goes', reason: 'phase 2' },
      );
      const served = async () => {
        const flag = (await getFlag(db, KEY))!;
        await db.query(
          `insert into ${db.ident}.exposures (flag_key, instance_id, flag_version, window_start, evaluations, enabled,
             allowlisted, subjects, subjects_enabled) values ($1, 'web-1', $2, date_trunc('minute', now()), 20000, $3, 0, 20000, $3)`,
          [KEY, flag.version, 200 * flag.rolloutPercentage],
        );
      };
      await served();
      const advanced = await runner(['--settle-ms=0'], env);
      expect(advanced.stderr).toBe('');
      expect(advanced.code).toBe(0);
      expect(advanced.stdout).toMatch(
        / passenger_favorites_matching: advanced 1 % → 5 % at .*guard `check_error_rate` OK: 0\.1 % errors\n$/,
      );
      await served();
      const rolledBack = await runner(['--settle-ms=0', '--json'], env);
      expect(rolledBack.code).toBe(2);
      expect(JSON.parse(rolledBack.stdout).explanation).toMatch(
        /^rolled back 5 % → 1 % at .*: guard `check_error_rate` CRITICAL: 2\.4 % errors$/,
      );
      expect((await getFlag(db, KEY))?.rolloutPercentage).toBe(1);
      const [entry] = (
        await db.query<{ actor: string }>(`select actor from ${db.ident}.audit order by id desc limit 1`)
      ).rows;
      expect(entry?.actor).toBe('ramp-runner');
      expect((await runner(['--settle-ms=soon'], env)).code).toBe(3);
    });
  },
  { only: ['postgres'] },
);

describe('ramp-runner without a database', () => {
  it('exits 3: it could not check', async () => {
    const result = await runner([], { DATABASE_URL: '' });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/DATABASE_URL is not set/);
  });
});
