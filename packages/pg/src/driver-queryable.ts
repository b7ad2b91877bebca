import { ClosedError } from '@kaviar/flags-core';
import type { Queryable } from './db';
import { dbError } from './db-error';

/** What a driver connection (a pg Pool or client, a PGlite instance or transaction) can run. @internal */
export interface DriverTarget {
  query(sql: string, params: unknown[] | undefined): Promise<{ rows: unknown[] }>;
  exec(sql: string): Promise<unknown>;
}

/**
 * The `Queryable` over a driver connection: the same calls on both drivers, every failure normalised by
 * `dbError` (typed connection and missing-schema errors). @internal
 */
export function driverQueryable(target: DriverTarget, schema: string): Queryable {
  return {
    async query<R>(sql: string, params?: readonly unknown[]) {
      try {
        const result = await target.query(sql, params as unknown[] | undefined);
        return { rows: result.rows as R[] };
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

/** `base`, refusing every call with `ClosedError` once `isClosed()` says the database is closed. @internal */
export function guardClosed(base: Queryable, isClosed: () => boolean): Queryable & { check(): void } {
  const check = () => {
    if (isClosed()) throw new ClosedError('The flags database');
  };
  return {
    check,
    query(sql, params) {
      check();
      return base.query(sql, params);
    },
    exec(sql) {
      check();
      return base.exec(sql);
    },
  };
}
