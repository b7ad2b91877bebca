import type { FlagsDb, Queryable } from './db';
import { dbError } from './db-error';
import { driverQueryable, guardClosed } from './driver-queryable';

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
  return driverQueryable(
    { query: (sql, params) => target.query(sql, params, { parsers }), exec: (sql) => target.exec(sql) },
    schema,
  );
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
  let closed = false;
  const guarded = guardClosed(queryable(pglite, schema), () => closed || pglite.closed);
  const check = guarded.check;
  return {
    schema,
    ident,
    driver: 'pglite',
    query: guarded.query,
    exec: guarded.exec,
    async transaction(fn) {
      check();
      try {
        return await pglite.transaction((tx) => fn(queryable(tx, schema)));
      } catch (caught) {
        throw dbError(caught, schema);
      }
    },
    async listen(channels, onNotify) {
      check();
      const unlisten: (() => Promise<void>)[] = [];
      for (const channel of channels) {
        unlisten.push(await pglite.listen(channel, (payload) => onNotify(payload, channel)));
      }
      return {
        async close() {
          if (!pglite.closed) for (const stop of unlisten) await stop();
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
