/** Helpers for the pg suites that drive flag clients by hand. */
import { afterAll } from 'vitest';
import { testAppName } from '../../../../test/support/databases';
import { createPgFlags, type FlagsDb, type PgFlagsClient, type PgFlagsOptions } from '../../src/index';

/**
 * A factory of clients that sync only when the test calls `refresh()` (no LISTEN, a 60 s poll, no
 * heartbeat or exposures unless `overrides` ask for them; this file's `testAppName()`), all closed after the
 * enclosing block.
 */
export function manualClients(): (db: FlagsDb, overrides?: Omit<PgFlagsOptions, 'db'>) => PgFlagsClient {
  const clients: PgFlagsClient[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
  });
  return (db, overrides = {}) => {
    const client = createPgFlags({
      db,
      listen: false,
      heartbeat: false,
      exposures: false,
      pollIntervalMs: 60_000,
      appName: testAppName(),
      ...overrides,
    });
    clients.push(client);
    return client;
  };
}

/** Wraps a db to record every statement sent through it. */
export function recording(db: FlagsDb): { db: FlagsDb; sql: string[] } {
  const sql: string[] = [];
  const wrapped: FlagsDb = Object.assign(Object.create(db) as FlagsDb, {
    query: (text: string, params?: readonly unknown[]) => {
      sql.push(text);
      return db.query(text, params);
    },
  });
  return { db: wrapped, sql };
}

/** A flag map as plain data with sorted allowlists, to compare loads with `toEqual`. */
export const plainFlags = (flags: ReadonlyMap<string, { allowlist: readonly string[] }>) =>
  Object.fromEntries([...flags].map(([k, f]) => [k, { ...f, allowlist: [...f.allowlist].sort() }]));
