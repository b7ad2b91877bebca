import { importSnapshot, parseSnapshotDocument, type SnapshotDiff } from '@kaviar/flags-pg';
import { InvalidInputError } from '../cli-errors';
import { formatPercent, readInputFile, WRITE_OPTIONS, writeOptionsOf } from '../command-helpers';
import { defineCommand } from '../command-spec';
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

/** `kaviar-flags restore FILE`: puts the store back to a JSON snapshot, in one audited transaction. */
export const restoreCommand = defineCommand({
  name: 'restore',
  summary:
    'Restore flags and allowlists from a JSON snapshot: shows the diff, applies it in one audited transaction',
  usage: '<file> [--dry-run] [--delete-missing] [--actor NAME] [--reason TEXT]',
  options: {
    'dry-run': { type: 'boolean', description: 'Show what would change and write nothing' },
    'delete-missing': { type: 'boolean', description: 'Also delete flags that are not in the snapshot' },
    ...WRITE_OPTIONS,
  },
  examples: [
    'kaviar-flags restore ops-snapshot-2026-02-03.json --dry-run',
    'kaviar-flags restore ops-snapshot-2026-02-03.json --actor goes --reason "rollback to the 19:12 snapshot"',
  ],
  notes: ['The file is fully validated first: a malformed one exits 65 and nothing is written.'],
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
    return {
      file,
      doc: parseSnapshotDocument(raw),
      options: {
        ...writeOptionsOf(args),
        dryRun: args.flag('dry-run'),
        deleteMissing: args.flag('delete-missing'),
      },
    };
  },
  async run({ file, doc, options }, ctx) {
    const { printer } = ctx;
    const result = await importSnapshot(await ctx.db(), doc, options);
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
    printDiff(printer, diff);
    printer.line();
    printer.line(
      options.dryRun
        ? `Dry run: ${changes} flags would change (${diff.unchanged.length} unchanged); nothing was written.`
        : `Restored ${file}: ${changes} flags changed (${diff.unchanged.length} unchanged) in one transaction, store version ${result.version}, audited as ${options.actor}.`,
    );
    return undefined;
  },
});
