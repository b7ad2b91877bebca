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
    exposures: true,
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
});
