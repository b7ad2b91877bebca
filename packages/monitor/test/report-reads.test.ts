import { createFlag, type FlagsDb, type InstanceRow, updateFlag } from '@kaviar/flags-pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { forEachDatabase } from '../../../test/support/databases';
import { guardLeaks } from '../../../test/support/leaks';
import { checkFlag, exposureByVersion, instanceLag, recordCheckpoint, searchCheckpoints } from '../src/index';

guardLeaks();

const MINUTE = 60_000;

async function addWindows(db: FlagsDb, key: string, version: number, windows: [number, number][]) {
  for (const [i, [n, x]] of windows.entries()) {
    await db.query(
      `insert into ${db.ident}.exposures (flag_key, instance_id, flag_version, window_start, evaluations,
         enabled, allowlisted, subjects, subjects_enabled)
       values ($1, $2, $3, now() - make_interval(mins => $4::int), $5, $6, 0, $5, $6)`,
      [key, `i-${i % 3}`, version, 30 - i, n, x],
    );
  }
}

forEachDatabase((getDb) => {
  describe('exposureByVersion', () => {
    let versions: number[] = [];
    beforeAll(async () => {
      const db = getDb();
      const a = await createFlag(db, { key: 'exp', enabled: true, rolloutPercentage: 1 }, { actor: 'ana' });
      const b = await updateFlag(db, 'exp', { rolloutPercentage: 5 }, { actor: 'ana' });
      versions = [a.version, b.version];
      await addWindows(db, 'exp', a.version, [
        [4000, 41],
        [3500, 33],
        [4200, 45],
      ]);
      // Windows that disagree more than binomial noise: the interval widens by √φ.
      await addWindows(db, 'exp', b.version, [
        [3000, 150],
        [3000, 170],
        [3000, 130],
        [3000, 150],
      ]);
    });

    it('gives per version the share, the configured rollout and the interval the exposure check computes', async () => {
      const [current, older] = await exposureByVersion(getDb(), 'exp');
      expect(current?.flagVersion).toBe(versions[1]);
      expect(current?.configured).toEqual({ enabled: true, rolloutPercentage: 5 });
      expect(older?.configured).toEqual({ enabled: true, rolloutPercentage: 1 });
      expect(older?.subjects).toBe(11_700);
      expect(older?.subjectsEnabled).toBe(119);
      expect(older?.windows).toBe(3);
      expect(older?.instances).toBe(3);
      // The same numbers as the check's exposure finding for the current version.
      const checkpoint = await checkFlag(getDb(), 'exp', { settleMs: 0 });
      const finding = checkpoint.findings.find((f) => f.name === 'exposures');
      const observed = finding?.observed as { effectiveSample: number; share: number; dispersion: number };
      expect(current?.share).toBeCloseTo(observed.share, 12);
      expect(current?.effectiveSample).toBeCloseTo(observed.effectiveSample, 1);
      expect(observed.dispersion).toBeGreaterThan(1);
      const interval = /interval \[([\d.]+) %, ([\d.]+) %\]/.exec(finding?.message ?? '');
      expect(interval).not.toBeNull();
      expect((current?.interval?.low ?? 0) * 100).toBeCloseTo(Number(interval?.[1]), 2);
      expect((current?.interval?.high ?? 0) * 100).toBeCloseTo(Number(interval?.[2]), 2);
      expect(current?.enoughData).toBe(true);
    });

    it('has nothing for a flag without exposures, and refuses bad options', async () => {
      expect(await exposureByVersion(getDb(), 'nothing-here')).toEqual([]);
      await expect(exposureByVersion(getDb(), 'exp', { confidence: 1 })).rejects.toMatchObject({
        code: 'INVALID_OPTION',
      });
    });
  });

  describe('searchCheckpoints', () => {
    beforeAll(async () => {
      const db = getDb();
      await createFlag(db, { key: 'cp-a', enabled: true, rolloutPercentage: 1 }, { actor: 'ana' });
      const at = Date.now();
      const base = await checkFlag(db, 'cp-a', { settleMs: 0 });
      for (const [i, [status, phase]] of [
        ['PASS', 'p1'],
        ['WARN', 'p1'],
        ['FAIL', 'p2'],
        ['PASS', 'p2'],
      ].entries()) {
        await recordCheckpoint(db, {
          ...base,
          status: status as 'PASS',
          phase: phase!,
          label: `l${i}`,
          at: new Date(at + i * MINUTE),
        });
      }
    });

    it('filters by status and phase in the database, newest first', async () => {
      const db = getDb();
      const labels = async (o: Parameters<typeof searchCheckpoints>[1]) =>
        (await searchCheckpoints(db, { flagKey: 'cp-a', ...o })).checkpoints.map((c) => c.label);
      expect(await labels({})).toEqual(['l3', 'l2', 'l1', 'l0']);
      expect(await labels({ status: ['WARN', 'FAIL'] })).toEqual(['l2', 'l1']);
      expect(await labels({ phase: 'p2' })).toEqual(['l3', 'l2']);
      expect(await labels({ phase: 'p2', status: ['PASS'] })).toEqual(['l3']);
      expect(await labels({ limit: 1 })).toEqual(['l3']);
      expect((await searchCheckpoints(db)).phases).toEqual(expect.arrayContaining(['p1', 'p2']));
      await expect(searchCheckpoints(db, { status: ['NOPE' as 'PASS'] })).rejects.toMatchObject({
        code: 'INVALID_OPTION',
      });
    });
  });
});

describe('instanceLag', () => {
  const now = new Date('2026-02-03T10:30:00Z');
  const changedAt = new Date('2026-02-03T10:26:00Z');
  const instance = (over: Partial<InstanceRow>): InstanceRow => ({
    id: 'web-1',
    app: 'backend',
    host: 'h',
    pid: 1,
    loadedVersion: 7,
    state: 'ready',
    lastError: null,
    startedAt: new Date('2026-02-03T09:00:00Z'),
    lastSeenAt: new Date('2026-02-03T10:29:50Z'),
    ageMs: 10_000,
    ...over,
  });

  it('follows the propagation check: live, behind, presumed gone', () => {
    const judge = (i: InstanceRow) => instanceLag(i, { version: 8, changedAt }, { now });
    expect(judge(instance({ loadedVersion: 8 }))).toEqual({
      live: true,
      behind: false,
      presumedGone: false,
      behindForMs: null,
    });
    expect(judge(instance({}))).toEqual({
      live: true,
      behind: true,
      presumedGone: false,
      behindForMs: 4 * MINUTE,
    });
    // Silent since before the change, for more than two 15 s heartbeats: stopped without close().
    expect(judge(instance({ lastSeenAt: new Date('2026-02-03T10:25:00Z') })).presumedGone).toBe(true);
    expect(judge(instance({ lastSeenAt: new Date('2026-02-03T10:25:00Z') })).live).toBe(false);
    expect(judge(instance({ state: 'closed' })).live).toBe(false);
    expect(
      instanceLag(
        instance({ lastSeenAt: new Date('2026-02-03T10:25:00Z') }),
        { version: 8, changedAt },
        {
          now,
          heartbeatIntervalMs: 200_000,
        },
      ).presumedGone,
    ).toBe(false);
  });
});
