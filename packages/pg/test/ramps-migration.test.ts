import { expect, it } from 'vitest';
import { forEachDatabase } from '../../../test/support/databases';
import { guardLeaks } from '../../../test/support/leaks';
import { renderMigration } from '../src/migrate';
import { MIGRATIONS } from '../src/migrations.generated';

guardLeaks();

forEachDatabase((getDb) => {
  it('0002_ramps is idempotent: applying it again to a migrated schema changes nothing', async () => {
    const db = getDb();
    const ramps = MIGRATIONS.find((m) => m.name === '0002_ramps');
    expect(ramps?.version).toBe(2);
    const shape = async () =>
      JSON.stringify(
        (
          await db.query(
            `select table_name, column_name, data_type from information_schema.columns where table_schema = $1
             union all select tablename, indexname, indexdef from pg_indexes where schemaname = $1 order by 1, 2`,
            [db.schema],
          )
        ).rows,
      );
    const before = await shape();
    expect(before).toContain('ramps_one_in_progress_idx');
    await db.exec(renderMigration(ramps?.sql ?? '', db));
    expect(await shape()).toBe(before);
    const { rows } = await db.query<{ version: number }>(
      `select version from ${db.ident}.schema_migrations order by version`,
    );
    expect(rows.map((r) => Number(r.version))).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it('the database refuses a second ramp in progress for a flag, and impossible rows', async () => {
    const db = getDb();
    await db.query(`insert into ${db.ident}.flags (key, enabled) values ('one_ramp', true)`);
    const insert = (state: string, steps = '{1,5}') =>
      db.query(
        `insert into ${db.ident}.ramps (flag_key, steps, phases, hold_ms, rollback_to, initial_rollout, expect_enabled,
           expect_allowlist_size, state, step_started_at, flag_version, started_by, started_at, updated_at)
         values ('one_ramp', $2::numeric[], '{a,b}', 1000, 'previous', 0, true, 0, $1, now(), 1, 'goes', now(), now())`,
        [state, steps],
      );
    await insert('completed');
    await insert('active');
    await expect(insert('paused')).rejects.toThrow(/ramps_one_in_progress_idx|duplicate key/);
    await expect(insert('completed', '{1,150}')).rejects.toThrow(/check constraint/);
    await expect(insert('exploded')).rejects.toThrow(/check constraint/);
  });
});
