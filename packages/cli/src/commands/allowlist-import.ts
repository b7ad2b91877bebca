import { FlagNotFoundError, getAllowlist, getFlag, importAllowlist } from '@kaviar/flags-pg';
import { InterruptedError } from '../cli-errors';
import { readInputFile, WRITE_OPTIONS, writeOptionsOf } from '../command-helpers';
import { defineCommand } from '../command-spec';
import { parseFlagKeyArg } from '../input-values';
import { parseIdsFile } from '../parse-ids-file';

/** `kaviar-flags allowlist import <flag> <file>`: bulk add (or replace) from a file, in one transaction. */
export const allowlistImportCommand = defineCommand({
  name: 'allowlist import',
  summary: 'Add every id of a file (one per line, or a CSV column) to an allowlist, in one transaction',
  usage: '<flag> <file> [--column NAME|N] [--replace] [--yes] [--dry-run] [--actor NAME] [--reason TEXT]',
  handlesInterrupt: true,
  options: {
    column: {
      type: 'string',
      value: 'NAME|N',
      description: 'CSV column with the ids: a header name, or a 1-based number for a file without header',
    },
    replace: { type: 'boolean', description: 'Make the allowlist exactly the file (removes ids not in it)' },
    ...WRITE_OPTIONS,
  },
  examples: [
    'kaviar-flags allowlist import passenger_favorites_matching beta.txt --reason "beta wave 2"',
    'kaviar-flags allowlist import passenger_favorites_matching export.csv --column passenger_id --replace',
  ],
  notes: [
    'Blank lines and # comments are skipped; duplicates are dropped. A bad line rejects the whole file.',
    'With --replace, removing ids is a risky change: it asks on a terminal, or needs --yes without one.',
    'Ctrl-C rolls the whole import back: nothing is written (exit 130).',
  ],
  async parse(args) {
    args.maxPositionals(2);
    const key = parseFlagKeyArg(args.positional(0, 'the flag key argument'), args.command);
    const file = args.positional(1, 'the file argument');
    const column = args.string('column');
    const write = writeOptionsOf(args);
    const parsed = parseIdsFile(await readInputFile(file, args.cwd), column === undefined ? {} : { column });
    return { key, file, ...parsed, write: { ...write, replace: args.flag('replace') } };
  },
  async run({ key, file, ids, duplicates, write }, ctx) {
    const { printer } = ctx;
    const db = await ctx.db();
    if (write.replace) {
      if (!(await getFlag(db, key))) throw new FlagNotFoundError(key);
      const keep = new Set(ids);
      const current = await getAllowlist(db, key);
      const removed = current.filter((id) => !keep.has(id)).length;
      if (removed > 0) {
        const added = ids.length - (current.length - removed);
        await ctx.confirm([
          `${key}: --replace removes ${removed} of the ${current.length} allowlisted ids (they lose the flag unless the rollout gives it to them) and adds ${added}.`,
        ]);
      }
    }
    const { signal } = ctx;
    const started = Date.now();
    const label = `Importing ${ids.length} ids from ${file} into ${key}`;
    let written = '';
    // The seconds tick between batches, so a slow batch still shows the import is alive.
    const show = () =>
      printer.progress(`${label}... ${written}${Math.round((Date.now() - started) / 1000)}s`);
    show();
    const timer = setInterval(show, 250);
    timer.unref();
    try {
      const result = await importAllowlist(db, key, ids, {
        ...write,
        // Ctrl-C cancels the running statement and rolls the import's transaction back.
        ...(signal && { signal }),
        onProgress: ({ done, total }) => {
          written = `${done}/${total} in the transaction, `;
          show();
        },
      }).catch((error: unknown) => {
        if (!signal?.aborted) throw error;
        throw new InterruptedError(
          `Interrupted: nothing was written (the import's transaction rolled back; the allowlist of ${key} is as it was)`,
          { cause: error },
        );
      });
      printer.progress(undefined);
      if (printer.json) {
        printer.printJson({ flagKey: key, read: ids.length, duplicates, ...result });
      } else {
        const removed = write.replace ? `, removed ${result.removed}` : '';
        printer.line(
          `${key}: read ${ids.length} ids (${duplicates} duplicates dropped), added ${result.added}${removed}; allowlist size ${result.size}.`,
        );
      }
    } finally {
      clearInterval(timer);
      printer.progress(undefined);
    }
    return undefined;
  },
});
