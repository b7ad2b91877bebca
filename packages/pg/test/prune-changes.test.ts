import { expect, it } from 'vitest';
import { forEachDatabase } from '../../../test/support/databases';
import { guardLeaks } from '../../../test/support/leaks';
import {
  addToAllowlist,
  createFlag,
  deleteFlag,
  type FlagsDb,
  InvalidOptionError,
  listAudit,
  pruneChanges,
  removeFromAllowlist,
  updateFlag,
} from '../src/index';
import { loadAll } from '../src/source/load-flags';
import { manualClients, plainFlags, recording } from './support/clients';

guardLeaks();

const actor = { actor: 'test' };

async function state(db: FlagsDb) {
  const { rows } = await db.query<{ version: number; pruned_through: number; min: number | null; n: number }>(
    `select s.version, s.pruned_through, (select min(version) from ${db.ident}.changes) as min,
            (select count(*)::int from ${db.ident}.changes) as n
       from ${db.ident}.state s`,
  );
  return rows[0]!;
}

async function changesAtOrBelow(db: FlagsDb, version: number): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `select count(*)::int as n from ${db.ident}.changes where version <= $1`,
    [version],
  );
  return rows[0]!.n;
}

// The log holds one row per changed flag or allowlist entry; a full load has no `changes` in it.
const isIncremental = (sql: string) => sql.includes('.changes where version > $1');
const isFullLoad = (sql: string) => sql.includes('json_agg') && !sql.includes('.changes');

forEachDatabase((getDb) => {
  const client = manualClients();

  it('keepVersions deletes the log below the newest N versions, advances pruned_through, changes no version', async () => {
    const db = getDb();
    await createFlag(db, { key: 'keep.a' }, actor);
    for (const rollout of [1, 2, 3, 4, 5])
      await updateFlag(db, 'keep.a', { rolloutPercentage: rollout }, actor);
    await addToAllowlist(db, 'keep.a', ['p1', 'p2'], actor);
    const before = await state(db);
    const expected = await changesAtOrBelow(db, before.version - 2);
    expect(expected).toBeGreaterThan(0);
    const audit = (await listAudit(db)).length;

    const result = await pruneChanges(db, { keepVersions: 2 });
    expect(result).toEqual({ deleted: expected, prunedThrough: before.version - 2, version: before.version });
    const after = await state(db);
    expect(after.version).toBe(before.version);
    expect(after.pruned_through).toBe(before.version - 2);
    expect(after.min).toBe(before.version - 1);
    expect(after.n).toBe(before.n - expected);
    expect((await listAudit(db)).length).toBe(audit);

    // Again: nothing left to delete.
    expect(await pruneChanges(db, { keepVersions: 2 })).toEqual({ ...result, deleted: 0 });
  });

  it('olderThanVersion deletes every version below it, never lowers pruned_through nor passes the version', async () => {
    const db = getDb();
    await createFlag(db, { key: 'older.a' }, actor);
    await updateFlag(db, 'older.a', { enabled: true }, actor);
    const { version } = await state(db);
    const result = await pruneChanges(db, { olderThanVersion: version });
    expect(result.prunedThrough).toBe(version - 1);
    expect(await changesAtOrBelow(db, version - 1)).toBe(0);
    expect((await state(db)).min).toBe(version);
    // A lower bound than the current one does nothing.
    expect(await pruneChanges(db, { olderThanVersion: 1 })).toEqual({
      deleted: 0,
      prunedThrough: version - 1,
      version,
    });
    // A bound past the current version prunes through the current version, no further.
    const all = await pruneChanges(db, { olderThanVersion: version + 1000 });
    expect(all).toEqual({ deleted: 1, prunedThrough: version, version });
    expect((await state(db)).n).toBe(0);
  });

  it('a client loaded before the prune resyncs with a full load; one loaded after it stays incremental', async () => {
    const db = getDb();
    await createFlag(db, { key: 'sync.a', enabled: true, rolloutPercentage: 10 }, actor);
    await createFlag(db, { key: 'sync.gone', enabled: true }, actor);
    await addToAllowlist(db, 'sync.a', ['p1', 'p2', 'p3'], actor);
    const early = recording(db);
    const before = client(early.db);
    await before.ready({ timeoutMs: 10_000 });
    const loadedAt = before.status().version;

    // Changes the early client has not seen, then the log of them is pruned away.
    await updateFlag(db, 'sync.a', { rolloutPercentage: 50 }, actor);
    await removeFromAllowlist(db, 'sync.a', ['p2'], actor);
    await deleteFlag(db, 'sync.gone', actor);
    const pruned = await pruneChanges(db, { keepVersions: 0 });
    expect(pruned.prunedThrough).toBeGreaterThan(loadedAt);
    expect((await state(db)).n).toBe(0);

    const late = recording(db);
    const after = client(late.db);
    await after.ready({ timeoutMs: 10_000 });
    await addToAllowlist(db, 'sync.a', ['p4'], actor);

    early.sql.length = 0;
    late.sql.length = 0;
    await before.refresh();
    await after.refresh();
    const truth = plainFlags((await loadAll(db, db.ident)).flags);
    for (const c of [before, after]) {
      expect(c.status().version).toBe((await state(db)).version);
      expect(plainFlags(c.snapshot()!.flags)).toEqual(truth);
    }
    expect(truth['sync.gone']).toBeUndefined();
    expect(truth['sync.a']?.allowlist).toEqual(['p1', 'p3', 'p4']);
    expect(before.snapshot()!.flags.get('sync.a')?.rolloutPercentage).toBe(50);
    expect(before.isEnabled('sync.gone', 'anyone')).toBe(false);
    expect(early.sql.some(isFullLoad)).toBe(true);
    expect(early.sql.some(isIncremental)).toBe(false);
    expect(late.sql.some(isIncremental)).toBe(true);
    expect(late.sql.some(isFullLoad)).toBe(false);
  });

  it('rejects bad bounds without pruning anything', async () => {
    const db = getDb();
    await createFlag(db, { key: 'bad.a' }, actor);
    const before = await state(db);
    const bad = [
      { keepVersions: 1, olderThanVersion: 1 },
      { keepVersions: -1 },
      { keepVersions: 1.5 },
      { olderThanVersion: Number.NaN },
      { keepVersions: '10' as unknown as number },
    ];
    for (const options of bad) {
      await expect(pruneChanges(db, options)).rejects.toBeInstanceOf(InvalidOptionError);
    }
    expect(await state(db)).toEqual(before);
  });
});
