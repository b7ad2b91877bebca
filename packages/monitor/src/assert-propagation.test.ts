import { describe, expect, it } from 'vitest';
import {
  at,
  context,
  defaultOptions,
  flag,
  instance,
  observation,
  rolloutChange,
} from '../test/support/observations';
import { assertPropagation } from './assert-propagation';

// Version 10 set the rollout to 5 %, version 11 back to 1 % at T0 - 2 s.
const to5 = rolloutChange(1, 5, 10, at(-600_000), 'alice', 'load test');
const to1 = rolloutChange(5, 1, 11, at(-2_000), 'bob', 'rollback');
const current = flag({ version: 11, configVersion: 11, updatedAt: at(-2_000) });

describe('assertPropagation', () => {
  it('skips when no instance is live', () => {
    const read = observation({
      flag: current,
      instances: [instance({ lastSeenAt: at(-120_000), loadedVersion: 3 })],
    });
    const finding = assertPropagation(context({ first: read }));
    expect(finding?.status).toBe('SKIP');
    expect(finding?.message).toBe('no live instance to check: none sent a heartbeat in the last 60000 ms');
  });

  it('passes when every live instance serves the current version', () => {
    const read = observation({
      flag: current,
      instances: [instance({ loadedVersion: 11 }), instance({ id: 'web-2', loadedVersion: 12 })],
    });
    const finding = assertPropagation(context({ first: read, audit: [to1, to5] }));
    expect(finding).toMatchObject({
      status: 'PASS',
      message: 'all 2 live instances serve version 11 or later',
    });
    expect(finding?.notes).toBeUndefined();
  });

  it('asks for a re-read (WARN, not final) when an instance is behind at the first read', () => {
    const read = observation({ flag: current, instances: [instance({ id: 'web-2', loadedVersion: 10 })] });
    const finding = assertPropagation(context({ first: read, audit: [to1, to5], final: false }));
    expect(finding?.status).toBe('WARN');
    expect(finding?.message).toBe(
      '1 of 1 live instances behind version 11: web-2 (kaviar-backend@ip-10-0-0-7, pid 31) serves version 10 (rollout 5 %), last heartbeat 2026-02-03 13:26:02Z',
    );
  });

  it('passes with a note when the instance caught up inside the window (the seed false positive)', () => {
    const first = observation({ flag: current, instances: [instance({ id: 'web-2', loadedVersion: 10 })] });
    const last = observation({
      at: at(5_000),
      flag: current,
      instances: [instance({ id: 'web-2', loadedVersion: 11, lastSeenAt: at(4_000) })],
    });
    const finding = assertPropagation(context({ first, last, audit: [to1, to5] }));
    expect(finding?.status).toBe('PASS');
    expect(finding?.notes).toEqual([
      'web-2 (kaviar-backend@ip-10-0-0-7, pid 31) was serving version 10 (rollout 5 %) at 2026-02-03 13:26:03Z and caught up to version 11 by 2026-02-03 13:26:07Z',
    ]);
    expect(finding?.audit?.map((q) => q.version)).toEqual([11, 10]);
  });

  it('warns naming the instance that is still behind after the window, with the change it misses', () => {
    const behind = instance({ id: 'web-2', loadedVersion: 10, lastSeenAt: at(4_000) });
    const first = observation({ flag: current, instances: [instance(), behind] });
    const last = observation({
      at: at(5_000),
      flag: current,
      instances: [instance({ loadedVersion: 11, lastSeenAt: at(4_500) }), behind],
    });
    const finding = assertPropagation(context({ first, last, audit: [to1, to5] }));
    expect(finding?.status).toBe('WARN');
    expect(finding?.message).toBe(
      '1 of 2 live instances still behind version 11 after a 5000 ms settle window: web-2 (kaviar-backend@ip-10-0-0-7, pid 31) serves version 10 (rollout 5 %), last heartbeat 2026-02-03 13:26:07Z; current version 11 set by bob at 2026-02-03 13:26:01Z (reason: "rollback")',
    );
    expect(finding?.observed).toEqual({
      live: 2,
      behind: [{ id: 'web-2', loadedVersion: 10, lastSeenAt: '2026-02-03T13:26:07.000Z' }],
    });
  });

  it('says when a lagging instance has not reported since the change', () => {
    const silent = instance({ id: 'web-3', loadedVersion: 10, lastSeenAt: at(-10_000) });
    const finding = assertPropagation(
      context({ first: observation({ flag: current, instances: [silent] }), audit: [to1] }),
    );
    expect(finding?.status).toBe('WARN');
    expect(finding?.message).toContain('last heartbeat 2026-02-03 13:25:53Z, no heartbeat since the change');
  });

  it('allows maxPropagationMs after the change before warning', () => {
    const read = observation({ flag: current, instances: [instance({ id: 'web-2', loadedVersion: 10 })] });
    const options = { ...defaultOptions, maxPropagationMs: 30_000 };
    const finding = assertPropagation(context({ first: read, audit: [to1, to5], options }));
    expect(finding?.status).toBe('PASS');
    expect(finding?.notes?.[0]).toMatch(
      /web-2 .* serves version 10 .*; still within the allowed 30000 ms since the change$/,
    );
  });
});

describe('assertPropagation and instances that stopped without closing', () => {
  // Killed at T0 - 40 s (no close(), so no 'closed' heartbeat), before the change at T0 - 2 s.
  const dead = instance({ id: 'web-9', loadedVersion: 10, lastSeenAt: at(-40_000) });

  it('notes an instance silent since before the change for over two heartbeats as presumed gone, not a WARN', () => {
    const first = observation({ flag: current, instances: [instance({ loadedVersion: 11 }), dead] });
    const last = observation({ at: at(10_000), flag: current, instances: first.instances });
    const firstPass = assertPropagation(context({ first, audit: [to1, to5], final: false }));
    expect(firstPass?.status).toBe('PASS');
    const finding = assertPropagation(context({ first, last, audit: [to1, to5] }));
    expect(finding?.status).toBe('PASS');
    expect(finding?.message).toBe('all 1 live instances serve version 11 or later');
    expect(finding?.notes).toEqual([
      'web-9 (kaviar-backend@ip-10-0-0-7, pid 31) serves version 10 but has sent no heartbeat since 2026-02-03 13:25:23Z, before the change, for more than two 15000 ms heartbeat intervals: presumed gone (stopped without closing)',
    ]);
  });

  it('still warns about an instance that heartbeats but stays behind, next to a presumed-gone one', () => {
    const stuck = instance({ id: 'web-2', loadedVersion: 10, lastSeenAt: at(9_000) });
    const first = observation({ flag: current, instances: [dead, stuck] });
    const last = observation({ at: at(10_000), flag: current, instances: [dead, stuck] });
    const finding = assertPropagation(context({ first, last, audit: [to1, to5] }));
    expect(finding?.status).toBe('WARN');
    expect(finding?.message).toMatch(
      /^1 of 1 live instances still behind version 11 after a 10000 ms settle window: web-2 /,
    );
    expect(finding?.message).not.toContain('web-9');
    expect(finding?.notes?.[0]).toMatch(/^web-9 .* presumed gone/);
  });

  it('uses the heartbeat interval it is given', () => {
    const read = observation({ flag: current, instances: [dead] });
    const options = { ...defaultOptions, heartbeatIntervalMs: 30_000 };
    expect(assertPropagation(context({ first: read, audit: [to1], options }))?.status).toBe('WARN');
    expect(assertPropagation(context({ first: read, audit: [to1] }))).toMatchObject({
      status: 'SKIP',
      message: 'no live instance to check: every instance that sent a heartbeat is presumed gone',
    });
  });
});

describe('assertPropagation and instance states', () => {
  it('ignores closed instances and notes stale ones', () => {
    const read = observation({
      flag: current,
      instances: [
        instance({ id: 'web-1', loadedVersion: 11, state: 'stale', lastError: 'connection refused' }),
        instance({ id: 'web-9', loadedVersion: 3, state: 'closed' }),
      ],
    });
    const finding = assertPropagation(context({ first: read, audit: [to1] }));
    expect(finding?.status).toBe('PASS');
    expect(finding?.message).toBe('all 1 live instances serve version 11 or later');
    expect(finding?.notes).toEqual([
      'web-1 (kaviar-backend@ip-10-0-0-7, pid 31) reports its data stale (last error: connection refused)',
    ]);
  });
});
