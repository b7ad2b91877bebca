import { InvalidFlagError, MAX_SUBJECT_ID_LENGTH, subjectIdProblem } from '@kaviar/flags-core';
import { describe, expect, it } from 'vitest';
import { forEachDatabase } from '../../../test/support/databases';
import { guardLeaks } from '../../../test/support/leaks';
import {
  addToAllowlist,
  createFlag,
  deleteFlag,
  type FlagsDb,
  getAllowlist,
  InvalidOptionError,
  InvalidSnapshotError,
  importAllowlist,
  importSnapshot,
  listAudit,
  removeFromAllowlist,
  SNAPSHOT_FORMAT,
  updateFlag,
} from '../src/index';

guardLeaks();

const actor = { actor: 'ana', reason: 'test' };
const NUL = 'a\u0000b';
const LONE = 'a\uD800b';

async function storeVersion(db: FlagsDb): Promise<number> {
  const { rows } = await db.query<{ version: number }>(`select version from ${db.ident}.state`);
  return rows[0]!.version;
}

async function auditCount(db: FlagsDb): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`select count(*)::int as n from ${db.ident}.audit`);
  return rows[0]!.n;
}

/**
 * Runs `write`, expects the error naming `name` (`InvalidFlagError` for a flag's field,
 * `InvalidOptionError` for an option: actor, reason, ids), and checks that nothing was written.
 */
async function expectRefused(db: FlagsDb, name: string, write: () => Promise<unknown>): Promise<void> {
  const version = await storeVersion(db);
  const audits = await auditCount(db);
  const error = await write().then(
    () => undefined,
    (e: unknown) => e,
  );
  if (OPTIONS.test(name)) {
    expect(error, name).toBeInstanceOf(InvalidOptionError);
    expect(error, name).toMatchObject({ code: 'INVALID_OPTION', option: name });
  } else {
    expect(error, name).toBeInstanceOf(InvalidFlagError);
    expect((error as InvalidFlagError).field).toBe(name);
  }
  expect(await storeVersion(db)).toBe(version);
  expect(await auditCount(db)).toBe(audits);
}

/** What a write takes as options rather than as the flag's fields. */
const OPTIONS = /^(actor|reason|ids(\[\d+\])?)$/;

forEachDatabase((getDb) => {
  describe('bad text is refused before anything is written', () => {
    it('a NUL byte in a description, actor, reason or id', async () => {
      const db = getDb();
      await createFlag(db, { key: 'text.nul' }, actor);
      await expectRefused(db, 'description', () =>
        createFlag(db, { key: 'text.nul2', description: NUL }, actor),
      );
      await expectRefused(db, 'description', () => updateFlag(db, 'text.nul', { description: NUL }, actor));
      await expectRefused(db, 'actor', () => updateFlag(db, 'text.nul', { enabled: true }, { actor: NUL }));
      await expectRefused(db, 'reason', () => deleteFlag(db, 'text.nul', { actor: 'ana', reason: NUL }));
      await expectRefused(db, 'ids[1]', () => addToAllowlist(db, 'text.nul', ['ok', NUL], actor));
      await expectRefused(db, 'ids[0]', () => removeFromAllowlist(db, 'text.nul', [NUL], actor));
      await expectRefused(db, 'ids[2]', () =>
        importAllowlist(db, 'text.nul', ['a', 'b', NUL], { ...actor, replace: true }),
      );
      await expectRefused(db, 'key', () => createFlag(db, { key: NUL }, actor));
    });

    it('a lone surrogate in an allowlist id, a description, an actor or a reason', async () => {
      const db = getDb();
      await createFlag(db, { key: 'text.lone' }, actor);
      await expectRefused(db, 'ids[0]', () => addToAllowlist(db, 'text.lone', [LONE], actor));
      await expectRefused(db, 'ids[0]', () => importAllowlist(db, 'text.lone', ['\uDC00'], actor));
      await expectRefused(db, 'description', () => updateFlag(db, 'text.lone', { description: LONE }, actor));
      await expectRefused(db, 'actor', () => addToAllowlist(db, 'text.lone', ['x'], { actor: LONE }));
      await expectRefused(db, 'reason', () =>
        addToAllowlist(db, 'text.lone', ['x'], { actor: 'ana', reason: LONE }),
      );
      expect(await getAllowlist(db, 'text.lone')).toEqual([]);
    });

    it('a snapshot with a NUL description or a lone-surrogate id lists both and writes nothing', async () => {
      const db = getDb();
      const version = await storeVersion(db);
      const error = await importSnapshot(
        db,
        {
          format: SNAPSHOT_FORMAT,
          version: 1,
          exported_at: '2026-02-03T22:12:00.000Z',
          flags: [
            {
              key: 'snap.bad',
              enabled: true,
              rollout_percentage: 1,
              description: NUL,
              allowlist: ['ok', LONE],
            },
          ],
        },
        actor,
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidSnapshotError);
      expect((error as InvalidSnapshotError).problems).toEqual([
        'flags[0].description must not contain a NUL character (U+0000)',
        'flags[0].allowlist[1] must be well-formed Unicode (lone surrogate U+D800 at index 1)',
      ]);
      expect(await storeVersion(db)).toBe(version);
    });

    it('listAudit refuses a limit that is not a positive integer, a bad key and a bad since', async () => {
      const db = getDb();
      for (const limit of [-1, 0, 1.5, Number.NaN]) {
        const error = await listAudit(db, { limit }).catch((e: unknown) => e);
        expect(error, String(limit)).toBeInstanceOf(InvalidOptionError);
        expect((error as InvalidOptionError).option).toBe('limit');
      }
      await expect(listAudit(db, { flagKey: NUL })).rejects.toBeInstanceOf(InvalidFlagError);
      await expect(listAudit(db, { since: new Date(Number.NaN) })).rejects.toMatchObject({ option: 'since' });
      await expect(listAudit(db, { limit: 1 })).resolves.toBeInstanceOf(Array);
    });

    it('whitespace-only ids are valid ids, stored exactly as given', async () => {
      const db = getDb();
      await createFlag(db, { key: 'text.space' }, actor);
      await addToAllowlist(db, 'text.space', [' ', '  x  '], actor);
      expect(await getAllowlist(db, 'text.space')).toEqual([' ', '  x  ']);
    });
  });

  describe("the SQL CHECK on allowlist ids agrees with core's subjectIdProblem", () => {
    const candidates: [string, unknown][] = [
      ['empty', ''],
      ['one space', ' '],
      ['one char', 'a'],
      ['max ASCII', 'x'.repeat(MAX_SUBJECT_ID_LENGTH)],
      ['max + 1 ASCII', 'x'.repeat(MAX_SUBJECT_ID_LENGTH + 1)],
      ['max emoji (2048 UTF-16 units)', '🚀'.repeat(MAX_SUBJECT_ID_LENGTH)],
      ['max + 1 emoji', '🚀'.repeat(MAX_SUBJECT_ID_LENGTH + 1)],
      ['max accented', 'é'.repeat(MAX_SUBJECT_ID_LENGTH)],
      ['NUL', NUL],
      ['lone high surrogate', LONE],
      ['lone low surrogate', '\uDC00'],
      ['U+FFFD', '\uFFFD'],
    ];

    it.each(candidates)('%s', async (_name, id) => {
      const db = getDb();
      const key = `sql.check.${Math.random().toString(36).slice(2, 10)}`;
      await createFlag(db, { key }, actor);
      // What SQL accepts: the row is inserted and reads back as the very same string.
      const stored = await db
        .transaction(async (tx) => {
          await tx.query(`insert into ${db.ident}.allowlist (flag_key, subject_id) values ($1, $2)`, [
            key,
            id,
          ]);
          const { rows } = await tx.query<{ s: string }>(
            `select subject_id as s from ${db.ident}.allowlist where flag_key = $1`,
            [key],
          );
          throw Object.assign(new Error('rollback'), { stored: rows[0]?.s });
        })
        .catch((e: { stored?: string }) => e.stored === id);
      expect(stored).toBe(subjectIdProblem(id) === undefined);
    });
  });
});
