import { migrate } from '@kaviar/flags-pg';
import { defineCommand } from '../command-spec';

/** `kaviar-flags migrate`: creates or upgrades the flags schema. */
export const migrateCommand = defineCommand({
  name: 'migrate',
  summary: 'Create or upgrade the flags schema (safe to run from many processes at once)',
  usage: '',
  options: {},
  examples: ['DATABASE_URL=postgres://app@db:5432/app kaviar-flags migrate'],
  notes: ['The embedded database is migrated automatically; a server database only by this command.'],
  parse(args) {
    args.maxPositionals(0);
  },
  async run(_input, ctx) {
    const db = await ctx.db();
    const result = await migrate(db);
    const { printer } = ctx;
    if (printer.json) {
      printer.printJson({ schema: db.schema, from: result.from, to: result.to, applied: result.applied });
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
