import { existsSync, mkdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { toError } from '@kaviar/flags-core/internal';
import {
  checkConnectionString,
  type FlagsDb,
  migrate,
  openDb,
  SchemaMissingError,
  schemaVersion,
} from '@kaviar/flags-pg';
import { NoDatabaseError } from './cli-errors';
import { acquireEmbeddedLock } from './embedded-lock';
import { maskSecrets } from './mask-secrets';

/*
 * Where the CLI's data lives: `--database-url`, else `DATABASE_URL`, else an embedded PGlite database
 * (`--data-dir`, or `./.kaviar-flags/` when it exists). A command never writes to a database it had to
 * create: only `migrate` and `demo` create the embedded database (and say so); every other command
 * without a database fails with NO_DATABASE, naming the ways to give one. An existing embedded
 * database is upgraded on open; a server database only by `kaviar-flags migrate`.
 */

/** The resolved connection target, before anything is opened. */
export type ConnectionTarget =
  | { readonly kind: 'server'; readonly url: string; readonly label: string }
  | {
      readonly kind: 'embedded';
      readonly dir: string;
      readonly label: string;
      /** The `--data-dir` given, as typed; `undefined` for the default `./.kaviar-flags`. */
      readonly dataDir: string | undefined;
    };

/** How to name a database, for every "no database" message. */
const HOW_TO_NAME =
  'give --database-url URL (or set DATABASE_URL) for PostgreSQL, or --data-dir DIR for an embedded database';

/** Picks the connection from the options and environment. Opens nothing; throws `NoDatabaseError`. */
export function resolveConnection(options: {
  readonly databaseUrl?: string | undefined;
  readonly dataDir?: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** The command may create the embedded database (`migrate`, `demo`). */
  readonly createsEmbedded?: boolean;
}): ConnectionTarget {
  const url = options.databaseUrl ?? (options.env.DATABASE_URL || undefined);
  if (url !== undefined && url !== '') {
    checkConnectionString(url);
    return { kind: 'server', url, label: maskSecrets(url) };
  }
  const dir = resolve(options.cwd, options.dataDir ?? '.kaviar-flags');
  if (options.dataDir === undefined && !options.createsEmbedded && !existsSync(dir)) {
    throw new NoDatabaseError(
      `No database named: no --database-url, no DATABASE_URL and no ./.kaviar-flags here; ${HOW_TO_NAME} (\`kaviar-flags migrate\` creates an embedded one in ./.kaviar-flags)`,
    );
  }
  return { kind: 'embedded', dir, label: `embedded database in ${dir}`, dataDir: options.dataDir };
}

/** The `--data-dir DIR` arguments that name `target` again, for commands printed to paste. */
export function dataDirArgs(target: ConnectionTarget, cwd: string): string[] {
  if (target.kind !== 'embedded' || target.dataDir === undefined) return [];
  return ['--data-dir', relative(cwd, target.dir) || '.'];
}

/** An open connection; `close()` closes the database and releases the embedded lock. */
export interface OpenConnection {
  readonly db: FlagsDb;
  readonly target: ConnectionTarget;
  close(): Promise<void>;
}

/** How `openConnection` may treat the embedded database. */
export interface OpenOptions {
  /** Create the embedded database (and the schema) when missing (`migrate`, `demo`). */
  readonly create: boolean;
  /** Says what is happening (the creation of the embedded database). */
  readonly notice: (text: string) => void;
}

/**
 * Opens the target. For the embedded database: takes the lock, creates the database only when
 * `create` (saying so), and upgrades an existing schema.
 */
export async function openConnection(
  target: ConnectionTarget,
  schema: string | undefined,
  options: OpenOptions,
): Promise<OpenConnection> {
  if (target.kind === 'server') {
    const db = await openDb({ connectionString: target.url, schema, applicationName: 'kaviar-flags-cli' });
    return { db, target, close: () => db.close() };
  }
  const exists = existsSync(join(target.dir, 'pgdata'));
  if (!exists && !options.create) {
    const named = target.dataDir === undefined ? './.kaviar-flags' : target.dataDir;
    const again = target.dataDir === undefined ? '' : ` --data-dir ${target.dataDir}`;
    throw new NoDatabaseError(
      `No embedded database in ${named}: create one with \`kaviar-flags migrate${again}\`, or ${HOW_TO_NAME}`,
    );
  }
  mkdirSync(target.dir, { recursive: true });
  const lock = acquireEmbeddedLock(join(target.dir, 'lock'));
  try {
    const dataDir = join(target.dir, 'pgdata');
    if (!existsSync(dataDir)) {
      options.notice(
        `Creating the embedded database in ${target.dir} (no --database-url or DATABASE_URL given; the first start takes a few seconds)...`,
      );
    }
    const db = await openDb({ pglite: dataDir, schema });
    try {
      // `migrate` and `demo` migrate themselves (and report it); other commands upgrade an existing schema.
      if (!options.create) {
        if ((await schemaVersion(db)) === 0) {
          const again = target.dataDir === undefined ? '' : ` --data-dir ${target.dataDir}`;
          const schemaArg = db.schema === 'kaviar_flags' ? '' : ` --schema ${db.schema}`;
          throw new SchemaMissingError(db.schema, {
            message: `Schema "${db.schema}" does not exist in the ${target.label}: create it with \`kaviar-flags migrate${again}${schemaArg}\``,
          });
        }
        await migrate(db);
      }
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
