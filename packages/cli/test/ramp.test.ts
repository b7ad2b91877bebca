/**
 * `kaviar-flags ramp ...`: bad input writes nothing (in-process, both databases), and the built CLI as an
 * operator runs it (spawned): start, tick from cron, the guard that fails, the exit codes, status, history.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_URL, forEachDatabase, REQUIRE_DB, randomSchema } from '../../../test/support/databases';
import { guardLeaks } from '../../../test/support/leaks';
import { createFlag, type FlagsDb, getFlag, migrate, openDb } from '../../pg/src/index';
import { buildIfStale } from './global-setup';
import { createSeedFlag, dumpState, kaviar, SEED_FLAG, spawnKaviar } from './support/kaviar';

const FLAG = SEED_FLAG;
const start = (...extra: string[]) => [
  'ramp',
  'start',
  FLAG,
  '--steps',
  '1,5,25',
  '--hold',
  '30m',
  '--actor',
  'goes',
  '--reason',
  'phase 2',
  ...extra,
];

guardLeaks();

async function rampRows(db: FlagsDb): Promise<string> {
  const { rows } = await db.query(`select * from ${db.ident}.ramps order by id`);
  return JSON.stringify(rows);
}

forEachDatabase((getDb) => {
  beforeAll(async () => {
    await createSeedFlag(getDb());
  });

  it.each([
    [['--steps', '5,1'], /--steps: .* must be strictly increasing \(1 after 5\)/],
    [['--steps', '1,150'], /--steps: "150" must be between 0 and 100/],
    [['--steps', '0,5'], /--steps: .* must be above 0 %/],
    [['--steps', '1,,5'], /--steps: "1,,5" must be percentages separated by commas/],
    [['--hold', '0'], /--hold: must be longer than 0/],
    [['--hold', 'soon'], /--hold: "soon" must be a duration/],
    [['--phases', 'a,b'], /--phases: .* must name each of the 3 steps/],
    [['--rollback-to', 'start'], /--rollback-to: "start" must be previous or 0/],
    [['--max-holds', '0'], /--max-holds: "0" must be a whole number >= 1/],
  ])('ramp start %j exits 64 and writes nothing', async (change, message) => {
    const db = getDb();
    const argv = start();
    const at = argv.indexOf(change[0] as string);
    if (at >= 0) argv.splice(at, 2, ...change);
    else argv.push(...change);
    const before = await dumpState(db);
    const result = await kaviar(db, argv);
    expect(result.code).toBe(64);
    expect(result.stderr).toMatch(message);
    expect(await dumpState(db)).toBe(before);
    expect(await rampRows(db)).toBe('[]');
  });

  it('a risky move of the rollout needs --yes; --dry-run shows the plan; a second ramp exits 75', async () => {
    const db = getDb();
    const before = await dumpState(db);
    const refused = await kaviar(db, start('--steps', '5,25'));
    expect(refused.code).toBe(64);
    expect(refused.stderr).toMatch(/moves the rollout of passenger_favorites_matching from 1 % to 5 % now/);
    expect(refused.stderr).toMatch(/no terminal to confirm it on: add --yes to apply it/);
    const dry = await kaviar(db, start('--steps', '2,5,25', '--dry-run'));
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(
      'Dry run, nothing written: would start the ramp of passenger_favorites_matching: 2 % → 5 % → 25 %, each held 30 min; rollout would move 1 % → 2 %.',
    );
    expect(await dumpState(db)).toBe(before);
    expect(await rampRows(db)).toBe('[]');

    // The first step is the current rollout: nothing moves, no --yes needed.
    const started = await kaviar(db, start());
    expect(started.code).toBe(0);
    expect(started.stdout).toMatch(
      /^Started the ramp of passenger_favorites_matching: 1 % → 5 % → 25 %, each held 30 min\./,
    );
    const ramps = await rampRows(db);
    const again = await kaviar(db, start('--steps', '2,5', '--yes'));
    expect(again.code).toBe(75);
    expect(again.stderr).toMatch(/already has a ramp in progress \(active\); resume or abort it first/);
    expect(await rampRows(db)).toBe(ramps);

    expect((await kaviar(db, ['ramp', 'resume', FLAG, '--actor', 'maria'])).code).toBe(75);
    expect((await kaviar(db, ['ramp', 'pause', FLAG])).code).toBe(64);
    const paused = await kaviar(db, [
      'ramp',
      'pause',
      FLAG,
      '--actor',
      'maria',
      '--reason',
      'release freeze',
    ]);
    expect(paused.code).toBe(0);
    expect(paused.stdout).toMatch(
      /^passenger_favorites_matching: paused at 1 % by maria at .* \(reason: "release freeze"\)\.$/m,
    );
    const aborted = await kaviar(db, ['ramp', 'abort', FLAG, '--actor', 'maria', '--json']);
    expect(JSON.parse(aborted.stdout).ramp.state).toBe('aborted');
    expect((await kaviar(db, ['ramp', 'abort', FLAG, '--actor', 'maria'])).code).toBe(67);
    const history = await kaviar(db, ['history', FLAG]);
    expect(history.stdout).toMatch(/maria\s+ramp\.abort\s+ramp paused → aborted at 1 %/);
    expect(history.stdout).toMatch(/goes\s+ramp\.start\s+ramp active at 1 %/);
  });
});

forEachDatabase((getDb) => {
  it('ramp tick --watch keeps ticking until no ramp is active (here: paused after 3 holds for want of data)', async () => {
    const db = getDb();
    await createFlag(db, { key: 'watched', enabled: true, rolloutPercentage: 1 }, { actor: 'goes' });
    const started = await kaviar(db, [
      'ramp',
      'start',
      'watched',
      '--steps',
      '1,5',
      '--hold',
      '10ms',
      '--actor',
      'goes',
      '--reason',
      'watch',
    ]);
    expect(started.code).toBe(0);
    const watch = await kaviar(db, [
      'ramp',
      'tick',
      '--watch',
      '--interval',
      '20ms',
      '--settle',
      '0',
      '--flag',
      'watched',
    ]);
    expect(watch.code).toBe(1);
    const lines = watch.stdout.split('\n').filter((line) => line.startsWith('WARN watched:'));
    expect(lines.map((line) => line.replace(/ at .*/, ''))).toEqual([
      'WARN watched: held',
      'WARN watched: held',
      'WARN watched: paused',
    ]);
    expect(watch.stdout).toContain('exposure not enough data');
    expect(watch.stdout).toMatch(/No ramp active any more after \d+ pass\(es\)\./);
    const status = JSON.parse((await kaviar(db, ['ramp', 'status', 'watched', '--json'])).stdout);
    expect(status.ramps[0].state).toBe('paused');
  });
});

describe('the built CLI', () => {
  beforeAll(() => {
    buildIfStale();
  }, 120_000);
  const cwd = mkdtempSync(join(tmpdir(), 'kaviar-cli-ramp-'));
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it('documents the ramp commands and their exit codes', async () => {
    const group = await spawnKaviar(['ramp'], { cwd });
    expect(group.code).toBe(64);
    expect(group.stdout).toMatch(/ramp start[\s\S]*ramp status[\s\S]*ramp tick[\s\S]*ramp pause/);
    const help = await spawnKaviar(['ramp', 'tick', '--help'], { cwd });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Exit codes: 0 every due ramp advanced or completed');
    expect((await spawnKaviar(['ramp', 'frob'], { cwd })).stderr).toMatch(
      /ramp needs a sub-command: start, status, tick, pause, resume or abort/,
    );
  });

  it('ramp tick exits 3 when it cannot check (database unreachable)', async () => {
    const result = await spawnKaviar(
      ['ramp', 'tick', '--database-url', 'postgres://nobody@127.0.0.1:1/none'],
      {
        cwd,
      },
    );
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^kaviar-flags ramp tick: UNKNOWN: /);
  });

  describe.skipIf(DATABASE_URL === undefined && !REQUIRE_DB)('on postgres', () => {
    const schema = randomSchema('ramp');
    const env = { DATABASE_URL };
    const run = (...argv: string[]) => spawnKaviar([...argv, '--schema', schema], { cwd, env });
    let db: FlagsDb;
    beforeAll(async () => {
      db = await openDb({ connectionString: DATABASE_URL, schema });
      await migrate(db);
      await createFlag(db, { key: FLAG, enabled: true, rolloutPercentage: 0 }, { actor: 'goes' });
    });
    afterAll(async () => {
      await db?.exec(`drop schema if exists "${schema}" cascade`);
      await db?.close();
    });
    /** One client at the flag's version served exactly the rollout to 20,000 passengers. */
    const served = async () => {
      const flag = (await getFlag(db, FLAG))!;
      await db.query(
        `insert into ${db.ident}.instances (id, app, loaded_version, state, last_seen_at) values ('web-1', 'backend', $1, 'ready', now())
         on conflict (id) do update set loaded_version = $1, last_seen_at = now()`,
        [flag.version],
      );
      await db.query(
        `insert into ${db.ident}.exposures (flag_key, instance_id, flag_version, window_start, evaluations, enabled,
           allowlisted, subjects, subjects_enabled) values ($1, 'web-1', $2, date_trunc('minute', now()), 20000, $3, 0, 20000, $3)`,
        [FLAG, flag.version, Math.round(200 * flag.rolloutPercentage)],
      );
    };

    it('start, hold for want of data, advance, then roll back when the guard fails at 25 %', async () => {
      const guard = join(cwd, 'check_error_rate');
      writeFileSync(
        guard,
        '#!/bin/sh\nif [ "$KAVIAR_RAMP_PERCENT" = 25 ]; then echo "CRITICAL: 3.1 % errors"; exit 2; fi\necho "OK: 0.2 % errors"\n',
        { mode: 0o755 },
      );
      const started = await run(
        'ramp',
        'start',
        FLAG,
        '--steps',
        '1,5,25,50',
        '--hold',
        '10ms',
        '--guard',
        guard,
        '--actor',
        'goes',
        '--reason',
        'phase 2',
        '--yes',
        '--json',
      );
      expect(started.code).toBe(0);
      expect(JSON.parse(started.stdout).moved).toEqual({ from: 0, to: 1 });

      const starved = await run('ramp', 'tick', '--settle', '0');
      expect(starved.code).toBe(1);
      expect(starved.stdout).toMatch(
        /^WARN passenger_favorites_matching: held at 1 % .*exposure not enough data/m,
      );

      for (const percent of [5, 25]) {
        await served();
        const tick = await run('ramp', 'tick', '--settle', '0');
        expect(tick.code).toBe(0);
        expect(tick.stdout).toMatch(
          new RegExp(
            `^PASS passenger_favorites_matching: advanced [\\d.]+ % → ${percent} % .* guard \`check_error_rate\` OK: 0\\.2 % errors$`,
            'm',
          ),
        );
      }
      await served();
      const fail = await run('ramp', 'tick', '--settle', '0', '--json');
      expect(fail.code).toBe(2);
      const result = JSON.parse(fail.stdout);
      expect(result.exitCode).toBe(2);
      expect(result.results[0].explanation).toMatch(
        /^rolled back 25 % → 5 % at .*: guard `check_error_rate` CRITICAL: 3\.1 % errors$/,
      );
      expect((await getFlag(db, FLAG))?.rolloutPercentage).toBe(5);

      const status = await run('ramp', 'status', FLAG);
      expect(status.code).toBe(0);
      expect(status.stdout).toContain('passenger_favorites_matching: rolled back from 25 % (step 3 of 4)');
      expect(status.stdout).toContain('steps: 1 % ✓ → 5 % ✓ → 25 % → 50 %');
      expect(status.stdout).toMatch(/FAIL rolled back 25 % → 5 % .* \(checkpoint #\d+\)/);
      const checkpoints = await run('checkpoints', FLAG, '--json');
      expect(JSON.parse(checkpoints.stdout).checkpoints[0]).toMatchObject({
        phase: 'ramp_25pct',
        label: 'ramp',
        status: 'FAIL',
      });
      const snapshot = await run('snapshot');
      expect(snapshot.stdout).toContain('## Ramps');
      expect(snapshot.stdout).toContain('- **State:** rolled back from 25 % (step 3 of 4)');
      expect(snapshot.stdout).toMatch(/\*\*FAIL\*\*: rolled back 25 % → 5 % .* \(checkpoint #\d+\)/);
      const idle = await run('ramp', 'tick');
      expect([idle.code, idle.stdout.trim()]).toEqual([0, expect.stringMatching(/^No ramp due at /)]);
    }, 120_000);
  });
});

describe('kaviar-flags demo --ramp', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'kaviar-cli-ramp-demo-'));
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it('ramps 1 → 5 → 25 on real clients, the guard fails at 25 %, the ramp rolls back to 5 % and says why', async () => {
    buildIfStale();
    const demo = await spawnKaviar(['demo', '--ramp', '--passengers', '50000'], { cwd });
    expect(demo.code).toBe(0);
    expect(demo.stdout).toMatch(
      /^PASS passenger_favorites_matching: advanced 1 % → 5 % at .* after [\d.]+ s at 1 %: drift PASS, 4\/4 instances on version \d+, exposure [\d.]+ % \(interval [\d.]+–[\d.]+ %\), guard `check_error_rate` OK: 0\.2 % errors/m,
    );
    expect(demo.stdout).toMatch(
      /^FAIL passenger_favorites_matching: rolled back 25 % → 5 % at .*: guard `check_error_rate` CRITICAL: 3\.1 % errors/m,
    );
    expect(demo.stdout).toMatch(
      /Ramp demo done in [\d.]+s: advanced to 5 % and 25 % on PASS, rolled back to 5 %/,
    );
    const status = await spawnKaviar(['status', FLAG, '--schema', 'kaviar_flags_demo', '--json'], { cwd });
    expect(JSON.parse(status.stdout).flag.rolloutPercentage).toBe(5);
  }, 120_000);
});
