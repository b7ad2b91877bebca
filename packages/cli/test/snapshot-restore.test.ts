import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anotherTestDb, forEachDatabase } from '../../../test/support/databases';
import { guardLeaks } from '../../../test/support/leaks';
import type { FlagsDb } from '../../pg/src/index';
import { configOf, createSeedFlag, dumpState, kaviar } from './support/kaviar';

const dir = mkdtempSync(join(tmpdir(), 'kaviar-cli-snapshot-'));

/** The state a restore must reproduce: config and allowlists, not timestamps or versions. */
guardLeaks();

forEachDatabase((getDb, ctx) => {
  const run = (db: FlagsDb, ...argv: string[]) => kaviar(db, argv, { cwd: dir });
  // How the snapshot names its source: a server URL, as production runs it.
  const snapshot = (db: FlagsDb, ...argv: string[]) =>
    kaviar(db, ['snapshot', ...argv], {
      cwd: dir,
      env: { DATABASE_URL: 'postgres://app:s3cret@db.internal/kaviar' },
    });
  const emptyDb = anotherTestDb(ctx.kind);

  describe('snapshot and restore', () => {
    it('writes the Markdown and the JSON beside it, and restore reproduces the state on an empty database', async () => {
      const db = getDb();
      await createSeedFlag(db, { allowlist: ['p-1', 'p-2', 'p-3'] });
      await run(
        db,
        'create',
        'dark_mode',
        '--rollout',
        '12.5',
        '--description',
        'Dark UI',
        '--actor',
        'goes',
      );
      await run(
        db,
        'check',
        'passenger_favorites_matching',
        '--phase',
        'ROLLOUT_1PCT',
        '--label',
        'manual',
        '--expect-rollout',
        '1',
        '--settle',
        '0',
        '--record',
      );
      const written = await snapshot(db, '--out', 'ops.md', '--tz', 'America/Sao_Paulo');
      expect(written.code).toBe(0);
      expect(written.stdout).toMatch(/^Wrote ops\.md and ops\.json \(store version \d+, 2 flags\)\.\n$/);
      const md = readFileSync(join(dir, 'ops.md'), 'utf8');
      expect(md).toContain('"rollout_percentage": 12.5');
      expect(md).toContain('**Allowlist:** 3 subjects');
      expect(md).toContain('- Status: **PASS** ✅\n- Phase: `ROLLOUT_1PCT`\n- Label: `manual`');
      expect(md).toContain('- **Conclusion:** no drift: the database matches the latest check.');
      expect(md).toContain(`kaviar-flags restore ${join(dir, 'ops.json')} --database-url "`);
      expect(md).toMatch(/ --delete-missing --dry-run\n/);
      expect(md).toMatch(
        /kaviar-flags set passenger_favorites_matching --database-url "[^"]+"( --schema \w+)? --enabled false/,
      );
      expect(md).not.toContain('p-1');
      expect(md).not.toContain('s3cret');
      expect(md).toContain('from postgres://app:***@db.internal/kaviar');

      const dry = await run(emptyDb(), 'restore', 'ops.json', '--dry-run', '--actor', 'goes');
      expect(dry.code).toBe(0);
      expect(dry.stdout).toMatch(/^dark_mode +create +disabled at 12\.5 %$/m);
      expect(dry.stdout).toMatch(/^passenger_favorites_matching +create +enabled at 1 %, allowlist \+3 -0$/m);
      expect(dry.stdout).toContain(
        'Dry run: 2 flags would change (0 unchanged).\nDry run: nothing was written',
      );
      expect(await configOf(emptyDb())).toEqual([]);

      // An empty database is not where ops.json came from: the diff and why are shown, and without a
      // terminal nothing is written unless --yes says so.
      const unconfirmed = await run(emptyDb(), 'restore', 'ops.json', '--actor', 'goes');
      expect(unconfirmed.code).toBe(64);
      expect(unconfirmed.stderr).toMatch(
        /^ops\.json does not look like a snapshot of .*: it was taken at store version \d+, and this database is only at 0; this database holds no flags at all\.\nIt was taken at \S+ from postgres:\/\/app:\*\*\*@db\.internal\/kaviar, schema \w+\.\n/,
      );
      expect(await configOf(emptyDb())).toEqual([]);
      const restored = await run(
        emptyDb(),
        'restore',
        'ops.json',
        '--actor',
        'goes',
        '--reason',
        'round trip',
        '--yes',
      );
      expect(restored.code).toBe(0);
      expect(await configOf(emptyDb())).toEqual(await configOf(db));
      const again = await run(emptyDb(), 'restore', 'ops.json', '--actor', 'goes');
      expect(again.stdout).toBe('Nothing to restore: the 2 flags in ops.json already match the store.\n');
    });

    it('runs the printed restore command and gets the snapshot back exactly, later flags deleted', async () => {
      const db = getDb();
      const snapshotted = await configOf(db);
      expect(snapshotted.length).toBeGreaterThan(0);
      await snapshot(db, '--out', 'exact.md');
      await run(db, 'create', 'added_later', '--actor', 'deploy-bot');
      await run(
        db,
        'set',
        'passenger_favorites_matching',
        '--rollout',
        '7',
        '--actor',
        'deploy-bot',
        '--yes',
      );
      const md = readFileSync(join(dir, 'exact.md'), 'utf8');
      const line = md
        .split('\n')
        .find((l) => l.startsWith('kaviar-flags restore') && !l.includes('--dry-run'));
      // The shell would expand "${DATABASE_URL:?...}" and strip the quotes; in-process, the test's
      // database is used whatever the URL (the spawned test in snapshot-paste.test.ts runs a real shell).
      expect(line).not.toContain('$USER');
      const argv = (line ?? '')
        .replace(/"\$\{DATABASE_URL:\?[^}]*\}"/, 'postgres://ignored')
        .match(/"[^"]*"|\S+/g)
        ?.slice(1)
        .map((token) => token.replace(/^"(.*)"$/, '$1'));
      expect(argv?.slice(0, 4)).toEqual([
        'restore',
        join(dir, 'exact.json'),
        '--database-url',
        'postgres://ignored',
      ]);
      // It deletes a flag (--delete-missing): pasted without a terminal, it needs --yes.
      const unconfirmed = await run(db, ...(argv ?? []));
      expect(unconfirmed.code).toBe(64);
      expect(unconfirmed.stderr).toContain(
        `--delete-missing deletes 1 flags that are not in ${join(dir, 'exact.json')}: added_later.`,
      );
      const restored = await run(db, ...(argv ?? []), '--yes');
      expect(restored.code).toBe(0);
      expect(await configOf(db)).toEqual(snapshotted);
    });

    it('restores a changed flag back, audited as restore', async () => {
      const db = getDb();
      await run(db, 'snapshot', '--format', 'json', '--out', 'before.json');
      await run(
        db,
        'set',
        'passenger_favorites_matching',
        '--rollout',
        '5',
        '--actor',
        'deploy-bot',
        '--yes',
      );
      const out = await run(db, 'restore', 'before.json', '--actor', 'goes', '--json');
      const result = JSON.parse(out.stdout);
      expect(result.applied).toBe(true);
      expect(result.diff.updated).toEqual([
        expect.objectContaining({
          key: 'passenger_favorites_matching',
          allowlistAdded: 0,
          allowlistRemoved: 0,
        }),
      ]);
      const [latest] = JSON.parse(
        (await run(db, 'history', 'passenger_favorites_matching', '--json')).stdout,
      ).entries;
      expect([latest.action, latest.actor, latest.after.rolloutPercentage]).toEqual(['restore', 'goes', 1]);
    });

    it('rejects malformed and unreadable snapshot files, writing nothing', async () => {
      const db = getDb();
      const before = await dumpState(db);
      const { writeFileSync } = await import('node:fs');
      writeFileSync(join(dir, 'broken.json'), '{"format": "kaviar-flags.snapshot.v1", "flags": [');
      writeFileSync(
        join(dir, 'bad.json'),
        JSON.stringify({
          format: 'kaviar-flags.snapshot.v1',
          version: 1,
          exported_at: new Date().toISOString(),
          flags: [{ key: 'x', enabled: true, rollout_percentage: 150 }],
        }),
      );
      const broken = await run(db, 'restore', 'broken.json', '--actor', 'goes');
      expect([broken.code, broken.stderr]).toEqual([
        65,
        expect.stringMatching(/^kaviar-flags restore: broken\.json is not valid JSON/),
      ]);
      const bad = await run(db, 'restore', 'bad.json', '--actor', 'goes');
      expect([bad.code, bad.stderr]).toEqual([
        65,
        expect.stringMatching(/Invalid snapshot: .*rollout_percentage/),
      ]);
      const missing = await run(db, 'restore', 'nope.json', '--actor', 'goes');
      expect([missing.code, missing.stderr]).toEqual([
        66,
        'kaviar-flags restore: Cannot read nope.json (ENOENT)\n',
      ]);
      expect(await dumpState(db)).toBe(before);
    });
  });
});
