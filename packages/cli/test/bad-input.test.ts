import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_URL, forEachDatabase, randomSchema } from '../../../test/support/databases';
import { guardLeaks } from '../../../test/support/leaks';
import { createSeedFlag, dumpState, kaviar, runKaviar, SEED_FLAG } from './support/kaviar';

const dir = mkdtempSync(join(tmpdir(), 'kaviar-cli-bad-input-'));
const FLAG = SEED_FLAG;

// [argv, exit code, what the one error line says]
const MATRIX: readonly (readonly [string[], number, RegExp])[] = [
  [['nope'], 64, /^kaviar-flags: Unknown command "nope"/],
  [
    ['allowlist', 'purge', FLAG],
    64,
    /^kaviar-flags: allowlist needs a sub-command: add, remove, list or import/,
  ],
  [['set', FLAG, '--rollout', '150'], 64, /--rollout: "150" must be between 0 and 100/],
  [['set', FLAG, '--rollout', '-1'], 64, /--rollout: "-1" must be between 0 and 100/],
  [['set', FLAG, '--rollout', 'abc'], 64, /--rollout: "abc" must be a number from 0 to 100/],
  [['set', FLAG, '--rollout', '1.234'], 64, /--rollout: "1\.234" must have at most two decimals/],
  [['set', FLAG, '--rollout', '0x10'], 64, /--rollout: "0x10" must be a/],
  [['set', FLAG, '--rollout', '1e1'], 64, /--rollout: "1e1" must be a/],
  [['set', FLAG, '--rollout', '0b11'], 64, /--rollout: "0b11" must be a/],
  [['set', FLAG, '--rollout', '5', '--expect-rollout', '0x1'], 64, /--expect-rollout: "0x1" must be a/],
  [['set', FLAG, '--rollout'], 64, /^kaviar-flags set: --rollout needs a value: --rollout N \(New rollout/],
  [['set', FLAG, '--rollout', '--reason', 'x'], 64, /--rollout needs a value/],
  [['set', FLAG, '--description'], 64, /--description needs a value: --description TEXT/],
  [['--schema'], 64, /^kaviar-flags: --schema needs a value/],
  [['set', FLAG, '--enabled', 'yes'], 64, /--enabled: "yes" must be true or false/],
  [['set', FLAG, '--enabled', 'TRUE'], 64, /--enabled: "TRUE" must be true or false/],
  [['create', 'other_flag', '--enabled', '1'], 64, /--enabled: "1" must be true or false/],
  [['set', FLAG, '--rolout', '5'], 64, /Unknown option --rolout for set; did you mean `--rollout`\?/],
  [['stauts'], 64, /^kaviar-flags: Unknown command "stauts"; did you mean `kaviar-flags status`\?/],
  [['allowlist', 'ad', FLAG, 'p-2'], 64, /did you mean `allowlist add`\?/],
  [
    ['--databse-url', 'x', 'status'],
    64,
    /^kaviar-flags: Unknown option --databse-url; did you mean `--database-url`\?/,
  ],
  [['status', '--schema', 'public'], 64, /--schema: "public" is reserved/],
  [['migrate', '--schema', 'pg_catalog'], 64, /--schema: "pg_catalog" is reserved/],
  [['--schema', 'information_schema', 'migrate'], 64, /--schema: "information_schema" is reserved/],
  [['history', 'ghost_flag'], 67, /^kaviar-flags history: Flag "ghost_flag" does not exist/],
  [['delete', 'ghost_flag', '--yes'], 67, /Flag "ghost_flag" does not exist/],
  [['set', FLAG, '--dry-run=yes', '--rollout', '2'], 64, /--dry-run takes no value/],
  [['set', FLAG], 64, /Nothing to change: give --rollout, --enabled or --description/],
  [['set', '--rollout', '5'], 64, /Missing the flag key argument/],
  [['set', FLAG, '--rollout', '5', '--expect-rollout', '101'], 64, /--expect-rollout: "101"/],
  [['set', FLAG, '--enabled', 'maybe'], 64, /--enabled: "maybe" must be true or false/],
  [['set', FLAG, '--rollout', '5', '--frobnicate'], 64, /Unknown option --frobnicate for set/],
  [['set', FLAG, '--rollout', '5', '--tz', 'Mars/Base'], 64, /--tz: unknown time zone "Mars\/Base"/],
  [['set', FLAG, '--rollout', '5', '--actor', ' '], 64, /--actor: must be one non-empty line/],
  // Text the store cannot hold is refused by @kaviar/flags-pg as a bad option, before anything is written.
  [
    ['set', FLAG, '--description', 'x', '--actor', 'a\u0000b'],
    64,
    /^kaviar-flags set: Invalid option actor: .* must not contain a NUL character/,
  ],
  [['create', 'Bad Key'], 64, /Invalid flag key "Bad Key"/],
  [['create', FLAG, '--rollout', '5', 'extra'], 64, /Unexpected argument "extra"/],
  [['set', 'ghost_flag', '--rollout', '5'], 67, /Flag "ghost_flag" does not exist/],
  [['allowlist', 'add', FLAG], 64, /Give at least one subject id/],
  [
    ['allowlist', 'import', FLAG, 'missing.txt'],
    66,
    /^kaviar-flags allowlist import: Cannot read missing\.txt \(ENOENT\)\n/,
  ],
  [['allowlist', 'import', FLAG, 'a-directory'], 66, /Cannot read a-directory \(EISDIR\)/],
  [
    ['allowlist', 'import', FLAG, 'commas.csv'],
    65,
    /line 1: contains a comma; for a delimited file pass --column/,
  ],
  [['allowlist', 'import', FLAG, 'empty.txt'], 65, /the file holds no ids/],
  [['allowlist', 'import', FLAG, 'commas.csv', '--column', 'nope'], 65, /no column named "nope"/],
  [['restore', 'malformed.json'], 65, /malformed\.json is not valid JSON/],
  [['restore'], 64, /Missing the snapshot file argument/],
  // A bad command line is not a check that could not run: 64, as for every command.
  [['check', FLAG, '--phase', 'p'], 64, /^kaviar-flags check: Missing --label/],
  [['check', FLAG], 64, /^kaviar-flags check: Missing --phase/],
  [
    ['check', FLAG, '--phase', 'p', '--label', 'l', '--expect-rollout', '150'],
    64,
    /^kaviar-flags check: --expect-rollout: "150"/,
  ],
  [
    ['check', FLAG, '--phase', 'p', '--label', 'l', '--settle', 'soon'],
    64,
    /--settle: "soon" must be a duration/,
  ],
  [
    ['check', FLAG, '--phase', 'p', '--label', 'l', '--heartbeat-interval', 'often'],
    64,
    /--heartbeat-interval: "often" must be a duration/,
  ],
  [
    ['check', FLAG, '--phase', 'p', '--label', 'l', '--heartbeat-interval', '0'],
    64,
    /--heartbeat-interval: must be longer than 0/,
  ],
  [['history', FLAG, '--last', '0'], 64, /--last: "0" must be a whole number >= 1/],
  [['snapshot', '--format', 'xml'], 64, /--format: "xml" must be md or json/],
  [['snapshot', '--format', 'json'], 64, /--format json needs --out FILE/],
  [['snapshot', '--out', 'no-such-dir/ops.md'], 73, /Cannot write no-such-dir\/ops\.json \(ENOENT\)/],
  [['prune-changes', '--keep', '-1'], 64, /--keep: "-1" must be a whole number >= 0/],
  [['prune-changes', '--keep', 'all'], 64, /--keep: "all" must be a whole number >= 0/],
  [['prune-changes', 'now'], 64, /Unexpected argument "now"/],
  [['status', '--database-url', ''], 64, /--database-url: empty/],
  [['demo', '--schema', 'kaviar_flags'], 64, /give a --schema whose name contains "demo"/],
  // The test database comes in through runCli's `database`: its schema must not be dropped.
  [
    ['demo'],
    64,
    /^kaviar-flags demo: The demo empties its schema first, and "[a-z0-9_]+" does not contain "demo"; nothing was dropped/,
  ],
];

guardLeaks();

forEachDatabase((getDb) => {
  beforeAll(async () => {
    mkdirSync(join(dir, 'a-directory'), { recursive: true });
    writeFileSync(join(dir, 'commas.csv'), 'name,id\nAna,p-1\n');
    writeFileSync(join(dir, 'empty.txt'), '# nobody yet\n\n');
    writeFileSync(join(dir, 'malformed.json'), '{"flags": [');
    await createSeedFlag(getDb(), { allowlist: ['p-1'] });
  });

  describe('bad input', () => {
    it.each(MATRIX.map(([argv, code, message]) => ({ name: argv.join(' '), argv, code, message })))(
      '$name exits $code with one line and writes nothing',
      async ({ argv, code, message }) => {
        const before = await dumpState(getDb());
        const result = await kaviar(getDb(), argv, { cwd: dir });
        expect(result.code).toBe(code);
        expect(result.stderr).toMatch(message);
        expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
        expect(result.stdout).toBe('');
        expect(await dumpState(getDb())).toBe(before);
      },
    );

    it('prints the error as JSON on stdout with --json', async () => {
      const result = await kaviar(getDb(), ['set', FLAG, '--rollout', '150', '--json']);
      expect(JSON.parse(result.stdout)).toEqual({
        error: { code: 'USAGE', message: '--rollout: "150" must be between 0 and 100' },
        exitCode: 64,
      });
    });
  });
});

describe('connection errors', () => {
  const run = (argv: string[]) => runKaviar(argv, { cwd: dir, env: {} });

  it('an unreachable database exits 69 with the password masked', async () => {
    const url = 'postgres://kaviar:s3cret-pass@127.0.0.1:1/nowhere';
    const result = await run(['status', '--database-url', url]);
    expect(result.code).toBe(69);
    expect(result.stderr).toMatch(/^kaviar-flags status: Database unavailable: /);
    expect(result.stderr).not.toContain('s3cret-pass');
    const check = await run([
      'check',
      FLAG,
      '--phase',
      'p',
      '--label',
      'l',
      '--settle',
      '0',
      '--database-url',
      url,
    ]);
    expect(check.code).toBe(3);
    expect(check.stdout).toMatch(/^UNKNOWN /);
  });

  it.skipIf(DATABASE_URL === undefined)(
    'a schema that was never migrated exits 78 and says to run migrate',
    async () => {
      const result = await run([
        'status',
        '--database-url',
        DATABASE_URL ?? '',
        '--schema',
        randomSchema('missing'),
      ]);
      expect(result.code).toBe(78);
      expect(result.stderr).toMatch(/run migrate\(\) \(or `kaviar-flags migrate`\) first/);
    },
  );

  it('rejects an invalid schema name before connecting', async () => {
    const result = await run([
      'status',
      '--schema',
      'Robert"; drop',
      '--database-url',
      'postgres://x@127.0.0.1:1/x',
    ]);
    expect(result.code).toBe(64);
    expect(result.stderr).toMatch(/--schema: "Robert\\"; drop" must match/);
  });
});
