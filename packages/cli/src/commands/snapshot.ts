import { listCheckpoints } from '@kaviar/flags-monitor';
import { exportSnapshot, type FlagRow } from '@kaviar/flags-pg';
import { UsageError } from '../cli-errors';
import { CLI_VERSION } from '../cli-version';
import { defineCommand } from '../command-spec';
import { renderOpsSnapshot, type SnapshotCheckpoint } from '../render-ops-snapshot';
import { jsonPathBeside, writeOutputFile } from '../write-output-file';

/** `kaviar-flags snapshot`: the ops snapshot (Markdown) and the restorable JSON beside it. */
export const snapshotCommand = defineCommand({
  name: 'snapshot',
  summary: 'Write the ops snapshot: Markdown for people (with rollback commands) and JSON for `restore`',
  usage: '[--format md|json] [--out FILE]',
  options: {
    format: {
      type: 'string',
      value: 'md|json',
      description: 'md (default): the ops document; json: what restore reads',
    },
    out: {
      type: 'string',
      value: 'FILE',
      description: 'Write to FILE; with md, the JSON is written beside it (ops.md + ops.json)',
    },
  },
  examples: [
    'kaviar-flags snapshot --out ops-snapshot-2026-02-03.md --tz America/Sao_Paulo',
    'kaviar-flags snapshot --format json --out before-change.json',
  ],
  notes: [
    'Markdown without --out is printed. The JSON holds allowlist members, so it is only written to a file.',
  ],
  parse(args) {
    args.maxPositionals(0);
    const format = args.string('format') ?? 'md';
    if (format !== 'md' && format !== 'json') {
      throw new UsageError(`--format: ${JSON.stringify(format)} must be md or json`, args.command);
    }
    const out = args.string('out');
    if (format === 'json' && out === undefined) {
      throw new UsageError('--format json needs --out FILE (the JSON holds allowlist members)', args.command);
    }
    return { format, out };
  },
  async run({ format, out }, ctx) {
    const { printer } = ctx;
    const db = await ctx.db();
    const doc = await exportSnapshot(db);
    const json = `${JSON.stringify(doc, null, 2)}\n`;
    const files: string[] = [];
    if (format === 'json' && out !== undefined) {
      writeOutputFile(out, ctx.cwd, json);
      files.push(out);
    } else {
      const flags: FlagRow[] = doc.flags.map((f) => ({
        key: f.key,
        enabled: f.enabled,
        rolloutPercentage: f.rollout_percentage,
        description: f.description ?? '',
        version: f.version ?? 0,
        createdAt: new Date(f.created_at ?? doc.exported_at),
        updatedAt: new Date(f.updated_at ?? doc.exported_at),
        updatedBy: f.updated_by ?? 'unknown',
        allowlistCount: f.allowlist?.length ?? 0,
      }));
      const checkpoints = new Map<string, SnapshotCheckpoint[]>();
      for (const flag of flags)
        checkpoints.set(flag.key, await listCheckpoints(db, { flagKey: flag.key, last: 3 }));
      const jsonFile = out === undefined ? undefined : jsonPathBeside(out);
      const markdown = renderOpsSnapshot({
        generatedAt: new Date(doc.exported_at),
        timeZone: printer.timeZone,
        cliVersion: CLI_VERSION,
        source: ctx.target.label,
        schema: db.schema === 'kaviar_flags' ? undefined : db.schema,
        storeVersion: doc.version,
        flags,
        checkpoints,
        restoreFile: jsonFile,
      });
      if (out === undefined || jsonFile === undefined) {
        if (printer.json)
          printer.printJson({ format: 'md', version: doc.version, flags: flags.length, markdown });
        else printer.line(markdown.trimEnd());
        return undefined;
      }
      // JSON first: the Markdown's restore command must never point at a file that is not there.
      writeOutputFile(jsonFile, ctx.cwd, json);
      writeOutputFile(out, ctx.cwd, markdown);
      files.push(out, jsonFile);
    }
    if (printer.json) printer.printJson({ format, version: doc.version, flags: doc.flags.length, files });
    else
      printer.line(
        `Wrote ${files.join(' and ')} (store version ${doc.version}, ${doc.flags.length} ${doc.flags.length === 1 ? 'flag' : 'flags'}).`,
      );
    return undefined;
  },
});
