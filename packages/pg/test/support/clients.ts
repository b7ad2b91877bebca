/** Helpers for the pg suites that drive flag clients by hand. */
import { afterAll, expect } from 'vitest';
import { testAppName } from '../../../../test/support/databases';
import {
  createPgFlags,
  DatabaseUnavailableError,
  type FlagsDb,
  type PgFlagsClient,
  type PgFlagsOptions,
} from '../../src/index';

/**
 * What {@link testClients} returns: opens a client; `add` takes one made otherwise into the same care;
 * `closeAll()` closes every one so far.
 */
export interface TestClients {
  (options?: Partial<PgFlagsOptions>): PgFlagsClient;
  add(client: PgFlagsClient): PgFlagsClient;
  closeAll(): Promise<void>;
}

/**
 * A factory of test clients, all closed after the enclosing block (or by `closeAll()` when a block must
 * close them before its own clean-up): no heartbeat or exposure counting and this file's `testAppName()`
 * unless `options` say otherwise, over `base()` (read at each open, so it can name a block's schema).
 */
export function testClients(base: () => Partial<PgFlagsOptions> = () => ({})): TestClients {
  const clients: PgFlagsClient[] = [];
  const closeAll = async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  };
  afterAll(closeAll);
  const open = (options: Partial<PgFlagsOptions> = {}) => {
    const client = createPgFlags({
      appName: testAppName(),
      heartbeat: false,
      countExposures: false,
      ...base(),
      ...options,
    } as PgFlagsOptions);
    clients.push(client);
    return client;
  };
  const add = (client: PgFlagsClient) => {
    clients.push(client);
    return client;
  };
  return Object.assign(open, { add, closeAll });
}

/**
 * A factory of clients that sync only when the test calls `refresh()` (no LISTEN, a 60 s poll; otherwise
 * as {@link testClients}), all closed after the enclosing block.
 */
export function manualClients(): (db: FlagsDb, overrides?: Omit<PgFlagsOptions, 'db'>) => PgFlagsClient {
  const open = testClients(() => ({ listen: false, pollIntervalMs: 60_000 }));
  return (db, overrides = {}) => open({ db, ...overrides });
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

/**
 * Resolves on the client's next `state` event to `state` (at once when it is there already); rejects after
 * `timeoutMs`, a ceiling for "never", not a window the code must meet.
 */
export function whenState(
  client: PgFlagsClient,
  state: ReturnType<PgFlagsClient['status']>['state'],
  timeoutMs = 15_000,
): Promise<void> {
  if (client.status().state === state) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(
        new Error(`state did not become ${state} within ${timeoutMs} ms (it is ${client.status().state})`),
      );
    }, timeoutMs);
    const off = client.on('state', (event) => {
      if (event.state !== state) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

/** Resolves on the first `change` event after which `test()` holds (at once when it holds already). */
export function whenChanged(client: PgFlagsClient, test: () => boolean, timeoutMs = 15_000): Promise<void> {
  if (test()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no matching change within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = client.on('change', () => {
      if (!test()) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

/**
 * `close()` returns within `closeTimeoutMs` (default 2 s) whatever the network does: a documented promise, so
 * that bound is the feature under test. Asserts that `close()` resolves while the network is still stalled
 * (the caller keeps the stall in place), with a ceiling generous enough for a loaded machine; a close() that
 * waited for the stalled queries would never resolve.
 */
export async function expectCloseDespiteStall(client: PgFlagsClient, ceilingMs = 10_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const stillStalled = new Promise<'still waiting'>((resolve) => {
    timer = setTimeout(() => resolve('still waiting'), ceilingMs);
  });
  try {
    const outcome = await Promise.race([client.close().then(() => 'closed' as const), stillStalled]);
    if (outcome !== 'closed')
      throw new Error(`close() did not return within ${ceilingMs} ms on a stalled network`);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Black-holes the network with `stall()` (sockets stay open, nothing moves; it never ends on its own) and
 * waits for the client to turn stale: only the client's own bound (1000 ms `queryTimeoutMs` here, or the
 * connect bound when the pool had to open a connection into the stall) can end the hung poll. Asserts
 * that the error says so.
 */
export async function expectStaleOnStall(client: PgFlagsClient, stall: () => void): Promise<void> {
  const stale = whenState(client, 'stale');
  stall();
  await stale;
  const error = client.status().lastError;
  expect(error).toBeInstanceOf(DatabaseUnavailableError);
  expect(error?.message).toMatch(/no answer within 1000 ms \(queryTimeoutMs\)|connection timeout/);
}
