import { execFile } from 'node:child_process';
import { FlagsError } from '@kaviar/flags-core';

/*
 * The application's git state for the ops snapshot, read through the `git` command itself (it is on
 * every machine that deploys code, and its porcelain output is a stable interface; a library would
 * add a dependency for five commands). Reads never take the index lock (`GIT_OPTIONAL_LOCKS=0`), so a
 * snapshot taken while an editor or another git runs does not disturb it.
 */

/** Changed paths listed at most in the snapshot; the rest is counted. */
export const MAX_CHANGED_PATHS = 20;

/** HEAD of a git work tree, as the ops snapshot records it. */
export interface GitState {
  /** Top-level folder of the work tree (absolute). */
  readonly dir: string;
  /** HEAD's full commit SHA. */
  readonly sha: string;
  /** The checked-out branch; `undefined` on a detached HEAD. */
  readonly branch: string | undefined;
  /** Tags pointing at HEAD. */
  readonly tags: readonly string[];
  /** Subject (first line) of HEAD's commit message. */
  readonly subject: string;
  /** Changed or untracked paths as `git status --short` prints them (`XY path`; an untracked folder as `?? dir/`), at most {@link MAX_CHANGED_PATHS}. */
  readonly changedPaths: readonly string[];
  /** How many paths are changed or untracked in all (0: the work tree is clean). */
  readonly changedCount: number;
}

/** Git could not be run or refused a command (missing `git`, not a repository, a failed `git tag`). Code `GIT_FAILED`. */
export class GitError extends FlagsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('GIT_FAILED', message, options);
  }
}

interface GitRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `git args` in `dir`; rejects with `GitError` only when git cannot be started. @internal */
export function runGit(dir: string, args: readonly string[]): Promise<GitRun> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      [...args],
      {
        cwd: dir,
        encoding: 'utf8',
        maxBuffer: 16 * 1024 * 1024,
        env: { ...process.env, GIT_OPTIONAL_LOCKS: '0', GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
      },
      (error, stdout, stderr) => {
        const code = (error as (NodeJS.ErrnoException & { code?: unknown }) | null)?.code;
        if (code === 'ENOENT' && !stderr) {
          reject(new GitError('git is not installed (no `git` command on PATH)', { cause: error }));
        } else if (error && typeof code !== 'number') {
          reject(new GitError(`git could not run in ${dir}: ${error.message}`, { cause: error }));
        } else resolve({ code: typeof code === 'number' ? code : 0, stdout, stderr });
      },
    );
  });
}

/** Runs git and returns its trimmed stdout, or throws `GitError` with git's own message. @internal */
export async function git(dir: string, args: readonly string[]): Promise<string> {
  const run = await runGit(dir, args);
  if (run.code !== 0) {
    const said = run.stderr.trim().split('\n')[0] ?? '';
    throw new GitError(`git ${args.join(' ')} failed in ${dir}${said ? `: ${said}` : ''}`);
  }
  return run.stdout.replace(/\n$/, '');
}

/** A path from `git status -z` as a line: quoted when it holds characters that would break the list. */
function showPath(path: string): string {
  return /^[^\s"`\\\p{Cc}]+$/u.test(path) ? path : JSON.stringify(path);
}

/** `git status --porcelain -z` entries as `XY path` (a rename as `R  old -> new`). */
function parseStatus(output: string): string[] {
  const fields = output.split('\0');
  const entries: string[] = [];
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i] ?? '';
    if (field.length < 4) continue;
    const xy = field.slice(0, 2);
    const path = showPath(field.slice(3));
    // Renames and copies carry their source in the next field.
    if (xy.includes('R') || xy.includes('C')) entries.push(`${xy} ${showPath(fields[++i] ?? '')} -> ${path}`);
    else entries.push(`${xy} ${path}`);
  }
  return entries;
}

/**
 * Reads the state of the work tree containing `dir`. Throws `GitError` with a one-line reason when git
 * is missing, `dir` is not inside a work tree, or the repository has no commit yet.
 */
export async function readGitState(dir: string): Promise<GitState> {
  const inside = await runGit(dir, ['rev-parse', '--is-inside-work-tree']);
  if (inside.code !== 0 || inside.stdout.trim() !== 'true') {
    throw new GitError(`${dir} is not inside a git work tree`);
  }
  const top = await git(dir, ['rev-parse', '--show-toplevel']);
  const head = await runGit(top, ['rev-parse', '--verify', '-q', 'HEAD^{commit}']);
  if (head.code !== 0) throw new GitError(`the git repository in ${top} has no commit yet`);
  const sha = head.stdout.trim();
  const branch = await runGit(top, ['symbolic-ref', '--short', '-q', 'HEAD']);
  const tags = await git(top, ['tag', '--points-at', sha]);
  const subject = await git(top, ['log', '-1', '--format=%s', sha]);
  const changed = parseStatus(await git(top, ['status', '--porcelain=v1', '-z', '--untracked-files=normal']));
  return {
    dir: top,
    sha,
    branch: branch.code === 0 ? branch.stdout.trim() : undefined,
    tags: tags === '' ? [] : tags.split('\n'),
    subject,
    changedPaths: changed.slice(0, MAX_CHANGED_PATHS),
    changedCount: changed.length,
  };
}
