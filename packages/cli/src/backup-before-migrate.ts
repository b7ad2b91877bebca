import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import {
  exportSnapshot,
  type FlagsDb,
  parseSnapshotDocument,
  SCHEMA_VERSION,
  schemaVersion,
} from '@kaviar/flags-pg';
import { FileUnwritableError, UsageError } from './cli-errors';
import type { CommandContext, OptionSpec } from './command-spec';
import type { ParsedArgs } from './parsed-args';

/*
 * `migrate` writes a restorable snapshot (the JSON `restore` reads) before it applies anything to a
 * schema that already holds flags, so a migration that goes wrong never costs the flags. Invariants:
 * - no backup when nothing would be applied, or when there is nothing to lose (no flags table, no flag);
 * - the file is complete before its name exists (written aside, then hard-linked into place, which
 *   also never replaces an existing file) and it parses back as a snapshot document;
 * - it holds allowlist members, so it is readable by its owner only.
 */

/** Where the backup goes, read from `--backup-dir` / `--no-backup`. `undefined`: no backup. */
export type MigrateBackupOptions = { readonly dir: string } | undefined;

/** The backup written, for the command's output. */
export interface MigrateBackup {
  /** Path of the file, relative to the working directory when inside it. */
  readonly file: string;
  readonly flags: number;
  /** Store version the backup was taken at. */
  readonly version: number;
}

/** The default folder, in the current directory. */
export const DEFAULT_BACKUP_DIR = 'kaviar-flags-backups';

/** `--backup-dir` and `--no-backup`, for `migrate`. */
export const BACKUP_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  'backup-dir': {
    type: 'string',
    value: 'DIR',
    description: `Where the backup taken before migrating a schema that holds flags goes (default ./${DEFAULT_BACKUP_DIR})`,
  },
  'no-backup': { type: 'boolean', description: 'Migrate without writing that backup first' },
};

/** Reads `--backup-dir` / `--no-backup`. */
export function backupOptionsOf(args: ParsedArgs): MigrateBackupOptions {
  if (args.flag('no-backup')) {
    if (args.string('backup-dir') !== undefined) {
      throw new UsageError('--no-backup and --backup-dir contradict each other: give one', args.command);
    }
    return undefined;
  }
  return { dir: resolve(args.cwd, args.string('backup-dir') ?? DEFAULT_BACKUP_DIR) };
}

/** `2026-02-03T22:12:00.123Z` → `20260203T221200Z`. */
const stamp = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');

function writeNewFile(dir: string, base: string, text: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temp = join(dir, `.${base}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(temp, text, { mode: 0o600, flag: 'wx' });
    for (let n = 1; ; n++) {
      const path = join(dir, `${base}${n === 1 ? '' : `-${n}`}.json`);
      try {
        linkSync(temp, path);
        return path;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || n >= 100) throw error;
      }
    }
  } finally {
    try {
      unlinkSync(temp);
    } catch {
      // Never created.
    }
  }
}

async function flagCount(db: FlagsDb): Promise<number> {
  const { rows } = await db.query<{ present: boolean }>(
    `select to_regclass(quote_ident($1) || '.flags') is not null as present`,
    [db.schema],
  );
  if (!rows[0]?.present) return 0;
  const count = await db.query<{ n: number }>(`select count(*)::int as n from ${db.ident}.flags`);
  return count.rows[0]?.n ?? 0;
}

/**
 * Writes the backup when `migrate` is about to apply a migration to a schema holding flags, prints its
 * path, and returns it; `undefined` when no backup was needed or wanted. `target` is the migration
 * number `migrate` will bring the schema to (tests pass one ahead of the schema).
 */
export async function backupBeforeMigrate(
  db: FlagsDb,
  options: MigrateBackupOptions,
  ctx: Pick<CommandContext, 'printer' | 'cwd' | 'now'>,
  target: number = SCHEMA_VERSION,
): Promise<MigrateBackup | undefined> {
  if (options === undefined) return undefined;
  const current = await schemaVersion(db);
  if (current >= target || (await flagCount(db)) === 0) return undefined;
  const doc = await exportSnapshot(db);
  const text = `${JSON.stringify(doc, null, 2)}\n`;
  parseSnapshotDocument(JSON.parse(text));
  const base = `${db.schema}-store-v${doc.version}-${stamp(ctx.now())}`;
  let path: string;
  try {
    path = writeNewFile(options.dir, base, text);
  } catch (error) {
    throw new FileUnwritableError(join(options.dir, `${base}.json`), { cause: error });
  }
  const shown = relative(ctx.cwd, path);
  const file = shown.startsWith('..') ? path : shown;
  const what = `Backed up ${doc.flags.length} ${doc.flags.length === 1 ? 'flag' : 'flags'} (store version ${doc.version}) to ${file} before migrating.`;
  if (ctx.printer.json) ctx.printer.notice(what);
  else ctx.printer.line(what);
  return { file, flags: doc.flags.length, version: doc.version };
}
