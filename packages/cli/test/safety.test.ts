/**
 * End to end, the built `kaviar-flags` as an operator pastes it: it acts only on the database it was
 * told about, says what went wrong in its own words with a documented exit code, asks before a risky
 * change, and behaves in a pipe and under Ctrl-C. On the embedded database and on real Postgres.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_URL, REQUIRE_DB, randomSchema } from '../../../test/support/databases';
import { createFlag, type FlagsDb, getAllowlist, migrate, openDb } from '../../pg/src/index';
import { buildIfStale, KAVIAR_BIN } from './global-setup';
import { startFakePostgres } from './support/fake-postgres';
import { dumpState, type RunResult, spawnKaviar } from './support/kaviar';

const FLAG = 'passenger_favorites_matching';
const COMMITTED_BIN = join(KAVIAR_BIN, '..', '..', 'bin', 'kaviar-flags.js');
/** The environment of spawned runs on the embedded database: no DATABASE_URL from the test run. */
const EMBEDDED_ENV: Record<string, string | undefined> = { ...process.env, DATABASE_URL: undefined };
delete EMBEDDED_ENV.DATABASE_URL;

beforeAll(() => {
  buildIfStale();
}, 120_000);

/** Runs the CLI through a pseudo-terminal (`script`), typing `input`. */
function onTerminal(argv: readonly string[], cwd: string, input: string): Promise<RunResult> {
  const command = [process.execPath, KAVIAR_BIN, ...argv].map((a) => `'${a.replaceAll("'", "'\\''")}'`);
  return new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1' };
    delete env.DATABASE_URL;
    const child = spawn('script', ['-qec', command.join(' '), '/dev/null'], { cwd, env });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr: '' }));
    child.stdin.end(input);
  });
}

describe.concurrent('embedded database', () => {
  const root = mkdtempSync(join(tmpdir(), 'kaviar-cli-safety-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const folder = (name: string) => {
    const dir = join(root, name);
    mkdirSync(dir, { recursive: true });
    return dir;
  };

  it('without a database named, commands exit 78 saying how to name one, and create nothing', async () => {
    const cwd = folder('nowhere');
    writeFileSync(
      join(cwd, 'ops.json'),
      '{"format":"kaviar-flags.snapshot.v1","version":1,"exported_at":"2026-02-03T22:12:00Z","flags":[]}',
    );
    for (const argv of [
      ['set', FLAG, '--enabled', 'false'],
      ['restore', 'ops.json', '--delete-missing', '--json'],
    ]) {
      const out = await spawnKaviar(argv, { cwd });
      expect(out.code, argv.join(' ')).toBe(78);
      expect(out.stderr).toMatch(
        /^kaviar-flags \S+: No database named: no --database-url, no DATABASE_URL and no \.\/\.kaviar-flags here; give --database-url URL \(or set DATABASE_URL\) for PostgreSQL, or --data-dir DIR for an embedded database/,
      );
      if (argv.includes('--json')) expect(JSON.parse(out.stdout).error.code).toBe('NO_DATABASE');
      else expect(out.stdout).toBe('');
    }
    const named = await spawnKaviar(['set', FLAG, '--rollout', '1', '--data-dir', 'flags-db'], { cwd });
    expect(named.code).toBe(78);
    expect(named.stderr).toContain(
      'No embedded database in flags-db: create one with `kaviar-flags migrate --data-dir flags-db`',
    );
    expect(existsSync(join(cwd, '.kaviar-flags'))).toBe(false);
    expect(existsSync(join(cwd, 'flags-db'))).toBe(false);
  }, 60_000);

  it('migrate creates the embedded database and says so; then commands use it, global options first too', async () => {
    const cwd = folder('workflow');
    const created = await spawnKaviar(['migrate'], { cwd });
    expect(created.code).toBe(0);
    expect(created.stderr).toMatch(
      /^Creating the embedded database in .*\.kaviar-flags \(no --database-url or DATABASE_URL given/,
    );
    expect(created.stdout).toMatch(
      /^Schema kaviar_flags migrated from 0 to \d+ \(applied 1(, \d+)*\) on embedded database in /,
    );
    expect((await spawnKaviar(['create', FLAG, '--enabled', 'true', '--rollout', '1'], { cwd })).code).toBe(
      0,
    );
    // Risky: 1 % → 50 %. No terminal, no --yes: the change is shown, exit 64, nothing written.
    const refused = await spawnKaviar(['set', FLAG, '--rollout', '50'], { cwd });
    expect(refused.code).toBe(64);
    expect(refused.stderr).toBe(
      `${FLAG}: rollout 1 % → 50 %: 49 more of every 100 subjects get the flag (the 0 allowlisted subjects have it either way).\n` +
        'kaviar-flags set: This is a risky change and there is no terminal to confirm it on: add --yes to apply it, or --dry-run to see it; nothing was written\n',
    );
    const dry = await spawnKaviar(['set', FLAG, '--rollout', '50', '--dry-run'], { cwd });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(
      new RegExp(
        `^${FLAG}: rollout 1 % → 50 %; version \\d+, by .*\\nDry run: nothing was written \\(the change above was rolled back\\)\\.\\n$`,
      ),
    );

    // On a terminal it asks, and "y" applies.
    const accepted = await onTerminal(['set', FLAG, '--rollout', '50'], cwd, 'y\n');
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toMatch(new RegExp(`${FLAG}: rollout 1 % → 50 %; version \\d+`));

    // The global options go before the command too. The refused and dry-run writes left no trace.
    const history = await spawnKaviar(['--json', '--tz', 'UTC', 'history', FLAG], { cwd });
    const entries = JSON.parse(history.stdout).entries;
    expect(
      entries.map(
        (e: { action: string; after: { rolloutPercentage: number } }) =>
          `${e.action}:${e.after.rolloutPercentage}`,
      ),
    ).toEqual(['update:50', 'create:1']);
  }, 300_000);

  it('ends quietly in a closed pipe, and Ctrl-C during an import writes nothing and releases the lock', async () => {
    const cwd = folder('pipes');
    expect((await spawnKaviar(['migrate'], { cwd })).code).toBe(0);
    expect((await spawnKaviar(['create', FLAG], { cwd })).code).toBe(0);
    const ids = Array.from({ length: 100_000 }, (_, i) => `pax-${i}`);
    writeFileSync(join(cwd, 'ids.txt'), `${ids.join('\n')}\n`);
    expect(
      (await spawnKaviar(['allowlist', 'import', FLAG, 'ids.txt', '--reason', 'beta'], { cwd })).code,
    ).toBe(0);

    // `allowlist list F | head -1`: the reader leaves after the first chunk.
    for (const argv of [
      ['allowlist', 'list', FLAG],
      ['history', '--json'],
    ]) {
      const closed = await new Promise<RunResult>((resolve, reject) => {
        const child = spawn(process.execPath, [KAVIAR_BIN, ...argv], {
          cwd,
          env: EMBEDDED_ENV,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stderr = '';
        child.stdout.once('data', () => child.stdout.destroy());
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code: code ?? -1, stdout: '', stderr }));
      });
      expect([closed.code, closed.stderr], argv.join(' ')).toEqual([0, '']);
    }

    // Ctrl-C once the import holds the database (its lock file exists): rolled back, lock released.
    writeFileSync(join(cwd, 'more.txt'), `${ids.map((id) => `more-${id}`).join('\n')}\n`);
    const interrupted = await new Promise<RunResult>((resolve, reject) => {
      const child = spawn(process.execPath, [KAVIAR_BIN, 'allowlist', 'import', FLAG, 'more.txt'], {
        cwd,
        env: EMBEDDED_ENV,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const poll = setInterval(() => {
        if (existsSync(join(cwd, '.kaviar-flags', 'lock'))) {
          clearInterval(poll);
          child.kill('SIGINT');
        }
      }, 5);
      child.on('error', reject);
      child.on('close', (code) => {
        clearInterval(poll);
        resolve({ code: code ?? -1, stdout, stderr });
      });
    });
    expect(interrupted.code).toBe(130);
    expect(interrupted.stderr).toBe(
      `kaviar-flags allowlist import: Interrupted: nothing was written (the import's transaction rolled back; the allowlist of ${FLAG} is as it was)\n`,
    );
    expect(existsSync(join(cwd, '.kaviar-flags', 'lock'))).toBe(false);
    const status = JSON.parse((await spawnKaviar(['status', FLAG, '--json'], { cwd })).stdout);
    expect(status.flag.allowlistCount).toBe(100_000);
  }, 300_000);

  it('the committed bin loads the build, and says to build when there is none', async () => {
    const help = await new Promise<RunResult>((resolve) => {
      const child = spawn(process.execPath, [COMMITTED_BIN, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr: '' }));
    });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^kaviar-flags \S+: operate @kaviar\/flags feature flags/);
    // No database needed to be told about the command line: nearest command and option, our own
    // message for a missing value, and --enabled taking exactly true|false as --help says.
    const cwd = folder('command-line');
    const lines: [string[], string][] = [
      [
        ['stauts'],
        'kaviar-flags: Unknown command "stauts"; did you mean `kaviar-flags status`? (run kaviar-flags --help for the list)',
      ],
      [
        ['set', FLAG, '--rolout', '5'],
        'kaviar-flags set: Unknown option --rolout for set; did you mean `--rollout`? (see kaviar-flags set --help)',
      ],
      [
        ['set', FLAG, '--rollout'],
        'kaviar-flags set: --rollout needs a value: --rollout N (New rollout percentage 0..100, two decimals at most) (see kaviar-flags set --help)',
      ],
      [
        ['set', FLAG, '--enabled', 'yes'],
        'kaviar-flags set: --enabled: "yes" must be true or false (see kaviar-flags set --help)',
      ],
    ];
    const results = await Promise.all(lines.map(([argv]) => spawnKaviar(argv, { cwd })));
    expect(results.map((r) => [r.code, r.stderr])).toEqual(lines.map(([, line]) => [64, `${line}\n`]));
    const setHelp = await spawnKaviar(['set', '--help'], { cwd });
    expect(setHelp.stdout).toMatch(/--enabled true\|false +New master switch/);

    const unbuilt = folder('unbuilt');
    mkdirSync(join(unbuilt, 'bin'));
    copyFileSync(COMMITTED_BIN, join(unbuilt, 'bin', 'kaviar-flags.js'));
    writeFileSync(join(unbuilt, 'package.json'), '{"type":"module"}');
    const missing = await new Promise<RunResult>((resolve) => {
      const child = spawn(process.execPath, [join(unbuilt, 'bin', 'kaviar-flags.js'), '--help'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code: code ?? -1, stdout: '', stderr }));
    });
    expect(missing).toEqual({
      code: 78,
      stdout: '',
      stderr:
        'kaviar-flags: the CLI is not built yet (no packages/cli/dist/bin.js): run `npm run build` from the repository root first\n',
    });
  }, 120_000);
});

describe.skipIf(DATABASE_URL === undefined && !REQUIRE_DB).concurrent('postgres', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'kaviar-cli-safety-pg-'));
  const schema = randomSchema('safety');
  const other = randomSchema('safety_other');
  const role = randomSchema('kaviar_noperm');
  const own = randomSchema('safety_delete');
  const target = randomSchema('safety_target');
  const base = new URL(DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
  const urlWith = (change: (url: URL) => void) => {
    const url = new URL(base);
    change(url);
    return url.toString();
  };
  let db: FlagsDb;

  beforeAll(async () => {
    db = await openDb({ connectionString: DATABASE_URL, schema });
    await migrate(db);
    await createFlag(db, { key: FLAG, enabled: true, rolloutPercentage: 1 }, { actor: 'goes' });
    // A role that can log in and nothing else: its reads are refused with SQLSTATE 42501.
    await db.exec(`create role ${role} login`);
  });
  afterAll(async () => {
    for (const name of [schema, other, own, target]) await db.exec(`drop schema if exists "${name}" cascade`);
    await db.exec(`drop role if exists ${role}`);
    await db.close();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('has a database (KAVIAR_FLAGS_REQUIRE_DB=1 needs DATABASE_URL)', () => {
    expect(DATABASE_URL).toBeDefined();
  });

  it('classifies each connection failure with its own line, the masked target and a documented code', async () => {
    const wrongPassword = await startFakePostgres('wrong-password');
    const sslOnly = await startFakePostgres('ssl-required');
    try {
      const cases: [string, number, string, RegExp][] = [
        [
          `postgres://app:hunter2@127.0.0.1:${wrongPassword.port}/app`,
          77,
          'DB_AUTH',
          new RegExp(
            `^kaviar-flags status: password authentication failed for user "app" \\(postgres://app:\\*\\*\\*@127\\.0\\.0\\.1:${wrongPassword.port}/app\\): check the password in the connection string`,
          ),
        ],
        [
          urlWith((u) => (u.username = 'nobody_at_all')),
          77,
          'DB_AUTH',
          /^kaviar-flags status: role "nobody_at_all" does not exist \(postgres:\/\/nobody_at_all@.*\): check the user name in the connection string\n$/,
        ],
        [
          urlWith((u) => (u.pathname = '/no_such_database')),
          78,
          'DB_CONFIG',
          /^kaviar-flags status: database "no_such_database" does not exist \(.*\/no_such_database\): check the database name/,
        ],
        [
          `postgres://app:hunter2@127.0.0.1:${sslOnly.port}/app`,
          78,
          'DB_CONFIG',
          /^kaviar-flags status: no pg_hba\.conf entry for host "127\.0\.0\.1", user "app", database "app", no encryption \(.*\): the server only accepts encrypted connections: add \?sslmode=require/,
        ],
        [
          urlWith((u) => u.searchParams.set('sslmode', 'no-verify')),
          78,
          'DB_CONFIG',
          /^kaviar-flags status: The server does not support SSL connections \(.*\): the server does not offer SSL/,
        ],
        [
          'not a url',
          78,
          'DB_CONFIG',
          /^kaviar-flags status: The database URL is not a URL: write it as postgres:\/\/user@host:5432\/database .*\(not a url\)\n$/,
        ],
        [
          'mysql://root:hunter2@db/app',
          78,
          'DB_CONFIG',
          /^kaviar-flags status: mysql:\/\/ is not a PostgreSQL URL: use a postgres:\/\/ or postgresql:\/\/ URL \(mysql:\/\/root:\*\*\*@db\/app\)\n$/,
        ],
        [
          'postgres://app:hunter2@127.0.0.1:1/app',
          69,
          'DB_UNAVAILABLE',
          /^kaviar-flags status: Database unavailable: connect ECONNREFUSED 127\.0\.0\.1:1 \(postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/app\): check the host and port/,
        ],
        [
          urlWith((u) => (u.username = role)),
          77,
          'DB_AUTH',
          /^kaviar-flags status: permission denied for schema \w+ \(.*\): the role lacks a grant/,
        ],
      ];
      await Promise.all(
        cases.map(async ([url, code, errorCode, line]) => {
          const out = await spawnKaviar(['status', '--schema', schema], { cwd, env: { DATABASE_URL: url } });
          expect(out.code, url).toBe(code);
          expect(
            out.stderr
              .split('\n')
              .filter((l) => l.startsWith('kaviar-flags'))
              .join('\n') + '\n',
            url,
          ).toMatch(line);
          expect(out.stderr).not.toContain('hunter2');
          expect(out.stderr).not.toContain('please report it');
          const json = await spawnKaviar(['status', '--schema', schema, '--json', '--database-url', url], {
            cwd,
          });
          expect([json.code, JSON.parse(json.stdout).error.code], url).toEqual([code, errorCode]);
        }),
      );
    } finally {
      await wrongPassword.close();
      await sslOnly.close();
    }
  }, 90_000);

  it('check: UNKNOWN findings say "authentication failed"; a bad command line is 64; a missing flag fails at once', async () => {
    const checkArgs = ['check', FLAG, '--phase', 'phase2_rollout', '--label', 'manual', '--schema', schema];
    const denied = await spawnKaviar(checkArgs, {
      cwd,
      env: { DATABASE_URL: urlWith((u) => (u.username = 'nobody_at_all')) },
    });
    expect(denied.code).toBe(3);
    expect(denied.stdout).toMatch(/^UNKNOWN passenger_favorites_matching phase2_rollout\/manual/);
    expect(denied.stdout).toContain('authentication failed: role "nobody_at_all" does not exist');
    const env = { DATABASE_URL };
    const noPhase = await spawnKaviar(['check', FLAG, '--label', 'manual', '--schema', schema], { cwd, env });
    expect([noPhase.code, noPhase.stderr]).toEqual([
      64,
      'kaviar-flags check: Missing --phase (see kaviar-flags check --help)\n',
    ]);
    // A 10-minute settle window is not waited for a flag that is not there (the test would time out).
    const missing = await spawnKaviar(
      ['check', 'ghost_flag', '--phase', 'p', '--label', 'l', '--settle', '10m', '--schema', schema],
      { cwd, env },
    );
    expect(missing.code).toBe(2);
    expect(missing.stdout).toContain('FAIL exists: flag ghost_flag does not exist');
  }, 60_000);

  it('delete asks and is audited; history spans every flag, newest first, by actor; a terminal "n" writes nothing', async () => {
    const env = { DATABASE_URL };
    // Its own schema: the other tests of this block write concurrently.
    const ownDb = await openDb({ connectionString: DATABASE_URL, schema: own });
    await migrate(ownDb);
    await createFlag(ownDb, { key: FLAG }, { actor: 'goes' });
    const run = (...argv: string[]) => spawnKaviar([...argv, '--schema', own], { cwd, env });
    expect((await run('create', 'dark_mode', '--actor', 'ana')).code).toBe(0);
    const before = await dumpState(ownDb);
    const noDelete = await run('delete', 'dark_mode', '--actor', 'ana');
    expect(noDelete.code).toBe(64);
    expect(noDelete.stderr).toContain(
      'dark_mode: delete the flag (disabled at 0 %, 0 allowlisted): clients serve their code fallback for it from the next sync.\n',
    );
    const declined = await onTerminal(
      ['delete', 'dark_mode', '--schema', own, '--database-url', DATABASE_URL ?? ''],
      cwd,
      'n\n',
    );
    expect(declined.code).toBe(64);
    expect(declined.stdout).toContain('Apply this change? [y/N]');
    expect(declined.stdout).toContain('Not confirmed; nothing was written');
    const dry = await run('delete', 'dark_mode', '--dry-run', '--json');
    expect([dry.code, JSON.parse(dry.stdout).dryRun]).toEqual([0, true]);
    expect(await dumpState(ownDb)).toBe(before);
    const deleted = await run('delete', 'dark_mode', '--actor', 'ana', '--reason', 'shipped', '--yes');
    expect([deleted.code, deleted.stdout]).toEqual([
      0,
      'Deleted dark_mode (was disabled at 0 %, 0 allowlisted), audited as ana.\n',
    ]);
    const all = JSON.parse((await run('history', '--json')).stdout).entries;
    expect(
      all.slice(0, 2).map((e: { flagKey: string; action: string }) => `${e.flagKey}:${e.action}`),
    ).toEqual(['dark_mode:delete', 'dark_mode:create']);
    expect(all.map((e: { flagKey: string }) => e.flagKey)).toContain(FLAG);
    const byAna = await run('history', '--actor', 'ana', '--since', '1h');
    expect(byAna.stdout.split('\n')[0]).toMatch(/^AT +FLAG +ACTOR +ACTION +CHANGE +VERSION +REASON$/);
    expect(byAna.stdout.split('\n')[1]).toMatch(/ dark_mode +ana +delete +deleted +\d+ +shipped$/);
    expect(byAna.stdout.trim().split('\n')).toHaveLength(3);
    const ghost = await run('history', 'ghost_flag');
    expect([ghost.code, ghost.stderr]).toEqual([
      67,
      'kaviar-flags history: Flag "ghost_flag" does not exist; create it first or check the key\n',
    ]);
    // The deleted flag keeps its history.
    expect((await run('history', 'dark_mode')).code).toBe(0);
    await ownDb.close();
  }, 120_000);

  it('refuses reserved schemas before anything is written', async () => {
    const before = await db.query<{ n: number }>(
      `select count(*)::int as n from information_schema.tables where table_schema = 'public'`,
    );
    for (const name of ['public', 'pg_catalog', 'information_schema', 'pg_kaviar']) {
      const out = await spawnKaviar(['migrate', '--schema', name], { cwd, env: { DATABASE_URL } });
      expect(out.code, name).toBe(64);
      expect(out.stderr).toMatch(new RegExp(`^kaviar-flags migrate: --schema: "${name}" is reserved`));
    }
    const after = await db.query<{ n: number }>(
      `select count(*)::int as n from information_schema.tables where table_schema = 'public'`,
    );
    expect(after.rows[0]?.n).toBe(before.rows[0]?.n);
  }, 60_000);

  it('restore of a snapshot from another schema says so, shows the diff and writes only with --yes', async () => {
    const env = { DATABASE_URL };
    const otherDb = await openDb({ connectionString: DATABASE_URL, schema: other });
    try {
      await migrate(otherDb);
      await createFlag(otherDb, { key: FLAG, enabled: true, rolloutPercentage: 30 }, { actor: 'elsewhere' });
      expect(
        (
          await spawnKaviar(['snapshot', '--format', 'json', '--out', 'other.json', '--schema', other], {
            cwd,
            env,
          })
        ).code,
      ).toBe(0);
    } finally {
      await otherDb.close();
    }
    // The target is a schema of its own too, holding the seed flag created at another time.
    const targetDb = await openDb({ connectionString: DATABASE_URL, schema: target });
    await migrate(targetDb);
    await createFlag(targetDb, { key: FLAG, enabled: true, rolloutPercentage: 1 }, { actor: 'goes' });
    const before = await dumpState(targetDb);
    const refused = await spawnKaviar(['restore', 'other.json', '--schema', target], { cwd, env });
    expect(refused.code).toBe(64);
    expect(refused.stdout).toMatch(new RegExp(`^FLAG +ACTION +CHANGE\\n${FLAG} +update +rollout 1 % → 30 %`));
    expect(refused.stderr).toMatch(
      new RegExp(
        `^other\\.json does not look like a snapshot of postgres://.*, schema ${target}: ${FLAG} were created at another time than the flags of that name here\\.\\nIt was taken at \\S+ from postgres://\\S+, schema ${other}\\.\\n`,
      ),
    );
    expect(await dumpState(targetDb)).toBe(before);
    const applied = await spawnKaviar(
      ['restore', 'other.json', '--schema', target, '--yes', '--actor', 'goes'],
      { cwd, env },
    );
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/Restored other\.json: 1 flags changed/);
    await targetDb.close();
  }, 60_000);

  it('Ctrl-C during allowlist import on Postgres: nothing written, exit 130', async () => {
    const ids = Array.from({ length: 400_000 }, (_, i) => `pg-pax-${i}`);
    writeFileSync(join(cwd, 'pg-ids.txt'), `${ids.join('\n')}\n`);
    const watcher = await openDb({ connectionString: DATABASE_URL, schema });
    try {
      const interrupted = await new Promise<RunResult>((resolve, reject) => {
        const child = spawn(
          process.execPath,
          [KAVIAR_BIN, 'allowlist', 'import', FLAG, 'pg-ids.txt', '--schema', schema],
          {
            cwd,
            env: { ...process.env, DATABASE_URL },
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        );
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        // Interrupt once the import's transaction has written (it has a transaction id), seen from another session.
        const poll = setInterval(async () => {
          const { rows } = await watcher.query<{ n: number }>(
            `select count(*)::int as n from pg_stat_activity
             where application_name = 'kaviar-flags-cli' and backend_xid is not null and position($1 in query) > 0`,
            [`"${schema}".allowlist`],
          );
          if ((rows[0]?.n ?? 0) > 0) {
            clearInterval(poll);
            child.kill('SIGINT');
          }
        }, 20);
        child.on('error', reject);
        child.on('close', (code) => {
          clearInterval(poll);
          resolve({ code: code ?? -1, stdout: '', stderr });
        });
      });
      expect(interrupted.code).toBe(130);
      expect(interrupted.stderr).toContain('Interrupted: nothing was written');
      expect(await getAllowlist(db, FLAG)).toEqual([]);
    } finally {
      await watcher.close();
    }
  }, 120_000);
});
