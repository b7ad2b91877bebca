/**
 * Runs the CLI for tests: in-process on an open test database (`kaviar`), or as a real process
 * (`spawnKaviar`, `node packages/cli/dist/bin.js`: the built executable, as an operator runs it;
 * `test/global-setup.ts` builds it when stale).
 */
import { spawn } from 'node:child_process';
import { exportSnapshot, type FlagsDb } from '../../../pg/src/index';
import { runCli } from '../../src/index';
import { KAVIAR_BIN } from '../global-setup';

/** What a run printed and how it exited. */
export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** What an in-process run gets besides its arguments. */
export interface RunOptions {
  readonly cwd?: string;
  readonly env?: Record<string, string | undefined>;
  readonly tty?: boolean;
  /** The database the commands use; without one, the CLI resolves it from `env` and `cwd` as a user's would. */
  readonly database?: FlagsDb;
}

/** Runs `kaviar-flags argv` in-process, with a fixed time zone and no colour. */
export async function runKaviar(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCli([...argv], {
    stdout: { write: (t: string) => (stdout += t), isTTY: options.tty ?? false },
    stderr: { write: (t: string) => (stderr += t), isTTY: options.tty ?? false },
    env: { TZ: 'UTC', ...options.env },
    cwd: options.cwd ?? process.cwd(),
    ...(options.database && { database: options.database }),
  });
  return { code, stdout, stderr };
}

/** Runs `kaviar-flags argv` in-process on `db` (see {@link runKaviar}). */
export function kaviar(
  db: FlagsDb,
  argv: readonly string[],
  options: Omit<RunOptions, 'database'> = {},
): Promise<RunResult> {
  return runKaviar(argv, { ...options, database: db });
}

/** The seed's flag key. */
export const SEED_FLAG = 'passenger_favorites_matching';

/**
 * Creates a flag as the seed has it (enabled at 1 %, by `goes`) through the CLI, then allowlists
 * `allowlist` when given; throws when a command does not exit 0.
 */
export async function createSeedFlag(
  db: FlagsDb,
  options: { key?: string; allowlist?: readonly string[] } = {},
): Promise<void> {
  const key = options.key ?? SEED_FLAG;
  const steps = [['create', key, '--enabled', 'true', '--rollout', '1', '--actor', 'goes']];
  if (options.allowlist?.length)
    steps.push(['allowlist', 'add', key, ...options.allowlist, '--actor', 'goes']);
  for (const argv of steps) {
    const result = await kaviar(db, argv);
    if (result.code !== 0)
      throw new Error(`kaviar-flags ${argv.join(' ')} exited ${result.code}: ${result.stderr}`);
  }
}

/** Runs `kaviar-flags argv` as a separate Node process running the built `dist/bin.js`. */
export function spawnKaviar(
  argv: readonly string[],
  options: { cwd: string; env?: Record<string, string | undefined> },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1' };
    delete env.DATABASE_URL;
    const child = spawn(process.execPath, [KAVIAR_BIN, ...argv], {
      cwd: options.cwd,
      env: { ...env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Everything a command could have written, to prove that a failed command wrote nothing. */
export async function dumpState(db: FlagsDb): Promise<string> {
  const tables = ['state', 'flags', 'allowlist', 'audit', 'checkpoints', 'changes'];
  const parts: string[] = [];
  for (const table of tables) {
    const { rows } = await db.query(`select * from ${db.ident}.${table} order by 1, 2`);
    parts.push(`${table}: ${JSON.stringify(rows)}`);
  }
  return parts.join('\n');
}

/** Every flag's configuration, sorted ids included, as a restore must reproduce it. */
export async function configOf(db: FlagsDb) {
  const doc = await exportSnapshot(db);
  return doc.flags.map((f) => ({
    key: f.key,
    enabled: f.enabled,
    rollout: f.rollout_percentage,
    description: f.description ?? '',
    allowlist: [...(f.allowlist ?? [])].sort(),
  }));
}
