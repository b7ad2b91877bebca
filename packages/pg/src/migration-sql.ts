/**
 * The migrations as plain SQL, for a team that applies schema changes with its own tool (psql, Flyway,
 * node-pg-migrate, ...) instead of {@link migrate}. Invariants:
 * - Each file is ONE `do` statement, so it is atomic on its own (autocommit psql) and inside a tool's
 *   transaction alike, and holds the same advisory lock as `migrate()` until that transaction ends.
 * - Each file is idempotent: it applies its migration only when `schema_migrations` does not have its number
 *   yet, and records the number in the same transaction, exactly where `migrate()` and the client look. A
 *   file applied out of order (its predecessor missing) fails and changes nothing.
 * - The migration body is the same text `migrate()` runs (`renderMigration`), so both paths give the same
 *   schema.
 */
import { InvalidOptionError } from './errors';
import { MIGRATION_LOCK_CLASS, migrationsTableSql, renderMigration, SCHEMA_VERSION } from './migrate';
import { MIGRATIONS } from './migrations.generated';
import { DEFAULT_SCHEMA, quoteSchema } from './schema-name';

/** Options of {@link migrationSql} and {@link migrationFiles}. */
export interface MigrationSqlOptions {
  /** The schema the SQL creates and upgrades. Default `kaviar_flags`. */
  schema?: string;
  /** The migration number the database is at: the SQL starts after it. Default 0 (an empty schema). */
  from?: number;
  /** The last migration number to include. Default: the newest ({@link SCHEMA_VERSION}). */
  to?: number;
}

/** One migration as a runnable SQL file. */
export interface MigrationFile {
  /** Its number (1, 2, ...). */
  readonly version: number;
  /** Its name, as recorded in `schema_migrations` (`0001_init`). */
  readonly name: string;
  /** A file name for it (`0001_init.sql`). */
  readonly fileName: string;
  /** The SQL: one idempotent `do` statement for the given schema. */
  readonly sql: string;
}

function migrationNumber(option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > SCHEMA_VERSION) {
    throw new InvalidOptionError(option, value, `must be a migration number from 0 to ${SCHEMA_VERSION}`);
  }
  return value;
}

/**
 * Each migration after `from` up to `to` as its own runnable SQL file, for a tool that wants one file per
 * migration (Flyway's `V1__...sql`, node-pg-migrate's `migrations/*.sql`).
 */
export function migrationFiles(options: MigrationSqlOptions = {}): readonly MigrationFile[] {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  const ident = quoteSchema(schema);
  const from = migrationNumber('from', options.from, 0);
  const to = migrationNumber('to', options.to, SCHEMA_VERSION);
  if (from > to) throw new InvalidOptionError('from', from, `must not be above to (${to})`);
  return MIGRATIONS.slice(from, to).map((m) => ({
    version: m.version,
    name: m.name,
    fileName: `${m.name}.sql`,
    sql: wrap(m.version, m.name, renderMigration(m.sql, { schema, ident }), schema, ident),
  }));
}

/**
 * The migrations after `from` up to `to` as one SQL script for `schema`: what `migrate()` would apply,
 * for psql or a migration tool. Each migration is one idempotent statement that records its number in
 * `schema_migrations`, so the database is then current for `migrate()` and the client.
 *
 * @example
 * writeFileSync('kaviar_flags.sql', migrationSql({ schema: 'kaviar_flags' }));
 * // psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -f kaviar_flags.sql
 */
export function migrationSql(options: MigrationSqlOptions = {}): string {
  return migrationFiles(options)
    .map((file) => file.sql)
    .join('\n');
}

// A dollar-quote tag no migration uses, so the body can hold `$$` functions and `do` blocks of its own.
const OUTER = '$kaviar_flags_migration$';
const INNER = '$kaviar_flags_migration_body$';

function wrap(version: number, name: string, body: string, schema: string, ident: string): string {
  if (body.includes(OUTER) || body.includes(INNER)) {
    throw new Error(`Migration ${name} uses the reserved dollar-quote tag ${OUTER} or ${INNER}`);
  }
  const literal = `'${schema}'`;
  return `-- @kaviar/flags-pg migration ${name} for schema ${ident}: one idempotent statement; it records
-- version ${version} in ${ident}.schema_migrations, where migrate() and the client look.
-- Generated from @kaviar/flags-pg; never edit it (a later version adds a new numbered file).
do ${OUTER}
declare
  current_version integer;
begin
  perform pg_advisory_xact_lock(${MIGRATION_LOCK_CLASS}, hashtext(${literal}));
  -- Checked first so a role without CREATE on the database can still upgrade an existing schema.
  if not exists (select 1 from pg_namespace where nspname = ${literal}) then
    execute 'create schema ${ident}';
  end if;
  execute ${INNER}${migrationsTableSql(ident)}${INNER};
  select coalesce(max(version), 0) into current_version from ${ident}.schema_migrations;
  if current_version >= ${version} then
    raise notice 'kaviar_flags: schema % is at migration %, % already applied', ${literal}, current_version, '${name}';
    return;
  end if;
${
  version === 1
    ? ''
    : `  if current_version < ${version - 1} then
    raise exception 'kaviar_flags: schema % is at migration %; apply migration ${version - 1} before ${name}',
      ${literal}, current_version;
  end if;
`
}  execute ${INNER}
${body}
${INNER};
  insert into ${ident}.schema_migrations (version, name) values (${version}, '${name}');
end
${OUTER};
`;
}
