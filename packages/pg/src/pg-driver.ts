import { toError } from '@kaviar/flags-core';
import pg from 'pg';
import type { FlagsDb, NotificationListener, Queryable } from './db';
import { dbError } from './db-error';
import { driverQueryable, guardClosed } from './driver-queryable';
import { isConnectionError } from './sqlstate';

/** @internal */
export interface PgDriverOptions {
  connectionString: string | undefined;
  pool: pg.Pool | undefined;
  applicationName: string;
  maxConnections: number;
  connectTimeoutMs: number;
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;

// Per-query parsers, so the application's global pg type parsers are left alone.
const types = {
  getTypeParser(oid: number, format?: string) {
    if (oid === INT8_OID || oid === NUMERIC_OID) return Number;
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

function queryable(client: pg.Pool | pg.PoolClient, schema: string): Queryable {
  return driverQueryable(
    {
      query: (text, values) => client.query({ text, values, types }),
      exec: (sql) => client.query(sql),
    },
    schema,
  );
}

/**
 * The `pg` driver: queries go through a Pool; LISTEN gets its own `pg.Client` with the pool's settings.
 * @internal
 */
export function createPgDb(options: PgDriverOptions, schema: string, ident: string): FlagsDb {
  const ownsPool = options.pool === undefined;
  const pool =
    options.pool ??
    new pg.Pool({
      connectionString: options.connectionString,
      max: options.maxConnections,
      application_name: options.applicationName,
      connectionTimeoutMillis: options.connectTimeoutMs,
      idleTimeoutMillis: 10_000,
      allowExitOnIdle: true,
    });
  // An idle client dropped by the server emits 'error' on the pool; without a listener that kills the process.
  const onPoolError = () => {};
  pool.on('error', onPoolError);
  let closed = false;
  const guarded = guardClosed(queryable(pool, schema), () => closed);
  const check = guarded.check;

  return {
    schema,
    ident,
    driver: 'pg',
    query: guarded.query,
    exec: guarded.exec,
    async transaction(fn) {
      check();
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (caught) {
        throw dbError(caught, schema);
      }
      let broken: Error | undefined;
      try {
        await client.query('begin');
        const result = await fn(queryable(client, schema));
        await client.query('commit');
        return result;
      } catch (caught) {
        const error = toError(caught);
        if (isConnectionError(error) || isConnectionError(error.cause)) broken = error;
        else await client.query('rollback').catch((e: unknown) => (broken = toError(e)));
        throw dbError(error, schema);
      } finally {
        client.release(broken);
      }
    },
    async listen(channel, onNotify, onError) {
      check();
      const client = new pg.Client({
        ...pool.options,
        application_name: `${pool.options.application_name ?? options.applicationName}-listen`,
      });
      let done = false;
      const fail = (caught: unknown) => {
        if (done) return;
        done = true;
        client.end().catch(() => {});
        onError(dbError(caught, schema));
      };
      client.on('error', fail);
      client.on('end', () => fail(new Error('Connection terminated: the LISTEN connection ended')));
      client.on('notification', (message) => {
        if (message.channel === channel) onNotify(message.payload ?? '');
      });
      try {
        await client.connect();
        await client.query(`listen "${channel.replaceAll('"', '""')}"`);
      } catch (caught) {
        done = true;
        await client.end().catch(() => {});
        throw dbError(caught, schema);
      }
      const listener: NotificationListener = {
        async close() {
          if (done) return;
          done = true;
          await client.end().catch(() => {});
        },
      };
      return listener;
    },
    async close() {
      if (closed) return;
      closed = true;
      pool.off('error', onPoolError);
      if (ownsPool) await pool.end();
    },
  };
}
