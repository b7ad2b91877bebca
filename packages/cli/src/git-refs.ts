import { UsageError } from './cli-errors';
import { GitError, git, runGit } from './git-state';

/*
 * `snapshot --tag NAME --backup-branch NAME`: marks the commit the snapshot describes so the code can
 * be rolled back to it. Never moves an existing ref: both names are checked before either is created,
 * and git itself refuses (no `-f`) if one appears in between.
 */

/** The refs to create at the snapshot's commit. */
export interface GitRefsWanted {
  readonly tag?: string | undefined;
  readonly branch?: string | undefined;
}

/** Fails with `UsageError` when a name is not a valid git ref name. */
export async function checkRefNames(dir: string, wanted: GitRefsWanted, command: string): Promise<void> {
  for (const [option, kind, name] of [
    ['tag', 'tags', wanted.tag],
    ['backup-branch', 'heads', wanted.branch],
  ] as const) {
    if (name === undefined) continue;
    const check = await runGit(dir, ['check-ref-format', `refs/${kind}/${name}`]);
    if (check.code !== 0 || name.startsWith('-')) {
      throw new UsageError(`--${option}: ${JSON.stringify(name)} is not a valid git ${option} name`, command);
    }
  }
}

/** Fails with `UsageError` when a tag or branch of that name already exists (nothing is created). */
export async function refuseExistingRefs(dir: string, wanted: GitRefsWanted, command: string): Promise<void> {
  for (const [option, ref, name] of [
    ['tag', `refs/tags/${wanted.tag}`, wanted.tag],
    ['backup-branch', `refs/heads/${wanted.branch}`, wanted.branch],
  ] as const) {
    if (name === undefined) continue;
    const found = await runGit(dir, ['rev-parse', '--verify', '-q', `${ref}^{commit}`]);
    if (found.code === 0) {
      const what = option === 'tag' ? 'tag' : 'branch';
      throw new UsageError(
        `--${option}: the ${what} ${name} already exists (at ${found.stdout.trim().slice(0, 12)}); ` +
          'refusing to overwrite it, choose another name. Nothing was written.',
        command,
      );
    }
  }
}

/**
 * Creates the annotated tag and the branch at `sha`. When the branch cannot be created after the tag
 * was, the tag is deleted again, so a failure leaves no half of the pair behind.
 */
export async function createGitRefs(
  dir: string,
  sha: string,
  wanted: GitRefsWanted,
  message: string,
): Promise<void> {
  if (wanted.tag !== undefined) await git(dir, ['tag', '-a', '-m', message, wanted.tag, sha]);
  if (wanted.branch === undefined) return;
  try {
    await git(dir, ['branch', wanted.branch, sha]);
  } catch (error) {
    if (wanted.tag !== undefined) await runGit(dir, ['tag', '-d', wanted.tag]);
    throw error instanceof GitError ? error : new GitError(String(error), { cause: error });
  }
}
