/**
 * End to end: the real `kaviar-flags` process (the built `dist/bin.js`, rebuilt first when stale), as
 * an operator runs it, on the embedded database in a temp folder and on real Postgres.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_URL, REQUIRE_DB, randomSchema } from '../../../test/support/databases';
import { createFlag, type FlagsDb, listAudit, migrate, openDb } from '../../pg/src/index';
import { buildIfStale } from './global-setup';
import { type RunResult, spawnKaviar } from './support/kaviar';

const FLAG = 'passenger_favorites_matching';

// The cli project's globalSetup does this once; here too in case the suite runs without it.
beforeAll(() => {
  buildIfStale();
}, 120_000);

describe.concurrent('embedded database', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'kaviar-cli-e2e-'));
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it('runs the whole demo story: PASS, the 5 % mistake caught as FAIL naming who, rollback, PASS, snapshot', async () => {
    const demo = await spawnKaviar(['demo', '--tz', 'America/Sao_Paulo'], { cwd });
    expect(demo.stderr).toContain('Creating the embedded database in');
    expect(demo.code).toBe(0);
    expect(demo.stdout).toMatch(
      /FAIL rollout: rollout_percentage is 5 %, expected 1 %: set from 1 % to 5 % by deploy-bot at .*synced from a stale config_json copy/,
    );
    expect(demo.stdout).toMatch(
      /Demo done in [\d.]+s: the checks said PASS, FAIL, PASS, as the story goes\./,
    );
    // One phase naming scheme, as the seed's (phase1_..., phase2_rollout); step 1 says what is done.
    expect(demo.stdout).toContain(
      `1. phase2_rollout: create ${FLAG} at 1 %, with the 12 beta passengers of phase1_allowlist\n`,
    );
    expect(demo.stdout).toContain(
      `Done so far: ${FLAG} exists, enabled at 1 %, and the 12 beta passengers are allowlisted; no instance runs yet.`,
    );
    expect(
      demo.stdout.match(/^\$ kaviar-flags check .*?--phase \w+/gm)?.map((l) => l.split(' ').at(-1)),
    ).toEqual(['phase2_rollout', 'phase2_rollout', 'phase2_rollout']);
    const md = readFileSync(join(cwd, '.kaviar-flags', 'ops-snapshot.md'), 'utf8');
    expect(md).toContain('- **Conclusion:** no drift: the database matches the latest check.');
    expect(existsSync(join(cwd, '.kaviar-flags', 'ops-snapshot.json'))).toBe(true);
    expect(existsSync(join(cwd, '.kaviar-flags', 'lock'))).toBe(false);

    const status = await spawnKaviar(['status', FLAG, '--schema', 'kaviar_flags_demo', '--json'], { cwd });
    expect(status.code).toBe(0);
    expect(status.stderr).toBe('');
    const { flag, lastCheckpoint, instances } = JSON.parse(status.stdout);
    expect([flag.enabled, flag.rolloutPercentage, flag.allowlistCount]).toEqual([true, 1, 12]);
    expect([lastCheckpoint.label, lastCheckpoint.status]).toEqual(['final-check', 'PASS']);
    expect(instances.map((i: { id: string }) => i.id).sort()).toEqual([
      'backend-1',
      'backend-2',
      'backend-3',
      'backend-4',
    ]);
  }, 120_000);

  it('refuses to open an embedded database another process holds, with 76', async () => {
    const busyDir = mkdtempSync(join(tmpdir(), 'kaviar-cli-e2e-lock-'));
    expect((await spawnKaviar(['migrate'], { cwd: busyDir })).code).toBe(0);
    writeFileSync(join(busyDir, '.kaviar-flags', 'lock'), `${process.pid}\n`);
    const busy = await spawnKaviar(['create', FLAG, '--actor', 'goes'], { cwd: busyDir });
    expect(busy.code).toBe(76);
    expect(busy.stderr).toMatch(
      new RegExp(`in use by another kaviar-flags process \\(pid ${process.pid}\\)`),
    );
    rmSync(busyDir, { recursive: true, force: true });
  }, 60_000);

  it('prints help with an example and exit codes, and rejects an unknown command with 64', async () => {
    const help = await spawnKaviar(['check', '--help'], { cwd });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: kaviar-flags check <flag> --phase P --label L/);
    expect(help.stdout).toContain('Example:\n  kaviar-flags check passenger_favorites_matching');
    expect(help.stdout).toContain(
      '  75  conflict: the flag changed since --expect-rollout was read; nothing written',
    );
    const unknown = await spawnKaviar(['frobnicate'], { cwd });
    expect([unknown.code, unknown.stderr]).toEqual([
      64,
      'kaviar-flags: Unknown command "frobnicate" (run kaviar-flags --help for the list)\n',
    ]);
  }, 30_000);
});

/** Waits until `count` CLI sessions are blocked on a lock while touching `schema`. */
async function waitForLockWaiters(db: FlagsDb, schema: string, count: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { rows } = await db.query<{ n: number }>(
      `select count(*)::float8 as n from pg_stat_activity
       where application_name = 'kaviar-flags-cli' and wait_event_type = 'Lock' and position($1 in query) > 0`,
      [schema],
    );
    if (Number(rows[0]?.n) >= count) return;
    if (Date.now() > deadline) throw new Error(`only ${rows[0]?.n} of ${count} processes reached the lock`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe.skipIf(DATABASE_URL === undefined && !REQUIRE_DB).concurrent('postgres', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'kaviar-cli-e2e-pg-'));
  const schema = randomSchema('e2e');
  const demoSchema = randomSchema('demo');
  const env = { DATABASE_URL };
  const run = (...argv: string[]) => spawnKaviar([...argv, '--schema', schema], { cwd, env });

  afterAll(async () => {
    if (DATABASE_URL === undefined) return;
    const db = await openDb({ connectionString: DATABASE_URL });
    await db.exec(`drop schema if exists "${schema}" cascade; drop schema if exists "${demoSchema}" cascade`);
    await db.close();
  });

  it('has a database (KAVIAR_FLAGS_REQUIRE_DB=1 needs DATABASE_URL)', () => {
    expect(DATABASE_URL).toBeDefined();
  });

  it('two concurrent set --expect-rollout really race: one wins, the other exits 75 and writes nothing', async () => {
    const db = await openDb({ connectionString: DATABASE_URL, schema });
    await migrate(db);
    await createFlag(db, { key: FLAG, enabled: true, rolloutPercentage: 1 }, { actor: 'goes' });
    // Barrier: hold the flag row until both processes are blocked on it, then let them go at once.
    let runs: Promise<RunResult[]> | undefined;
    await db.transaction(async (tx) => {
      await tx.query(`select 1 from ${db.ident}.flags where key = $1 for update`, [FLAG]);
      runs = Promise.all([
        run('set', FLAG, '--rollout', '5', '--expect-rollout', '1', '--actor', 'alice', '--yes'),
        run('set', FLAG, '--rollout', '2', '--expect-rollout', '1', '--actor', 'bruno'),
      ]);
      await waitForLockWaiters(db, schema, 2);
    });
    const [a, b] = (await runs) ?? [];
    expect([a?.code, b?.code].sort()).toEqual([0, 75]);
    const loser = a?.code === 75 ? a : b;
    expect(loser?.stderr).toMatch(
      /the rollout is [52] %, not 1 % as --expect-rollout says \(someone changed it\); nothing was written/,
    );
    const updates = (await listAudit(db, { flagKey: FLAG })).filter((e) => e.action === 'update');
    await db.close();
    expect(updates).toHaveLength(1);
    expect(updates[0]?.actor).toBe(a?.code === 0 ? 'alice' : 'bruno');
  }, 60_000);

  it('never prints the connection string unmasked', async () => {
    const url = 'postgres://reader:hunter2@127.0.0.1:1/kaviar';
    const out = await spawnKaviar(['status', '--json'], { cwd, env: { DATABASE_URL: url } });
    expect(out.code).toBe(69);
    expect(out.stderr).toMatch(
      /^kaviar-flags status: Database unavailable: connect ECONNREFUSED 127\.0\.0\.1:1 \(postgres:\/\/reader:\*\*\*@127\.0\.0\.1:1\/kaviar\): check the host and port/,
    );
    expect(JSON.parse(out.stdout).error.code).toBe('DB_UNAVAILABLE');
    expect(`${out.stdout}${out.stderr}`).not.toContain('hunter2');
  }, 30_000);

  it('runs the demo story on Postgres too, its files in a temp folder this test removes', async () => {
    // The demo keeps its files (the ops snapshot) for the operator to read: here they go to a private
    // TMPDIR, so the run leaves no kaviar-flags-demo-* folder behind in the shared temp folder.
    const privateTmp = mkdtempSync(join(tmpdir(), 'kaviar-cli-e2e-tmp-'));
    try {
      const demo = await spawnKaviar(['demo', '--schema', demoSchema, '--passengers', '20000'], {
        cwd,
        env: { ...env, TMPDIR: privateTmp },
      });
      expect(demo.code).toBe(0);
      expect(demo.stdout).toContain('the checks said PASS, FAIL, PASS, as the story goes');
      expect(demo.stdout).toContain(`The ops snapshot is in ${join(privateTmp, 'kaviar-flags-demo-')}`);
    } finally {
      rmSync(privateTmp, { recursive: true, force: true });
    }
  }, 60_000);
});
