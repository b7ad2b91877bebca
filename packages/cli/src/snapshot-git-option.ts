import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { toError } from '@kaviar/flags-core/internal';
import { UsageError } from './cli-errors';
import { checkRefNames, refuseExistingRefs } from './git-refs';
import { readGitState } from './git-state';
import type { ParsedArgs } from './parsed-args';
import type { SnapshotGit } from './render-ops-snapshot-git';

/*
 * `snapshot --git [DIR] --tag NAME --backup-branch NAME --no-git`, read before the database is opened.
 * Asked for explicitly (any of the first three), git must work and the refs must be new, or the
 * command fails having written nothing; not asked for, a current directory outside git costs one line.
 */

/** The git part of a snapshot, refs to create included, or a note saying why there is none. */
export async function readSnapshotGit(
  args: ParsedArgs,
): Promise<{ git: SnapshotGit | undefined; note: string | undefined }> {
  const command = args.command;
  const tag = args.string('tag');
  const branch = args.string('backup-branch');
  const explicit = args.flag('git') || tag !== undefined || branch !== undefined;
  if (args.flag('no-git')) {
    if (explicit)
      throw new UsageError('--no-git cannot be combined with --git, --tag or --backup-branch', command);
    args.maxPositionals(0);
    return { git: undefined, note: undefined };
  }
  if (!args.flag('git') && args.positionals.length > 0) {
    throw new UsageError(
      `Unexpected argument ${JSON.stringify(args.positionals[0])} (the repository is named with --git DIR)`,
      command,
    );
  }
  args.maxPositionals(1);
  const dir = resolve(args.cwd, args.positionals[0] ?? '.');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    if (explicit) throw new UsageError(`--git: ${dir} is not a folder`, command);
    return { git: { unavailable: `${dir} is not a folder` }, note: `${dir} is not a folder` };
  }
  let state: Awaited<ReturnType<typeof readGitState>>;
  try {
    state = await readGitState(dir);
  } catch (error) {
    const reason = toError(error).message;
    if (explicit) throw new UsageError(`--git: ${reason}`, command);
    return {
      git: { unavailable: reason },
      note: `${reason} (name the application's repository with --git DIR, or leave it out with --no-git)`,
    };
  }
  const wanted = { tag, branch };
  await checkRefNames(state.dir, wanted, command);
  await refuseExistingRefs(state.dir, wanted, command);
  return { git: { state, createdTag: tag, createdBranch: branch }, note: undefined };
}
