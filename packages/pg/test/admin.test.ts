import { InvalidFlagError } from '@kaviar/flags-core';
import { describe, expect, it } from 'vitest';
import { forEachDatabase } from '../../../test/support/databases';
import { guardLeaks } from '../../../test/support/leaks';
import {
  addToAllowlist,
  ConflictError,
  createFlag,
  deleteFlag,
  FlagExistsError,
  FlagNotFoundError,
  type FlagsDb,
  getAllowlist,
  getFlag,
  importAllowlist,
  listAudit,
  listFlags,
  removeFromAllowlist,
  updateFlag,
  WriteAbortedError,
} from '../src/index';

guardLeaks();

const actor = { actor: 'ana', reason: 'test' };

async function storeVersion(db: FlagsDb): Promise<number> {
  const { rows } = await db.query<{ version: number }>(`select version from ${db.ident}.state`);
  return rows[0]!.version;
}

forEachDatabase((getDb, ctx) => {
  describe('createFlag / getFlag / listFlags', () => {
    it('creates a flag with defaults and one audit row carrying its version', async () => {
      const db = getDb();
      const row = await createFlag(db, { key: 'create.defaults' }, actor);
      expect(row).toMatchObject({
        key: 'create.defaults',
        enabled: false,
        rolloutPercentage: 0,
        description: '',
        updatedBy: 'ana',
        allowlistCount: 0,
      });
      expect(row.version).toBe(await storeVersion(db));
      expect(row.createdAt).toBeInstanceOf(Date);
      expect(await getFlag(db, 'create.defaults')).toEqual(row);
      const audit = await listAudit(db, { flagKey: 'create.defaults' });
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({
        action: 'create',
        actor: 'ana',
        reason: 'test',
        before: null,
        after: { enabled: false, rolloutPercentage: 0, description: '' },
        version: row.version,
      });
    });

    it('accepts the seed values, numeric strings and two decimals', async () => {
      const db = getDb();
      const row = await createFlag(
        db,
        { key: 'create.seed', enabled: true, rolloutPercentage: '12.34' },
        actor,
      );
      expect(row.rolloutPercentage).toBe(12.34);
      expect(row.enabled).toBe(true);
    });

    it('rejects a duplicate key and bad input without writing', async () => {
      const db = getDb();
      await createFlag(db, { key: 'create.dup' }, actor);
      const before = await storeVersion(db);
      await expect(createFlag(db, { key: 'create.dup' }, actor)).rejects.toBeInstanceOf(FlagExistsError);
      await expect(createFlag(db, { key: 'Bad Key' }, actor)).rejects.toBeInstanceOf(InvalidFlagError);
      await expect(createFlag(db, { key: 'create.x', rolloutPercentage: 100.5 }, actor)).rejects.toThrow(
        /rolloutPercentage/,
      );
      await expect(createFlag(db, { key: 'create.x', rolloutPercentage: 1.234 }, actor)).rejects.toThrow(
        /two decimals/,
      );
      await expect(createFlag(db, { key: 'create.x' }, { actor: '' })).rejects.toMatchObject({
        code: 'INVALID_OPTION',
        option: 'actor',
      });
      expect(await storeVersion(db)).toBe(before);
      expect(await getFlag(db, 'create.x')).toBeUndefined();
      expect(await listAudit(db, { flagKey: 'create.dup' })).toHaveLength(1);
    });

    it('lists flags by key with allowlist counts', async () => {
      const db = getDb();
      await createFlag(db, { key: 'list.b' }, actor);
      await createFlag(db, { key: 'list.a' }, actor);
      await addToAllowlist(db, 'list.b', ['p1', 'p2'], actor);
      const rows = (await listFlags(db)).filter((r) => r.key.startsWith('list.'));
      expect(rows.map((r) => [r.key, r.allowlistCount])).toEqual([
        ['list.a', 0],
        ['list.b', 2],
      ]);
    });
  });

  describe('updateFlag', () => {
    it('updates, bumps the version and audits before/after', async () => {
      const db = getDb();
      const created = await createFlag(db, { key: 'upd.a', enabled: true, rolloutPercentage: 1 }, actor);
      const updated = await updateFlag(
        db,
        'upd.a',
        { rolloutPercentage: 5 },
        { actor: 'bob', reason: 'ramp' },
      );
      expect(updated).toMatchObject({ rolloutPercentage: 5, enabled: true, updatedBy: 'bob' });
      expect(updated.version).toBeGreaterThan(created.version);
      const [last] = await listAudit(db, { flagKey: 'upd.a', limit: 1 });
      expect(last).toMatchObject({
        action: 'update',
        actor: 'bob',
        reason: 'ramp',
        before: { enabled: true, rolloutPercentage: 1, description: '' },
        after: { enabled: true, rolloutPercentage: 5, description: '' },
        version: updated.version,
      });
    });

    it('writes nothing when nothing changes', async () => {
      const db = getDb();
      await createFlag(db, { key: 'upd.same', rolloutPercentage: 3 }, actor);
      const before = await storeVersion(db);
      await updateFlag(db, 'upd.same', { rolloutPercentage: 3 }, actor);
      expect(await storeVersion(db)).toBe(before);
      expect(await listAudit(db, { flagKey: 'upd.same' })).toHaveLength(1);
    });

    it('compare-and-set: a stale expectation is a ConflictError and writes nothing', async () => {
      const db = getDb();
      await createFlag(db, { key: 'upd.cas', enabled: true, rolloutPercentage: 1 }, actor);
      await updateFlag(
        db,
        'upd.cas',
        { rolloutPercentage: 5 },
        { ...actor, expect: { rolloutPercentage: 1 } },
      );
      const error = await updateFlag(
        db,
        'upd.cas',
        { rolloutPercentage: 0 },
        {
          ...actor,
          expect: { rolloutPercentage: 1, enabled: true },
        },
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect(error).toMatchObject({
        code: 'CONFLICT',
        expected: { rolloutPercentage: 1, enabled: true },
        actual: { rolloutPercentage: 5, enabled: true },
      });
      expect((await getFlag(db, 'upd.cas'))?.rolloutPercentage).toBe(5);
      expect((await listAudit(db, { flagKey: 'upd.cas' })).map((a) => a.action)).toEqual([
        'update',
        'create',
      ]);
    });

    it('rejects unknown flags and empty changes', async () => {
      const db = getDb();
      await expect(updateFlag(db, 'upd.none', { enabled: true }, actor)).rejects.toBeInstanceOf(
        FlagNotFoundError,
      );
      await expect(updateFlag(db, 'upd.none', {}, actor)).rejects.toBeInstanceOf(InvalidFlagError);
    });
  });

  describe('deleteFlag', () => {
    it('deletes the flag and its allowlist and audits the old state', async () => {
      const db = getDb();
      await createFlag(db, { key: 'del.a', enabled: true, rolloutPercentage: 2 }, actor);
      await addToAllowlist(db, 'del.a', ['p1'], actor);
      const deleted = await deleteFlag(db, 'del.a', { actor: 'bob' });
      expect(deleted.allowlistCount).toBe(1);
      expect(await getFlag(db, 'del.a')).toBeUndefined();
      const { rows } = await db.query(`select 1 from ${db.ident}.allowlist where flag_key = 'del.a'`);
      expect(rows).toHaveLength(0);
      const [last] = await listAudit(db, { flagKey: 'del.a', limit: 1 });
      expect(last).toMatchObject({ action: 'delete', actor: 'bob', after: null });
      expect(last?.before).toMatchObject({ enabled: true, rolloutPercentage: 2 });
      await expect(deleteFlag(db, 'del.a', actor)).rejects.toBeInstanceOf(FlagNotFoundError);
    });
  });

  describe('allowlist', () => {
    it('adds (idempotently), lists sorted, removes, and audits counts', async () => {
      const db = getDb();
      await createFlag(db, { key: 'allow.a', enabled: true }, actor);
      expect(await addToAllowlist(db, 'allow.a', ['p2', 'p1', 'p1'], actor)).toEqual({
        added: 2,
        removed: 0,
        size: 2,
      });
      expect(await addToAllowlist(db, 'allow.a', ['p1', 'p3'], actor)).toEqual({
        added: 1,
        removed: 0,
        size: 3,
      });
      expect(await getAllowlist(db, 'allow.a')).toEqual(['p1', 'p2', 'p3']);
      expect(await removeFromAllowlist(db, 'allow.a', ['p2', 'nope'], actor)).toEqual({
        added: 0,
        removed: 1,
        size: 2,
      });
      expect(await getAllowlist(db, 'allow.a')).toEqual(['p1', 'p3']);
      const audit = await listAudit(db, { flagKey: 'allow.a' });
      expect(audit.map((a) => [a.action, a.after])).toEqual([
        ['allowlist.remove', { removed: 1, size: 2 }],
        ['allowlist.add', { added: 1, size: 3 }],
        ['allowlist.add', { added: 2, size: 2 }],
        ['create', { enabled: true, rolloutPercentage: 0, description: '' }],
      ]);
    });

    it('rejects bad ids and unknown flags without writing', async () => {
      const db = getDb();
      await createFlag(db, { key: 'allow.bad' }, actor);
      await expect(addToAllowlist(db, 'allow.bad', ['ok', ''], actor)).rejects.toThrow(/ids\[1\]/);
      await expect(addToAllowlist(db, 'allow.missing', ['p1'], actor)).rejects.toBeInstanceOf(
        FlagNotFoundError,
      );
      await expect(getAllowlist(db, 'allow.missing')).rejects.toBeInstanceOf(FlagNotFoundError);
      expect(await getAllowlist(db, 'allow.bad')).toEqual([]);
    });

    // 10^5 ids on the real server; PGlite (single-threaded WASM) runs the same path with 10^4.
    it('bulk-imports ids in one transaction, and replace removes the rest', async () => {
      const db = getDb();
      const n = ctx.kind === 'postgres' ? 100_000 : 10_000;
      await createFlag(db, { key: 'allow.bulk', enabled: true }, actor);
      await addToAllowlist(db, 'allow.bulk', ['old-1', 'p-0'], actor);
      const ids = Array.from({ length: n }, (_, i) => `p-${i}`);
      const result = await importAllowlist(db, 'allow.bulk', ids, { ...actor, replace: true });
      expect(result).toEqual({ added: n - 1, removed: 1, size: n });
      expect((await getFlag(db, 'allow.bulk'))?.allowlistCount).toBe(n);
      const [last] = await listAudit(db, { flagKey: 'allow.bulk', limit: 1 });
      expect(last?.action).toBe('allowlist.import');
      expect(last?.after).toMatchObject({ added: n - 1, removed: 1, size: n });
    }, 60_000);

    it('reports import progress per batch of 10 000 distinct ids; a throwing callback writes nothing', async () => {
      const db = getDb();
      await createFlag(db, { key: 'allow.progress' }, actor);
      const ids = [...Array.from({ length: 25_000 }, (_, i) => `q-${i}`), 'q-0', 'q-1'];
      const seen: { done: number; total: number }[] = [];
      const result = await importAllowlist(db, 'allow.progress', ids, {
        ...actor,
        onProgress: (p) => seen.push(p),
      });
      expect(result.size).toBe(25_000);
      expect(seen).toEqual([
        { done: 10_000, total: 25_000 },
        { done: 20_000, total: 25_000 },
        { done: 25_000, total: 25_000 },
      ]);
      const small: unknown[] = [];
      await importAllowlist(db, 'allow.progress', ['q-0', 'new-1'], {
        ...actor,
        onProgress: (p) => small.push(p),
      });
      expect(small).toEqual([{ done: 2, total: 2 }]);
      const version = await storeVersion(db);
      const failing = importAllowlist(db, 'allow.progress', ['new-2'], {
        ...actor,
        onProgress: () => {
          throw new Error('stop');
        },
      });
      await expect(failing).rejects.toThrow('stop');
      expect(await storeVersion(db)).toBe(version);
      expect((await getFlag(db, 'allow.progress'))?.allowlistCount).toBe(25_001);
    }, 60_000);
  });

  describe('aborting an import', () => {
    it('an abort between batches stops the import before its next statement; nothing is written', async () => {
      const db = getDb();
      await createFlag(db, { key: 'allow.abort' }, actor);
      await addToAllowlist(db, 'allow.abort', ['kept'], actor);
      const version = await storeVersion(db);
      const controller = new AbortController();
      const ids = Array.from({ length: 30_000 }, (_, i) => `ab-${i}`);
      const seen: number[] = [];
      const error = await importAllowlist(db, 'allow.abort', ids, {
        ...actor,
        replace: true,
        signal: controller.signal,
        onProgress: ({ done }) => {
          seen.push(done);
          if (done === 10_000) controller.abort();
        },
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WriteAbortedError);
      expect(error).toMatchObject({
        code: 'WRITE_ABORTED',
        message: expect.stringMatching(/nothing was written/),
      });
      expect(seen).toEqual([10_000]);
      expect(await storeVersion(db)).toBe(version);
      expect(await getAllowlist(db, 'allow.abort')).toEqual(['kept']);
    }, 60_000);
  });

  describe('listAudit', () => {
    it('filters by flag and since, newest first, with a limit', async () => {
      const db = getDb();
      await createFlag(db, { key: 'audit.a' }, actor);
      const mid = new Date();
      await updateFlag(db, 'audit.a', { enabled: true }, actor);
      await updateFlag(db, 'audit.a', { rolloutPercentage: 1 }, actor);
      const all = await listAudit(db, { flagKey: 'audit.a' });
      expect(all.map((a) => a.action)).toEqual(['update', 'update', 'create']);
      expect(all[0]!.id).toBeGreaterThan(all[1]!.id);
      const recent = await listAudit(db, { flagKey: 'audit.a', since: new Date(mid.getTime() - 1) });
      expect(recent.length).toBeGreaterThanOrEqual(2);
      expect(await listAudit(db, { flagKey: 'audit.a', limit: 1 })).toHaveLength(1);
    });
  });
});
