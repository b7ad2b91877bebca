/**
 * Leak guard for database suites (STYLE.md: database tests fail on leaked pools or timers). Call
 * `guardLeaks()` once at the top of a test file; after the file's tests (and every block's `afterAll`) it
 * fails the file when any of these is left:
 *
 * - a timer created by the packages' own code (its creation stack goes through `packages/<pkg>/src/`),
 *   unref'd ones included, that has neither fired nor been cleared;
 * - more TCP sockets than this process held before the file's tests (`process.getActiveResourcesInfo()`):
 *   a pool, LISTEN connection or proxy socket nobody closed;
 * - with `DATABASE_URL`: a backend in `pg_stat_activity` with this file's application name (see
 *   `testAppName()`) or whose last statement names one of this file's schemas.
 *
 * Only what our code created is counted, never vitest's own timers or handles. Closing is asynchronous on the
 * server side, so sockets and backends get a short grace period before they count as leaks.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll } from 'vitest';
import { openDb } from '../../packages/pg/src/index';
import { DATABASE_URL, testAppName, testSchemas } from './databases';

const GRACE_MS = 3000;
const OWN_SOURCE = /\/packages\/[a-z-]+\/src\/(?![^\s)]*\.test\.ts)/;

interface TrackedTimer {
  readonly kind: 'timeout' | 'interval';
  readonly stack: string;
}

const live = new Map<unknown, TrackedTimer>();
let installed = false;

function creationStack(): string | undefined {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 25;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  const frames = stack.split('\n').slice(2); // drop "Error" and this function
  return frames.some((frame) => OWN_SOURCE.test(frame)) ? frames.join('\n') : undefined;
}

/** Wraps the global timer functions to remember timers created by the packages' sources (idempotent). */
export function trackTimers(): void {
  if (installed) return;
  installed = true;
  const { setTimeout: realSetTimeout, setInterval: realSetInterval } = globalThis;
  const { clearTimeout: realClearTimeout, clearInterval: realClearInterval } = globalThis;
  const patchedSetTimeout = (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const stack = creationStack();
    if (stack === undefined) return realSetTimeout(callback, ms, ...args);
    const timer = realSetTimeout(
      (...callArgs: unknown[]) => {
        live.delete(timer);
        callback(...callArgs);
      },
      ms,
      ...args,
    );
    live.set(timer, { kind: 'timeout', stack });
    return timer;
  };
  const patchedSetInterval = (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const timer = realSetInterval(callback, ms, ...args);
    const stack = creationStack();
    if (stack !== undefined) live.set(timer, { kind: 'interval', stack });
    return timer;
  };
  const patchedClear = (real: (timer?: NodeJS.Timeout) => void) => (timer?: NodeJS.Timeout) => {
    live.delete(timer);
    real(timer);
  };
  Object.assign(globalThis, {
    setTimeout: Object.assign(patchedSetTimeout, realSetTimeout),
    setInterval: Object.assign(patchedSetInterval, realSetInterval),
    clearTimeout: patchedClear(realClearTimeout as (timer?: NodeJS.Timeout) => void),
    clearInterval: patchedClear(realClearInterval as (timer?: NodeJS.Timeout) => void),
  });
}

/** Polls `check` until it returns no problems or the grace period ends; returns the last problems. */
async function settle(check: () => Promise<string[]> | string[], graceMs: number): Promise<string[]> {
  const deadline = Date.now() + graceMs;
  for (;;) {
    const problems = await check();
    if (problems.length === 0 || Date.now() > deadline) return problems;
    await sleep(100);
  }
}

function leakedTimers(): string[] {
  return [...live.values()].map(
    (t) =>
      `${t.kind === 'interval' ? 'an interval' : 'a timeout'} created at\n${t.stack.split('\n').slice(0, 6).join('\n')}`,
  );
}

async function leakedBackends(): Promise<string[]> {
  if (DATABASE_URL === undefined) return [];
  const schemas = [...testSchemas()];
  const db = await openDb({ connectionString: DATABASE_URL, applicationName: 'kaviar-flags-leak-check' });
  try {
    const { rows } = await db.query<{ pid: number; application_name: string; state: string; query: string }>(
      `select pid, application_name, state, left(query, 120) as query from pg_stat_activity
       where pid <> pg_backend_pid() and datname = current_database()
         and (application_name like $1 || '%'
              or exists (select 1 from unnest($2::text[]) s where position(s in query) > 0))`,
      [testAppName(), schemas],
    );
    return rows.map(
      (r) => `backend ${r.pid} (${r.application_name || 'no application_name'}, ${r.state}): ${r.query}`,
    );
  } finally {
    await db.close();
  }
}

/**
 * What is left behind now, compared with `baselineSockets` TCP sockets; each check is retried for
 * `graceMs` (closing is asynchronous). Empty when nothing leaked. Used by {@link guardLeaks}.
 */
export async function findLeaks(options: { baselineSockets: number; graceMs?: number }): Promise<string[]> {
  const graceMs = options.graceMs ?? GRACE_MS;
  return [
    ...(await settle(leakedTimers, graceMs)),
    ...(await settle(() => {
      const extra = tcpSockets() - options.baselineSockets;
      return extra > 0 ? [`${extra} TCP socket(s) still open (pools, LISTEN or proxy connections)`] : [];
    }, graceMs)),
    ...(await settle(leakedBackends, graceMs)),
  ];
}

/** The TCP sockets this process holds now (the baseline for {@link findLeaks}). */
export function tcpSockets(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
}

/**
 * Fails the test file (in a final `afterAll`) when it leaves timers of our code, TCP sockets or database
 * connections behind. Call once, at the top of the file, before any `describe`.
 */
export function guardLeaks(): void {
  trackTimers();
  let baselineSockets = 0;
  beforeAll(() => {
    baselineSockets = tcpSockets();
  });
  afterAll(async () => {
    const problems = await findLeaks({ baselineSockets });
    if (problems.length > 0) {
      throw new Error(`This file leaked ${problems.length} resource(s):\n- ${problems.join('\n- ')}`);
    }
  });
}
