import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  anotherTestDb,
  DATABASE_URL,
  forEachDatabase,
  REQUIRE_DB,
  randomSchema,
} from '../../../test/support/databases';
import { guardLeaks } from '../../../test/support/leaks';
import {
  exportSnapshot,
  type FlagsDb,
  migrate,
  openDb,
  SCHEMA_VERSION,
  schemaVersion,
} from '../../pg/src/index';
import { backupBeforeMigrate } from '../src/backup-before-migrate';
import { createPrinter } from '../src/printer';
import { buildIfStale } from './global-setup';
import { configOf, createSeedFlag, kaviar, spawnKaviar } from './support/kaviar';

const dir = mkdtempSync(join(tmpdir(), 'kaviar-cli-backup-'));
const NOW = Date.parse('2026-02-03T22:12:00.456Z');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What a restore must reproduce: config and allowlists (not timestamps or versions). */
function capture() {
  let out = '';
  const sink = { write: (t: string) => (out += t), isTTY: false };
  const printer = createPrinter({ stdout: sink, stderr: sink, env: {}, json: false, timeZone: 'UTC' });
  return { ctx: { printer, cwd: dir, now: () => NOW }, output: () => out };
}

guardLeaks();

forEachDatabase((getDb, ctx) => {
  const emptyDb = anotherTestDb(ctx.kind);

  describe('backup before migrate', () => {
    it('takes no backup when nothing would be applied, or when the schema holds no flag', async () => {
      const db = getDb();
      const backups = join(dir, `none-${ctx.kind}`);
      const { ctx: run } = capture();
      expect(await backupBeforeMigrate(db, { dir: backups }, run)).toBeUndefined();
      // A migration ahead, but nothing to lose yet.
      expect(await backupBeforeMigrate(db, { dir: backups }, run, SCHEMA_VERSION + 1)).toBeUndefined();
      expect(existsSync(backups)).toBe(false);
    });

    it('writes a restorable snapshot named with schema, store version and time, that restores exactly', async () => {
      const db = getDb();
      await createSeedFlag(db, { allowlist: ['p-1', 'p-2', 'p-3'] });
      await kaviar(db, [
        'create',
        'dark_mode',
        '--rollout',
        '12.5',
        '--description',
        'Dark UI',
        '--actor',
        'goes',
      ]);
      const { version } = await exportSnapshot(db);
      const backups = join(dir, `backups-${ctx.kind}`);
      const { ctx: run, output } = capture();
      const backup = await backupBeforeMigrate(db, { dir: backups }, run, (await schemaVersion(db)) + 1);
      const name = `${db.schema}-store-v${version}-20260203T221200Z.json`;
      expect(backup).toEqual({ file: join(`backups-${ctx.kind}`, name), flags: 2, version });
      expect(output()).toBe(
        `Backed up 2 flags (store version ${version}) to backups-${ctx.kind}/${name} before migrating.\n`,
      );
      // It holds allowlist members: owner only.
      expect(statSync(join(backups, name)).mode & 0o777).toBe(0o600);
      // Same second again: a new file, the first one is never replaced.
      const again = await backupBeforeMigrate(db, { dir: backups }, run, SCHEMA_VERSION + 1);
      expect(again?.file).toBe(join(`backups-${ctx.kind}`, name.replace(/\.json$/, '-2.json')));
      expect(readdirSync(backups).sort()).toEqual([name.replace(/\.json$/, '-2.json'), name].sort());

      // An empty database is not where the backup came from: restoring it there is confirmed with --yes.
      const restored = await kaviar(emptyDb(), ['restore', join(backups, name), '--actor', 'goes', '--yes'], {
        cwd: dir,
      });
      expect(restored.code).toBe(0);
      expect(await configOf(emptyDb())).toEqual(await configOf(db));
      expect((await configOf(emptyDb())).map((f) => f.allowlist.length)).toEqual([0, 3]);
    });
  });
});

// The built CLI, as an operator runs it during a deploy, on a schema an older release left behind.
describe.skipIf(DATABASE_URL === undefined && !REQUIRE_DB)('migrate (spawned, postgres)', () => {
  const cwd = mkdtempSync(join(dir, 'spawned-'));
  const schema = randomSchema('bk');
  const copy = randomSchema('bkcopy');
  const env = { DATABASE_URL };
  let db: FlagsDb;

  beforeAll(async () => {
    buildIfStale();
    db = await openDb({ connectionString: DATABASE_URL, schema });
  }, 120_000);
  afterAll(async () => {
    await db?.exec(`drop schema if exists "${schema}" cascade; drop schema if exists "${copy}" cascade`);
    await db?.close();
  });

  it('backs up before applying a pending migration, prints the path, and the backup restores exactly', async () => {
    await migrate(db);
    await createSeedFlag(db, { allowlist: ['p-1', 'p-2'] });
    const upToDate = await spawnKaviar(['migrate', '--schema', schema], { cwd, env });
    expect(upToDate.code).toBe(0);
    expect(upToDate.stdout).toMatch(/^Schema \S+ is up to date/);
    expect(existsSync(join(cwd, 'kaviar-flags-backups'))).toBe(false);

    // The schema as a release one migration older left it: the newest migration is pending again.
    await db.query(`delete from ${db.ident}.schema_migrations where version = $1`, [SCHEMA_VERSION]);
    const { version } = await exportSnapshot(db);
    const original = await configOf(db);
    const noBackup = await spawnKaviar(['migrate', '--schema', schema, '--no-backup'], { cwd, env });
    expect(noBackup.stdout).not.toContain('Backed up');
    expect(existsSync(join(cwd, 'kaviar-flags-backups'))).toBe(false);
    // Migrations are idempotent, so that run may have applied it: make it pending again.
    await db.query(`delete from ${db.ident}.schema_migrations where version = $1`, [SCHEMA_VERSION]);

    const run = await spawnKaviar(['migrate', '--schema', schema], { cwd, env });
    // Whatever the migration then does, the backup came first.
    const [first] = run.stdout.split('\n');
    const match =
      /^Backed up 1 flag \(store version (\d+)\) to (kaviar-flags-backups\/(\S+)\.json) before migrating\.$/.exec(
        first ?? '',
      );
    expect(match, run.stdout + run.stderr).not.toBeNull();
    expect(Number(match?.[1])).toBe(version);
    expect(match?.[3]).toMatch(new RegExp(`^${schema}-store-v${version}-\\d{8}T\\d{6}Z$`));

    const migrated = await spawnKaviar(['migrate', '--schema', copy], { cwd, env });
    expect(migrated.code).toBe(0);
    const restored = await spawnKaviar(['restore', match?.[2] ?? '', '--schema', copy, '--yes'], {
      cwd,
      env,
    });
    expect([restored.code, restored.stderr]).toEqual([0, '']);
    const target = await openDb({ connectionString: DATABASE_URL, schema: copy });
    try {
      expect(await configOf(target)).toEqual(original);
    } finally {
      await target.close();
    }
  }, 60_000);

  it('refuses --no-backup with --backup-dir', async () => {
    const both = await spawnKaviar(['migrate', '--schema', schema, '--no-backup', '--backup-dir', 'x'], {
      cwd,
      env,
    });
    expect([both.code, both.stderr]).toEqual([
      64,
      'kaviar-flags migrate: --no-backup and --backup-dir contradict each other: give one (see kaviar-flags migrate --help)\n',
    ]);
  });
});
