import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { forEachDatabase } from '../../../test/support/databases';
import { guardLeaks } from '../../../test/support/leaks';
import {
  addToAllowlist,
  createFlag,
  exportSnapshot,
  type FlagsDb,
  getAllowlist,
  getFlag,
  InvalidSnapshotError,
  importSnapshot,
  listAudit,
  listFlags,
  parseSnapshotDocument,
  SNAPSHOT_FORMAT,
} from '../src/index';
import { writeSnapshotFile } from '../src/source/snapshot-file';

guardLeaks();

const actor = { actor: 'ops', reason: 'restore' };
const seedFlag = {
  key: 'passenger_favorites_matching',
  enabled: true,
  rollout_percentage: 1,
  updated_at: '2026-02-03T13:29:22.330Z',
  created_at: '2026-02-01T04:33:58.711Z',
};
const doc = (flags: unknown[], extra: object = {}) => ({
  format: SNAPSHOT_FORMAT,
  version: 1,
  exported_at: '2026-02-03T22:12:00.000Z',
  flags,
  ...extra,
});

async function storeVersion(db: FlagsDb): Promise<number> {
  const { rows } = await db.query<{ version: number }>(`select version from ${db.ident}.state`);
  return rows[0]!.version;
}

describe('parseSnapshotDocument', () => {
  it('accepts the seed flag as written in the ops snapshot', () => {
    expect(parseSnapshotDocument(doc([seedFlag])).flags[0]).toEqual(seedFlag);
  });

  it.each([
    ['wrong types', [{ ...seedFlag, enabled: 'yes' }], 'flags[0].enabled must be true or false'],
    [
      'a string rollout',
      [{ ...seedFlag, rollout_percentage: '5' }],
      'flags[0].rollout_percentage must be a number',
    ],
    ['out-of-range rollout', [{ ...seedFlag, rollout_percentage: 101 }], 'must be between 0 and 100'],
    ['three decimals', [{ ...seedFlag, rollout_percentage: 1.005 }], 'at most two decimals'],
    ['duplicate keys', [seedFlag, seedFlag], 'flags[1].key "passenger_favorites_matching" is a duplicate'],
    ['unknown fields', [{ ...seedFlag, config_json: '{}' }], 'flags[0].config_json is not a known field'],
    ['a bad key', [{ ...seedFlag, key: 'Bad Key' }], 'flags[0].key must match'],
    [
      'a bad allowlist',
      [{ ...seedFlag, allowlist: ['ok', 7] }],
      'flags[0].allowlist[1] must be a non-empty string',
    ],
    ['a bad date', [{ ...seedFlag, updated_at: 'yesterday' }], 'flags[0].updated_at must be an ISO date'],
  ])('rejects %s with a clear message', (_name, flags, message) => {
    expect(() => parseSnapshotDocument(doc(flags))).toThrow(InvalidSnapshotError);
    expect(() => parseSnapshotDocument(doc(flags))).toThrow(message);
  });

  it('rejects unknown top-level fields and a wrong format, listing every problem', () => {
    const error = (() => {
      try {
        parseSnapshotDocument({ ...doc([]), format: 'other', extra: 1 });
      } catch (e) {
        return e;
      }
    })() as InvalidSnapshotError;
    expect(error.code).toBe('INVALID_SNAPSHOT');
    expect(error.problems).toEqual(['extra is not a known field', `format must be "${SNAPSHOT_FORMAT}"`]);
  });

  it("reads a client's snapshot file (restorable as it is) and refuses one edited after it was written", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kaviar-flags-file-'));
    try {
      const path = join(dir, 'flags.json');
      const flag = { key: 'f', enabled: true, rolloutPercentage: 1, allowlist: ['p-1'] };
      await writeSnapshotFile(path, 3, [flag], new Date('2026-02-03T22:12:00Z'));
      const written = JSON.parse(await readFile(path, 'utf8'));
      expect(written.checksum).toMatch(/^sha256:[0-9a-f]{64}$/);
      const parsed = parseSnapshotDocument(written);
      expect(parsed).not.toHaveProperty('checksum');
      expect(parsed.flags.map((f) => [f.key, f.rollout_percentage])).toEqual([['f', 1]]);
      const edited = { ...written, flags: [{ ...written.flags[0], rollout_percentage: 50 }] };
      expect(() => parseSnapshotDocument(edited)).toThrow(/checksum does not match the content/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

forEachDatabase((getDb) => {
  it('imports the seed flag, then export → import round-trips with nothing to change', async () => {
    const db = getDb();
    const seeded = await importSnapshot(
      db,
      doc([{ ...seedFlag, allowlist: Array.from({ length: 12 }, (_, i) => `passenger-${i + 1}`) }]),
      actor,
    );
    expect(seeded.applied).toBe(true);
    expect(seeded.diff.created.map((d) => d.key)).toEqual(['passenger_favorites_matching']);
    const row = await getFlag(db, 'passenger_favorites_matching');
    expect(row).toMatchObject({ enabled: true, rolloutPercentage: 1, allowlistCount: 12 });
    expect(row?.createdAt.toISOString()).toBe('2026-02-01T04:33:58.711Z');
    const exported = await exportSnapshot(db);
    expect(exported.version).toBe(await storeVersion(db));
    expect(exported.flags[0]).toMatchObject({ key: 'passenger_favorites_matching', rollout_percentage: 1 });
    expect(exported.flags[0]?.allowlist).toHaveLength(12);
    const again = await importSnapshot(db, JSON.parse(JSON.stringify(exported)), actor);
    expect(again).toMatchObject({ applied: false, version: exported.version });
    expect(again.diff.unchanged).toEqual(['passenger_favorites_matching']);
  });

  it('dry run returns the diff and writes nothing; the real run applies it with restore audit rows', async () => {
    const db = getDb();
    await createFlag(db, { key: 'snap.a', enabled: true, rolloutPercentage: 5 }, actor);
    await addToAllowlist(db, 'snap.a', ['x', 'y'], actor);
    await createFlag(db, { key: 'snap.gone' }, actor);
    const current = await exportSnapshot(db);
    const target = doc([
      ...current.flags.filter((f) => !f.key.startsWith('snap.')),
      { key: 'snap.a', enabled: true, rollout_percentage: 1, allowlist: ['y', 'z'] },
      { key: 'snap.new', enabled: false, rollout_percentage: 0 },
    ]);
    const before = await storeVersion(db);
    const dry = await importSnapshot(db, target, { ...actor, dryRun: true, deleteMissing: true });
    expect(dry.applied).toBe(false);
    expect(dry.diff.updated).toEqual([
      {
        key: 'snap.a',
        before: { enabled: true, rolloutPercentage: 5, description: '' },
        after: { enabled: true, rolloutPercentage: 1, description: '' },
        allowlistAdded: ['z'],
        allowlistRemoved: ['x'],
      },
    ]);
    expect(dry.diff.created.map((d) => d.key)).toEqual(['snap.new']);
    expect(dry.diff.deleted.map((d) => d.key)).toEqual(['snap.gone']);
    expect(await storeVersion(db)).toBe(before);
    expect(await getFlag(db, 'snap.new')).toBeUndefined();

    const real = await importSnapshot(db, target, { ...actor, deleteMissing: true });
    expect(real.applied).toBe(true);
    expect(real.diff).toEqual(dry.diff);
    expect(real.version).toBeGreaterThan(before);
    expect((await getFlag(db, 'snap.a'))?.rolloutPercentage).toBe(1);
    expect(await getAllowlist(db, 'snap.a')).toEqual(['y', 'z']);
    expect(await getFlag(db, 'snap.gone')).toBeUndefined();
    const restores = (await listAudit(db)).filter(
      (a) => a.action === 'restore' && a.flagKey.startsWith('snap.'),
    );
    expect(restores.map((a) => a.flagKey).sort()).toEqual(['snap.a', 'snap.gone', 'snap.new']);
    expect(restores.every((a) => a.version === real.version)).toBe(true);
  });

  it('rejects a bad snapshot and writes nothing', async () => {
    const db = getDb();
    const flagsBefore = await listFlags(db);
    const versionBefore = await storeVersion(db);
    const bad = doc([
      { key: 'snap.ok', enabled: true, rollout_percentage: 1 },
      { key: 'snap.bad', enabled: true, rollout_percentage: 250 },
    ]);
    await expect(importSnapshot(db, bad, actor)).rejects.toThrow(/flags\[1\]\.rollout_percentage/);
    expect(await listFlags(db)).toEqual(flagsBefore);
    expect(await storeVersion(db)).toBe(versionBefore);
  });
});
