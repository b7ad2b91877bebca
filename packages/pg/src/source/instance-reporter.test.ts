import type { ExposureCount, SourceStatus } from '@kaviar/flags-core';
import { describe, expect, it } from 'vitest';
import type { FlagsDb } from '../db';
import { InstanceReporter } from './instance-reporter';

/** A fake db recording statements; `hold()` makes the next statements wait for `release()`. */
function fakeDb() {
  const calls: { sql: string; params: readonly unknown[] }[] = [];
  let gate: Promise<void> | undefined;
  let open: (() => void) | undefined;
  let failures = 0;
  const db = {
    schema: 's',
    ident: '"s"',
    driver: 'pg',
    async query(sql: string, params: readonly unknown[] = []) {
      calls.push({ sql, params });
      if (gate) await gate;
      if (failures > 0) {
        failures--;
        throw new Error('connection lost');
      }
      return { rows: [] };
    },
  } as unknown as FlagsDb;
  return {
    db,
    calls,
    hold() {
      gate = new Promise((resolve) => {
        open = resolve;
      });
    },
    release() {
      gate = undefined;
      open?.();
    },
    failNext(n: number) {
      failures = n;
    },
  };
}

function reporter(
  db: FlagsDb,
  status: () => SourceStatus,
  takeExposures: () => ExposureCount[] = () => [],
  errors: Error[] = [],
) {
  return new InstanceReporter({
    instanceId: 'i-1',
    app: 'test',
    host: 'h',
    pid: 1,
    intervalMs: 60_000,
    heartbeat: true,
    countExposures: true,
    db: async () => db,
    status,
    takeExposures,
    onError: (error) => errors.push(error),
  });
}

const heartbeats = (calls: { sql: string; params: readonly unknown[] }[]) =>
  calls.filter((c) => c.sql.includes('.instances')).map((c) => c.params[4]);

describe('InstanceReporter', () => {
  it('a tick requested while a report is in flight runs once more after it, with the new status', async () => {
    const fake = fakeDb();
    let version = 1;
    const r = reporter(fake.db, () => ({ state: 'ready', version, origin: 'database', confirmedAt: 0 }));
    fake.hold();
    const first = r.tick();
    await Promise.resolve();
    await Promise.resolve();
    expect(heartbeats(fake.calls)).toEqual([1]); // in flight, status already read
    version = 2; // a change lands and asks for a report
    const second = r.tick();
    const third = r.tick(); // more requests meanwhile join the one queued run
    expect(third).toBe(second);
    fake.release();
    await first;
    await second;
    expect(heartbeats(fake.calls)).toEqual([1, 2]);
    await r.stop(false, 100);
  });

  it('stop(final) waits for a queued report, then reports closed', async () => {
    const fake = fakeDb();
    let version = 1;
    const r = reporter(fake.db, () => ({ state: 'ready', version, origin: 'database', confirmedAt: 0 }));
    fake.hold();
    void r.tick();
    await Promise.resolve();
    version = 2;
    void r.tick();
    const stopping = r.stop(true, 1000);
    fake.release();
    await stopping;
    const states = fake.calls.filter((c) => c.sql.includes('.instances')).map((c) => c.params.slice(4, 6));
    expect(states).toEqual([
      [1, 'ready'],
      [2, 'ready'],
      [2, 'closed'],
    ]);
  });

  it('flushes distinct-subject counts, and merges them (with the call counts) over a failed flush', async () => {
    const fake = fakeDb();
    const errors: Error[] = [];
    const batches: ExposureCount[][] = [
      [
        {
          flagKey: 'a',
          flagVersion: 3,
          evaluations: 10,
          enabled: 6,
          allowlisted: 1,
          subjects: 4,
          subjectsEnabled: 2,
        },
      ],
      [
        {
          flagKey: 'a',
          flagVersion: 3,
          evaluations: 5,
          enabled: 5,
          allowlisted: 0,
          subjects: 3,
          subjectsEnabled: 3,
        },
        {
          flagKey: 'b',
          flagVersion: 1,
          evaluations: 1,
          enabled: 0,
          allowlisted: 0,
          subjects: 1,
          subjectsEnabled: 0,
        },
      ],
    ];
    const r = new InstanceReporter({
      instanceId: 'i-1',
      app: 'test',
      host: 'h',
      pid: 1,
      intervalMs: 60_000,
      heartbeat: false,
      countExposures: true,
      db: async () => fake.db,
      status: () => ({ state: 'ready', version: 3, origin: 'database', confirmedAt: 0 }),
      takeExposures: () => batches.shift() ?? [],
      onError: (error) => errors.push(error),
    });
    fake.failNext(1);
    await r.tick();
    expect(errors.map((e) => e.message)).toEqual(['connection lost']);
    await r.tick();
    const flushes = fake.calls.filter((c) => c.sql.includes('.exposures'));
    expect(flushes).toHaveLength(2);
    const last = flushes[1]!;
    expect(last.sql).toMatch(/subjects = exposures\.subjects \+ excluded\.subjects/);
    expect(last.sql).toMatch(/subjects_enabled = exposures\.subjects_enabled \+ excluded\.subjects_enabled/);
    // [instance, keys, versions, evaluations, enabled, allowlisted, subjects, subjectsEnabled]
    expect(last.params).toEqual(['i-1', ['a', 'b'], [3, 1], [15, 1], [11, 0], [1, 0], [7, 1], [5, 0]]);
    await r.tick();
    expect(fake.calls.filter((c) => c.sql.includes('.exposures'))).toHaveLength(2); // nothing left pending
  });
});
