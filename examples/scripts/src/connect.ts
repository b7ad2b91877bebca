import { type FlagsDb, openDb } from '@kaviar/flags-pg';

/**
 * Opens the flags database the scripts work on: `DATABASE_URL` (required) and the schema in
 * `KAVIAR_FLAGS_SCHEMA` (default `kaviar_flags`).
 */
export async function connect(): Promise<FlagsDb> {
  const connectionString = process.env.DATABASE_URL;
  if (!connectionString) throw new Error('DATABASE_URL is not set (postgres://user@host:5432/db)');
  return openDb({
    connectionString,
    schema: process.env.KAVIAR_FLAGS_SCHEMA || undefined,
    applicationName: 'ops-scripts',
  });
}

/** Who runs the script, for the audit log: `--actor`, else `$USER`. */
export function actorOf(flag: string | undefined): string {
  return flag || process.env.USER || process.env.USERNAME || 'ops-script';
}
