import { resolve } from 'node:path';
import { listCheckpoints } from '@kaviar/flags-monitor';
import { exportSnapshot, type FlagRow, type FlagsDb, listRamps, type SnapshotFlag } from '@kaviar/flags-pg';
import { UsageError } from '../cli-errors';
import { CLI_VERSION } from '../cli-version';
import { defineCommand } from '../command-spec';
import { formatTime } from '../format-time';
import { createGitRefs } from '../git-refs';
import { parseTextArg } from '../input-values';
import { readOperatorSections } from '../operator-sections';
import type { Printer } from '../printer';
import { renderOpsSnapshot, type SnapshotCheckpoint, type SnapshotGit } from '../render-ops-snapshot';
import { readSnapshotGit } from '../snapshot-git-option';
import { jsonPathBeside, writeOutputFile } from '../write-output-file';

const MARKDOWN_ONLY = ['git', 'no-git', 'tag', 'backup-branch', 'section', 'allow-secrets', 'responsible'];

/** `kaviar-flags snapshot`: the ops snapshot (Markdown) and the restorable JSON beside it. */
export const snapshotCommand = defineCommand({
  name: 'snapshot',
  summary: 'Write the ops snapshot: Markdown for people (with rollback commands) and JSON for `restore`',
  usage:
    '[--format md|json] [--out FILE] [--git [DIR]] [--tag NAME] [--backup-branch NAME] [--section FILE]... [--responsible NAME]',
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
    git: {
      type: 'boolean',
      description:
        'Record the git state of DIR (given after it; default: the current directory). Without it, recorded when the current directory is a git work tree',
    },
    'no-git': { type: 'boolean', description: 'Leave the git state out' },
    tag: {
      type: 'string',
      value: 'NAME',
      description: 'Create this annotated git tag at HEAD (never overwrites)',
    },
    'backup-branch': {
      type: 'string',
      value: 'NAME',
      description: 'Create this git branch at HEAD (never overwrites)',
    },
    section: {
      type: 'string',
      multiple: true,
      value: 'FILE',
      description: 'Include this Markdown file as a section, under its first heading (in order)',
    },
    'allow-secrets': {
      type: 'boolean',
      description: 'Include a --section file even when a line looks like a secret',
    },
    responsible: { type: 'string', value: 'NAME', description: 'Who is responsible, shown in the header' },
  },
  examples: [
    'kaviar-flags snapshot --out ops-snapshot-2026-02-03.md --tz America/Sao_Paulo --responsible goes',
    'kaviar-flags snapshot --out ops.md --git ~/kaviar --tag snapshot-2026-02-03 --backup-branch backup/snapshot-2026-02-03 --section infra.md --section todos.md',
    'kaviar-flags snapshot --format json --out before-change.json',
  ],
  notes: [
    'Markdown without --out is printed. The JSON holds allowlist members, so it is only written to a file.',
    'The git state (commit SHA, branch, tags, last commit subject, changed paths) is read with the git command. ' +
      'Without --git, a current directory that is not a git work tree only leaves a one-line note; with --git, ' +
      '--tag or --backup-branch it is an error (exit 64), and so is a tag or branch that already exists.',
    '--section files are included as written (their headings moved under the document), but a line that looks ' +
      'like a secret (a connection string with a password, a password setting, an AWS key, a private key block) ' +
      'refuses the file, naming the line (exit 65), unless --allow-secrets.',
  ],
  async parse(args) {
    const format = args.string('format') ?? 'md';
    if (format !== 'md' && format !== 'json') {
      throw new UsageError(`--format: ${JSON.stringify(format)} must be md or json`, args.command);
    }
    const out = args.string('out');
    if (format === 'json' && out === undefined) {
      throw new UsageError('--format json needs --out FILE (the JSON holds allowlist members)', args.command);
    }
    if (format === 'json') {
      const given = MARKDOWN_ONLY.find((name) => args.flag(name) || args.list(name).length > 0);
      if (given)
        throw new UsageError(`--${given} is for the Markdown snapshot, not --format json`, args.command);
      args.maxPositionals(0);
      return { format, out, git: undefined, gitNote: undefined, sections: [], responsible: undefined };
    }
    const responsibleText = args.string('responsible');
    const responsible =
      responsibleText === undefined
        ? undefined
        : parseTextArg(responsibleText, 'responsible', args.command, 200);
    const sectionFiles = args.list('section');
    const written = out === undefined ? [] : [out, jsonPathBeside(out)].map((f) => resolve(args.cwd, f));
    const clash = sectionFiles.find((file) => written.includes(resolve(args.cwd, file)));
    if (clash !== undefined) {
      throw new UsageError(
        `--section ${clash} is a file this snapshot would overwrite (--out)`,
        args.command,
      );
    }
    const sections = await readOperatorSections(sectionFiles, args.cwd, args.flag('allow-secrets'));
    const { git, note } = await readSnapshotGit(args);
    return { format, out, git, gitNote: note, sections, responsible };
  },
  async run({ format, out, git, gitNote, sections, responsible }, ctx) {
    const { printer } = ctx;
    const db = await ctx.db();
    const doc = await exportSnapshot(db, { source: `${ctx.target.label}, schema ${db.schema}` });
    const json = `${JSON.stringify(doc, null, 2)}\n`;
    const count = `${doc.flags.length} ${doc.flags.length === 1 ? 'flag' : 'flags'}`;
    if (format === 'json' && out !== undefined) {
      writeOutputFile(out, ctx.cwd, json);
      if (printer.json)
        printer.printJson({ format, version: doc.version, flags: doc.flags.length, files: [out] });
      else printer.line(`Wrote ${out} (store version ${doc.version}, ${count}).`);
      return undefined;
    }
    const generatedAt = new Date(doc.exported_at);
    const jsonFile = out === undefined ? undefined : jsonPathBeside(out);
    const markdown = renderOpsSnapshot({
      generatedAt,
      timeZone: printer.timeZone,
      cliVersion: CLI_VERSION,
      source: ctx.target.label,
      schema: db.schema === 'kaviar_flags' ? undefined : db.schema,
      storeVersion: doc.version,
      flags: doc.flags.map((f) => flagRowOf(f, doc.exported_at)),
      checkpoints: await lastCheckpoints(db, doc.flags),
      restoreFile: jsonFile === undefined ? undefined : resolve(ctx.cwd, jsonFile),
      database:
        ctx.target.kind === 'embedded' ? { kind: 'embedded', dir: ctx.target.dir } : { kind: 'server' },
      git,
      responsible,
      sections,
      ramps: await listRamps(db, { limit: 50 }),
    });
    const createRefs = async () => {
      if (git === undefined || !('state' in git) || !(git.createdTag || git.createdBranch)) return;
      const message = `kaviar-flags ops snapshot of ${formatTime(generatedAt, printer.timeZone)} (store version ${doc.version})`;
      await createGitRefs(
        git.state.dir,
        git.state.sha,
        { tag: git.createdTag, branch: git.createdBranch },
        message,
      );
    };
    if (out === undefined || jsonFile === undefined) {
      await createRefs();
      if (printer.json) {
        printer.printJson({
          format,
          version: doc.version,
          flags: doc.flags.length,
          git: gitJson(git),
          markdown,
        });
      } else {
        reportRefs(git, (text) => printer.notice(text));
        printer.line(markdown.trimEnd());
      }
      noteNoGit(gitNote, printer);
      return undefined;
    }
    // JSON first: the Markdown's restore command must never point at a file that is not there; the refs
    // next, so a Markdown that says "created by this snapshot" is only written once they exist.
    writeOutputFile(jsonFile, ctx.cwd, json);
    await createRefs();
    writeOutputFile(out, ctx.cwd, markdown);
    const files = [out, jsonFile];
    if (printer.json) {
      printer.printJson({ format, version: doc.version, flags: doc.flags.length, files, git: gitJson(git) });
    } else {
      printer.line(`Wrote ${files.join(' and ')} (store version ${doc.version}, ${count}).`);
      reportRefs(git, (text) => printer.line(text));
    }
    noteNoGit(gitNote, printer);
    return undefined;
  },
});

function flagRowOf(f: SnapshotFlag, exportedAt: string): FlagRow {
  return {
    key: f.key,
    enabled: f.enabled,
    rolloutPercentage: f.rollout_percentage,
    description: f.description ?? '',
    version: f.version ?? 0,
    createdAt: new Date(f.created_at ?? exportedAt),
    updatedAt: new Date(f.updated_at ?? exportedAt),
    updatedBy: f.updated_by ?? 'unknown',
    allowlistCount: f.allowlist?.length ?? 0,
  };
}

async function lastCheckpoints(db: FlagsDb, flags: readonly SnapshotFlag[]) {
  const checkpoints = new Map<string, SnapshotCheckpoint[]>();
  for (const flag of flags)
    checkpoints.set(flag.key, await listCheckpoints(db, { flagKey: flag.key, limit: 3 }));
  return checkpoints;
}

/** Said once the snapshot is written, so a failed snapshot prints its error alone. */
function noteNoGit(note: string | undefined, printer: Printer): void {
  if (note) printer.notice(`kaviar-flags snapshot: no git state: ${note}`);
}

function reportRefs(git: SnapshotGit | undefined, say: (text: string) => void): void {
  if (git === undefined || !('state' in git)) return;
  const made = [
    ...(git.createdTag ? [`annotated tag ${git.createdTag}`] : []),
    ...(git.createdBranch ? [`branch ${git.createdBranch}`] : []),
  ];
  if (made.length) say(`Created ${made.join(' and ')} at ${git.state.sha} in ${git.state.dir}.`);
}

function gitJson(git: SnapshotGit | undefined) {
  if (git === undefined) return undefined;
  if ('unavailable' in git) return { unavailable: git.unavailable };
  const { state } = git;
  return {
    dir: state.dir,
    sha: state.sha,
    branch: state.branch ?? null,
    tags: [...new Set([...state.tags, ...(git.createdTag ? [git.createdTag] : [])])],
    dirty: state.changedCount > 0,
    changedCount: state.changedCount,
    createdTag: git.createdTag ?? null,
    createdBranch: git.createdBranch ?? null,
  };
}
