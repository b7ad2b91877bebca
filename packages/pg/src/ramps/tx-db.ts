import type { FlagsDb, Queryable } from '../db';

/**
 * A `FlagsDb` view of an open transaction: queries go to `tx`, and `transaction(fn)` runs `fn` inside it.
 * It lets a ramp make its flag write with `updateFlag` (compare-and-set and audit included) in the same
 * transaction as its own row and audit. @internal
 */
export function transactionDb(db: FlagsDb, tx: Queryable): FlagsDb {
  const view: FlagsDb = {
    schema: db.schema,
    ident: db.ident,
    driver: db.driver,
    query: (sql, params) => tx.query(sql, params),
    exec: (sql) => tx.exec(sql),
    transaction: (fn) => fn(tx),
    listen: () => Promise.reject(new Error('listen is not available inside a transaction')),
    close: async () => undefined,
  };
  views.add(view);
  return view;
}

const views = new WeakSet<FlagsDb>();

/**
 * Whether `db` is a {@link transactionDb} view: a write through it is part of a transaction someone else
 * runs, so it must not retry on its own (the rolled-back transaction is the caller's to run again). @internal
 */
export function isTransactionDb(db: FlagsDb): boolean {
  return views.has(db);
}
