/**
 * Schema 3: allowlist changes are logged once per statement (after its rows are written) instead of once
 * per row under the version lock. The change log must say exactly what the row trigger said before.
 */
import { expect, it } from 'vitest';
import { dropTestDb, forEachDatabase, openTestDb, randomSchema } from '../../../test/support/databases';
import { guardLeaks } from '../../../test/support/leaks';
import { createFlag, type FlagsDb, migrate, migrationSql } from '../src/index';
import { renderMigration } from '../src/migrate';
import { MIGRATIONS } from '../src/migrations.generated';
import { manualClients } from './support/clients';

guardLeaks();

type Change = { version: number; flag_key: string; subject_id: string | null; op: string };

async function stateVersion(db: FlagsDb): Promise<number> {
  const { rows } = await db.query<{ version: string }>(`select version from ${db.ident}.state`);
  return Number(rows[0]?.version);
}

/** The changes logged above `since`, in a stable order. */
async function changesSince(db: FlagsDb, since: number): Promise<Change[]> {
  const { rows } = await db.query<Change>(
    `select version::int, flag_key, subject_id, op from ${db.ident}.changes where version > $1
     order by version, flag_key, subject_id nulls first, op`,
    [since],
  );
  return rows;
}

forEachDatabase((getDb, ctx) => {
  const clients = manualClients();

  it('0003 is idempotent and replaces the allowlist row trigger by statement triggers', async () => {
    const db = getDb();
    const migration = MIGRATIONS.find((m) => m.name === '0003_allowlist_statement_log');
    expect(migration?.version).toBe(3);
    const triggers = async () =>
      (
        await db.query<{ tgname: string }>(
          `select tgname from pg_trigger where tgrelid = $1::regclass and not tgisinternal order by tgname`,
          [`${db.ident}.allowlist`],
        )
      ).rows.map((r) => r.tgname);
    expect(await triggers()).toEqual([
      'allowlist_log_delete',
      'allowlist_log_insert',
      'allowlist_log_update',
    ]);
    await db.exec(renderMigration(migration?.sql ?? '', db));
    expect(await triggers()).toEqual([
      'allowlist_log_delete',
      'allowlist_log_insert',
      'allowlist_log_update',
    ]);
  });

  it('logs each statement under the transaction’s one version, as the row trigger did', async () => {
    const db = getDb();
    await createFlag(db, { key: 'log.a' }, { actor: 'test' });
    await createFlag(db, { key: 'log.b' }, { actor: 'test' });
    const v0 = await stateVersion(db);

    // Two statements in one transaction: one version, every row logged.
    await db.transaction(async (tx) => {
      await tx.query(
        `insert into ${db.ident}.allowlist (flag_key, subject_id) values ('log.a', 'p-1'), ('log.a', 'p-2')`,
      );
      await tx.query(`insert into ${db.ident}.allowlist (flag_key, subject_id) values ('log.b', 'p-1')`);
    });
    const v1 = await stateVersion(db);
    expect(v1).toBe(v0 + 1);
    expect(await changesSince(db, v0)).toEqual([
      { version: v1, flag_key: 'log.a', subject_id: 'p-1', op: 'upsert' },
      { version: v1, flag_key: 'log.a', subject_id: 'p-2', op: 'upsert' },
      { version: v1, flag_key: 'log.b', subject_id: 'p-1', op: 'upsert' },
    ]);

    // A statement that writes no row takes no version.
    await db.query(`delete from ${db.ident}.allowlist where flag_key = 'log.a' and subject_id = 'nobody'`);
    await db.query(
      `insert into ${db.ident}.allowlist (flag_key, subject_id) values ('log.a', 'p-1') on conflict do nothing`,
    );
    expect(await stateVersion(db)).toBe(v1);

    // An update that renames an id: the new identity is upserted, the old one deleted.
    await db.query(
      `update ${db.ident}.allowlist set subject_id = 'p-3' where flag_key = 'log.a' and subject_id = 'p-2'`,
    );
    const v2 = await stateVersion(db);
    expect(await changesSince(db, v1)).toEqual([
      { version: v2, flag_key: 'log.a', subject_id: 'p-2', op: 'delete' },
      { version: v2, flag_key: 'log.a', subject_id: 'p-3', op: 'upsert' },
    ]);

    // An update that keeps the identity is an upsert only.
    await db.query(`update ${db.ident}.allowlist set added_by = 'someone' where flag_key = 'log.b'`);
    const v3 = await stateVersion(db);
    expect(await changesSince(db, v2)).toEqual([
      { version: v3, flag_key: 'log.b', subject_id: 'p-1', op: 'upsert' },
    ]);

    // Deleting the flag cascades: the flag row and each of its ids, under one version.
    await db.query(`delete from ${db.ident}.flags where key = 'log.a'`);
    const v4 = await stateVersion(db);
    expect(await changesSince(db, v3)).toEqual([
      { version: v4, flag_key: 'log.a', subject_id: null, op: 'delete' },
      { version: v4, flag_key: 'log.a', subject_id: 'p-1', op: 'delete' },
      { version: v4, flag_key: 'log.a', subject_id: 'p-3', op: 'delete' },
    ]);
  });

  it('a store upgraded from schema 2 keeps its rows, and a client follows the changes logged after', async () => {
    const schema = randomSchema('log');
    const db = await openTestDb(ctx.kind, { schema, migrated: false });
    try {
      await db.exec(migrationSql({ schema, to: 2 }));
      // Written by the schema-2 row trigger (the package refuses to write to a schema behind it).
      await db.query(`insert into ${db.ident}.flags (key, enabled) values ('up', true)`);
      await db.query(`insert into ${db.ident}.allowlist (flag_key, subject_id) values ('up', 'old-1')`);
      const before = await stateVersion(db);
      expect(await migrate(db)).toMatchObject({ from: 2, to: MIGRATIONS.length });
      const client = clients(db);
      await client.refresh();
      expect(client.isEnabled('up', 'old-1')).toBe(true);
      const version = client.status().version;
      expect(version).toBe(before);
      await db.query(`insert into ${db.ident}.allowlist (flag_key, subject_id) values ('up', 'new-1')`);
      await db.query(`delete from ${db.ident}.allowlist where subject_id = 'old-1'`);
      await client.refresh();
      expect(client.isEnabled('up', 'new-1')).toBe(true);
      expect(client.isEnabled('up', 'old-1')).toBe(false);
      expect(client.status().version).toBe(before + 2);
    } finally {
      await dropTestDb(db);
    }
  });
});
