/**
 * The one way an audited write runs. Invariants:
 * - Lock order, the same in every write, so that writes cannot deadlock one another:
 *   1. the store's write lock, a transaction-level advisory lock keyed by the schema: shared for a write
 *      to one flag, exclusive for a restore (which so reads and replaces the whole store alone);
 *   2. the row of the flag written (a restore: every row, in key order), then rows that hang off it (a
 *      ramp's row; a flag's delete reaches them by cascade);
 *   3. the `state` row, taken by the version trigger at the first flag row written, or once an allowlist
 *      statement's rows are written (schema 3), and held until commit.
 *   Work that needs no lock (validation, staging an import's ids) is done before step 1.
 * - A serialization failure or a deadlock (40001, 40P01: from other transactions on these tables, or a
 *   stricter isolation level) rolls the attempt back and the write runs again, at most `MAX_ATTEMPTS`
 *   times, then `WriteContentionError`. So `fn` must be safe to run again: it only touches `tx`.
 * - A write through a transaction's view (`transactionDb`: a ramp's flag write inside the ramp's own
 *   transaction) runs once: its failure aborts the enclosing transaction, which that transaction's own
 *   `runWrite` rolls back and runs again, so a retry never runs inside an aborted transaction.
 * - With a `signal`: an abort before commit refuses the next statement and cancels the running one
 *   (`pg_cancel_backend`, sent from another pooled connection only while this transaction still holds
 *   its connection, so it can never hit someone else's query), the attempt rolls back, and the caller
 *   gets `WriteAbortedError`. Only an abort that comes once the commit is under way changes nothing.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { toError } from '@kaviar/flags-core/internal';
import type { FlagsDb, Queryable } from '../db';
import { WriteAbortedError, WriteContentionError } from '../errors';
import { isTransactionDb } from '../ramps/tx-db';
import { backoffDelay } from '../source/backoff';
import { sqlStateOf } from '../sqlstate';

/** How many times a write is tried before `WriteContentionError`. @internal */
export const MAX_ATTEMPTS = 5;

// Two-part advisory lock key: this class, then hashtext(schema). migrate.ts uses another class.
const WRITE_LOCK_CLASS = 0x6b77; // "kw"

const CONTENTION_SQLSTATES: ReadonlySet<string> = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
]);

/** Options of {@link runWrite}. @internal */
export interface RunWriteOptions {
  /** Aborts the write (see the file comment). */
  readonly signal?: AbortSignal | undefined;
  /**
   * `'shared'` (default) or `'exclusive'` takes the store's write lock before `fn` runs; `'late'` leaves
   * it to `fn`, which calls {@link lockWrites} once its lock-free work is done.
   */
  readonly lock?: 'shared' | 'exclusive' | 'late';
}

/** Takes the store's write lock (step 1 of the lock order) in `tx`. @internal */
export async function lockWrites(
  tx: Queryable,
  schema: string,
  mode: 'shared' | 'exclusive' = 'shared',
): Promise<void> {
  const fn = mode === 'shared' ? 'pg_advisory_xact_lock_shared' : 'pg_advisory_xact_lock';
  await tx.query(`select ${fn}($1, hashtext($2))`, [WRITE_LOCK_CLASS, schema]);
}

/**
 * Runs `fn` as one audited write (see the file comment). `what` names the write in errors
 * (`Allowlist import of "beta"`). @internal
 */
export async function runWrite<T>(
  db: FlagsDb,
  what: string,
  options: RunWriteOptions,
  fn: (tx: Queryable) => Promise<T>,
): Promise<T> {
  const { signal } = options;
  if (isTransactionDb(db)) return db.transaction((tx) => attemptWrite(db, tx, options, fn));
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw new WriteAbortedError(what, { cause: signal.reason });
    try {
      return await db.transaction((tx) => attemptWrite(db, tx, options, fn));
    } catch (caught) {
      const error = toError(caught);
      if (error instanceof WriteAbortedError) throw error;
      if (signal?.aborted) throw new WriteAbortedError(what, { cause: error });
      const code = sqlStateOf(error);
      if (code === undefined || !CONTENTION_SQLSTATES.has(code)) throw error;
      if (attempt >= MAX_ATTEMPTS) throw new WriteContentionError(what, attempt, code, { cause: error });
      // The one backoff rule (jittered, growing), so that the transactions that collided do not collide again.
      await sleep(backoffDelay(attempt - 1, 10, 200, Math.random));
    }
  }
}

async function attemptWrite<T>(
  db: FlagsDb,
  tx: Queryable,
  options: RunWriteOptions,
  fn: (tx: Queryable) => Promise<T>,
): Promise<T> {
  const { signal } = options;
  const lock = options.lock ?? 'shared';
  if (!signal) {
    if (lock !== 'late') await lockWrites(tx, db.schema, lock);
    return fn(tx);
  }
  const guarded = refuseWhenAborted(tx, signal);
  let finished = false;
  let cancelling: Promise<unknown> | undefined;
  let pid: number | undefined;
  const onAbort = () => {
    if (db.driver !== 'pg' || pid === undefined) return;
    const target = pid;
    // A connection of its own; the cancel is sent only if this transaction still holds its connection.
    db.transaction(async (control) => {
      if (finished) return;
      cancelling = control.query('select pg_cancel_backend($1)', [target]).catch(() => {});
      await cancelling;
    }).catch(() => {});
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    if (db.driver === 'pg') {
      const { rows } = await guarded.query<{ pid: number }>('select pg_backend_pid() as pid');
      pid = rows[0]?.pid;
    }
    if (lock !== 'late') await lockWrites(guarded, db.schema, lock);
    const result = await fn(guarded);
    if (signal.aborted) throw new Error('aborted');
    return result;
  } finally {
    finished = true;
    signal.removeEventListener('abort', onAbort);
    await cancelling;
  }
}

function refuseWhenAborted(tx: Queryable, signal: AbortSignal): Queryable {
  const check = () => {
    if (signal.aborted) throw toError(signal.reason ?? new Error('aborted'));
  };
  return {
    async query(sql, params) {
      check();
      return tx.query(sql, params);
    },
    async exec(sql) {
      check();
      return tx.exec(sql);
    },
  };
}
