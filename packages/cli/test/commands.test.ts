import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { forEachDatabase } from '../../../test/support/databases';
import { guardLeaks } from '../../../test/support/leaks';
import { createSeedFlag, dumpState, kaviar, SEED_FLAG } from './support/kaviar';

const FLAG = SEED_FLAG;
const dir = mkdtempSync(join(tmpdir(), 'kaviar-cli-commands-'));

guardLeaks();

forEachDatabase((getDb) => {
  const run = (...argv: string[]) => kaviar(getDb(), argv, { cwd: dir });

  describe('the operator workflow', () => {
    it('creates a flag disabled at 0 % by default, and refuses a second create with exit 68', async () => {
      const created = await run('create', 'plain_flag', '--actor', 'goes', '--json');
      expect(created.code).toBe(0);
      const { created: row } = JSON.parse(created.stdout);
      expect([row.key, row.enabled, row.rolloutPercentage, row.updatedBy]).toEqual([
        'plain_flag',
        false,
        0,
        'goes',
      ]);
      const again = await run('create', 'plain_flag', '--actor', 'goes');
      expect(again.code).toBe(68);
      expect(again.stderr).toMatch(/^kaviar-flags create: Flag "plain_flag" already exists/);
    });

    it('creates the seed flag, imports 12 passengers from a CSV, and lists them only with allowlist list', async () => {
      await createSeedFlag(getDb());
      const csv = join(dir, 'beta.csv');
      const rows = Array.from(
        { length: 12 },
        (_, i) => `Passenger ${i + 1},pax-${String(i + 1).padStart(3, '0')}`,
      );
      writeFileSync(csv, `name,passenger_id\n${rows.join('\n')}\npassenger dup,pax-001\n`);
      const imported = await run(
        'allowlist',
        'import',
        FLAG,
        'beta.csv',
        '--column',
        'passenger_id',
        '--actor',
        'goes',
      );
      expect(imported.code).toBe(0);
      expect(imported.stdout).toBe(
        `${FLAG}: read 12 ids (1 duplicates dropped), added 12; allowlist size 12.\n`,
      );
      const listed = await run('allowlist', 'list', FLAG);
      expect(listed.stdout.trim().split('\n')).toEqual(
        Array.from({ length: 12 }, (_, i) => `pax-${String(i + 1).padStart(3, '0')}`),
      );
      for (const argv of [
        ['status'],
        ['status', FLAG],
        ['history', FLAG],
        ['history', FLAG, '--json'],
        ['status', '--json'],
      ]) {
        const out = await run(...argv);
        expect(out.code, argv.join(' ')).toBe(0);
        expect(out.stdout, argv.join(' ')).not.toContain('pax-0');
      }
    });

    it('shows status as an aligned table and as JSON', async () => {
      const human = await run('status', '--tz', 'UTC');
      const header = human.stdout.split('\n').find((l) => l.startsWith('FLAG'));
      expect(header).toMatch(/^FLAG +ENABLED +ROLLOUT +ALLOWLIST +VERSION +UPDATED +LAST CHECK$/);
      const line = human.stdout.split('\n').find((l) => l.startsWith(FLAG));
      expect(line).toMatch(
        new RegExp(`^${FLAG} +yes +1 % +12 +\\d+ +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC by goes +-$`),
      );
      const json = JSON.parse((await run('status', FLAG, '--json')).stdout);
      expect(json.flag).toMatchObject({ key: FLAG, enabled: true, rolloutPercentage: 1, allowlistCount: 12 });
      expect(json.lastCheckpoint).toBeNull();
    });

    it('sets with compare-and-set: the right expectation writes, a stale one exits 75 and writes nothing', async () => {
      const casRollout = (to: string, from: string, ...who: string[]) =>
        run('set', FLAG, '--rollout', to, '--expect-rollout', from, ...who);
      // 1 % → 5 % more than doubles the rollout: without a terminal it needs --yes, and writes nothing.
      const before = await dumpState(getDb());
      const unconfirmed = await casRollout('5', '1', '--actor', 'deploy-bot', '--reason', 'oops');
      expect(unconfirmed.code).toBe(64);
      expect(unconfirmed.stderr).toContain(
        `${FLAG}: rollout 1 % → 5 %: 4 more of every 100 subjects get the flag (the 12 allowlisted subjects have it either way).\n`,
      );
      expect(unconfirmed.stderr).toMatch(/no terminal to confirm it on: add --yes to apply it/);
      expect(await dumpState(getDb())).toBe(before);
      const ok = await casRollout('5', '1', '--actor', 'deploy-bot', '--reason', 'oops', '--yes');
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(new RegExp(`^${FLAG}: rollout 1 % → 5 %; version \\d+, by deploy-bot at `));
      const stale = await casRollout('2', '1', '--actor', 'other');
      expect(stale.code).toBe(75);
      expect(stale.stderr).toContain('the rollout is 5 %, not 1 % as --expect-rollout says');
      const back = await casRollout('1', '5', '--actor', 'goes', '--reason', 'rollback');
      expect(back.code).toBe(0);
      const history = JSON.parse((await run('history', FLAG, '--json')).stdout);
      expect(history.entries.map((e: { action: string; actor: string }) => `${e.action}:${e.actor}`)).toEqual(
        ['update:goes', 'update:deploy-bot', 'allowlist.import:goes', 'create:goes'],
      );
      const table = await run('history', FLAG);
      expect(table.stdout.split('\n')[1]).toMatch(/ goes +update +rollout 5 % → 1 % +\d+ +rollback$/);
    });

    it('judges a silent instance by --heartbeat-interval: presumed gone by default, behind when it may still live', async () => {
      // A fresh change, and an instance last heard from 40 s ago, serving an older version.
      expect((await run('set', FLAG, '--description', 'heartbeat check', '--actor', 'goes')).code).toBe(0);
      const db = getDb();
      await db.query(
        `insert into ${db.ident}.instances (id, app, host, pid, loaded_version, state, last_seen_at)
         values ('silent-1', 'backend', 'host-a', 1, 0, 'ready', now() - interval '40 seconds')`,
      );
      try {
        const base = ['check', FLAG, '--phase', 'p', '--label', 'heartbeat', '--settle', '0'];
        const gone = await run(...base); // 40 s > two 15 s intervals
        expect(gone.stdout).toMatch(/silent-1.*presumed gone/);
        expect(gone.stdout).not.toMatch(/WARN propagation/);
        const live = await run(...base, '--heartbeat-interval', '30s'); // 40 s < two 30 s intervals
        expect(live.code).toBe(1);
        expect(live.stdout).toMatch(/WARN propagation: .*silent-1/);
      } finally {
        await db.query(`delete from ${db.ident}.instances where id = 'silent-1'`);
      }
    });

    it('checks with monitoring exit codes and records checkpoints', async () => {
      const base = ['check', FLAG, '--phase', 'phase2_rollout', '--settle', '0', '--record'];
      const pass = await run(
        ...base,
        '--label',
        'manual',
        '--expect-rollout',
        '1',
        '--expect-enabled',
        '--expect-allowlist',
        '12',
      );
      expect(pass.code).toBe(0);
      expect(pass.stdout).toMatch(new RegExp(`^PASS ${FLAG} phase2_rollout/manual at `));
      const fail = await run(...base, '--label', 'wrong', '--expect-rollout', '5');
      expect(fail.code).toBe(2);
      expect(fail.stdout).toMatch(/FAIL rollout: rollout_percentage is 1 %, expected 5 %/);
      const json = JSON.parse((await run(...base, '--label', 'json', '--expect-disabled', '--json')).stdout);
      expect([json.status, json.exitCode]).toEqual(['FAIL', 2]);
      const cps = JSON.parse((await run('checkpoints', FLAG, '--last', '5', '--json')).stdout).checkpoints;
      expect(cps.map((c: { label: string; status: string }) => `${c.label}:${c.status}`)).toEqual([
        'json:FAIL',
        'wrong:FAIL',
        'manual:PASS',
      ]);
      const table = await run('checkpoints', FLAG);
      expect(table.stdout.split('\n')[0]).toMatch(/^AT +STATUS +PHASE +LABEL +VERSION +FINDINGS$/);
      expect(table.stdout.trim().split('\n')).toHaveLength(4);
    });

    it('removes and adds allowlist ids, printing counts, never the ids', async () => {
      const removed = await run('allowlist', 'remove', FLAG, 'pax-001', 'nobody', '--actor', 'goes');
      expect(removed.stdout).toBe(`${FLAG}: removed 1 (1 were not there); allowlist size 11.\n`);
      const added = await run('allowlist', 'add', FLAG, 'pax-001', '--actor', 'goes');
      expect(added.stdout).toBe(`${FLAG}: added 1 (0 already there); allowlist size 12.\n`);
    });

    it('colours only a terminal, and never with NO_COLOR', async () => {
      const tty = await kaviar(getDb(), ['status'], { tty: true });
      expect(tty.stdout).toContain('\u001b[32myes\u001b[39m');
      const noColor = await kaviar(getDb(), ['status'], { tty: true, env: { NO_COLOR: '1' } });
      expect(noColor.stdout).not.toContain('\u001b[');
      expect((await run('status')).stdout).not.toContain('\u001b[');
    });

    it('replaces an allowlist from a file with --replace, counting what it removed', async () => {
      await run('create', 'replace_me', '--actor', 'goes');
      await run('allowlist', 'add', 'replace_me', 'a', 'b', 'c', '--actor', 'goes');
      writeFileSync(join(dir, 'two.txt'), 'c\nd\n');
      const argv = ['allowlist', 'import', 'replace_me', 'two.txt', '--replace', '--actor', 'goes', '--json'];
      // Removing ids is risky: without a terminal and --yes, the change is shown and nothing written.
      const before = await dumpState(getDb());
      const refused = await run(...argv);
      expect(refused.code).toBe(64);
      expect(JSON.parse(refused.stdout).error).toMatchObject({
        code: 'NOT_CONFIRMED',
        change: [
          'replace_me: --replace removes 2 of the 3 allowlisted ids (they lose the flag unless the rollout gives it to them) and adds 1.',
        ],
      });
      expect(await dumpState(getDb())).toBe(before);
      const out = await run(...argv, '--yes');
      expect(JSON.parse(out.stdout)).toMatchObject({
        flagKey: 'replace_me',
        read: 2,
        added: 1,
        removed: 2,
        size: 2,
      });
      expect((await run('allowlist', 'list', 'replace_me')).stdout).toBe('c\nd\n');
    });

    it('prune-changes trims the change log to the newest N versions and leaves the flags alone', async () => {
      const db = getDb();
      const read = async () =>
        (
          await db.query<{ version: number; pruned_through: number; oldest: number | null }>(
            `select version, pruned_through, (select min(version) from ${db.ident}.changes) as oldest
               from ${db.ident}.state`,
          )
        ).rows[0]!;
      const before = await read();
      const status = JSON.parse((await run('status', '--json')).stdout);
      const pruned = await run('prune-changes', '--keep', '3');
      expect(pruned.code).toBe(0);
      expect(pruned.stdout).toMatch(
        new RegExp(
          `^Deleted [1-9]\\d* change rows through version ${before.version - 3} \\(store version ${before.version}, kept the newest 3 versions\\)\\.\n$`,
        ),
      );
      expect(await read()).toEqual({
        version: before.version,
        pruned_through: before.version - 3,
        oldest: before.version - 2,
      });
      expect(JSON.parse((await run('status', '--json')).stdout)).toEqual(status);
      const again = JSON.parse((await run('prune-changes', '--keep', '3', '--json')).stdout);
      expect(again).toEqual({
        schema: db.schema,
        keep: 3,
        deleted: 0,
        prunedThrough: before.version - 3,
        version: before.version,
      });
      const help = await run('prune-changes', '--help');
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('kaviar-flags prune-changes --keep 10000 --json');
    });

    it('allowlist import shows the ids written so far on a terminal, and nothing on a pipe', async () => {
      await run('create', 'big_import', '--actor', 'goes');
      const ids = Array.from({ length: 25_000 }, (_, i) => `big-${i}`);
      writeFileSync(join(dir, 'big.txt'), `${ids.join('\n')}\n`);
      const argv = ['allowlist', 'import', 'big_import', 'big.txt', '--actor', 'goes'];
      const tty = await kaviar(getDb(), argv, { cwd: dir, tty: true, env: { NO_COLOR: '1' } });
      expect(tty.code).toBe(0);
      const frames = tty.stderr.split('\r\u001b[2K').filter(Boolean);
      const label = 'Importing 25000 ids from big.txt into big_import...';
      expect(frames[0]).toMatch(new RegExp(`^${label} \\d+s$`));
      const counts = frames.flatMap((f) => /(\d+)\/25000 in the transaction/.exec(f)?.[1] ?? []);
      expect([...new Set(counts)]).toEqual(['10000', '20000', '25000']);
      // The progress line is erased before the result is printed.
      expect(tty.stderr.endsWith('\r\u001b[2K')).toBe(true);
      expect(tty.stdout).toBe(
        'big_import: read 25000 ids (0 duplicates dropped), added 25000; allowlist size 25000.\n',
      );
      const pipe = await run(...argv, '--replace');
      expect(pipe.code).toBe(0);
      expect(pipe.stderr).toBe('');
    }, 60_000);

    it('reports an unknown flag with exit 67', async () => {
      for (const argv of [
        ['status', 'nope'],
        ['set', 'nope', '--rollout', '1'],
        ['allowlist', 'list', 'nope'],
      ]) {
        const out = await run(...argv);
        expect(out.code, argv.join(' ')).toBe(67);
        expect(out.stderr).toMatch(/Flag "nope" does not exist/);
      }
      expect((await run('check', 'nope', '--phase', 'p', '--label', 'l', '--settle', '0')).code).toBe(2);
    });
  });
});
