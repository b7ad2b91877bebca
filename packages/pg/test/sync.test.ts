import { expect, it } from 'vitest';
import { forEachDatabase } from '../../../test/support/databases';
import { guardLeaks } from '../../../test/support/leaks';
import {
  addToAllowlist,
  createFlag,
  deleteFlag,
  importAllowlist,
  removeFromAllowlist,
  updateFlag,
} from '../src/index';
import { loadAll, loadChanges, readVersion } from '../src/source/load-flags';
import { manualClients, plainFlags, recording, whenChanged } from './support/clients';

guardLeaks();

const actor = { actor: 'test' };

forEachDatabase((getDb) => {
  const client = manualClients();

  it('incremental loads from the change log equal a full load, whatever the changes', async () => {
    const db = getDb();
    await createFlag(db, { key: 'inc.a', enabled: true, rolloutPercentage: 1 }, actor);
    await createFlag(db, { key: 'inc.b' }, actor);
    await addToAllowlist(db, 'inc.a', ['p1', 'p2', 'p3'], actor);
    let base = await loadAll(db, db.ident);
    const steps: (() => Promise<unknown>)[] = [
      () => updateFlag(db, 'inc.a', { rolloutPercentage: 5 }, actor),
      () => removeFromAllowlist(db, 'inc.a', ['p2'], actor),
      () => addToAllowlist(db, 'inc.b', ['q1'], actor),
      () => deleteFlag(db, 'inc.b', actor),
      () => createFlag(db, { key: 'inc.b', enabled: true }, actor),
      () => importAllowlist(db, 'inc.a', ['p1', 'p9'], { ...actor, replace: true }),
      () =>
        db.query(
          `update ${db.ident}.allowlist set subject_id = 'p10' where flag_key = 'inc.a' and subject_id = 'p9'`,
        ),
    ];
    for (const step of steps) {
      await step();
      const incremental = await loadChanges(db, db.ident, base.version, base.flags);
      const full = await loadAll(db, db.ident);
      expect(incremental).toBeDefined();
      expect(incremental!.version).toBe(full.version);
      expect(plainFlags(incremental!.flags)).toEqual(plainFlags(full.flags));
      base = incremental!;
    }
    expect(base.flags.get('inc.a')?.allowlist.slice().sort()).toEqual(['p1', 'p10']);
  });

  it('keeps unchanged flag objects and reports only changed keys', async () => {
    const db = getDb();
    await createFlag(db, { key: 'keep.a' }, actor);
    await createFlag(db, { key: 'keep.b' }, actor);
    const base = await loadAll(db, db.ident);
    await updateFlag(db, 'keep.a', { enabled: true }, actor);
    const next = (await loadChanges(db, db.ident, base.version, base.flags))!;
    expect(next.changedKeys).toEqual(['keep.a']);
    expect(next.flags.get('keep.b')).toBe(base.flags.get('keep.b'));
  });

  it('falls back to a full load when the change log was pruned past the loaded version', async () => {
    const db = getDb();
    const base = await loadAll(db, db.ident);
    await createFlag(db, { key: 'pruned.a' }, actor);
    const { version } = await readVersion(db, db.ident);
    await db.query(`update ${db.ident}.state set pruned_through = $1`, [version]);
    try {
      expect(await loadChanges(db, db.ident, base.version, base.flags)).toBeUndefined();
      const fresh = client(db);
      await fresh.ready({ timeoutMs: 10_000 });
      expect(fresh.snapshot()?.flags.has('pruned.a')).toBe(true);
    } finally {
      await db.query(`update ${db.ident}.state set pruned_through = 0`);
    }
  });

  it('an idle poll is one single-row query', async () => {
    const { db, sql } = recording(getDb());
    const idle = client(db);
    await idle.ready({ timeoutMs: 10_000 });
    sql.length = 0;
    await idle.refresh();
    await idle.refresh();
    expect(sql).toHaveLength(2);
    expect(sql[0]).toMatch(/^select version, pruned_through from "[a-z0-9_]+"\.state$/);
    const { rows } = await getDb().query(sql[0]!);
    expect(rows).toHaveLength(1);
  });

  it('a NOTIFY of a newer version syncs in one statement (the changes), without the version poll', async () => {
    const db = getDb();
    await createFlag(db, { key: 'hint.a', enabled: true, rolloutPercentage: 0 }, actor);
    const { db: recorded, sql } = recording(db);
    // Polling is effectively off: only LISTEN (or its resync on connect) delivers changes.
    const listening = client(recorded, { listen: true });
    await listening.ready({ timeoutMs: 10_000 });
    // Connected means its probe NOTIFY came back (the probe is a statement too) and the resync it asks for
    // has started: refresh() waits for that resync. Nothing else sends statements after that.
    await expect.poll(() => listening.status().listen.state, { timeout: 10_000 }).toBe('connected');
    await listening.refresh();
    sql.length = 0;
    const seen = whenChanged(listening, () => listening.isEnabled('hint.a', 'p1'));
    await addToAllowlist(db, 'hint.a', ['p1'], actor);
    await seen;
    expect(sql).toHaveLength(1);
    expect(sql[0]).toMatch(/\.changes where version > \$1/);
  });

  it('heartbeat upserts the instance row and exposures are flushed per flag and version, with distinct subjects', async () => {
    const db = getDb();
    await createFlag(db, { key: 'exp.a', enabled: true, rolloutPercentage: 50 }, actor);
    await addToAllowlist(db, 'exp.a', ['vip'], actor);
    const reporting = client(db, {
      heartbeat: true,
      countExposures: true,
      heartbeatIntervalMs: 50,
      appName: 'exposure-test',
      instanceId: `exp-${db.schema}`,
    });
    await reporting.ready({ timeoutMs: 10_000 });
    const totals = () =>
      db
        .query(
          `select flag_version, sum(evaluations)::int as e, sum(enabled)::int as n, sum(allowlisted)::int as a,
             sum(subjects)::int as s, sum(subjects_enabled)::int as se
           from ${db.ident}.exposures where flag_key = 'exp.a' group by flag_version`,
        )
        .then((r) => r.rows);
    // Each of 100 subjects evaluated three times: 300 calls, 100 distinct subjects.
    let on = 0;
    for (let i = 0; i < 100; i++) {
      if (reporting.isEnabled('exp.a', `s-${i}`)) on++;
      reporting.isEnabled('exp.a', `s-${i}`);
      reporting.isEnabled('exp.a', `s-${i}`);
    }
    reporting.isEnabled('exp.a', 'vip'); // allowlisted: a call, not a subject
    reporting.isEnabled('exp.a', ''); // no subject: not counted
    expect(on).toBeGreaterThan(20);
    expect(on).toBeLessThan(80);
    const version = reporting.snapshot()!.flags.get('exp.a')!.version;
    await expect
      .poll(totals, { timeout: 5000 })
      .toEqual([{ flag_version: version, e: 301, n: 3 * on + 1, a: 1, s: 100, se: on }]);
    // A later interval counts its own distinct subjects; the upsert adds them to the minute's row.
    let onAgain = 0;
    for (let i = 0; i < 40; i++) if (reporting.isEnabled('exp.a', `s-${i}`)) onAgain++;
    await expect
      .poll(totals, { timeout: 5000 })
      .toEqual([{ flag_version: version, e: 341, n: 3 * on + 1 + onAgain, a: 1, s: 140, se: on + onAgain }]);
    const { rows } = await db.query<{ app: string; loaded_version: number; state: string; pid: number }>(
      `select app, loaded_version, state, pid from ${db.ident}.instances where id = $1`,
      [reporting.instanceId],
    );
    expect(rows).toEqual([
      { app: 'exposure-test', loaded_version: reporting.status().version, state: 'ready', pid: process.pid },
    ]);
    await reporting.close();
    const after = await db.query<{ state: string }>(`select state from ${db.ident}.instances where id = $1`, [
      reporting.instanceId,
    ]);
    expect(after.rows[0]?.state).toBe('closed');
  });
});
