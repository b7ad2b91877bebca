/**
 * The three documented roles on real Postgres, with exactly the grants `kaviar-flags migrate --print-grants`
 * prints: each one runs the client, the CLI (the built process) and a check; a write a role may not make
 * fails with a permission error (exit 77 in the CLI) and writes nothing.
 *
 * Roles are cluster-wide, so this file creates its own with random names and drops them afterwards.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DATABASE_URL,
  dropTestDb,
  openTestDb,
  REQUIRE_DB,
  testAppName,
} from '../../../test/support/databases';
import { checkFlag, recordCheckpoint } from '../../monitor/src/index';
import { createFlag, createPgFlags, type FlagsDb, openDb, updateFlag } from '../../pg/src/index';
import { buildIfStale } from './global-setup';
import { dumpState, spawnKaviar } from './support/kaviar';

/** SQLSTATE 42501, as @kaviar/flags-pg types it (the CLI exits 77 for it). */
const PERMISSION_DENIED = { code: 'DB_AUTH', problem: 'permission-denied' };

const FLAG = 'passenger_favorites_matching';
const tag = randomBytes(4).toString('hex');
const ROLES = {
  application: `kf_test_app_${tag}`,
  operator: `kf_test_ops_${tag}`,
  monitor: `kf_test_mon_${tag}`,
} as const;
type Role = keyof typeof ROLES;

/** The test database's URL, connecting as `role`. */
function urlAs(role: Role): string {
  const url = new URL(DATABASE_URL ?? '');
  url.username = ROLES[role];
  url.password = '';
  return url.toString();
}

const suite = DATABASE_URL === undefined && !REQUIRE_DB ? describe.skip : describe;

suite('roles and grants (real Postgres)', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'kaviar-cli-roles-'));
  let owner: FlagsDb;
  const opened: FlagsDb[] = [];
  const as = async (role: Role) => {
    const db = await openDb({
      connectionString: urlAs(role),
      schema: owner.schema,
      applicationName: testAppName(),
    });
    opened.push(db);
    return db;
  };
  /** A client that only reads the flags (no LISTEN, heartbeat or exposures), for the read grants. */
  const readingClient = (db: FlagsDb) =>
    createPgFlags({ db, listen: false, heartbeat: false, countExposures: false, appName: testAppName() });
  const cli = (role: Role, argv: readonly string[]) =>
    spawnKaviar([...argv, '--schema', owner.schema], { cwd, env: { DATABASE_URL: urlAs(role) } });

  beforeAll(async () => {
    if (DATABASE_URL === undefined) throw new Error('KAVIAR_FLAGS_REQUIRE_DB=1 but DATABASE_URL is not set');
    buildIfStale();
    owner = await openTestDb('postgres');
    for (const name of Object.values(ROLES)) await owner.exec(`create role "${name}" login`);
    // The grants exactly as the CLI prints them, applied with psql as a DBA would.
    const printed = await spawnKaviar(
      [
        'migrate',
        '--print-grants',
        '--schema',
        owner.schema,
        '--application',
        ROLES.application,
        '--operator',
        ROLES.operator,
        '--monitor',
        ROLES.monitor,
      ],
      { cwd },
    );
    expect(printed.code).toBe(0);
    writeFileSync(join(cwd, 'grants.sql'), printed.stdout);
    const applied = spawnSync(
      'psql',
      [DATABASE_URL, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', join(cwd, 'grants.sql')],
      {
        encoding: 'utf8',
      },
    );
    expect(applied.stderr).toBe('');
    expect(applied.status).toBe(0);
    // A hardened database: nobody may call the schema's functions unless granted (the triggers still fire).
    await owner.exec(`revoke execute on all functions in schema ${owner.ident} from public`);
    await createFlag(owner, { key: FLAG, enabled: true, rolloutPercentage: 1 }, { actor: 'owner' });
  }, 120_000);

  afterAll(async () => {
    await Promise.all(opened.map((db) => db.close()));
    if (owner) {
      const names = Object.values(ROLES);
      await dropTestDb(owner);
      const cleanup = await openDb({ connectionString: DATABASE_URL ?? '', applicationName: testAppName() });
      try {
        for (const name of names)
          await cleanup.exec(`drop owned by "${name}"; drop role if exists "${name}"`);
      } finally {
        await cleanup.close();
      }
    }
    rmSync(cwd, { recursive: true, force: true });
  });

  /** A write `role` may not make: the CLI exits 77 with a permission message, and nothing changed. */
  async function refusedWrite(role: Role, argv: readonly string[]): Promise<void> {
    const before = await dumpState(owner);
    const result = await cli(role, argv);
    expect(result.stderr).toMatch(/permission denied/i);
    expect(result.code).toBe(77);
    expect(await dumpState(owner)).toBe(before);
  }

  it('application: the client loads, LISTENs and writes its instance and exposure rows', async () => {
    const db = await as('application');
    const client = createPgFlags({
      db,
      listen: false,
      pollIntervalMs: 60_000,
      heartbeatIntervalMs: 60_000,
      appName: testAppName(),
    });
    try {
      await expect(client.ready({ timeoutMs: 10_000 })).resolves.toMatchObject({ origin: 'database' });
      expect(client.evaluate(FLAG, 'passenger-1').reason).toMatch(/ROLLOUT/);
    } finally {
      await client.close(); // flushes the heartbeat and the exposure counts
    }
    expect(client.status().lastError).toBeUndefined();
    const { rows: instances } = await owner.query(`select id from ${owner.ident}.instances where id = $1`, [
      client.instanceId,
    ]);
    expect(instances).toHaveLength(1);
    const { rows: exposures } = await owner.query<{ evaluations: number }>(
      `select evaluations from ${owner.ident}.exposures where instance_id = $1`,
      [client.instanceId],
    );
    expect(exposures).toEqual([{ evaluations: 1 }]);

    // LISTEN needs no grant: the role hears an operator's change.
    const heard = new Promise<string>((resolve, reject) => {
      // Other test files notify on the same channel: wait for this schema's notification.
      const onNotify = (payload: string) => {
        if (JSON.parse(payload).schema === owner.schema) resolve(payload);
      };
      void db.listen(['kaviar_flags'], onNotify, reject).then((listener) => {
        void updateFlag(owner, FLAG, { rolloutPercentage: 1.5 }, { actor: 'owner' }).catch(reject);
        opened.push({ close: () => listener.close() } as FlagsDb);
      }, reject);
    });
    expect(JSON.parse(await heard)).toMatchObject({ schema: owner.schema });
  });

  it('application: flag writes, the audit and checkpoints are refused, nothing written', async () => {
    await refusedWrite('application', ['set', FLAG, '--rollout', '5', '--actor', 'app', '--yes']);
    await refusedWrite('application', ['allowlist', 'add', FLAG, 'p-1', '--actor', 'app']);
    const db = await as('application');
    const before = await dumpState(owner);
    await expect(db.query(`select * from ${db.ident}.audit`)).rejects.toMatchObject(PERMISSION_DENIED);
    await expect(db.query(`delete from ${db.ident}.instances`)).rejects.toMatchObject(PERMISSION_DENIED);
    const check = await cli('application', ['check', FLAG, '--phase', 'p', '--label', 'app', '--record']);
    expect(check.code).toBe(3);
    expect(check.stderr + check.stdout).toMatch(/permission denied/i);
    expect(await dumpState(owner)).toBe(before);
  });

  it('operator: sets the rollout with its audit row through the CLI; the client and a check read', async () => {
    const set = await cli('operator', ['set', FLAG, '--rollout', '2', '--actor', 'ops', '--reason', 'ramp']);
    expect(set.stderr).toBe('');
    expect(set.code).toBe(0);
    const history = await cli('operator', ['history', FLAG, '--json']);
    expect(history.code).toBe(0);
    expect(history.stdout).toContain('"actor": "ops"');

    const db = await as('operator');
    const client = readingClient(db);
    try {
      await expect(client.ready({ timeoutMs: 10_000 })).resolves.toMatchObject({ origin: 'database' });
      expect(client.evaluate(FLAG, 'passenger-1').version).toBeGreaterThan(0);
    } finally {
      await client.close();
    }
    const checkpoint = await checkFlag(db, FLAG, {
      phase: 'p',
      label: 'ops',
      expect: { rolloutPercentage: 2 },
      settleMs: 0,
    });
    expect(checkpoint.status).toBe('PASS');
  });

  it('operator: imports and replaces an allowlist through the CLI where the schema functions are not PUBLIC', async () => {
    writeFileSync(join(cwd, 'ids.txt'), 'passenger-a\npassenger-b\n');
    const imported = await cli('operator', [
      'allowlist',
      'import',
      FLAG,
      join(cwd, 'ids.txt'),
      '--replace',
      '--yes',
      '--actor',
      'ops',
    ]);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    const listed = await cli('operator', ['allowlist', 'list', FLAG, '--json']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('passenger-b');
  });

  it('operator: recording a checkpoint and writing instances are refused, nothing written', async () => {
    const before = await dumpState(owner);
    const check = await cli('operator', [
      'check',
      FLAG,
      '--phase',
      'p',
      '--label',
      'ops',
      '--expect-rollout',
      '2',
      '--record',
    ]);
    expect(check.code).toBe(3);
    expect(check.stderr + check.stdout).toMatch(/permission denied/i);
    const db = await as('operator');
    await expect(db.query(`insert into ${db.ident}.instances (id) values ('ops')`)).rejects.toMatchObject(
      PERMISSION_DENIED,
    );
    expect(await dumpState(owner)).toBe(before);
  });

  it('monitor: checks and records the checkpoint through the CLI and the API; the client reads', async () => {
    const check = await cli('monitor', [
      'check',
      FLAG,
      '--phase',
      'p',
      '--label',
      'mon',
      '--expect-rollout',
      '2',
      '--record',
    ]);
    expect(check.stderr).toBe('');
    expect(check.stdout).toMatch(/^PASS/m);
    expect(check.code).toBe(0);
    const db = await as('monitor');
    const checkpoint = await checkFlag(db, FLAG, {
      phase: 'p',
      label: 'api',
      expect: { rolloutPercentage: 2 },
      settleMs: 0,
    });
    await recordCheckpoint(db, checkpoint);
    const { rows } = await owner.query<{ label: string }>(
      `select label from ${owner.ident}.checkpoints order by id`,
    );
    expect(rows.map((r) => r.label)).toEqual(['mon', 'api']);

    const client = readingClient(db);
    try {
      await expect(client.ready({ timeoutMs: 10_000 })).resolves.toMatchObject({ origin: 'database' });
    } finally {
      await client.close();
    }
  });

  it('monitor: flag writes are refused with 77, nothing written', async () => {
    await refusedWrite('monitor', ['set', FLAG, '--rollout', '3', '--actor', 'mon']);
    await refusedWrite('monitor', ['create', 'other_flag', '--actor', 'mon']);
  });
});
