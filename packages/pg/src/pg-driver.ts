/**
 * The `pg` driver. Every bound a stalled network could otherwise break is held here:
 * - each query carries a client-side timeout (`query_timeout`); a query that times out fails with
 *   `DatabaseUnavailableError` and its connection is discarded (it may be half-open);
 * - connections this driver opens have TCP keepalive and a connect timeout;
 * - `close()` gives the pool and LISTEN connections `closeTimeoutMs` to end politely, then destroys their
 *   sockets, so a hung network can neither keep `close()` pending nor keep the process alive.
 */
import { toError } from '@kaviar/flags-core/internal';
import pg from 'pg';
import type { FlagsDb, NotificationListener, Queryable } from './db';
import { dbError } from './db-error';
import { driverQueryable, guardClosed } from './driver-queryable';
import { DatabaseUnavailableError } from './errors';
import { settlesWithin } from './source/settles-within';
import { isConnectionError } from './sqlstate';

/** @internal */
export interface PgDriverOptions {
  connectionString: string | undefined;
  pool: pg.Pool | undefined;
  applicationName: string;
  maxConnections: number;
  connectTimeoutMs: number;
  /** Client-side bound of every query in ms; 0: none. */
  queryTimeoutMs: number;
  /** TCP keepalive: idle time in ms before the first probe; 0: keepalive off. */
  keepAliveMs: number;
  /** Where LISTEN connects instead of the pool's target (a direct connection behind a pooler). */
  listenConnectionString: string | undefined;
  /** How long `close()` lets connections end politely before destroying their sockets. */
  closeTimeoutMs: number;
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

// pg's own message for a query that outlived `query_timeout`.
const QUERY_TIMEOUT_MESSAGE = 'Query read timeout';

function queryable(client: pg.Pool | pg.PoolClient, schema: string, queryTimeoutMs: number): Queryable {
  const timeout = queryTimeoutMs > 0 ? { query_timeout: queryTimeoutMs } : {};
  const bounded = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (caught) {
      const error = toError(caught);
      if (error.message !== QUERY_TIMEOUT_MESSAGE) throw error;
      throw new DatabaseUnavailableError(
        `no answer within ${queryTimeoutMs} ms (queryTimeoutMs); the connection was dropped`,
        { cause: error },
      );
    }
  };
  return driverQueryable(
    {
      query: (text, values) => bounded(() => client.query({ text, values, types, ...timeout })),
      exec: (sql) => bounded(() => client.query({ text: sql, ...timeout })),
    },
    schema,
  );
}

/** Destroys a pg client's socket: its pending queries fail at once and the process is free to exit. */
function destroySocket(client: pg.Client | pg.PoolClient): void {
  (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
}

/** Where a connection string points, without credentials, for error messages. */
function target(connectionString: string | undefined, fallback: pg.PoolConfig): string {
  try {
    if (connectionString) {
      const url = new URL(connectionString);
      return `${url.hostname}:${url.port || 5432}`;
    }
  } catch {
    // Not a URL (a libpq keyword string): fall through.
  }
  return `${fallback.host ?? 'localhost'}:${fallback.port ?? 5432}`;
}

/**
 * The `pg` driver: queries go through a Pool; LISTEN gets its own `pg.Client` with the pool's settings
 * (or `listenConnectionString`).
 * @internal
 */
export function createPgDb(options: PgDriverOptions, schema: string, ident: string): FlagsDb {
  const ownsPool = options.pool === undefined;
  const keepAlive =
    options.keepAliveMs > 0 ? { keepAlive: true, keepAliveInitialDelayMillis: options.keepAliveMs } : {};
  // The pool's connections, connecting ones included, so that close() can abandon what a hung network holds.
  const poolClients = new Set<pg.Client>();
  class TrackedClient extends pg.Client {
    constructor(config?: string | pg.ClientConfig) {
      super(config);
      poolClients.add(this);
      this.once('end', () => poolClients.delete(this));
    }
  }
  const pool =
    options.pool ??
    new pg.Pool({
      Client: TrackedClient,
      connectionString: options.connectionString,
      max: options.maxConnections,
      application_name: options.applicationName,
      connectionTimeoutMillis: options.connectTimeoutMs,
      idleTimeoutMillis: 10_000,
      allowExitOnIdle: true,
      ...keepAlive,
    });
  // An idle client dropped by the server emits 'error' on the pool; without a listener that kills the process.
  // It stays attached after close(): sockets destroyed by close() may still report.
  pool.on('error', () => {});
  const listeners = new Set<{ end(): Promise<void> }>();
  let closed = false;
  const guarded = guardClosed(queryable(pool, schema, options.queryTimeoutMs), () => closed);
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
        const tx = queryable(client, schema, options.queryTimeoutMs);
        await tx.exec('begin');
        const result = await fn(tx);
        await tx.exec('commit');
        return result;
      } catch (caught) {
        const error = toError(caught);
        if (
          error instanceof DatabaseUnavailableError ||
          isConnectionError(error) ||
          isConnectionError(error.cause)
        ) {
          broken = error;
        } else {
          await client.query('rollback').catch((e: unknown) => (broken = toError(e)));
        }
        throw dbError(error, schema);
      } finally {
        client.release(broken);
      }
    },
    async listen(channels, onNotify, onError) {
      check();
      const application_name = `${pool.options.application_name ?? options.applicationName}-listen`;
      // Our own connect timer below replaces pg's, whose expiry is an untyped 'timeout expired'.
      const client = new pg.Client(
        options.listenConnectionString
          ? {
              connectionString: options.listenConnectionString,
              application_name,
              query_timeout: options.queryTimeoutMs || undefined,
              ...keepAlive,
            }
          : { ...pool.options, application_name, connectionTimeoutMillis: 0 },
      );
      const where = target(options.listenConnectionString ?? options.connectionString, pool.options);
      let done = false;
      let ending: Promise<void> | undefined;
      const end = () => {
        done = true;
        ending ??= settlesWithin(client.end(), options.closeTimeoutMs).then((ended) => {
          if (!ended) destroySocket(client);
          listeners.delete(handle);
        });
        return ending;
      };
      const handle = { end };
      listeners.add(handle);
      let established = false;
      const fail = (caught: unknown) => {
        if (done) return;
        void end();
        // Before it is established, the failure rejects listen() itself: report it once, there.
        if (established) onError(dbError(caught, schema));
      };
      client.on('error', fail);
      client.on('end', () => fail(new Error('Connection terminated: the LISTEN connection ended')));
      client.on('notification', (message) => {
        if (channels.includes(message.channel)) onNotify(message.payload ?? '', message.channel);
      });
      const connectMs = options.connectTimeoutMs;
      let timer: NodeJS.Timeout | undefined;
      try {
        const ready = (async () => {
          await client.connect();
          for (const channel of channels) await client.query(`listen "${channel.replaceAll('"', '""')}"`);
        })();
        const timedOut = new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            destroySocket(client);
            reject(
              new DatabaseUnavailableError(
                `the LISTEN connection to ${where} was not established within ${connectMs} ms (connectTimeoutMs)`,
              ),
            );
          }, connectMs);
        });
        ready.catch(() => {}); // settled by the race below or discarded after the timeout
        await Promise.race([ready, timedOut]);
        established = true;
      } catch (caught) {
        done = true;
        listeners.delete(handle);
        destroySocket(client);
        await settlesWithin(client.end(), options.closeTimeoutMs);
        throw dbError(caught, schema);
      } finally {
        clearTimeout(timer);
      }
      const listener: NotificationListener = {
        async close() {
          if (done) return;
          await end();
        },
      };
      return listener;
    },
    async close() {
      if (closed) return;
      closed = true;
      const ending = [...listeners].map((l) => l.end());
      if (ownsPool) ending.push(pool.end());
      const all = Promise.allSettled(ending);
      if (!(await settlesWithin(all, options.closeTimeoutMs))) {
        for (const client of poolClients) destroySocket(client);
        await settlesWithin(all, 250);
      }
    },
  };
}
