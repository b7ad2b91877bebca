import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_URL, REQUIRE_DB, randomSchema } from '../../../test/support/databases';
import { createFlag, type FlagsDb, getFlag, listAudit, migrate, openDb } from '../../pg/src/index';
import { buildIfStale, KAVIAR_BIN } from './global-setup';
import { spawnKaviar } from './support/kaviar';

/*
 * The ops snapshot's commands, pasted into a shell as an operator would during an incident: from
 * another folder, without `USER`, with and without `DATABASE_URL`. `kaviar-flags` on PATH is the
 * built CLI.
 */

const FLAG = 'passenger_favorites_matching';

describe.skipIf(DATABASE_URL === undefined && !REQUIRE_DB)('pasting the snapshot commands (postgres)', () => {
  const root = mkdtempSync(join(tmpdir(), 'kaviar-cli-paste-'));
  const bin = join(root, 'bin');
  const elsewhere = join(root, 'elsewhere');
  const schema = randomSchema('paste');
  let db: FlagsDb;
  let md = '';

  /** Runs one pasted line in `sh` from another folder, `USER` unset, with `env` added. */
  const paste = (line: string, env: Record<string, string | undefined>) => {
    const base: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1' };
    delete base.DATABASE_URL;
    delete base.USER;
    const result = spawnSync('sh', ['-c', line], {
      cwd: elsewhere,
      env: { ...base, PATH: `${bin}:${process.env.PATH}`, ...env },
      encoding: 'utf8',
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  /** The same, on a terminal (`script`), answering `answer` when asked to confirm a risky change. */
  const pasteOnTerminal = (line: string, env: Record<string, string | undefined>, answer: string) => {
    const base: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1' };
    delete base.DATABASE_URL;
    delete base.USER;
    const result = spawnSync('script', ['-qec', line, '/dev/null'], {
      cwd: elsewhere,
      env: { ...base, PATH: `${bin}:${process.env.PATH}`, ...env },
      encoding: 'utf8',
      input: answer,
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  const lineStarting = (prefix: string, without?: string) => {
    const line = md.split('\n').find((l) => l.startsWith(prefix) && (!without || !l.includes(without)));
    if (!line) throw new Error(`no line starting with ${prefix}`);
    return line;
  };

  beforeAll(async () => {
    buildIfStale();
    mkdirSync(bin);
    mkdirSync(elsewhere);
    writeFileSync(join(bin, 'kaviar-flags'), `#!/bin/sh\nexec "${process.execPath}" "${KAVIAR_BIN}" "$@"\n`);
    chmodSync(join(bin, 'kaviar-flags'), 0o755);
    db = await openDb({ connectionString: DATABASE_URL, schema });
    await migrate(db);
    await createFlag(db, { key: FLAG, enabled: true, rolloutPercentage: 1 }, { actor: 'goes' });
    const run = await spawnKaviar(['snapshot', '--no-git', '--out', 'ops.md', '--schema', schema], {
      cwd: root,
      env: { DATABASE_URL },
    });
    if (run.code !== 0) throw new Error(run.stderr);
    md = readFileSync(join(root, 'ops.md'), 'utf8');
  }, 120_000);

  afterAll(async () => {
    await db?.exec(`drop schema if exists "${schema}" cascade`);
    await db?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('never holds $USER, and names the database and schema in every command', () => {
    expect(md).not.toContain('$USER');
    const commands = md.split('\n').filter((l) => l.startsWith('kaviar-flags '));
    expect(commands.length).toBeGreaterThanOrEqual(6);
    for (const line of commands) {
      expect(line).toContain(
        ` --database-url "\${DATABASE_URL:?set DATABASE_URL to the database this snapshot came from}" --schema ${schema}`,
      );
    }
  });

  it('without DATABASE_URL a pasted write fails with a clear line and writes nothing', async () => {
    const result = paste(lineStarting(`kaviar-flags set ${FLAG}`), {});
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('set DATABASE_URL to the database this snapshot came from');
    expect((await getFlag(db, FLAG))?.enabled).toBe(true);
  });

  it('with DATABASE_URL and no USER, the pasted switch-off, restore and checks work on that database', async () => {
    // Disabling is a risky change: without a terminal it needs --yes and writes nothing; on one it asks.
    const refused = paste(lineStarting(`kaviar-flags set ${FLAG}`), { DATABASE_URL });
    expect(refused.code).toBe(64);
    expect(refused.stderr).toContain('enabled → disabled');
    expect((await getFlag(db, FLAG))?.enabled).toBe(true);
    const off = pasteOnTerminal(lineStarting(`kaviar-flags set ${FLAG}`), { DATABASE_URL }, 'y\n');
    expect(off.code, off.stdout).toBe(0);
    expect(off.stdout).toContain('Apply this change? [y/N]');
    expect((await getFlag(db, FLAG))?.enabled).toBe(false);
    const [audit] = await listAudit(db, { flagKey: FLAG, limit: 1 });
    expect(audit?.actor).toMatch(/\S/);

    const restore = paste(lineStarting('kaviar-flags restore', '--dry-run'), { DATABASE_URL });
    expect([restore.code, restore.stderr]).toEqual([0, '']);
    expect((await getFlag(db, FLAG))?.enabled).toBe(true);

    const check = paste(lineStarting(`kaviar-flags check ${FLAG}`), { DATABASE_URL });
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toMatch(/PASS/);
  }, 60_000);
});
