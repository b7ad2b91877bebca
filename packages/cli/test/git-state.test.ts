import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitRefs } from '../src/git-refs';
import { MAX_CHANGED_PATHS, readGitState } from '../src/git-state';
import { renderOpsSnapshot } from '../src/render-ops-snapshot';

const repo = mkdtempSync(join(tmpdir(), 'kaviar-cli-git-state-'));
const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();

beforeAll(() => {
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'Goes');
  git('config', 'user.email', 'goes@example.com');
});
afterAll(() => rmSync(repo, { recursive: true, force: true }));

describe('readGitState', () => {
  it('says when the repository has no commit yet', async () => {
    await expect(readGitState(repo)).rejects.toThrow(`the git repository in ${repo} has no commit yet`);
  });

  it('lists at most 20 changed paths and counts the rest; renames and odd names are shown whole', async () => {
    writeFileSync(join(repo, 'old.ts'), 'x\n');
    git('add', '.');
    git('commit', '-q', '-m', 'first');
    git('mv', 'old.ts', 'new.ts');
    writeFileSync(join(repo, 'with space.md'), '');
    for (let i = 0; i < 25; i++) writeFileSync(join(repo, `f${String(i).padStart(2, '0')}.txt`), '');
    const state = await readGitState(join(repo));
    expect(state.changedCount).toBe(27);
    expect(state.changedPaths).toHaveLength(MAX_CHANGED_PATHS);
    expect(state.changedPaths[0]).toBe('R  old.ts -> new.ts');
    expect(state.changedPaths).toContain('?? f00.txt');
    const md = renderOpsSnapshot({
      generatedAt: new Date(0),
      timeZone: 'UTC',
      cliVersion: '0',
      source: 'x',
      storeVersion: 0,
      flags: [],
      checkpoints: new Map(),
      git: { state },
    });
    expect(md).toContain(
      '**Work tree:** dirty ⚠️, 27 changed paths (uncommitted, so not in the commit above); the first 20:',
    );
    expect(md).toContain('\n... and 7 more\n');
  });

  it('reads a detached HEAD from a subfolder, and the refs it creates point at the recorded commit', async () => {
    git('add', '-A');
    git('commit', '-q', '-m', 'second');
    const sha = git('rev-parse', 'HEAD');
    git('checkout', '-q', '--detach');
    renameSync(join(repo, 'with space.md'), join(repo, 'with space.txt'));
    git('add', '-A');
    mkdirSync(join(repo, 'sub'));
    const state = await readGitState(join(repo, 'sub'));
    expect([state.sha, state.branch, state.subject, state.dir]).toEqual([sha, undefined, 'second', repo]);
    expect(state.changedPaths).toEqual(['R  "with space.md" -> "with space.txt"']);
    await createGitRefs(repo, sha, { tag: 'snap', branch: 'backup/snap' }, 'kaviar-flags ops snapshot');
    expect([git('rev-parse', 'snap^{commit}'), git('rev-parse', 'backup/snap')]).toEqual([sha, sha]);
    expect(git('tag', '-l', '--format=%(contents:subject)', 'snap')).toBe('kaviar-flags ops snapshot');
    // A branch that cannot be created takes the new tag back with it.
    await expect(createGitRefs(repo, sha, { tag: 'snap2', branch: 'backup/snap' }, 'm')).rejects.toThrow(
      /git branch backup\/snap .* failed/,
    );
    expect(git('tag', '-l', 'snap2')).toBe('');
  });
});
