/**
 * Test databases for every package's database suites: each `forEachDatabase` block gets a fresh, migrated
 * schema (random name, dropped afterwards) on real Postgres (`DATABASE_URL`) and on in-memory PGlite, so
 * test files run in parallel without seeing each other's rows.
 *
 * - `DATABASE_URL` unset: the Postgres variant is skipped, unless `KAVIAR_FLAGS_REQUIRE_DB=1`, which makes
 *   a missing or unreachable database a failing test.
 * - PGlite: one instance per test file (it takes seconds to start), shared by that file's blocks.
 *
 * @example
 * forEachDatabase((getDb, ctx) => {
 *   it('creates a flag', async () => {
 *     await createFlag(getDb(), { key: 'a' }, { actor: 'test' });
 *   });
 * });
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { type FlagsDb, migrate, type OpenDbOptions, openDb } from '../../packages/pg/src/index';
import { currentPglite, sharedPglite } from './pglite';

/** Which backend a block runs on. */
export type TestDatabaseKind = 'postgres' | 'pglite';

/** What a block gets besides `getDb()`. */
export interface TestDatabaseContext {
  readonly kind: TestDatabaseKind;
  /** The block's schema name (valid once `beforeAll` ran). */
  schema(): string;
  /**
   * Options to open more connections to the same schema (a second client, concurrent writers):
   * `{ connectionString, schema }` on Postgres, `{ pglite, schema }` (the shared instance) on PGlite.
   */
  openOptions(): OpenDbOptions & { schema: string };
}

/** The Postgres URL tests use, or `undefined` when unset. */
export const DATABASE_URL: string | undefined = process.env.DATABASE_URL || undefined;

/** `true` when a missing database must fail the run instead of skipping. */
export const REQUIRE_DB: boolean = process.env.KAVIAR_FLAGS_REQUIRE_DB === '1';

// One per test file (each file loads this module afresh), so a file's connections can be told apart.
const FILE_TAG = randomBytes(4).toString('hex');
const schemasUsed = new Set<string>();

/**
 * This test file's application name, with an optional suffix: test databases use it, and clients given
 * `appName: testAppName()` too, so the leak guard (`leaks.ts`) finds this file's connections.
 */
export function testAppName(suffix?: string): string {
  return suffix === undefined ? `kaviar-flags-test-${FILE_TAG}` : `kaviar-flags-test-${FILE_TAG}-${suffix}`;
}

/** The schemas `openTestDb` opened in this test file. */
export function testSchemas(): ReadonlySet<string> {
  return schemasUsed;
}

/** A schema name no other test file uses. */
export function randomSchema(prefix = 't'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/** Opens a db for `kind` on a new random schema, migrated unless `migrated: false`. */
export async function openTestDb(
  kind: TestDatabaseKind,
  options: { schema?: string; migrated?: boolean } = {},
): Promise<FlagsDb> {
  const schema = options.schema ?? randomSchema();
  schemasUsed.add(schema);
  const db =
    kind === 'postgres'
      ? await openDb({ connectionString: requireUrl(), schema, applicationName: testAppName() })
      : await openDb({ pglite: await sharedPglite(), schema });
  if (options.migrated !== false) await migrate(db);
  return db;
}

/** Drops the db's schema and closes it. */
export async function dropTestDb(db: FlagsDb): Promise<void> {
  try {
    await db.exec(`drop schema if exists ${db.ident} cascade`);
  } finally {
    await db.close();
  }
}

function requireUrl(): string {
  if (DATABASE_URL === undefined) throw new Error('DATABASE_URL is not set');
  return DATABASE_URL;
}

/** The kinds to run: PGlite always, Postgres when `DATABASE_URL` is set. */
export function testDatabaseKinds(): TestDatabaseKind[] {
  return DATABASE_URL !== undefined ? ['postgres', 'pglite'] : ['pglite'];
}

/**
 * A second migrated database of `kind` (a fresh schema) for the enclosing block: opened before it,
 * dropped after. For a restore onto an empty database, say.
 */
export function anotherTestDb(kind: TestDatabaseKind): () => FlagsDb {
  let db: FlagsDb | undefined;
  beforeAll(async () => {
    db = await openTestDb(kind);
  });
  afterAll(async () => {
    if (db) await dropTestDb(db);
  });
  return () => {
    if (!db) throw new Error('anotherTestDb: used outside its block');
    return db;
  };
}

/**
 * Defines `define`'s tests once per database kind, each in a `describe(kind)` with a fresh migrated schema.
 * Pass `{ only: ['postgres'] }` for tests that need a real server (connection loss, concurrency).
 */
export function forEachDatabase(
  define: (getDb: () => FlagsDb, ctx: TestDatabaseContext) => void,
  options: { only?: readonly TestDatabaseKind[] } = {},
): void {
  const kinds = options.only ?? ['postgres', 'pglite'];
  if (kinds.includes('postgres') && DATABASE_URL === undefined) {
    if (REQUIRE_DB) {
      it('postgres: DATABASE_URL is set (KAVIAR_FLAGS_REQUIRE_DB=1)', () => {
        throw new Error('KAVIAR_FLAGS_REQUIRE_DB=1 but DATABASE_URL is not set');
      });
    } else {
      describe.skip('postgres (DATABASE_URL not set)', () => {
        define(() => {
          throw new Error('skipped');
        }, skippedContext('postgres'));
      });
    }
  }
  for (const kind of testDatabaseKinds().filter((k) => kinds.includes(k))) {
    describe(kind, () => {
      let db: FlagsDb | undefined;
      beforeAll(async () => {
        db = await openTestDb(kind);
      });
      afterAll(async () => {
        if (db) await dropTestDb(db);
      });
      const getDb = () => {
        if (!db) throw new Error('The test database is not open (beforeAll failed?)');
        return db;
      };
      define(getDb, {
        kind,
        schema: () => getDb().schema,
        openOptions: () => {
          const schema = getDb().schema;
          return kind === 'postgres'
            ? { connectionString: requireUrl(), schema }
            : { pglite: pgliteNow(), schema };
        },
      });
    });
  }
}

function pgliteNow() {
  const instance = currentPglite();
  if (!instance) throw new Error('The shared PGlite instance is not started yet');
  return instance;
}

function skippedContext(kind: TestDatabaseKind): TestDatabaseContext {
  const fail = (): never => {
    throw new Error('skipped');
  };
  return { kind, schema: fail, openOptions: fail };
}
