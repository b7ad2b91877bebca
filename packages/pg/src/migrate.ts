/**
 * The migration runner. Invariants:
 * - Each migration runs in its own transaction, together with its `schema_migrations` row, so a schema is
 *   always at exactly one migration number; a failed migration leaves it at the previous one.
 * - Every transaction first takes a transaction-level advisory lock keyed by the schema name, so any
 *   number of concurrent migrators apply each migration once; the others wait, then see it applied.
 * - A schema at a higher number than this code knows is never touched (`SchemaAheadError`).
 */
import type { FlagsDb, Queryable } from './db';
import { SchemaAheadError, SchemaMissingError } from './errors';
import { MIGRATIONS, type Migration } from './migrations.generated';

/** What {@link migrate} did: the migration number before and after, and the numbers it applied. */
export interface MigrateResult {
  /** Schema migration number found (0 when the schema did not exist). */
  readonly from: number;
  /** Schema migration number now. */
  readonly to: number;
  /** Migration numbers applied by this call, in order (empty when already current). */
  readonly applied: readonly number[];
}

/** The newest schema migration number this version of the package knows. */
export const SCHEMA_VERSION: number = MIGRATIONS.length;

/** First key of the two-part advisory lock ("kf"); the second is hashtext(schema). @internal */
export const MIGRATION_LOCK_CLASS = 0x6b66;

/** The runner's own table, where every path records the migration numbers applied. @internal */
export function migrationsTableSql(ident: string): string {
  return `create table if not exists ${ident}.schema_migrations (
       version integer primary key,
       name text not null,
       applied_at timestamptz not null default now()
     )`;
}

/** Replaces the `{{schema}}` / `{{schema_literal}}` placeholders of a migration. @internal */
export function renderMigration(sql: string, db: Pick<FlagsDb, 'schema' | 'ident'>): string {
  return sql.replaceAll('{{schema_literal}}', `'${db.schema}'`).replaceAll('{{schema}}', db.ident);
}

/**
 * The schema's current migration number, 0 when the schema or its migrations table does not exist.
 * Does not lock or write.
 */
export function schemaVersion(db: FlagsDb): Promise<number> {
  return readSchemaVersion(db, db.schema);
}

async function readSchemaVersion(q: Queryable, schema: string): Promise<number> {
  const { rows } = await q.query<{ exists: boolean }>(
    `select to_regclass(quote_ident($1) || '.schema_migrations') is not null as exists`,
    [schema],
  );
  if (!rows[0]?.exists) return 0;
  const result = await q.query<{ version: number }>(
    `select coalesce(max(version), 0)::int as version from "${schema}".schema_migrations`,
  );
  return result.rows[0]?.version ?? 0;
}

async function lockAndPrepare(tx: Queryable, db: FlagsDb): Promise<number> {
  await tx.query('select pg_advisory_xact_lock($1, hashtext($2))', [MIGRATION_LOCK_CLASS, db.schema]);
  const { rows } = await tx.query('select 1 from pg_namespace where nspname = $1', [db.schema]);
  // Checked first so a role without CREATE on the database can still migrate an existing schema.
  if (rows.length === 0) await tx.exec(`create schema ${db.ident}`);
  await tx.exec(migrationsTableSql(db.ident));
  const current = await readSchemaVersion(tx, db.schema);
  if (current > SCHEMA_VERSION) throw new SchemaAheadError(db.schema, current, SCHEMA_VERSION);
  return current;
}

async function applyNext(db: FlagsDb): Promise<{ before: number; applied?: Migration }> {
  return db.transaction(async (tx) => {
    const before = await lockAndPrepare(tx, db);
    const next = MIGRATIONS[before];
    if (next === undefined) return { before };
    await tx.exec(renderMigration(next.sql, db));
    await tx.query(`insert into ${db.ident}.schema_migrations (version, name) values ($1, $2)`, [
      next.version,
      next.name,
    ]);
    return { before, applied: next };
  });
}

/**
 * Creates the schema if needed and applies every pending migration, each in one transaction under an
 * advisory lock. Safe to run from many processes at once. Throws `SchemaAheadError` when the database
 * is at a newer migration than this package knows, and `DatabaseUnavailableError` when it cannot connect.
 *
 * @example
 * const { from, to, applied } = await migrate(db); // { from: 0, to: 1, applied: [1] }
 */
export async function migrate(db: FlagsDb): Promise<MigrateResult> {
  const applied: number[] = [];
  let from: number | undefined;
  for (;;) {
    const step = await applyNext(db);
    from ??= step.before;
    if (step.applied === undefined) return { from, to: step.before, applied };
    applied.push(step.applied.version);
  }
}

/**
 * Throws `SchemaMissingError` naming the missing migrations (and the commands that apply them) when the
 * schema is behind this package. A schema ahead of it is fine for reading: migrations only add.
 * @internal
 */
export async function requireCurrentSchema(db: FlagsDb): Promise<void> {
  const current = await schemaVersion(db);
  if (current >= SCHEMA_VERSION) return;
  const missing = MIGRATIONS.slice(current).map((m) => m.name);
  throw new SchemaMissingError(db.schema, { behind: { databaseVersion: current, missing } });
}
