/**
 * Writes racing each other on real Postgres: several pools (as several processes would have), one lock
 * order, bounded retries, typed errors only, an unbroken audit chain; and an import that stages without
 * blocking other flags and can be aborted with its server-side statement cancelled.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { FlagsError } from '@kaviar/flags-core';
import { describe, expect, it } from 'vitest';
import { forEachDatabase } from '../../../test/support/databases';
import { guardLeaks } from '../../../test/support/leaks';
import { mulberry32 } from '../../../test/support/prng';
import { lockWrites, MAX_ATTEMPTS, runWrite } from '../src/admin/write-transaction';
import {
  addToAllowlist,
  ConflictError,
  createFlag,
  deleteFlag,
  type FlagsDb,
  getAllowlist,
  getFlag,
  getRamp,
  importAllowlist,
  importSnapshot,
  listAudit,
  listFlags,
  openDb,
  type Queryable,
  SNAPSHOT_FORMAT,
  startRamp,
  transitionRamp,
  updateFlag,
  WriteAbortedError,
  WriteContentionError,
} from '../src/index';

guardLeaks();

const actor = { actor: 'race', reason: 'test' };

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

type Step = (tx: Queryable) => Promise<unknown>;

/**
 * A transaction on `db` that takes a lock (`take`) and holds it until `release()` is called; then it
 * runs `then` (if given) before it commits.
 */
async function holdLock(db: FlagsDb, take: Step, then?: Step) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let locked!: () => void;
  const held = new Promise<void>((resolve) => {
    locked = resolve;
  });
  const done = db.transaction(async (tx) => {
    await take(tx);
    locked();
    await gate;
    await then?.(tx);
  });
  await held;
  return { release, done };
}

/** A transaction on `db` that holds `key`'s row lock until `release()` is called. */
const holdRowLock = (db: FlagsDb, key: string) =>
  holdLock(db, (tx) => tx.query(`select 1 from ${db.ident}.flags where key = $1 for update`, [key]));

type State = { enabled: boolean; rolloutPercentage: number; description: string } | null;
const stateOf = (value: unknown): State => {
  if (value === null || value === undefined) return null;
  const { enabled, rolloutPercentage, description } = value as Exclude<State, null>;
  return { enabled, rolloutPercentage, description };
};

describe('runWrite', () => {
  it('retries a deadlock a bounded number of times, then throws WriteContentionError', async () => {
    let calls = 0;
    const db = {
      schema: 's',
      ident: '"s"',
      driver: 'pglite',
      transaction: async () => {
        calls++;
        throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
      },
    } as unknown as FlagsDb;
    const error = await runWrite(db, 'Test write', {}, async () => 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WriteContentionError);
    expect(error).toMatchObject({ code: 'WRITE_CONTENTION', attempts: MAX_ATTEMPTS, sqlState: '40P01' });
    expect(calls).toBe(MAX_ATTEMPTS);
  });

  it('does not retry other errors', async () => {
    let calls = 0;
    const db = {
      schema: 's',
      driver: 'pglite',
      transaction: async () => {
        calls++;
        throw Object.assign(new Error('unique'), { code: '23505' });
      },
    } as unknown as FlagsDb;
    await expect(runWrite(db, 'Test write', {}, async () => 1)).rejects.toMatchObject({ code: '23505' });
    expect(calls).toBe(1);
  });
});

forEachDatabase(
  (getDb, ctx) => {
    describe('allowlist import and other writes', () => {
      it('stages its ids without blocking writes to other flags', async () => {
        const db = getDb();
        await createFlag(db, { key: 'stage.big' }, actor);
        await createFlag(db, { key: 'stage.other' }, actor);
        const ids = Array.from({ length: 200_000 }, (_, i) => `s-${i}`);
        let other: Promise<unknown> | undefined;
        let otherDone = false;
        let otherDoneBeforeLastBatch: boolean | undefined;
        await importAllowlist(db, 'stage.big', ids, {
          ...actor,
          replace: true,
          onProgress: ({ done, total }) => {
            if (done === 10_000) {
              other = updateFlag(db, 'stage.other', { enabled: true }, actor).then(() => {
                otherDone = true;
              });
            }
            if (done === total) otherDoneBeforeLastBatch = otherDone;
          },
        });
        await other;
        // Under the previous lock order the other write waited for the whole import to commit.
        expect(otherDoneBeforeLastBatch).toBe(true);
        expect((await listFlags(db)).find((f) => f.key === 'stage.big')?.allowlistCount).toBe(200_000);
      }, 120_000);

      it('writes its new rows without blocking writes to other flags (schema 3)', async () => {
        const db = getDb();
        await createFlag(db, { key: 'rows.big' }, actor);
        await createFlag(db, { key: 'rows.other' }, actor);
        // A gate inside the import's insert: the row `gate` waits for an advisory lock the test holds, so
        // the import stops half-way through writing its rows, for as long as the test says.
        const gateKey = 0x6b7467; // "ktg"
        await db.exec(
          `create function ${db.ident}.test_gate() returns trigger language plpgsql as $$
           begin perform pg_advisory_xact_lock_shared(${gateKey}); return new; end $$;
           create trigger allowlist_gate before insert on ${db.ident}.allowlist for each row
             when (new.subject_id = 'gate') execute function ${db.ident}.test_gate();`,
        );
        const holder = await openDb(ctx.openOptions());
        const gate = await holdLock(holder, (tx) => tx.query('select pg_advisory_xact_lock($1)', [gateKey]));
        try {
          // 5,000 rows are written before the gate, 5,000 after.
          const ids = [...Array.from({ length: 5_000 }, (_, i) => `r-${i}`), 'gate'];
          ids.push(...Array.from({ length: 5_000 }, (_, i) => `r-${5_000 + i}`));
          let imported = false;
          const importing = importAllowlist(db, 'rows.big', ids, actor).then((result) => {
            imported = true;
            return result;
          });
          importing.catch(() => {});
          await until('the import to reach the gate', async () => {
            const { rows } = await holder.query(
              `select 1 from pg_locks where locktype = 'advisory' and objid = $1 and not granted`,
              [gateKey],
            );
            return rows.length === 1;
          });
          // Under schema 2 the first row written took the store's version lock, so this waited for the
          // whole import; a ceiling turns that into a failure instead of a hang.
          const other = updateFlag(db, 'rows.other', { enabled: true }, actor);
          const outcome = await Promise.race([
            other.then(() => 'written' as const),
            new Promise<'blocked'>((resolve) => setTimeout(() => resolve('blocked'), 20_000).unref()),
          ]);
          expect(outcome).toBe('written');
          expect(imported).toBe(false);
          gate.release();
          await gate.done;
          expect((await importing).added).toBe(10_001);
          expect((await getFlag(db, 'rows.big'))?.allowlistCount).toBe(10_001);
        } finally {
          gate.release();
          await gate.done.catch(() => {});
          await holder.close();
          await db.exec(
            `drop trigger allowlist_gate on ${db.ident}.allowlist; drop function ${db.ident}.test_gate();`,
          );
        }
      }, 60_000);

      it('an abort cancels the statement on the server, rolls back, and says nothing was written', async () => {
        const db = getDb();
        await createFlag(db, { key: 'abort.big' }, actor);
        await addToAllowlist(db, 'abort.big', ['kept'], actor);
        const holder = await openDb(ctx.openOptions());
        let lock: Awaited<ReturnType<typeof holdRowLock>> | undefined;
        try {
          lock = await holdRowLock(holder, 'abort.big');
          const controller = new AbortController();
          const ids = Array.from({ length: 20_000 }, (_, i) => `a-${i}`);
          const importing = importAllowlist(db, 'abort.big', ids, {
            ...actor,
            replace: true,
            signal: controller.signal,
          });
          importing.catch(() => {});
          // The import has staged its ids and waits for the flag's row lock inside a statement.
          const waiting = async () => {
            const { rows } = await holder.query<{ pid: number }>(
              `select pid from pg_stat_activity where wait_event_type = 'Lock' and state = 'active'
               and query like $1`,
              [`%from ${holder.ident}.flags where key = $1 for no key update%`],
            );
            return rows.length === 1;
          };
          await until('the import to wait for the row lock', waiting);
          controller.abort();
          const error = await importing.catch((e: unknown) => e);
          expect(error).toBeInstanceOf(WriteAbortedError);
          expect((error as WriteAbortedError).message).toMatch(/nothing was written/);
          // Cancelled on the server while the lock is still held: nothing is left waiting.
          expect(await waiting()).toBe(false);
          lock.release();
          await lock.done;
          lock = undefined;
          expect(await getAllowlist(db, 'abort.big')).toEqual(['kept']);
          expect((await listAudit(db, { flagKey: 'abort.big', limit: 1 }))[0]?.action).toBe('allowlist.add');
        } finally {
          lock?.release();
          await lock?.done;
          await holder.close();
        }
      }, 60_000);

      it('an abort before the call starts writes nothing', async () => {
        const db = getDb();
        await createFlag(db, { key: 'abort.early' }, actor);
        const signal = AbortSignal.abort();
        await expect(importAllowlist(db, 'abort.early', ['x'], { ...actor, signal })).rejects.toBeInstanceOf(
          WriteAbortedError,
        );
        expect(await getAllowlist(db, 'abort.early')).toEqual([]);
      });
    });

    describe('ramp writes beside a restore', () => {
      /**
       * Holds the store's write lock exclusively, as a restore does first; once released, locks the
       * flag's row, as a restore does next, and commits.
       */
      const restoreLike = (holder: FlagsDb, key: string) =>
        holdLock(
          holder,
          (tx) => lockWrites(tx, holder.schema, 'exclusive'),
          (tx) => tx.query(`select 1 from ${holder.ident}.flags where key = $1 for update`, [key]),
        );

      /** Waits until a session of this schema waits for the store's write lock. */
      const waitsForWriteLock = (holder: FlagsDb) =>
        until('the ramp write to wait for the store lock', async () => {
          const { rows } = await holder.query(
            `select 1 from pg_stat_activity where wait_event_type = 'Lock' and state = 'active'
             and query like '%pg_advisory_xact_lock_shared%'`,
          );
          return rows.length > 0;
        });

      const rampWrites = {
        start: (db: FlagsDb, key: string) =>
          startRamp(db, { flagKey: key, steps: [5, 50], holdMs: 60_000 }, actor).then((r) => r.ramp),
        transition: async (db: FlagsDb, key: string) => {
          const ramp = (await getRamp(db, key))!;
          return transitionRamp(
            db,
            key,
            {
              expectRevision: ramp.revision,
              action: 'ramp.advance',
              decision: 'advanced',
              state: 'active',
              stepIndex: 1,
              nextCheckAt: new Date(Date.now() + 60_000),
              holds: 0,
              explanation: 'test',
              rollout: { from: 5, to: 50 },
              now: new Date(),
            },
            actor,
          );
        },
      };

      it.each(Object.keys(rampWrites) as (keyof typeof rampWrites)[])(
        'a ramp %s waits for the store lock before it locks the flag, so a restore never deadlocks with it',
        async (write) => {
          const db = getDb();
          const key = `ramp.race.${write}`;
          await createFlag(db, { key, enabled: true }, actor);
          if (write === 'transition') await rampWrites.start(db, key);
          const holder = await openDb(ctx.openOptions());
          try {
            const restore = await restoreLike(holder, key);
            const ramp = rampWrites[write](db, key);
            ramp.catch(() => {});
            await waitsForWriteLock(holder);
            // Under the earlier order the ramp held the flag's row here: this waited for it, the ramp for
            // the store lock, and Postgres broke the deadlock by failing one of them.
            restore.release();
            await expect(restore.done).resolves.toBeUndefined();
            const written = await ramp;
            expect(written.flagKey).toBe(key);
            expect((await getFlag(db, key))?.rolloutPercentage).toBe(write === 'start' ? 5 : 50);
          } finally {
            await holder.close();
          }
        },
        60_000,
      );
    });

    describe('a restore racing a create of the same flag', () => {
      /** Another writer creates `key` with `ids` in a transaction that stays open until `commit()`. */
      async function openCreate(db: FlagsDb, key: string, ids: string[], takeWriteLock: boolean) {
        let commit!: () => void;
        const gate = new Promise<void>((resolve) => {
          commit = resolve;
        });
        let written!: () => void;
        const ready = new Promise<void>((resolve) => {
          written = resolve;
        });
        const done = db.transaction(async (tx) => {
          if (takeWriteLock) await lockWrites(tx, db.schema);
          await tx.query(`insert into ${db.ident}.flags (key, enabled) values ($1, true)`, [key]);
          for (const id of ids) {
            await tx.query(`insert into ${db.ident}.allowlist (flag_key, subject_id) values ($1, $2)`, [
              key,
              id,
            ]);
          }
          await tx.query(
            `insert into ${db.ident}.audit (flag_key, action, actor, after) values ($1, 'create', 'other', $2::jsonb)`,
            [key, JSON.stringify({ enabled: true, rolloutPercentage: 0, description: '' })],
          );
          written();
          await gate;
        });
        await ready;
        return { commit, done };
      }

      const restoreDoc = (key: string) => ({
        format: SNAPSHOT_FORMAT,
        version: 1,
        exported_at: '2026-02-03T22:12:00.000Z',
        flags: [{ key, enabled: true, rollout_percentage: 1, allowlist: ['r-1'] }],
      });

      it('waits for the write and applies the document exactly, recording the real before-state', async () => {
        const db = getDb();
        const other = await openDb(ctx.openOptions());
        let create: Awaited<ReturnType<typeof openCreate>> | undefined;
        try {
          create = await openCreate(other, 'race.a', ['someone-else'], true);
          const restoring = importSnapshot(db, restoreDoc('race.a'), actor);
          restoring.catch(() => {});
          await until('the restore to wait for the write lock', async () => {
            const { rows } = await other.query(
              `select 1 from pg_stat_activity where wait_event_type = 'Lock' and state = 'active' and query like $1`,
              ['%pg_advisory_xact_lock(%'],
            );
            return rows.length > 0;
          });
          create.commit();
          await create.done;
          const result = await restoring;
          expect(result.diff.updated.map((d) => d.key)).toEqual(['race.a']);
          expect(await getAllowlist(db, 'race.a')).toEqual(['r-1']);
          const [last] = await listAudit(db, { flagKey: 'race.a', limit: 1 });
          expect(last).toMatchObject({
            action: 'restore',
            before: { enabled: true, rolloutPercentage: 0, description: '' },
          });
        } finally {
          create?.commit();
          await create?.done.catch(() => {});
          await other.close();
        }
      }, 60_000);

      it('a writer that does not take the write lock makes it a ConflictError, and nothing is written', async () => {
        const db = getDb();
        const other = await openDb(ctx.openOptions());
        let create: Awaited<ReturnType<typeof openCreate>> | undefined;
        try {
          create = await openCreate(other, 'race.b', ['someone-else'], false);
          const restoring = importSnapshot(db, restoreDoc('race.b'), actor);
          restoring.catch(() => {});
          await until('the restore to wait for the other insert', async () => {
            const { rows } = await other.query(
              `select 1 from pg_stat_activity where wait_event_type = 'Lock' and state = 'active' and query like $1`,
              [`%insert into ${db.ident}.flags%`],
            );
            return rows.length > 0;
          });
          const audits = (await listAudit(db, { flagKey: 'race.b' })).length;
          create.commit();
          await create.done;
          const error = await restoring.catch((e: unknown) => e);
          expect(error).toBeInstanceOf(ConflictError);
          expect(error).toMatchObject({
            flagKey: 'race.b',
            message: expect.stringMatching(/nothing was written/),
          });
          expect(await getAllowlist(db, 'race.b')).toEqual(['someone-else']);
          expect(await listAudit(db, { flagKey: 'race.b' })).toHaveLength(audits + 1);
        } finally {
          create?.commit();
          await create?.done.catch(() => {});
          await other.close();
        }
      }, 60_000);
    });

    describe('serializable transactions', () => {
      it('retries a serialization failure and records the state it finally wrote over', async () => {
        const db = getDb();
        await createFlag(db, { key: 'ser.a' }, actor);
        const url = new URL(ctx.openOptions().connectionString!);
        url.searchParams.set('options', '-c default_transaction_isolation=serializable');
        const serializable = await openDb({ connectionString: url.toString(), schema: db.schema });
        const holder = await openDb(ctx.openOptions());
        let release = () => {};
        let holding: Promise<void> | undefined;
        try {
          const { rows } = await serializable.query<{ default_transaction_isolation: string }>(
            'show default_transaction_isolation',
          );
          expect(rows[0]?.default_transaction_isolation).toBe('serializable');
          // The holder locks the row; the serializable update takes its snapshot and waits for the lock;
          // the holder changes the row and commits, so the first attempt fails with 40001.
          const gate = new Promise<void>((resolve) => {
            release = resolve;
          });
          let locked!: () => void;
          const held = new Promise<void>((resolve) => {
            locked = resolve;
          });
          holding = holder.transaction(async (tx) => {
            await tx.query(`select 1 from ${holder.ident}.flags where key = 'ser.a' for update`);
            locked();
            await gate;
            await tx.query(`update ${holder.ident}.flags set description = 'changed' where key = 'ser.a'`);
          });
          await held;
          const updating = updateFlag(serializable, 'ser.a', { rolloutPercentage: 5 }, actor);
          updating.catch(() => {});
          await until('the update to wait for the row lock', async () => {
            const { rows: waiting } = await holder.query(
              `select 1 from pg_stat_activity where wait_event_type = 'Lock' and state = 'active' and query like $1`,
              [`%from ${holder.ident}.flags f where f.key = $1%`],
            );
            return waiting.length === 1;
          });
          release();
          await holding;
          const row = await updating;
          expect(row).toMatchObject({ rolloutPercentage: 5, description: 'changed' });
          const [last] = await listAudit(db, { flagKey: 'ser.a', limit: 1 });
          expect(last?.before).toMatchObject({ rolloutPercentage: 0, description: 'changed' });
        } finally {
          release();
          await holding?.catch(() => {});
          await Promise.all([serializable.close(), holder.close()]);
        }
      }, 60_000);
    });

    describe('a mixed workload from several pools', () => {
      it('never surfaces a raw database error, keeps the audit chain, and ends as the audit says', async () => {
        const db = getDb();
        const keys = ['mix.a', 'mix.b', 'mix.c', 'mix.d'];
        const WORKERS = 4;
        const OPS = 75;
        const pools = await Promise.all(
          Array.from({ length: WORKERS }, () => openDb({ ...ctx.openOptions(), maxConnections: 2 })),
        );
        const unexpected: unknown[] = [];
        const counts: Record<string, number> = {};
        // Every writer here takes the write lock, so a restore never meets a conflict, and nothing deadlocks.
        const expectedCodes = new Set(['FLAG_NOT_FOUND', 'FLAG_EXISTS']);
        try {
          await Promise.all(
            pools.map(async (pool, w) => {
              const random = mulberry32(1000 + w);
              const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
              const someIds = () =>
                Array.from({ length: 1 + Math.floor(random() * 5) }, () => `id-${Math.floor(random() * 20)}`);
              const state = () => ({
                enabled: random() < 0.5,
                rolloutPercentage: Math.floor(random() * 101),
                description: pick(['', 'one', 'two']),
              });
              for (let i = 0; i < OPS; i++) {
                const key = pick(keys);
                const op = pick(['restore', 'create', 'delete', 'update', 'add', 'import'] as const);
                counts[op] = (counts[op] ?? 0) + 1;
                const who = { actor: `w${w}`, reason: `${op} ${i}` };
                try {
                  if (op === 'create') await createFlag(pool, { key, ...state() }, who);
                  else if (op === 'delete') await deleteFlag(pool, key, who);
                  else if (op === 'update') await updateFlag(pool, key, state(), who);
                  else if (op === 'add') await addToAllowlist(pool, key, someIds(), who);
                  else if (op === 'import') {
                    await importAllowlist(pool, key, someIds(), { ...who, replace: random() < 0.5 });
                  } else {
                    const flags = keys
                      .filter(() => random() < 0.6)
                      .map((k) => {
                        const s = state();
                        return {
                          key: k,
                          enabled: s.enabled,
                          rollout_percentage: s.rolloutPercentage,
                          description: s.description,
                          allowlist: someIds(),
                        };
                      });
                    const doc = {
                      format: SNAPSHOT_FORMAT,
                      version: 1,
                      exported_at: new Date().toISOString(),
                      flags,
                    };
                    const result = await importSnapshot(pool, doc, { ...who, deleteMissing: random() < 0.3 });
                    // Exactly the document, right after it committed (checked later against the audit).
                    if (result.applied) counts.restoreApplied = (counts.restoreApplied ?? 0) + 1;
                  }
                } catch (error) {
                  if (!(error instanceof FlagsError && expectedCodes.has(error.code))) unexpected.push(error);
                }
              }
            }),
          );
        } finally {
          await Promise.all(pools.map((p) => p.close()));
        }
        expect(unexpected).toEqual([]);
        expect(counts.restoreApplied ?? 0).toBeGreaterThan(0);

        // The audit chain, per flag in commit (version) order: each state row starts where the last ended.
        const audit = (await listAudit(db, { limit: 100_000 }))
          .filter((a) => a.flagKey.startsWith('mix.'))
          .sort((a, b) => (a.version ?? 0) - (b.version ?? 0) || a.id - b.id);
        const last = new Map<string, State>();
        let breaks = 0;
        for (const row of audit) {
          if (row.action.startsWith('allowlist.')) {
            expect(last.get(row.flagKey), `allowlist write to a missing flag ${row.flagKey}`).toBeTruthy();
            continue;
          }
          const before = stateOf(row.before);
          if (JSON.stringify(before) !== JSON.stringify(last.get(row.flagKey) ?? null)) breaks++;
          last.set(row.flagKey, stateOf(row.after));
        }
        expect(breaks).toBe(0);
        expect(audit.filter((a) => a.action === 'restore').length).toBeGreaterThan(0);
        const final = new Map((await listFlags(db)).map((f) => [f.key, stateOf(f)]));
        for (const key of keys) expect(final.get(key) ?? null, key).toEqual(last.get(key) ?? null);
      }, 300_000);
    });
  },
  { only: ['postgres'] },
);
