/** Allowlist members are printed only by `allowlist list`: never by other commands, human or `--json` output. */
import { expect, it } from 'vitest';
import { forEachDatabase } from '../../../test/support/databases';
import { guardLeaks } from '../../../test/support/leaks';
import { createSeedFlag, kaviar, SEED_FLAG } from './support/kaviar';

const MEMBERS = Array.from({ length: 12 }, (_, i) => `member-secret-${i + 1}`);

guardLeaks();

forEachDatabase((getDb) => {
  const run = (...argv: string[]) => kaviar(getDb(), argv);

  it('keeps allowlisted ids out of check, checkpoints, status, history and snapshot, human and --json', async () => {
    await createSeedFlag(getDb(), { allowlist: MEMBERS });
    // A wrong expected size makes the allowlist finding FAIL and quote the allowlist change.
    const check = await run(
      'check',
      SEED_FLAG,
      '--phase',
      'p',
      '--label',
      'l',
      '--expect-allowlist',
      '11',
      '--settle',
      '0',
      '--record',
      '--json',
    );
    expect(check.code).toBe(2);
    expect(check.stdout).toContain('allowlist.add');
    const human = await run(
      'check',
      SEED_FLAG,
      '--phase',
      'p',
      '--label',
      'l',
      '--expect-allowlist',
      '11',
      '--settle',
      '0',
    );
    expect(human.code).toBe(2);
    expect(human.stdout).toContain('allowlist');
    const outputs = [
      check.stdout,
      human.stdout,
      (await run('checkpoints')).stdout,
      (await run('status')).stdout,
      (await run('status', SEED_FLAG)).stdout,
      (await run('history', SEED_FLAG)).stdout,
      (await run('snapshot', '--format', 'md')).stdout,
      (await run('checkpoints', '--json')).stdout,
      (await run('checkpoints', SEED_FLAG, '--json')).stdout,
      (await run('status', '--json')).stdout,
      (await run('status', SEED_FLAG, '--json')).stdout,
      (await run('history', SEED_FLAG, '--json')).stdout,
    ];
    for (const text of outputs) {
      expect(text.length).toBeGreaterThan(0);
      for (const id of MEMBERS) expect(text).not.toContain(id);
    }
    const list = await run('allowlist', 'list', SEED_FLAG);
    expect(list.stdout.trim().split('\n').sort()).toEqual([...MEMBERS].sort());
  });
});
