/**
 * `kaviar-flags migrate --print-sql` and `--print-grants`: the SQL a team's own tool applies, printed without
 * touching any database; misplaced options are usage errors.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantsSql, migrationSql, SCHEMA_VERSION } from '../../pg/src/index';
import { buildIfStale } from './global-setup';
import { runKaviar, spawnKaviar } from './support/kaviar';

const cwd = mkdtempSync(join(tmpdir(), 'kaviar-cli-print-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

const cli = (argv: string[]) => runKaviar(argv, { cwd, env: {} });

describe('migrate --print-sql / --print-grants', () => {
  beforeAll(() => buildIfStale(), 120_000);

  it('prints the same SQL as migrationSql, from the built command, opening no database', async () => {
    const out = await spawnKaviar(['migrate', '--print-sql', '--schema', 'flags_app'], { cwd });
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toBe(`${migrationSql({ schema: 'flags_app' }).trimEnd()}\n`);
    // No embedded database was created in the working directory.
    expect(existsSync(join(cwd, '.kaviar-flags'))).toBe(false);
  }, 60_000);

  it('--from/--to select migrations; --json wraps the SQL', async () => {
    const out = await cli(['migrate', '--print-sql', '--from', String(SCHEMA_VERSION), '--json']);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({
      schema: 'kaviar_flags',
      print: 'sql',
      from: SCHEMA_VERSION,
      to: SCHEMA_VERSION,
      sql: '',
    });
    const first = await cli(['migrate', '--print-sql', '--to', '1']);
    expect(first.stdout).toBe(`${migrationSql({ to: 1 }).trimEnd()}\n`);
  });

  it('prints the grants of the roles given', async () => {
    const out = await cli(['migrate', '--print-grants', '--application', 'app', '--monitor', 'mon']);
    expect(out.code).toBe(0);
    expect(out.stdout).toBe(`${grantsSql({ application: 'app', monitor: 'mon' }).trimEnd()}\n`);
  });

  it.each([
    [['--print-sql', '--from', String(SCHEMA_VERSION + 1)], /this version knows migrations 1 to/],
    [['--print-sql', '--from', '1', '--to', '0'], /--from must not be above --to/],
    [['--print-sql', '--from', 'x'], /--from: "x" must be a whole number/],
    [['--from', '0'], /--from and --to go with --print-sql/],
    [['--print-grants'], /needs at least one of --application, --operator, --monitor/],
    [['--application', 'app'], /--application goes with --print-grants/],
    [['--print-grants', '--operator', 'a\nb'], /--operator: .*without control characters/],
    [['--print-sql', '--print-grants', '--monitor', 'm'], /not both/],
  ])('migrate %j is a usage error (64) that opens nothing', async (argv, message) => {
    const out = await cli(['migrate', ...argv]);
    expect(out.stderr).toMatch(message);
    expect(out.code).toBe(64);
    expect(out.stdout).toBe('');
    expect(existsSync(join(cwd, '.kaviar-flags'))).toBe(false);
  });
});
