import { formatPercent } from '@kaviar/flags-core/internal';
import {
  type FlagsDb,
  importSnapshot,
  listFlags,
  parseSnapshotDocument,
  type SnapshotDiff,
  type SnapshotDocument,
} from '@kaviar/flags-pg';
import { InvalidInputError } from '../cli-errors';
import { readInputFile, WRITE_OPTIONS, writeOptionsOf } from '../command-helpers';
import { type CommandContext, defineCommand } from '../command-spec';
import { maskSecrets } from '../mask-secrets';
import type { Printer } from '../printer';

type FlagDiff = SnapshotDiff['created'][number];

function describeDiff(kind: 'create' | 'update' | 'delete', d: FlagDiff): string {
  const parts: string[] = [];
  const { before, after } = d;
  if (kind === 'create' && after)
    parts.push(`${after.enabled ? 'enabled' : 'disabled'} at ${formatPercent(after.rolloutPercentage)}`);
  if (kind === 'update' && before && after) {
    if (before.enabled !== after.enabled) parts.push(after.enabled ? 'enable' : 'disable');
    if (before.rolloutPercentage !== after.rolloutPercentage) {
      parts.push(
        `rollout ${formatPercent(before.rolloutPercentage)} → ${formatPercent(after.rolloutPercentage)}`,
      );
    }
    if (before.description !== after.description) parts.push('description');
  }
  if (d.allowlistAdded.length + d.allowlistRemoved.length > 0) {
    parts.push(`allowlist +${d.allowlistAdded.length} -${d.allowlistRemoved.length}`);
  }
  return parts.join(', ');
}

/** Prints a snapshot diff as a table; counts allowlist changes, never lists ids. */
function printDiff(printer: Printer, diff: SnapshotDiff): void {
  const rows = [
    ...diff.created.map((d) => ({ key: d.key, action: 'create', change: describeDiff('create', d) })),
    ...diff.updated.map((d) => ({ key: d.key, action: 'update', change: describeDiff('update', d) })),
    ...diff.deleted.map((d) => ({ key: d.key, action: 'delete', change: describeDiff('delete', d) })),
  ];
  if (rows.length === 0) return;
  printer.table(rows, [
    { header: 'FLAG', cell: (r) => r.key },
    { header: 'ACTION', cell: (r) => r.action },
    { header: 'CHANGE', cell: (r) => r.change },
  ]);
}

/** Diff counts for `--json`: allowlist changes as numbers, so ids never reach stdout. */
function diffSummary(diff: SnapshotDiff) {
  const entry = (d: FlagDiff) => ({
    key: d.key,
    before: d.before,
    after: d.after,
    allowlistAdded: d.allowlistAdded.length,
    allowlistRemoved: d.allowlistRemoved.length,
  });
  return {
    created: diff.created.map(entry),
    updated: diff.updated.map(entry),
    deleted: diff.deleted.map(entry),
    unchanged: diff.unchanged,
  };
}

/**
 * Why the snapshot does not look like it was taken from this database, or `[]`: a store version this
 * database never reached, flags with the same key but another creation time, or an empty database.
 */
async function foreignSigns(db: FlagsDb, doc: SnapshotDocument, version: number): Promise<string[]> {
  const signs: string[] = [];
  if (doc.version > version) {
    signs.push(`it was taken at store version ${doc.version}, and this database is only at ${version}`);
  }
  const here = new Map((await listFlags(db)).map((f) => [f.key, f]));
  if (here.size === 0 && doc.flags.length > 0) signs.push('this database holds no flags at all');
  const moved = doc.flags.filter((f) => {
    const mine = here.get(f.key);
    return mine && f.created_at !== undefined && Date.parse(f.created_at) !== mine.createdAt.getTime();
  });
  if (moved.length > 0) {
    const keys = moved.slice(0, 3).map((f) => f.key);
    const more = moved.length > 3 ? ` and ${moved.length - 3} more` : '';
    signs.push(`${keys.join(', ')}${more} were created at another time than the flags of that name here`);
  }
  return signs;
}

/** The lines to confirm before a risky restore, or `[]`. */
async function riskyRestore(
  ctx: CommandContext,
  db: FlagsDb,
  file: string,
  doc: SnapshotDocument,
  source: string | undefined,
  diff: SnapshotDiff,
  version: number,
): Promise<string[]> {
  const lines: string[] = [];
  // Nothing to write, nothing to confirm.
  if (diff.created.length + diff.updated.length + diff.deleted.length === 0) return lines;
  const signs = await foreignSigns(db, doc, version);
  if (signs.length > 0) {
    const from = source === undefined ? 'a database the file does not name' : maskSecrets(source);
    lines.push(
      `${file} does not look like a snapshot of ${ctx.target.label}, schema ${db.schema}: ${signs.join('; ')}.`,
      `It was taken at ${doc.exported_at} from ${from}.`,
    );
  }
  if (diff.deleted.length > 0) {
    lines.push(
      `--delete-missing deletes ${diff.deleted.length} flags that are not in ${file}: ${diff.deleted.map((d) => d.key).join(', ')}.`,
    );
  }
  return lines;
}

/** `kaviar-flags restore FILE`: puts the store back to a JSON snapshot, in one audited transaction. */
export const restoreCommand = defineCommand({
  name: 'restore',
  summary:
    'Restore flags and allowlists from a JSON snapshot: shows the diff, applies it in one audited transaction',
  usage: '<file> [--dry-run] [--delete-missing] [--yes] [--actor NAME] [--reason TEXT]',
  options: {
    'delete-missing': { type: 'boolean', description: 'Also delete flags that are not in the snapshot' },
    ...WRITE_OPTIONS,
  },
  examples: [
    'kaviar-flags restore ops-snapshot-2026-02-03.json --dry-run',
    'kaviar-flags restore ops-snapshot-2026-02-03.json --actor goes --reason "rollback to the 19:12 snapshot"',
  ],
  notes: [
    'The file is fully validated first: a malformed one exits 65 and nothing is written.',
    'The diff is shown before anything is written. Deleting flags (--delete-missing) and restoring a',
    'snapshot that does not look like it came from this database (a store version it never reached,',
    'flags created at other times, an empty database) ask on a terminal, or need --yes without one.',
  ],
  async parse(args) {
    args.maxPositionals(1);
    const file = args.positional(0, 'the snapshot file argument');
    const text = await readInputFile(file, args.cwd);
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw new InvalidInputError(`${file} is not valid JSON (${(error as Error).message})`, {
        cause: error,
      });
    }
    const doc = parseSnapshotDocument(raw);
    return {
      file,
      source: doc.source,
      doc,
      options: {
        ...writeOptionsOf(args),
        dryRun: args.flag('dry-run'),
        deleteMissing: args.flag('delete-missing'),
      },
    };
  },
  async run({ file, source, doc, options }, ctx) {
    const { printer } = ctx;
    const db = await ctx.db();
    const preview = await importSnapshot(db, doc, { ...options, dryRun: true });
    const risky = await riskyRestore(ctx, db, file, doc, source, preview.diff, preview.version);
    let diffShown = false;
    if (risky.length > 0 && !options.dryRun) {
      if (!printer.json) {
        printDiff(printer, preview.diff);
        printer.line();
        diffShown = true;
      }
      await ctx.confirm(risky);
    } else if (risky.length > 0) for (const line of risky) printer.notice(line);
    const result = options.dryRun ? preview : await importSnapshot(db, doc, options);
    if (printer.json) {
      printer.printJson({
        file,
        dryRun: options.dryRun,
        applied: result.applied,
        version: result.version,
        diff: diffSummary(result.diff),
      });
      return undefined;
    }
    const { diff } = result;
    const changes = diff.created.length + diff.updated.length + diff.deleted.length;
    if (changes === 0) {
      printer.line(
        `Nothing to restore: the ${diff.unchanged.length} flags in ${file} already match the store.`,
      );
      return undefined;
    }
    if (!diffShown) {
      printDiff(printer, diff);
      printer.line();
    }
    printer.line(
      options.dryRun
        ? `Dry run: ${changes} flags would change (${diff.unchanged.length} unchanged).`
        : `Restored ${file}: ${changes} flags changed (${diff.unchanged.length} unchanged) in one transaction, store version ${result.version}, audited as ${options.actor}.`,
    );
    return undefined;
  },
});
