import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIfStale } from './global-setup';
import { spawnKaviar } from './support/kaviar';

/*
 * The ops snapshot's git state and the operator's sections, through the built CLI as an operator runs
 * it: a temporary repository with two commits, a tag and a dirty work tree, an embedded database named
 * with --data-dir, and the snapshot taken from another folder.
 */

const root = mkdtempSync(join(tmpdir(), 'kaviar-cli-snapshot-git-'));
const repo = join(root, 'app');
const cwd = join(root, 'ops');
const data = ['--data-dir', join(root, 'db')];
const FLAG = 'passenger_favorites_matching';

const git = (...args: string[]) =>
  execFileSync('git', args, { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
const kaviar = (...argv: string[]) => spawnKaviar([...argv, ...data], { cwd });

const INFRA = [
  '# Infrastructure',
  '',
  '## ECS task definition',
  '```bash',
  '# current revision:',
  'aws ecs describe-services --cluster kaviar-cluster --services kaviar-backend --region us-east-2',
  '```',
  '',
  '## RDS',
  '- Instance: `kaviar-db`, PostgreSQL 15, us-east-2',
].join('\n');
const TODOS = ['### Critical TODOs', '', '1. `pricing.ts`: hard-coded values', ''].join('\n');

let sha = '';

beforeAll(async () => {
  buildIfStale();
  mkdirSync(repo);
  mkdirSync(cwd);
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'Goes');
  git('config', 'user.email', 'goes@example.com');
  writeFileSync(join(repo, 'app.ts'), 'export const a = 1;\n');
  git('add', '.');
  git('commit', '-q', '-m', 'feat: first');
  writeFileSync(join(repo, 'app.ts'), 'export const a = 2;\n');
  git('commit', '-q', '-am', 'chore(snapshot): state before drift fix + analysis (2026-02-03)');
  git('tag', 'v1.0');
  sha = git('rev-parse', 'HEAD');
  writeFileSync(join(repo, 'app.ts'), 'export const a = 3;\n');
  writeFileSync(join(repo, 'notes.txt'), 'wip\n');
  writeFileSync(join(cwd, 'infra.md'), INFRA);
  writeFileSync(join(cwd, 'todos.md'), TODOS);
  for (const argv of [
    ['migrate'],
    ['create', FLAG, '--enabled', 'true', '--rollout', '1', '--actor', 'goes'],
  ]) {
    const run = await kaviar(...argv);
    if (run.code !== 0) throw new Error(`${argv.join(' ')}: ${run.stderr}`);
  }
}, 120_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('snapshot --git', () => {
  it('records HEAD, creates the tag and the backup branch, and adds the code rollback and its check', async () => {
    const run = await kaviar(
      'snapshot',
      '--out',
      'ops.md',
      '--git',
      repo,
      '--tag',
      'snapshot-2026-02-03',
      '--backup-branch',
      'backup/snapshot-2026-02-03',
      '--responsible',
      'goes',
      '--tz',
      'America/Sao_Paulo',
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Wrote ops\.md and ops\.json \(store version \d+, 1 flag\)\.\n/);
    expect(run.stdout).toContain(
      `Created annotated tag snapshot-2026-02-03 and branch backup/snapshot-2026-02-03 at ${sha} in ${repo}.\n`,
    );
    expect(git('cat-file', '-t', 'snapshot-2026-02-03')).toBe('tag');
    expect(git('rev-parse', 'snapshot-2026-02-03^{commit}')).toBe(sha);
    expect(git('rev-parse', 'backup/snapshot-2026-02-03')).toBe(sha);

    const md = readFileSync(join(cwd, 'ops.md'), 'utf8');
    expect(md).toContain(
      [
        '## Git state',
        '',
        `**Repository:** \`${repo}\`  `,
        `**Commit SHA:** \`${sha}\`  `,
        '**Branch:** `main`  ',
        '**Tag:** `v1.0`, `snapshot-2026-02-03` (created by this snapshot)  ',
        '**Backup branch:** `backup/snapshot-2026-02-03` (created by this snapshot)  ',
        '',
        '**Last commit:**',
        '```',
        'chore(snapshot): state before drift fix + analysis (2026-02-03)',
        '```',
        '',
        '**Work tree:** dirty ⚠️, 2 changed paths (uncommitted, so not in the commit above):',
        '```',
        ' M app.ts',
        '?? notes.txt',
        '```',
      ].join('\n'),
    );
    expect(md).toContain(
      `\`\`\`bash\ncd ${repo}\ngit checkout snapshot-2026-02-03\n# or the backup branch\ngit checkout backup/snapshot-2026-02-03\n\`\`\``,
    );
    const validation = `# The code: must print ${sha}\ngit -C ${repo} rev-parse HEAD\n`;
    expect(md).toContain(validation);
    // The validation line, run as printed, prints that SHA.
    const line = validation.split('\n')[1] ?? '';
    expect(execFileSync('sh', ['-c', line], { encoding: 'utf8' }).trim()).toBe(sha);
    expect(md).toContain('**Responsible:** goes  \n**Time zone:** America/Sao_Paulo (GMT-3)');
    // From an embedded database, every command names its folder.
    expect(md).toContain(`\nkaviar-flags status --data-dir ${join(root, 'db')}\n`);
    expect(md).not.toContain('DATABASE_URL');
  });

  it('refuses to overwrite an existing tag or branch, creating and writing nothing', async () => {
    const branchBefore = git('rev-parse', 'backup/snapshot-2026-02-03');
    const tag = await kaviar('snapshot', '--out', 'again.md', '--git', repo, '--tag', 'v1.0');
    expect([tag.code, tag.stderr]).toEqual([
      64,
      `kaviar-flags snapshot: --tag: the tag v1.0 already exists (at ${sha.slice(0, 12)}); refusing to overwrite it, choose another name. Nothing was written. (see kaviar-flags snapshot --help)\n`,
    ]);
    // The branch exists: the new tag is not created either.
    const branch = await kaviar(
      'snapshot',
      '--out',
      'again.md',
      '--git',
      repo,
      '--tag',
      'fresh-tag',
      '--backup-branch',
      'backup/snapshot-2026-02-03',
    );
    expect(branch.code).toBe(64);
    expect(branch.stderr).toContain('--backup-branch: the branch backup/snapshot-2026-02-03 already exists');
    expect(git('tag', '--list', 'fresh-tag')).toBe('');
    expect(git('rev-parse', 'backup/snapshot-2026-02-03')).toBe(branchBefore);
    expect(existsSync(join(cwd, 'again.md'))).toBe(false);
    const invalid = await kaviar('snapshot', '--git', repo, '--tag', 'bad..name');
    expect([invalid.code, invalid.stderr]).toEqual([
      64,
      'kaviar-flags snapshot: --tag: "bad..name" is not a valid git tag name (see kaviar-flags snapshot --help)\n',
    ]);
  });

  it('outside a repository: one line and a note without --git, an error with it', async () => {
    const quiet = await kaviar('snapshot', '--out', 'nogit.md');
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe(
      `kaviar-flags snapshot: no git state: ${cwd} is not inside a git work tree (name the application's repository with --git DIR, or leave it out with --no-git)\n`,
    );
    expect(readFileSync(join(cwd, 'nogit.md'), 'utf8')).toContain(
      `## Git state\n\nNot recorded: ${cwd} is not inside a git work tree.`,
    );
    const explicit = await kaviar('snapshot', '--git');
    expect([explicit.code, explicit.stderr]).toEqual([
      64,
      `kaviar-flags snapshot: --git: ${cwd} is not inside a git work tree (see kaviar-flags snapshot --help)\n`,
    ]);
    const none = await kaviar('snapshot', '--no-git');
    expect([none.code, none.stderr]).toEqual([0, '']);
    expect(none.stdout).not.toContain('Git state');
  });

  it('without git installed: one line, or an error when --git was asked for', async () => {
    const env = { PATH: join(root, 'no-such-bin') };
    const quiet = await spawnKaviar(['snapshot', ...data], { cwd: repo, env });
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toMatch(
      /^kaviar-flags snapshot: no git state: git is not installed \(no `git` command on PATH\)/,
    );
    expect(quiet.stderr.split('\n')).toHaveLength(2);
    const explicit = await spawnKaviar(['snapshot', '--git', ...data], { cwd: repo, env });
    expect([explicit.code, explicit.stderr]).toEqual([
      64,
      'kaviar-flags snapshot: --git: git is not installed (no `git` command on PATH) (see kaviar-flags snapshot --help)\n',
    ]);
  });
});

describe('snapshot --section', () => {
  it('includes the files in order under their own first heading, after the drift analysis', async () => {
    const run = await kaviar('snapshot', '--no-git', '--section', 'infra.md', '--section', 'todos.md');
    expect(run.code).toBe(0);
    const md = run.stdout;
    const at = (text: string) => md.indexOf(text);
    expect(at('## Drift analysis')).toBeGreaterThan(0);
    expect(at('## Infrastructure\n')).toBeGreaterThan(at('## Drift analysis'));
    expect(at('## Critical TODOs\n')).toBeGreaterThan(at('## Infrastructure'));
    expect(at('## Rollback instructions')).toBeGreaterThan(at('## Critical TODOs'));
    // Headings move under the section; a comment in a shell block is left alone.
    expect(md).toContain(
      '## Infrastructure\n\n### ECS task definition\n```bash\n# current revision:\naws ecs describe-services',
    );
    expect(md).toContain('### RDS\n- Instance: `kaviar-db`, PostgreSQL 15, us-east-2\n');
    expect(md).toContain('## Critical TODOs\n\n1. `pricing.ts`: hard-coded values\n');
    expect(md).toContain(
      `- "Infrastructure", "Critical TODOs": the operator's own files (\`infra.md\`, \`todos.md\`), included as written (their headings moved under the section).`,
    );
  });

  it('refuses a file holding a secret, naming the line, unless --allow-secrets', async () => {
    writeFileSync(
      join(cwd, 'leaky.md'),
      '# Database\n\nConnect with:\n    psql postgres://kaviar:hunter2@kaviar-db.internal:5432/kaviar\n',
    );
    const refused = await kaviar(
      'snapshot',
      '--out',
      'leaky-ops.md',
      '--section',
      'todos.md',
      '--section',
      'leaky.md',
    );
    expect([refused.code, refused.stderr]).toEqual([
      65,
      'kaviar-flags snapshot: --section leaky.md: line 4 looks like it holds a secret (a connection string with a password); ' +
        'remove it (name where the secret lives instead), or pass --allow-secrets to include the file anyway\n',
    ]);
    expect(refused.stdout).toBe('');
    expect(existsSync(join(cwd, 'leaky-ops.md'))).toBe(false);

    const allowed = await kaviar('snapshot', '--no-git', '--section', 'leaky.md', '--allow-secrets');
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toContain(
      '- ⚠️ `leaky.md` line 4 looks like it holds a secret (a connection string with a password): it was included because of `--allow-secrets`.',
    );
  });
});
