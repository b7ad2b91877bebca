import type pg from 'pg';
import { checkConnectionString } from './connection-failure';
import { InvalidOptionError } from './errors';
import { createPgDb } from './pg-driver';
import { createPgliteDb, type PGliteLike } from './pglite-driver';
import { DEFAULT_SCHEMA, quoteSchema } from './schema-name';

/**
 * Something SQL can be sent to: the database or a transaction handle.
 * Numbers: `bigint` and `numeric` columns come back as JS numbers, `timestamptz` as `Date`, `jsonb` parsed,
 * on both drivers. Pass JSON parameters as `JSON.stringify(value)` with a `::jsonb` cast.
 * Meant for the flags schema's own statements: an undefined schema, table or function (SQLSTATE `3F000`,
 * `42P01`, `42883`) is reported as `SchemaMissingError`, since in those statements it means the schema is
 * missing or behind. Send SQL about your own tables through your own client.
 */
export interface Queryable {
  /** Runs one statement with `$1..$n` parameters. */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<{ rows: R[] }>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

/** A notification listener on the primary; `close()` stops it. @internal */
export interface NotificationListener {
  close(): Promise<void>;
}

/** An open flags database: where the flags schema lives and how to reach it. Create with {@link openDb}. */
export interface FlagsDb extends Queryable {
  /** The schema name, unquoted (`kaviar_flags`). */
  readonly schema: string;
  /** The schema as a quoted SQL identifier (`"kaviar_flags"`), safe to interpolate into SQL. */
  readonly ident: string;
  /** Which driver is underneath. */
  readonly driver: 'pg' | 'pglite';
  /**
   * Runs `fn` in one transaction: commits when it resolves, rolls back when it throws.
   * Inside, use only the `tx` handle (PGlite blocks other queries until the transaction ends).
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Opens a dedicated LISTEN on `channels` (one extra connection on `pg`). `onError` is called once when
   * the listening connection is lost; the caller decides when to listen again.
   * @internal
   */
  listen(
    channels: readonly string[],
    onNotify: (payload: string, channel: string) => void,
    onError: (error: Error) => void,
  ): Promise<NotificationListener>;
  /** Releases what `openDb` created (the pool, the PGlite instance). Pools and instances passed in stay open. Idempotent. */
  close(): Promise<void>;
}

/** Where the flags live. Give exactly one of `connectionString`, `pool` or `pglite`. */
export interface OpenDbOptions {
  /** A Postgres URL (`postgres://user@host:5432/db`); a `pg.Pool` is created and closed with the db. */
  connectionString?: string;
  /** An existing `pg.Pool`; it is used as is and left open by `close()`. */
  pool?: pg.Pool;
  /**
   * A PGlite instance (left open by `close()`), or a PGlite data directory (`'memory://'` for in-memory),
   * which is created and closed with the db. Needs the optional peer `@electric-sql/pglite`.
   */
  pglite?: PGliteLike | string;
  /** The Postgres schema holding the flags tables. Default `kaviar_flags`; must match `^[a-z_][a-z0-9_]{0,62}$`. */
  schema?: string;
  /** `application_name` of connections this package opens (`pg` only). Default `kaviar-flags`. */
  applicationName?: string;
  /** Pool size when a pool is created from `connectionString`. Default 4. */
  maxConnections?: number;
  /** Connect timeout in ms for connections this package opens. Default 5000. */
  connectTimeoutMs?: number;
  /**
   * Client-side bound of every query in ms (`pg` only): a query without an answer in time fails with
   * `DatabaseUnavailableError` and its connection is dropped. Default: none (admin imports may be long);
   * `createPgFlags` sets one.
   */
  queryTimeoutMs?: number;
  /** TCP keepalive on connections this package opens: idle ms before the first probe; 0 turns it off. Default 10000. */
  keepAliveMs?: number;
  /**
   * Where LISTEN connects instead of the pool's target (`pg` only): a direct connection to the primary when
   * the pool goes through a transaction-mode pooler such as PgBouncer, where LISTEN hears nothing.
   */
  listenConnectionString?: string;
  /** How long `close()` lets connections end politely before abandoning them, in ms. Default 2000. */
  closeTimeoutMs?: number;
}

/**
 * Opens the flags database over `pg` or PGlite. Does not create or migrate the schema: call {@link migrate}.
 *
 * @example
 * const db = await openDb({ connectionString: process.env.DATABASE_URL });
 * await migrate(db);
 */
export async function openDb(options: OpenDbOptions): Promise<FlagsDb> {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  const ident = quoteSchema(schema);
  const given = [options.connectionString, options.pool, options.pglite].filter((v) => v !== undefined);
  if (given.length !== 1) {
    throw new InvalidOptionError(
      'connectionString | pool | pglite',
      `${given.length} given`,
      'exactly one is required',
    );
  }
  if (options.pglite !== undefined) return createPgliteDb(options.pglite, schema, ident);
  if (options.connectionString !== undefined) checkConnectionString(options.connectionString);
  return createPgDb(
    {
      connectionString: options.connectionString,
      pool: options.pool,
      applicationName: options.applicationName ?? 'kaviar-flags',
      maxConnections: options.maxConnections ?? 4,
      connectTimeoutMs: options.connectTimeoutMs ?? 5000,
      queryTimeoutMs: options.queryTimeoutMs ?? 0,
      keepAliveMs: options.keepAliveMs ?? 10_000,
      listenConnectionString: options.listenConnectionString,
      closeTimeoutMs: options.closeTimeoutMs ?? 2000,
    },
    schema,
    ident,
  );
}
