import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { toError } from '@kaviar/flags-core/internal';
import { type FlagsDb, migrate, openDb } from '@kaviar/flags-pg';
import { acquireEmbeddedLock } from './embedded-lock';
import { maskSecrets } from './mask-secrets';

/*
 * Where the CLI's data lives: `--database-url`, else `DATABASE_URL`, else an embedded PGlite
 * database in `./.kaviar-flags/` (`--data-dir`). The embedded database is the CLI's own, so it is
 * created and migrated on first use; a server database is only migrated by `kaviar-flags migrate`.
 */

/** The resolved connection target, before anything is opened. */
export type ConnectionTarget =
  | { readonly kind: 'server'; readonly url: string; readonly label: string }
  | { readonly kind: 'embedded'; readonly dir: string; readonly label: string };

/** Picks the connection from the options and environment. Pure: opens nothing. */
export function resolveConnection(options: {
  readonly databaseUrl?: string | undefined;
  readonly dataDir?: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}): ConnectionTarget {
  const url = options.databaseUrl ?? (options.env.DATABASE_URL || undefined);
  if (url !== undefined && url !== '') return { kind: 'server', url, label: maskSecrets(url) };
  const dir = resolve(options.cwd, options.dataDir ?? '.kaviar-flags');
  return { kind: 'embedded', dir, label: `embedded database in ${dir}` };
}

/** An open connection; `close()` closes the database and releases the embedded lock. */
export interface OpenConnection {
  readonly db: FlagsDb;
  readonly target: ConnectionTarget;
  close(): Promise<void>;
}

/**
 * Opens the target. For the embedded database: takes the lock, says so once when it creates the
 * database (the first start takes a few seconds), and migrates it.
 */
export async function openConnection(
  target: ConnectionTarget,
  schema: string | undefined,
  notice: (text: string) => void,
): Promise<OpenConnection> {
  if (target.kind === 'server') {
    const db = await openDb({ connectionString: target.url, schema, applicationName: 'kaviar-flags-cli' });
    return { db, target, close: () => db.close() };
  }
  mkdirSync(target.dir, { recursive: true });
  const lock = acquireEmbeddedLock(join(target.dir, 'lock'));
  try {
    const dataDir = join(target.dir, 'pgdata');
    if (!existsSync(dataDir)) {
      notice(`Creating the embedded database in ${target.dir} (first start takes a few seconds)...`);
    }
    const db = await openDb({ pglite: dataDir, schema });
    try {
      await migrate(db);
    } catch (error) {
      await db.close();
      throw toError(error);
    }
    return {
      db,
      target,
      async close() {
        try {
          await db.close();
        } finally {
          lock.release();
        }
      },
    };
  } catch (error) {
    lock.release();
    throw toError(error);
  }
}
