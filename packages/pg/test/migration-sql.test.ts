import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DATABASE_URL,
  dropTestDb,
  forEachDatabase,
  openTestDb,
  randomSchema,
} from '../../../test/support/databases';
import { guardLeaks } from '../../../test/support/leaks';
import {
  createFlag,
  type FlagsDb,
  grantsSql,
  InvalidOptionError,
  migrate,
  migrationFiles,
  migrationSql,
  SCHEMA_VERSION,
  SchemaMissingError,
  schemaVersion,
} from '../src/index';
import { MIGRATIONS } from '../src/migrations.generated';
import { manualClients } from './support/clients';

guardLeaks();

const dir = mkdtempSync(join(tmpdir(), 'kaviar-flags-sql-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a SQL file with psql as a team's deploy script would; returns its exit status and stderr. */
function psql(sql: string): { status: number | null; stderr: string } {
  const file = join(dir, `${randomSchema('f')}.sql`);
  writeFileSync(file, sql);
  const result = spawnSync('psql', [DATABASE_URL ?? '', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', file], {
    encoding: 'utf8',
  });
  return { status: result.status, stderr: result.stderr };
}

/** Tables, columns, constraints, indexes, triggers and functions of a schema, with its name replaced by `S`. */
async function catalog(db: FlagsDb): Promise<string[]> {
  const { rows } = await db.query<{ line: string }>(
    `select format('column %s.%s %s %s %s', c.table_name, c.column_name, c.data_type, c.is_nullable,
                   coalesce(c.column_default, '')) as line
       from information_schema.columns c where c.table_schema = $1
     union all
     select format('constraint %s %s', con.conname, pg_get_constraintdef(con.oid))
       from pg_constraint con join pg_namespace n on n.oid = con.connamespace where n.nspname = $1
     union all
     select format('index %s', pg_get_indexdef(i.indexrelid))
       from pg_index i join pg_class t on t.oid = i.indrelid join pg_namespace n on n.oid = t.relnamespace
      where n.nspname = $1
     union all
     select format('trigger %s', pg_get_triggerdef(tg.oid))
       from pg_trigger tg join pg_class t on t.oid = tg.tgrelid join pg_namespace n on n.oid = t.relnamespace
      where n.nspname = $1 and not tg.tgisinternal
     union all
     select format('function %s %s', p.proname, md5(replace(p.prosrc, $1, 'S')))
       from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = $1
     union all
     select format('sequence %s', c.relname)
       from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1 and c.relkind = 'S'`,
    [db.schema],
  );
  return rows.map((r) => r.line.replaceAll(db.schema, 'S')).sort();
}

describe('migrationSql options', () => {
  it('gives one idempotent statement per migration, named as schema_migrations records it', () => {
    const files = migrationFiles({ schema: 'flags_x' });
    expect(files.map((f) => f.name)).toEqual(MIGRATIONS.map((m) => m.name));
    expect(files.map((f) => f.fileName)).toEqual(MIGRATIONS.map((m) => `${m.name}.sql`));
    for (const file of files) {
      expect(file.sql).toContain(
        `insert into "flags_x".schema_migrations (version, name) values (${file.version}`,
      );
      expect(file.sql).not.toContain('{{schema');
      expect(file.sql).not.toMatch(/^\s*(begin|commit)\s*;/im);
    }
    expect(migrationSql({ schema: 'flags_x' })).toBe(files.map((f) => f.sql).join('\n'));
    expect(migrationSql({ from: SCHEMA_VERSION })).toBe('');
  });

  it('grantsSql quotes role names, refuses bad ones and needs at least one role', () => {
    const sql = grantsSql({ schema: 'flags_x', application: 'app "1"' });
    expect(sql).toContain('grant usage on schema "flags_x" to "app ""1""";');
    expect(sql).toContain('grant select on "flags_x"."flags" to "app ""1""";');
    expect(sql).not.toMatch(/\bto "(ops|mon)/);
    expect(() => grantsSql({})).toThrow(InvalidOptionError);
    expect(() => grantsSql({ operator: '' })).toThrow(InvalidOptionError);
    expect(() => grantsSql({ operator: 'a\ndrop table x' })).toThrow(InvalidOptionError);
    expect(() => grantsSql({ monitor: 'x'.repeat(64) })).toThrow(InvalidOptionError);
    expect(() => grantsSql({ monitor: 'm', schema: 'Bad' })).toThrow(InvalidOptionError);
  });

  it('refuses numbers it does not know and a bad schema', () => {
    expect(() => migrationSql({ from: -1 })).toThrow(InvalidOptionError);
    expect(() => migrationSql({ to: SCHEMA_VERSION + 1 })).toThrow(InvalidOptionError);
    expect(() => migrationSql({ from: 0.5 })).toThrow(InvalidOptionError);
    expect(() => migrationSql({ schema: 'Bad-Schema' })).toThrow(InvalidOptionError);
  });
});

forEachDatabase((getDb) => {
  it('grants name every table and sequence of a migrated schema, for some role', async () => {
    const db = getDb();
    const { rows } = await db.query<{ name: string }>(
      `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = $1 and c.relkind in ('r', 'p', 'S', 'v', 'm')
          and not exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype = 'i')
        order by 1`,
      [db.schema],
    );
    const sql = grantsSql({ schema: db.schema, application: 'a', operator: 'o', monitor: 'm' });
    const granted = new Set([...sql.matchAll(/ on (?:sequence )?"[^"]+"\."([^"]+)"/g)].map((m) => m[1]));
    expect(rows.length).toBeGreaterThan(8);
    expect(rows.map((r) => r.name).filter((name) => !granted.has(name))).toEqual([]);
  });
});

forEachDatabase(
  (getDb, ctx) => {
    const clients = manualClients();

    it('applied with psql to an empty schema, twice, gives a schema migrate() and the client accept', async () => {
      const schema = randomSchema('sql');
      const db = await openTestDb('postgres', { schema, migrated: false });
      try {
        const sql = migrationSql({ schema });
        expect(psql(sql)).toMatchObject({ status: 0 });
        // Idempotent: the second run changes nothing and still exits 0.
        expect(psql(sql)).toMatchObject({ status: 0 });
        const { rows } = await db.query<{ version: number; name: string }>(
          `select version, name from ${db.ident}.schema_migrations order by version`,
        );
        expect(rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
        expect(await schemaVersion(db)).toBe(SCHEMA_VERSION);
        expect(await migrate(db)).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION, applied: [] });

        // Exactly the schema migrate() builds.
        const built = await catalog(getDb());
        expect(built.length).toBeGreaterThan(40);
        expect(await catalog(db)).toEqual(built);

        await createFlag(db, { key: 'beta', enabled: true, rolloutPercentage: 100 }, { actor: 'test' });
        const client = clients(db);
        await client.refresh();
        expect(client.status().lastError).toBeUndefined();
        expect(client.isEnabled('beta', 'passenger-1')).toBe(true);
      } finally {
        await dropTestDb(db);
      }
    });

    it('one file per migration applies in order; a file whose predecessor is missing fails and writes nothing', async () => {
      const schema = randomSchema('sql');
      const db = await openTestDb('postgres', { schema, migrated: false });
      try {
        const files = migrationFiles({ schema });
        if (files.length > 1) {
          const last = files.at(-1)?.sql ?? '';
          const out = psql(last);
          expect(out.status).not.toBe(0);
          expect(out.stderr).toMatch(/apply migration \d+ before/);
          expect(await schemaVersion(db)).toBe(0);
        }
        for (const file of files) expect(psql(file.sql)).toMatchObject({ status: 0 });
        expect(await schemaVersion(db)).toBe(SCHEMA_VERSION);
      } finally {
        await dropTestDb(db);
      }
    });

    it('a migration that fails halfway leaves the schema as it was (one statement, one transaction)', async () => {
      const schema = randomSchema('sql');
      const db = await openTestDb('postgres', { schema, migrated: false });
      try {
        // A table in the way of 0001's own `create table ... changes`, created late in the file.
        await db.exec(`create schema ${db.ident}; create table ${db.ident}.changes (x int)`);
        const out = psql(migrationSql({ schema, to: 1 }));
        expect(out.status).not.toBe(0);
        expect(out.stderr).toMatch(/already exists/);
        const { rows } = await db.query<{ table_name: string }>(
          'select table_name from information_schema.tables where table_schema = $1 order by 1',
          [schema],
        );
        expect(rows.map((r) => r.table_name)).toEqual(['changes']);
      } finally {
        await dropTestDb(db);
      }
    });

    it(`the client names the missing migration and the command to apply it (${ctx.kind})`, async () => {
      const schema = randomSchema('behind');
      const db = await openTestDb('postgres', { schema, migrated: false });
      try {
        expect(psql(migrationSql({ schema, to: SCHEMA_VERSION - 1 }))).toMatchObject({ status: 0 });
        const client = clients(db);
        await client.refresh();
        const error = client.status().lastError;
        expect(error).toBeInstanceOf(SchemaMissingError);
        const missing = MIGRATIONS.at(-1)?.name ?? '';
        expect(error).toMatchObject({
          code: 'SCHEMA_MISSING',
          databaseVersion: SCHEMA_VERSION - 1,
          missing: [missing],
        });
        expect(error?.message).toContain(missing);
        expect(error?.message).toContain(`kaviar-flags migrate --schema ${schema}`);
        expect(error?.message).toContain('--print-sql');
        expect(client.snapshot()).toBeUndefined();
      } finally {
        await dropTestDb(db);
      }
    });
  },
  { only: ['postgres'] },
);

forEachDatabase(
  () => {
    it('the same SQL run through the driver (PGlite) gives a current schema', async () => {
      const db = await openTestDb('pglite', { schema: randomSchema('sql'), migrated: false });
      try {
        await db.exec(migrationSql({ schema: db.schema }));
        await db.exec(migrationSql({ schema: db.schema }));
        expect(await schemaVersion(db)).toBe(SCHEMA_VERSION);
        expect(await migrate(db)).toMatchObject({ applied: [] });
      } finally {
        await dropTestDb(db);
      }
    });
  },
  { only: ['pglite'] },
);
