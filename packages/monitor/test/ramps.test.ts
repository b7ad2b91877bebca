/**
 * Guarded ramps end to end on both databases, with an injected clock: every hold is crossed by moving
 * `now`, never by sleeping.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  abortRamp,
  ConflictError,
  type FlagsDb,
  getFlag,
  getRamp,
  InvalidRampError,
  listAudit,
  openDb,
  pauseRamp,
  RampExistsError,
  RampStateError,
  resumeRamp,
  startRamp,
  updateFlag,
} from '@kaviar/flags-pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { forEachDatabase } from '../../../test/support/databases';
import { guardLeaks } from '../../../test/support/leaks';
import { listCheckpoints, type TickRampsOptions, tickRamps } from '../src/index';
import { heartbeat, seedFlag } from './seed';

guardLeaks();

const MIN = 60_000;
const T0 = new Date('2026-02-03T14:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * MIN);
const SUBJECTS = 20_000;

/** The clients saw the flag's current version and served exactly `share` of the subjects (`rollout` by default). */
async function served(db: FlagsDb, key: string, share?: number): Promise<void> {
  const flag = (await getFlag(db, key))!;
  const fraction = (share ?? flag.rolloutPercentage) / 100;
  await heartbeat(db, `web-${key}`, flag.version);
  await db.query(
    `insert into ${db.ident}.exposures
       (flag_key, instance_id, flag_version, window_start, evaluations, enabled, allowlisted, subjects, subjects_enabled)
     values ($1, $2, $3, date_trunc('minute', now()), $4, $5, 0, $4, $5)`,
    [key, `web-${key}`, flag.version, SUBJECTS, Math.round(SUBJECTS * fraction)],
  );
}

/** One tick of `flagKey`'s ramp at `now`, judging the first read (no settle window). */
const quick = (flagKey: string, now: Date, extra: Partial<TickRampsOptions> = {}): TickRampsOptions => ({
  flagKey,
  now: () => now,
  check: { settleMs: 0 },
  ...extra,
});

async function auditActions(db: FlagsDb, key: string): Promise<string[]> {
  const entries = await listAudit(db, { flagKey: key, limit: 100 });
  return entries.reverse().map((e) => `${e.action}:${e.actor}`);
}

async function dump(db: FlagsDb): Promise<string> {
  const parts: string[] = [];
  for (const table of ['flags', 'audit', 'ramps', 'checkpoints', 'state']) {
    const { rows } = await db.query(`select * from ${db.ident}.${table} order by 1`);
    parts.push(JSON.stringify(rows));
  }
  return parts.join('\n');
}

let webhook: Server;
const posted: { text: string; checkpoint: { status: string } }[] = [];
beforeAll(async () => {
  webhook = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      posted.push(JSON.parse(body));
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  webhook.closeAllConnections();
  await new Promise((resolve) => webhook.close(resolve));
});
const webhookUrl = () => `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hook`;

forEachDatabase((getDb, ctx) => {
  // Instances are per schema, not per flag: each test starts with none.
  afterEach(async () => {
    await getDb().query(`delete from ${getDb().ident}.instances`);
  });

  it('advances 1 → 5 → 25 on PASS after each hold, then completes, explaining every step', async () => {
    const db = getDb();
    await seedFlag(db, 'r_advance');
    await updateFlag(db, 'r_advance', { rolloutPercentage: 0 }, { actor: 'goes' });
    const started = await startRamp(
      db,
      { flagKey: 'r_advance', steps: [1, 5, 25], holdMs: 30 * MIN },
      { actor: 'goes', reason: 'phase 2 rollout', now: T0 },
    );
    expect(started.moved).toEqual({ from: 0, to: 1 });
    expect((await getFlag(db, 'r_advance'))?.rolloutPercentage).toBe(1);
    await served(db, 'r_advance');

    const early = await tickRamps(db, quick('r_advance', at(29)));
    expect(early.results).toEqual([]);
    expect(early.nextCheckAt).toEqual(at(30));

    const first = await tickRamps(db, quick('r_advance', at(30)));
    expect(first.exitCode).toBe(0);
    expect(first.results.map((r) => r.outcome)).toEqual(['advanced']);
    expect(first.results[0]?.explanation).toMatch(
      /^advanced 1 % → 5 % at 2026-02-03 14:30:00Z after 30 min at 1 %: drift PASS, 1\/1 instances on version \d+, exposure 1 % \(interval [\d.]+–[\d.]+ %\)$/,
    );
    expect((await getFlag(db, 'r_advance'))?.rolloutPercentage).toBe(5);
    await served(db, 'r_advance');
    expect((await tickRamps(db, quick('r_advance', at(59)))).results).toEqual([]);
    expect((await tickRamps(db, quick('r_advance', at(60)))).results.map((r) => r.outcome)).toEqual([
      'advanced',
    ]);
    await served(db, 'r_advance');
    const last = await tickRamps(db, quick('r_advance', at(95)));
    expect(last.results.map((r) => r.outcome)).toEqual(['completed']);
    expect(last.results[0]?.explanation).toMatch(
      /^completed at 25 % at 2026-02-03 15:35:00Z after 35 min at 25 %/,
    );
    expect(last.inProgress).toBe(0);

    const ramp = await getRamp(db, 'r_advance');
    expect(ramp?.state).toBe('completed');
    expect(ramp?.history.map((h) => `${h.decision}@${h.percent}:${h.status}`)).toEqual([
      'started@1:null',
      'advanced@1:PASS',
      'advanced@5:PASS',
      'completed@25:PASS',
    ]);
    const checkpoints = await listCheckpoints(db, { flagKey: 'r_advance' });
    expect(checkpoints.map((c) => `${c.phase}/${c.label} ${c.status}`)).toEqual([
      'ramp_25pct/ramp PASS',
      'ramp_5pct/ramp PASS',
      'ramp_1pct/ramp PASS',
    ]);
    expect(ramp?.history.slice(1).map((h) => h.checkpointId)).toEqual(checkpoints.map((c) => c.id).reverse());
    expect((await auditActions(db, 'r_advance')).slice(3)).toEqual([
      'update:goes',
      'ramp.start:goes',
      'update:ramp',
      'ramp.advance:ramp',
      'update:ramp',
      'ramp.advance:ramp',
      'ramp.complete:ramp',
    ]);
  });

  it('holds without enough exposure data, on WARN, and pauses after 3 in a row', async () => {
    const db = getDb();
    await seedFlag(db, 'r_hold');
    await startRamp(
      db,
      {
        flagKey: 'r_hold',
        steps: [1, 5],
        holdMs: 10 * MIN,
        guards: [{ name: 'check_latency', command: 'echo "WARNING: p99 480 ms"; exit 1' }],
      },
      { actor: 'goes', now: T0 },
    );
    const starved = await tickRamps(db, quick('r_hold', at(10)));
    expect(starved.exitCode).toBe(1);
    expect(starved.results[0]?.outcome).toBe('held');
    expect(starved.results[0]?.explanation).toContain(
      'held at 1 % at 2026-02-03 14:10:00Z (check 1 of 3 without PASS)',
    );
    expect(starved.results[0]?.explanation).toContain('guard `check_latency` WARNING: p99 480 ms');
    expect(starved.results[0]?.explanation).toContain('exposure not enough data');
    await served(db, 'r_hold');
    // A hold is re-checked at the next tick, not after another hold.
    expect((await tickRamps(db, quick('r_hold', at(11)))).results[0]?.outcome).toBe('held');
    const third = await tickRamps(db, quick('r_hold', at(12)));
    expect(third.results[0]?.outcome).toBe('paused');
    expect(third.results[0]?.explanation).toMatch(
      /^paused at 1 % at 2026-02-03 14:12:00Z after 3 checks in a row without PASS: guard `check_latency` WARNING: p99 480 ms$/,
    );
    expect(third.results[0]?.checkpoint?.status).toBe('WARN');
    expect((await getFlag(db, 'r_hold'))?.rolloutPercentage).toBe(1);
    expect((await tickRamps(db, quick('r_hold', at(60)))).results).toEqual([]);
    expect((await getRamp(db, 'r_hold'))?.state).toBe('paused');
  });

  it('rolls back to the previous step when a guard fails at 25 %, and notifies the webhook', async () => {
    const db = getDb();
    await seedFlag(db, 'r_guard');
    const guard = `if [ "$KAVIAR_RAMP_PERCENT" = 25 ]; then echo "CRITICAL: 3.1 % errors"; exit 2; fi; echo "OK: 0.2 % errors"`;
    await startRamp(
      db,
      {
        flagKey: 'r_guard',
        steps: [1, 5, 25, 50],
        holdMs: 30 * MIN,
        guards: [{ name: 'check_error_rate', command: guard }],
      },
      { actor: 'goes', now: T0 },
    );
    await served(db, 'r_guard');
    const one = await tickRamps(db, quick('r_guard', at(30), { webhook: { url: webhookUrl() } }));
    expect(one.results[0]?.explanation).toMatch(/, guard `check_error_rate` OK: 0.2 % errors$/);
    expect(one.results[0]?.notification).toBeUndefined();
    await served(db, 'r_guard');
    await tickRamps(db, quick('r_guard', at(60)));
    await served(db, 'r_guard');
    const before = posted.length;
    const fail = await tickRamps(db, quick('r_guard', at(90), { webhook: { url: webhookUrl() } }));
    expect(fail.exitCode).toBe(2);
    expect(fail.results[0]?.outcome).toBe('rolled_back');
    expect(fail.results[0]?.explanation).toBe(
      'rolled back 25 % → 5 % at 2026-02-03 15:30:00Z: guard `check_error_rate` CRITICAL: 3.1 % errors',
    );
    expect((await getFlag(db, 'r_guard'))?.rolloutPercentage).toBe(5);
    expect((await getRamp(db, 'r_guard'))?.state).toBe('rolled_back');
    expect(fail.results[0]?.notification?.sent).toBe(true);
    const message = posted.slice(before).find((p) => p.text.includes('r_guard'));
    expect(message?.checkpoint.status).toBe('FAIL');
    expect(message?.text).toContain('FAIL ramp: rolled back 25 % → 5 %');
    expect(message?.text).toContain('FAIL guard:check_error_rate: CRITICAL: 3.1 % errors');
    const [rollback] = await listAudit(db, { flagKey: 'r_guard', limit: 2 });
    expect([rollback?.action, rollback?.actor]).toEqual(['ramp.rollback', 'ramp']);
  });

  it('rolls back on drift: the clients serve far more than the step says', async () => {
    const db = getDb();
    await seedFlag(db, 'r_drift');
    await startRamp(db, { flagKey: 'r_drift', steps: [1, 5], holdMs: MIN }, { actor: 'goes', now: T0 });
    await served(db, 'r_drift', 20);
    const result = await tickRamps(db, quick('r_drift', at(1)));
    expect(result.exitCode).toBe(2);
    expect(result.results[0]?.explanation).toMatch(
      /^rolled back 1 % → 0 % at 2026-02-03 14:01:00Z: exposures FAIL: observed 20 % .* is inconsistent with rollout 1 %/,
    );
    expect((await getFlag(db, 'r_drift'))?.rolloutPercentage).toBe(0);
  });

  it('pauses, never fights, when a person changes the flag: before the check and during it', async () => {
    const db = getDb();
    await seedFlag(db, 'r_human');
    await startRamp(db, { flagKey: 'r_human', steps: [1, 5, 25], holdMs: MIN }, { actor: 'goes', now: T0 });
    await updateFlag(db, 'r_human', { rolloutPercentage: 40 }, { actor: 'maria', reason: 'load test' });
    const before = await tickRamps(db, quick('r_human', at(1), { webhook: { url: webhookUrl() } }));
    expect(before.results[0]?.outcome).toBe('paused');
    expect(before.results[0]?.explanation).toMatch(
      /^paused: rollout set to 40 % by maria at \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ \(reason: "load test"\)$/,
    );
    expect(before.results[0]?.notification?.sent).toBe(true);
    expect((await getFlag(db, 'r_human'))?.rolloutPercentage).toBe(40);
    await expect(resumeRamp(db, 'r_human', { actor: 'goes', now: at(2) })).rejects.toThrow(RampStateError);

    // During the check: the flag changes while the check waits out its settle window.
    await updateFlag(db, 'r_human', { rolloutPercentage: 1 }, { actor: 'goes', reason: 'back to the step' });
    await resumeRamp(db, 'r_human', { actor: 'goes', now: at(2) });
    await served(db, 'r_human');
    const version = (await getFlag(db, 'r_human'))!.version;
    await heartbeat(db, 'web-behind', version - 1);
    const during = await tickRamps(db, {
      flagKey: 'r_human',
      now: () => at(3),
      check: {
        settleMs: 1,
        sleep: async () => {
          await updateFlag(db, 'r_human', { enabled: false }, { actor: 'ana', reason: 'incident 4521' });
        },
      },
    });
    await db.query(`delete from ${db.ident}.instances where id = 'web-behind'`);
    expect(during.results[0]?.outcome).toBe('paused');
    expect(during.results[0]?.explanation).toMatch(
      /^paused: switched off by ana at .* \(reason: "incident 4521"\)$/,
    );
    const flag = await getFlag(db, 'r_human');
    expect([flag?.enabled, flag?.rolloutPercentage]).toEqual([false, 1]);
    const actions = await auditActions(db, 'r_human');
    expect(actions.filter((a) => a.endsWith(':ramp'))).toEqual(['ramp.pause:ramp', 'ramp.pause:ramp']);
  });

  it('two concurrent tickers never double-advance: one audit row per transition', async () => {
    const db = getDb();
    await seedFlag(db, 'r_race');
    await startRamp(db, { flagKey: 'r_race', steps: [1, 5, 25], holdMs: MIN }, { actor: 'goes', now: T0 });
    await served(db, 'r_race');
    const other = await openDb(ctx.openOptions());
    try {
      const ticks = await Promise.all([
        tickRamps(db, quick('r_race', at(1))),
        tickRamps(other, quick('r_race', at(1))),
        tickRamps(db, quick('r_race', at(1))),
      ]);
      const outcomes = ticks.flatMap((t) => t.results.map((r) => r.outcome));
      expect(outcomes.filter((o) => o === 'advanced')).toHaveLength(1);
      expect(outcomes.filter((o) => o !== 'advanced' && o !== 'skipped')).toEqual([]);
    } finally {
      await other.close();
    }
    const actions = await auditActions(db, 'r_race');
    expect(actions.filter((a) => a === 'ramp.advance:ramp')).toHaveLength(1);
    expect(actions.filter((a) => a === 'update:ramp')).toHaveLength(1);
    expect((await getFlag(db, 'r_race'))?.rolloutPercentage).toBe(5);
    const checkpoints = await listCheckpoints(db, { flagKey: 'r_race' });
    expect(checkpoints.map((c) => [c.flagKey, c.phase, c.status])).toEqual([['r_race', 'ramp_1pct', 'PASS']]);
  });

  it('pause, resume and abort by an operator, audited and shown in the history', async () => {
    const db = getDb();
    await seedFlag(db, 'r_ops');
    await startRamp(db, { flagKey: 'r_ops', steps: [1, 5, 25], holdMs: MIN }, { actor: 'goes', now: T0 });
    await pauseRamp(db, 'r_ops', { actor: 'maria', reason: 'waiting for the release', now: at(0.5) });
    await expect(pauseRamp(db, 'r_ops', { actor: 'maria' })).rejects.toThrow(RampStateError);
    await served(db, 'r_ops');
    expect((await tickRamps(db, quick('r_ops', at(5)))).results).toEqual([]);
    const resumed = await resumeRamp(db, 'r_ops', { actor: 'maria', now: at(10) });
    expect([resumed.state, resumed.nextCheckAt]).toEqual(['active', at(11)]);
    expect((await tickRamps(db, quick('r_ops', at(10.5)))).results).toEqual([]);
    expect((await tickRamps(db, quick('r_ops', at(11)))).results[0]?.outcome).toBe('advanced');
    const aborted = await abortRamp(db, 'r_ops', { actor: 'maria', reason: 'feature dropped', now: at(12) });
    expect(aborted.state).toBe('aborted');
    expect(aborted.explanation).toBe(
      'aborted at 5 % by maria at 2026-02-03 14:12:00Z (reason: "feature dropped"); the rollout is left as it is',
    );
    expect((await tickRamps(db, quick('r_ops', at(99)))).results).toEqual([]);
    expect((await getFlag(db, 'r_ops'))?.rolloutPercentage).toBe(5);
    expect((await auditActions(db, 'r_ops')).filter((a) => a.startsWith('ramp.'))).toEqual([
      'ramp.start:goes',
      'ramp.pause:maria',
      'ramp.resume:maria',
      'ramp.advance:ramp',
      'ramp.abort:maria',
    ]);
    // A new ramp may start once the old one is over.
    await startRamp(db, { flagKey: 'r_ops', steps: [5, 10], holdMs: MIN }, { actor: 'goes', now: at(13) });
  });

  describe('bad input writes nothing', () => {
    it.each([
      ['steps 5,1', { steps: [5, 1] }, /strictly increasing/],
      ['steps 1,150', { steps: [1, 150] }, /steps\[1\]/],
      ['steps 0,5', { steps: [0, 5] }, /above 0/],
      ['hold 0', { holdMs: 0 }, /holdMs/],
      ['phases of the wrong length', { phases: ['a'] }, /phases/],
    ])('%s', async (_name, change, message) => {
      const db = getDb();
      if (!(await getFlag(db, 'r_bad'))) await seedFlag(db, 'r_bad');
      const state = await dump(db);
      await expect(
        startRamp(db, { flagKey: 'r_bad', steps: [1, 5], holdMs: MIN, ...change }, { actor: 'goes' }),
      ).rejects.toThrow(InvalidRampError);
      await expect(
        startRamp(db, { flagKey: 'r_bad', steps: [1, 5], holdMs: MIN, ...change }, { actor: 'goes' }),
      ).rejects.toThrow(message);
      expect(await dump(db)).toBe(state);
    });

    it('a second ramp on the same flag', async () => {
      const db = getDb();
      await seedFlag(db, 'r_dup');
      await startRamp(db, { flagKey: 'r_dup', steps: [1, 5], holdMs: MIN }, { actor: 'goes' });
      const state = await dump(db);
      await expect(
        startRamp(db, { flagKey: 'r_dup', steps: [2, 5], holdMs: MIN }, { actor: 'goes' }),
      ).rejects.toThrow(RampExistsError);
      expect(await dump(db)).toBe(state);
    });

    it('a start whose expected rollout is stale (compare-and-set)', async () => {
      const db = getDb();
      await seedFlag(db, 'r_stale');
      const state = await dump(db);
      await expect(
        startRamp(
          db,
          { flagKey: 'r_stale', steps: [2, 5], holdMs: MIN },
          { actor: 'goes', expectRollout: 0 },
        ),
      ).rejects.toThrow(ConflictError);
      expect(await dump(db)).toBe(state);
    });

    it('a dry run checks everything and writes nothing', async () => {
      const db = getDb();
      await seedFlag(db, 'r_dry');
      const state = await dump(db);
      const plan = await startRamp(
        db,
        { flagKey: 'r_dry', steps: [2, 5], holdMs: MIN },
        { actor: 'goes', dryRun: true },
      );
      expect([plan.dryRun, plan.moved, plan.ramp.state]).toEqual([true, { from: 1, to: 2 }, 'active']);
      expect(await dump(db)).toBe(state);
    });
  });
});
