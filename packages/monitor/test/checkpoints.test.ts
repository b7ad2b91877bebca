import { openDb } from '@kaviar/flags-pg';
import { describe, expect, it } from 'vitest';
import { dropTestDb, forEachDatabase, openTestDb, testDatabaseKinds } from '../../../test/support/databases';
import { guardLeaks } from '../../../test/support/leaks';
import { checkFlag, exitCodeFor, listCheckpoints, searchCheckpoints } from '../src/index';
import { seedFlag, setRollout } from './seed';

guardLeaks();

describe('6. could not check', () => {
  it('is UNKNOWN with a clear cause when the database is unreachable', async () => {
    const db = await openDb({
      connectionString: 'postgres://postgres@127.0.0.1:1/test',
      connectTimeoutMs: 2_000,
    });
    try {
      const checkpoint = await checkFlag(db, 'passenger_favorites_matching', {
        expect: { rolloutPercentage: 1 },
        record: true,
      });
      expect(checkpoint.status).toBe('UNKNOWN');
      expect(exitCodeFor(checkpoint.status)).toBe(3);
      expect(checkpoint.configVersion).toBeNull();
      expect(checkpoint.id).toBeUndefined();
      expect(checkpoint.findings).toHaveLength(1);
      expect(checkpoint.findings[0]?.name).toBe('database');
      expect(checkpoint.findings[0]?.message).toMatch(
        /^could not check passenger_favorites_matching: database unreachable: .*ECONNREFUSED/,
      );
    } finally {
      await db.close();
    }
  });

  for (const kind of testDatabaseKinds()) {
    it(`is UNKNOWN when the schema was never migrated (${kind})`, async () => {
      const db = await openTestDb(kind, { migrated: false });
      try {
        const checkpoint = await checkFlag(db, 'passenger_favorites_matching', { settleMs: 0 });
        expect(checkpoint.status).toBe('UNKNOWN');
        expect(checkpoint.findings[0]?.message).toMatch(
          /^could not check passenger_favorites_matching: schema missing: .*migrate/,
        );
      } finally {
        await dropTestDb(db);
      }
    });
  }
});

forEachDatabase((getDb) => {
  it('7. records checkpoints and lists them newest first with phase and label', async () => {
    const db = getDb();
    await seedFlag(db, 'passenger_favorites_matching');
    const expect1 = { enabled: true, rolloutPercentage: 1, allowlistSize: 12 };
    const first = await checkFlag(db, 'passenger_favorites_matching', {
      expect: expect1,
      phase: 'ROLLOUT_1PCT',
      label: 'smoke-test-final',
      settleMs: 0,
      record: true,
    });
    await setRollout(db, 'passenger_favorites_matching', 5, 'alice', 'load test');
    const second = await checkFlag(db, 'passenger_favorites_matching', {
      expect: expect1,
      phase: 'ROLLOUT_1PCT',
      label: 'final-check',
      settleMs: 0,
      record: true,
    });
    await setRollout(db, 'passenger_favorites_matching', 1, 'alice', 'back');
    const third = await checkFlag(db, 'passenger_favorites_matching', {
      expect: expect1,
      phase: 'phase2_rollout',
      label: 'manual',
      settleMs: 0,
      record: true,
    });
    await checkFlag(db, 'other_flag', { settleMs: 0, record: true });
    expect([first.status, second.status, third.status]).toEqual(['PASS', 'FAIL', 'PASS']);
    expect(first.id).toBeTypeOf('number');

    const listed = await listCheckpoints(db, { flagKey: 'passenger_favorites_matching', limit: 10 });
    expect(listed.map((c) => [c.phase, c.label, c.status])).toEqual([
      ['phase2_rollout', 'manual', 'PASS'],
      ['ROLLOUT_1PCT', 'final-check', 'FAIL'],
      ['ROLLOUT_1PCT', 'smoke-test-final', 'PASS'],
    ]);
    expect(listed[1]).toEqual({ ...JSON.parse(JSON.stringify(second)), at: second.at });
    expect(listed[0]?.expected).toEqual(expect1);

    expect(
      (await listCheckpoints(db, { flagKey: 'passenger_favorites_matching', limit: 1 })).map((c) => c.id),
    ).toEqual([third.id]);
    // The one `limit` rule of the store's reads (listAudit's too).
    await expect(listCheckpoints(db, { limit: 0 })).rejects.toMatchObject({
      code: 'INVALID_OPTION',
      option: 'limit',
    });
    await expect(searchCheckpoints(db, { limit: 1.5 })).rejects.toMatchObject({ option: 'limit' });
    const all = await listCheckpoints(db);
    expect(all.map((c) => c.flagKey)).toEqual([
      'other_flag',
      ...listed.map(() => 'passenger_favorites_matching'),
    ]);
    expect(all[0]?.status).toBe('FAIL');
  });

  it('turns a check it could not record into UNKNOWN, keeping the findings', async () => {
    const db = getDb();
    const readOnly = {
      ident: db.ident,
      query: async <R>(sql: string, params?: readonly unknown[]) => {
        if (/^\s*insert/i.test(sql)) {
          throw Object.assign(new Error('cannot execute INSERT in a read-only transaction'), {
            code: '25006',
          });
        }
        return db.query<R>(sql, params);
      },
    };
    await seedFlag(db, 'replica_flag');
    const checkpoint = await checkFlag(readOnly, 'replica_flag', {
      expect: { rolloutPercentage: 1 },
      settleMs: 0,
      record: true,
    });
    expect(checkpoint.status).toBe('UNKNOWN');
    expect(checkpoint.findings.map((f) => [f.name, f.status])).toEqual([
      ['exists', 'PASS'],
      ['rollout', 'PASS'],
      ['propagation', 'SKIP'],
      ['exposures', 'SKIP'],
      ['record', 'UNKNOWN'],
    ]);
    expect(checkpoint.findings[4]?.message).toBe(
      'the checkpoint could not be recorded: Error: cannot execute INSERT in a read-only transaction',
    );
  });
});
