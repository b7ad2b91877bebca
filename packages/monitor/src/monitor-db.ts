/**
 * The part of a `FlagsDb` (from `openDb` in @kaviar/flags-pg) the monitor uses: the quoted schema
 * identifier and `query`. Any object with these works, so a check can run on a pool or a
 * transaction the caller already has.
 */
export interface MonitorDb {
  /** The quoted schema identifier, e.g. `"kaviar_flags"`. */
  readonly ident: string;
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<{ rows: R[] }>;
}
