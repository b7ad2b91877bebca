import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { dropTestDb, forEachDatabase, openTestDb, testDatabaseKinds } from '../../../test/support/databases';
import { guardLeaks } from '../../../test/support/leaks';
import { type FlagsDb, migrate, SCHEMA_VERSION, SchemaAheadError, schemaVersion } from '../src/index';

guardLeaks();

describe('generated migrations module', () => {
  it('is up to date with migrations/*.sql', () => {
    const script = fileURLToPath(new URL('../scripts/gen-migrations.mjs', import.meta.url));
    // Throws (exit code 1) when src/migrations.generated.ts differs from what the SQL files produce.
    const output = execFileSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
    expect(output).toContain('up to date');
  });
});

forEachDatabase((getDb) => {
  it('is at the newest migration and a second run applies nothing', async () => {
    const db = getDb();
    expect(await schemaVersion(db)).toBe(SCHEMA_VERSION);
    expect(await migrate(db)).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION, applied: [] });
  });

  it('created the tables with their constraints', async () => {
    const db = getDb();
    const { rows } = await db.query<{ table_name: string }>(
      'select table_name from information_schema.tables where table_schema = $1 order by table_name',
      [db.schema],
    );
    expect(rows.map((r) => r.table_name)).toEqual([
      'allowlist',
      'audit',
      'changes',
      'checkpoints',
      'exposures',
      'flags',
      'instances',
      'ramps',
      'schema_migrations',
      'state',
    ]);
    await expect(
      db.query(`insert into ${db.ident}.flags (key, rollout_percentage) values ('x', 101)`),
    ).rejects.toThrow(/check constraint/);
    await expect(db.query(`insert into ${db.ident}.flags (key) values ('Bad Key')`)).rejects.toThrow(
      /check constraint/,
    );
  });

  it('refuses a schema that is ahead of the code', async () => {
    const db = getDb();
    await db.query(
      `insert into ${db.ident}.schema_migrations (version, name) values ($1, 'from_the_future')`,
      [SCHEMA_VERSION + 1],
    );
    try {
      const error = await migrate(db).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SchemaAheadError);
      expect(error).toMatchObject({ code: 'SCHEMA_AHEAD', databaseVersion: SCHEMA_VERSION + 1 });
    } finally {
      await db.query(`delete from ${db.ident}.schema_migrations where version = $1`, [SCHEMA_VERSION + 1]);
    }
  });
});

describe.each(testDatabaseKinds())('%s: many migrators', (kind) => {
  const opened: FlagsDb[] = [];
  afterAll(async () => {
    await Promise.all(opened.slice(1).map((db) => db.close()));
    if (opened[0]) await dropTestDb(opened[0]);
  });

  // PGlite has one connection, so its 20 migrators queue up one after another: that run only checks that
  // later migrators see the work done and apply nothing. Postgres is the real concurrency test.
  const title =
    kind === 'pglite'
      ? '20 migrators, sequential on PGlite’s single connection, apply each migration exactly once'
      : '20 concurrent migrators (20 connections) apply each migration exactly once';
  it(title, async () => {
    const first = await openTestDb(kind, { migrated: false });
    opened.push(first);
    for (let i = 1; i < 20; i++)
      opened.push(await openTestDb(kind, { schema: first.schema, migrated: false }));
    const results = await Promise.all(opened.map((db) => migrate(db)));
    // Each migration is its own transaction, so two migrators may share the work: every number once.
    const applied = results.flatMap((r) => r.applied).sort((a, b) => a - b);
    expect(applied).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
    expect(results.filter((r) => r.applied.includes(1))).toEqual([
      expect.objectContaining({ from: 0, to: SCHEMA_VERSION }),
    ]);
    expect(results.every((r) => r.to === SCHEMA_VERSION)).toBe(true);
    const { rows } = await first.query<{ version: number }>(
      `select version from ${first.ident}.schema_migrations order by version`,
    );
    expect(rows.map((r) => r.version)).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
  });
});
