import { migrate } from '@kaviar/flags-pg';
import { BACKUP_OPTIONS, backupBeforeMigrate, backupOptionsOf } from '../backup-before-migrate';
import { DRY_RUN_OPTION } from '../command-helpers';
import { defineCommand } from '../command-spec';
import { PRINT_OPTIONS, parsePrintRequest, printRequested } from './migrate-print';

/** `kaviar-flags migrate`: creates or upgrades the flags schema. */
export const migrateCommand = defineCommand({
  name: 'migrate',
  summary: 'Create or upgrade the flags schema (safe to run from many processes at once)',
  usage:
    '[--backup-dir DIR] [--no-backup] [--dry-run] | --print-sql [--from N] [--to N] | --print-grants --application ROLE --operator ROLE --monitor ROLE',
  createsEmbeddedDatabase: true,
  options: { ...BACKUP_OPTIONS, ...PRINT_OPTIONS, 'dry-run': DRY_RUN_OPTION },
  examples: [
    'DATABASE_URL=postgres://app@db:5432/app kaviar-flags migrate',
    'kaviar-flags migrate --print-sql --from 1 > kaviar_flags.sql',
    'kaviar-flags migrate --print-grants --application app --operator flags_ops --monitor flags_monitor',
  ],
  notes: [
    'Without --database-url or DATABASE_URL it creates (or upgrades) the embedded database in ./.kaviar-flags',
    '(or --data-dir), and says so. An existing embedded database is upgraded by every command; a server',
    'database only by this command.',
    'Before applying a migration to a schema that holds flags, it writes a restorable snapshot (the JSON `restore` reads) to --backup-dir and prints its path (not with --dry-run, which writes nothing).',
    '--print-sql and --print-grants print SQL for your own migration tool (see the @kaviar/flags-pg README) and connect to nothing.',
  ],
  parse(args) {
    args.maxPositionals(0);
    return { backup: backupOptionsOf(args), print: parsePrintRequest(args) };
  },
  async run(input, ctx) {
    if (input.print !== undefined) {
      printRequested(input.print, ctx);
      return undefined;
    }
    const db = await ctx.db();
    // A dry run writes nothing, a backup file included.
    const backup = ctx.dryRun ? undefined : await backupBeforeMigrate(db, input.backup, ctx);
    const result = await migrate(db);
    const { printer } = ctx;
    if (printer.json) {
      printer.printJson({
        schema: db.schema,
        from: result.from,
        to: result.to,
        applied: result.applied,
        backup: backup?.file ?? null,
      });
    } else if (result.applied.length === 0) {
      printer.line(`Schema ${db.schema} is up to date (migration ${result.to}) on ${ctx.target.label}.`);
    } else {
      printer.line(
        `Schema ${db.schema} migrated from ${result.from} to ${result.to} (applied ${result.applied.join(', ')}) on ${ctx.target.label}.`,
      );
    }
    return undefined;
  },
});
