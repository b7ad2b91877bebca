import type { FlagsDb, Queryable } from '@kaviar/flags-pg';

/*
 * `--dry-run` for every write command, by one mechanism: the command runs exactly as it would, on a
 * database handle bound to one transaction that is always rolled back. What it prints is what it
 * would have written (the same versions, counts and diffs); nothing is committed and no change
 * notification is sent (Postgres delivers NOTIFY only on commit).
 */

class RolledBack extends Error {}

/** A `FlagsDb` whose queries and transactions all run inside `tx`. */
function boundTo(db: FlagsDb, tx: Queryable): FlagsDb {
  return {
    ...db,
    query: (sql, params) => tx.query(sql, params),
    exec: (sql) => tx.exec(sql),
    // Nested: the outer (rolled back) transaction is the only one.
    transaction: (fn) => fn(tx),
    listen: () => Promise.reject(new Error('a dry run does not listen for notifications')),
    close: async () => {},
  };
}

/** Runs `fn` on `db` inside a transaction that is rolled back; resolves to what `fn` resolved to. */
export async function withRollback<T>(db: FlagsDb, fn: (db: FlagsDb) => Promise<T>): Promise<T> {
  let result: { value: T } | undefined;
  try {
    await db.transaction(async (tx) => {
      result = { value: await fn(boundTo(db, tx)) };
      throw new RolledBack('dry run');
    });
  } catch (error) {
    if (!(error instanceof RolledBack) || result === undefined) throw error;
  }
  if (result === undefined) throw new Error('dry run finished without a result');
  return result.value;
}
