import type { GitState } from './git-state';
import { fenced, shellQuote } from './render-ops-snapshot-text';
import { findSecrets } from './secret-scan';

/*
 * The git parts of the ops snapshot: the "Git state" section, the code rollback and the validation
 * line. The commit SHA is the anchor: tag and backup branch are ways to name it.
 */

/** The git part of the snapshot: the state read (and refs created), or why there is none. */
export type SnapshotGit =
  | {
      readonly state: GitState;
      /** Annotated tag this snapshot created at `state.sha` (`--tag`). */
      readonly createdTag?: string | undefined;
      /** Branch this snapshot created at `state.sha` (`--backup-branch`). */
      readonly createdBranch?: string | undefined;
    }
  | {
      /** One line: why no git state was recorded (not a repository, no git). */
      readonly unavailable: string;
    };

const code = (text: string) => `\`${text.replaceAll('`', "'")}\``;

/** The "Git state" section. @internal */
export function gitStateLines(git: SnapshotGit): string[] {
  if ('unavailable' in git) {
    return [
      '## Git state',
      '',
      `Not recorded: ${git.unavailable}. Take the snapshot with \`--git DIR\` (the application's repository) to record its commit.`,
    ];
  }
  const { state } = git;
  const tags = [...new Set([...state.tags, ...(git.createdTag ? [git.createdTag] : [])])];
  const subject = findSecrets(state.subject).length
    ? '(not shown: the subject looks like it holds a secret)'
    : state.subject;
  const lines = [
    '## Git state',
    '',
    `**Repository:** ${code(state.dir)}  `,
    `**Commit SHA:** ${code(state.sha)}  `,
    `**Branch:** ${state.branch ? code(state.branch) : 'none (detached HEAD)'}  `,
    `**Tag:** ${tags.length ? tags.map((t) => (t === git.createdTag ? `${code(t)} (created by this snapshot)` : code(t))).join(', ') : 'none'}  `,
    ...(git.createdBranch
      ? [`**Backup branch:** ${code(git.createdBranch)} (created by this snapshot)  `]
      : []),
    '',
    '**Last commit:**',
    ...fenced(subject),
    '',
  ];
  if (state.changedCount === 0) {
    lines.push('**Work tree:** clean ✅');
  } else {
    const more = state.changedCount - state.changedPaths.length;
    lines.push(
      `**Work tree:** dirty ⚠️, ${state.changedCount} changed ${state.changedCount === 1 ? 'path' : 'paths'} (uncommitted, so not in the commit above)${more > 0 ? `; the first ${state.changedPaths.length}` : ''}:`,
      ...fenced([...state.changedPaths, ...(more > 0 ? [`... and ${more} more`] : [])].join('\n')),
    );
  }
  return lines;
}

/** The code rollback commands, or `[]` without git state. @internal */
export function codeRollbackLines(git: SnapshotGit | undefined): string[] {
  if (git === undefined || 'unavailable' in git) return [];
  const { state } = git;
  const tag = git.createdTag ?? state.tags[0];
  const commands = [`cd ${shellQuote(state.dir)}`];
  if (tag) commands.push(`git checkout ${shellQuote(tag)}`);
  if (git.createdBranch) {
    if (tag) commands.push('# or the backup branch');
    commands.push(`git checkout ${shellQuote(git.createdBranch)}`);
  }
  if (!tag && !git.createdBranch) commands.push(`git checkout ${state.sha}   # detached HEAD at this commit`);
  return [
    '### Code',
    state.changedCount > 0
      ? `Back to commit ${code(state.sha.slice(0, 12))}. The work tree had uncommitted changes, which no checkout brings back.`
      : `Back to commit ${code(state.sha.slice(0, 12))}.`,
    '```bash',
    ...commands,
    '```',
    '',
  ];
}

/** The code check of the post-rollback validation, or `[]` without git state. @internal */
export function codeValidationLines(git: SnapshotGit | undefined): string[] {
  if (git === undefined || 'unavailable' in git) return [];
  return [`# The code: must print ${git.state.sha}`, `git -C ${shellQuote(git.state.dir)} rev-parse HEAD`];
}
