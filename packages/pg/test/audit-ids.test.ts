/**
 * Allowlist members never enter the audit: allowlist writes and restores record counts only, and rows
 * written before that (which kept the first few ids) read back through `listAudit` without them.
 */
import { expect, it } from 'vitest';
import { forEachDatabase } from '../../../test/support/databases';
import { guardLeaks } from '../../../test/support/leaks';
import {
  addToAllowlist,
  createFlag,
  exportSnapshot,
  type FlagsDb,
  importAllowlist,
  importSnapshot,
  listAudit,
  removeFromAllowlist,
} from '../src/index';

guardLeaks();

const actor = { actor: 'ana', reason: 'test' };

/** Every stored before/after of the flag's audit rows, as raw JSON text. */
async function rawAudit(db: FlagsDb, key: string): Promise<string[]> {
  const { rows } = await db.query<{ before: string | null; after: string | null }>(
    `select before::text as before, after::text as after from ${db.ident}.audit where flag_key = $1 order by id`,
    [key],
  );
  return rows.flatMap((r) => [r.before ?? 'null', r.after ?? 'null']);
}

forEachDatabase((getDb) => {
  it('allowlist writes store counts, never ids', async () => {
    const db = getDb();
    await createFlag(db, { key: 'audit_ids.writes' }, actor);
    await addToAllowlist(db, 'audit_ids.writes', ['member-a', 'member-b'], actor);
    await removeFromAllowlist(db, 'audit_ids.writes', ['member-a'], actor);
    await importAllowlist(db, 'audit_ids.writes', ['member-c', 'member-d'], { ...actor, replace: true });
    const raw = await rawAudit(db, 'audit_ids.writes');
    expect(raw).toHaveLength(8);
    for (const text of raw) {
      expect(text).not.toMatch(/member-|"ids"/);
    }
    const audit = await listAudit(db, { flagKey: 'audit_ids.writes' });
    expect(audit.map((a) => [a.action, a.after])).toEqual([
      ['allowlist.import', { added: 2, removed: 1, size: 2 }],
      ['allowlist.remove', { removed: 1, size: 1 }],
      ['allowlist.add', { added: 2, size: 2 }],
      ['create', { enabled: false, rolloutPercentage: 0, description: '' }],
    ]);
  });

  it('a restore stores allowlist counts, never ids', async () => {
    const db = getDb();
    await createFlag(db, { key: 'audit_ids.restore' }, actor);
    await addToAllowlist(db, 'audit_ids.restore', ['member-a'], actor);
    const current = await exportSnapshot(db);
    const target = {
      ...current,
      flags: current.flags.map((f) =>
        f.key === 'audit_ids.restore' ? { ...f, allowlist: ['member-b', 'member-c'] } : f,
      ),
    };
    expect((await importSnapshot(db, target, actor)).applied).toBe(true);
    for (const text of await rawAudit(db, 'audit_ids.restore')) {
      expect(text).not.toMatch(/member-|"ids"/);
    }
    const [restore] = await listAudit(db, { flagKey: 'audit_ids.restore', limit: 1 });
    expect(restore).toMatchObject({ action: 'restore', after: { allowlistAdded: 2, allowlistRemoved: 1 } });
  });

  it('rows written with ids by earlier versions read back without them', async () => {
    const db = getDb();
    await createFlag(db, { key: 'audit_ids.old' }, actor);
    await db.query(
      `insert into ${db.ident}.audit (flag_key, action, actor, reason, before, after, version) values
         ('audit_ids.old', 'allowlist.add', 'ana', null, null, '{"added": 1, "size": 1, "ids": ["old-member"]}', 1),
         ('audit_ids.old', 'restore', 'ana', null,
          '{"enabled": false, "rolloutPercentage": 0, "description": "", "ids": ["old-member"]}',
          '{"enabled": true, "rolloutPercentage": 0, "description": "", "allowlistAdded": 1, "allowlistRemoved": 0, "ids": ["old-member"]}',
          1)`,
    );
    const audit = await listAudit(db, { flagKey: 'audit_ids.old' });
    expect(JSON.stringify(audit)).not.toContain('old-member');
    const byAction = new Map(audit.map((a) => [a.action, a]));
    expect(byAction.get('allowlist.add')?.after).toEqual({ added: 1, size: 1 });
    expect(byAction.get('restore')).toMatchObject({
      before: { enabled: false, rolloutPercentage: 0, description: '' },
      after: { enabled: true, allowlistAdded: 1, allowlistRemoved: 0 },
    });
    expect(byAction.get('restore')?.after).not.toHaveProperty('ids');
  });
});
