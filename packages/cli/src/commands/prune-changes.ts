import { pruneChanges } from '@kaviar/flags-pg';
import { DRY_RUN_OPTION } from '../command-helpers';
import { defineCommand } from '../command-spec';
import { parseIntegerArg } from '../input-values';

const DEFAULT_KEEP = 1000;

/** `kaviar-flags prune-changes [--keep N]`: trims the change log the clients' incremental sync reads. */
export const pruneChangesCommand = defineCommand({
  name: 'prune-changes',
  summary: 'Delete old rows of the change log (clients loaded before them do one full load)',
  usage: '[--keep N]',
  options: {
    keep: {
      type: 'string',
      value: 'N',
      description: `Keep the changes of the newest N store versions (default ${DEFAULT_KEEP})`,
    },
    'dry-run': DRY_RUN_OPTION,
  },
  examples: ['kaviar-flags prune-changes', 'kaviar-flags prune-changes --keep 10000 --json'],
  notes: [
    'Flags, allowlists, audit and checkpoints are untouched and the store version does not change. ' +
      'Safe while clients and writers run: run it from a nightly job.',
  ],
  parse(args) {
    args.maxPositionals(0);
    const keep = args.string('keep');
    return { keep: keep === undefined ? DEFAULT_KEEP : parseIntegerArg(keep, 'keep', args.command) };
  },
  async run({ keep }, ctx) {
    const db = await ctx.db();
    const result = await pruneChanges(db, { keepVersions: keep });
    const { printer } = ctx;
    if (printer.json) printer.printJson({ schema: db.schema, keep, ...result });
    else {
      printer.line(
        `Deleted ${result.deleted} change rows through version ${result.prunedThrough} (store version ${result.version}, kept the newest ${keep} versions).`,
      );
    }
    return undefined;
  },
});
