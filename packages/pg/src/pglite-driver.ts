import { ClosedError } from '@kaviar/flags-core';
import type { FlagsDb, Queryable } from './db';
import { dbError } from './db-error';

type Parsers = Record<number, (value: string) => unknown>;

/** The part of a PGlite transaction handle this package uses. */
export interface PGliteTransactionLike {
  query<T>(sql: string, params?: unknown[], options?: { parsers?: Parsers }): Promise<{ rows: T[] }>;
  exec(sql: string): Promise<unknown>;
}

/** The part of a `PGlite` instance (from `@electric-sql/pglite`) this package uses. */
export interface PGliteLike extends PGliteTransactionLike {
  transaction<T>(fn: (tx: PGliteTransactionLike) => Promise<T>): Promise<T>;
  listen(channel: string, callback: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
  readonly closed: boolean;
}

const parsers: Parsers = { 20: Number, 1700: Number };

function queryable(target: PGliteTransactionLike, schema: string): Queryable {
  return {
    async query<R>(sql: string, params?: readonly unknown[]) {
      try {
        const result = await target.query<R>(sql, params as unknown[] | undefined, { parsers });
        return { rows: result.rows };
      } catch (caught) {
        throw dbError(caught, schema);
      }
    },
    async exec(sql: string) {
      try {
        await target.exec(sql);
      } catch (caught) {
        throw dbError(caught, schema);
      }
    },
  };
}

async function createPglite(dataDir: string): Promise<PGliteLike> {
  const { PGlite } = await import('@electric-sql/pglite');
  return (await PGlite.create(dataDir)) as unknown as PGliteLike;
}

/**
 * The PGlite driver: one in-process connection. A data directory string creates (and later closes)
 * the instance; an instance passed in is left open.
 * @internal
 */
export async function createPgliteDb(
  given: PGliteLike | string,
  schema: string,
  ident: string,
): Promise<FlagsDb> {
  const owns = typeof given === 'string';
  const pglite = typeof given === 'string' ? await createPglite(given) : given;
  const base = queryable(pglite, schema);
  let closed = false;
  const check = () => {
    if (closed || pglite.closed) throw new ClosedError('The flags database');
  };
  return {
    schema,
    ident,
    driver: 'pglite',
    query(sql, params) {
      check();
      return base.query(sql, params);
    },
    exec(sql) {
      check();
      return base.exec(sql);
    },
    async transaction(fn) {
      check();
      try {
        return await pglite.transaction((tx) => fn(queryable(tx, schema)));
      } catch (caught) {
        throw dbError(caught, schema);
      }
    },
    async listen(channel, onNotify) {
      check();
      const unlisten = await pglite.listen(channel, onNotify);
      return {
        async close() {
          if (!pglite.closed) await unlisten();
        },
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      if (owns && !pglite.closed) await pglite.close();
    },
  };
}
