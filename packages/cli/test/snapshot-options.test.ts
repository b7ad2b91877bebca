import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runKaviar } from './support/kaviar';

// Refused while parsing, before any database is opened (none is given here, and none is created).
const cwd = mkdtempSync(join(tmpdir(), 'kaviar-cli-snapshot-options-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

const run = (argv: string[]) => runKaviar(argv, { cwd, env: {} });

describe('snapshot options', () => {
  it.each([
    [
      ['--format', 'json', '--out', 'x.json', '--tag', 't'],
      '--tag is for the Markdown snapshot, not --format json',
    ],
    [['--format', 'json', '--out', 'x.json', '--section', 'a.md'], '--section is for the Markdown snapshot'],
    [['--no-git', '--git'], '--no-git cannot be combined with --git, --tag or --backup-branch'],
    [['somewhere'], 'Unexpected argument "somewhere" (the repository is named with --git DIR)'],
    [['--git', 'a', 'b'], 'Unexpected argument "b"'],
    [['--git', 'no-such-dir'], `--git: ${join(cwd, 'no-such-dir')} is not a folder`],
    [['--responsible', ' '], '--responsible'],
    [
      ['--out', 'ops.md', '--section', './ops.md'],
      '--section ./ops.md is a file this snapshot would overwrite (--out)',
    ],
    [
      ['--out', 'ops.md', '--section', 'ops.json'],
      '--section ops.json is a file this snapshot would overwrite',
    ],
  ])('snapshot %j is a usage error', async (argv, message) => {
    const result = await run(['snapshot', ...argv]);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain(message);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('a missing --section file is unreadable (66), before anything is opened', async () => {
    const result = await run(['snapshot', '--section', 'nope.md']);
    expect([result.code, result.stderr]).toEqual([
      66,
      'kaviar-flags snapshot: Cannot read nope.md (ENOENT)\n',
    ]);
  });
});
