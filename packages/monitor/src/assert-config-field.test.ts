import { describe, expect, it } from 'vitest';
import { at, audit, context, flag, observation, rolloutChange } from '../test/support/observations';
import { assertEnabled, assertRollout } from './assert-config-field';

describe('assertRollout', () => {
  it('does not apply when no rollout is expected', () => {
    expect(assertRollout(context())).toBeUndefined();
  });

  it('passes when the rollout is as expected', () => {
    const finding = assertRollout(context({ expect: { rolloutPercentage: 1 } }));
    expect(finding).toEqual({
      name: 'rollout',
      status: 'PASS',
      message: 'rollout_percentage is 1 %',
      expected: 1,
      observed: 1,
    });
  });

  it('fails on a mismatch and quotes who set it, when and why', () => {
    const change = rolloutChange(1, 5, 11, at(-30_000), 'alice', 'load test');
    const read = observation({ flag: flag({ rolloutPercentage: 5, version: 11, configVersion: 11 }) });
    const finding = assertRollout(
      context({ first: read, audit: [change], expect: { rolloutPercentage: 1 } }),
    );
    expect(finding?.status).toBe('FAIL');
    expect(finding?.message).toBe(
      'rollout_percentage is 5 %, expected 1 %: set from 1 % to 5 % by alice at 2026-02-03 13:25:33Z (reason: "load test")',
    );
    expect(finding?.observed).toBe(5);
    expect(finding?.audit).toEqual([
      {
        action: 'update',
        actor: 'alice',
        reason: 'load test',
        at: '2026-02-03T13:25:33.000Z',
        version: 11,
        before: { enabled: true, rolloutPercentage: 1, description: '' },
        after: { enabled: true, rolloutPercentage: 5, description: '' },
      },
    ]);
  });

  it('says a flag was created at its current value, not "set from undefined"', () => {
    const create = audit({
      version: 11,
      at: at(-30_000),
      actor: 'alice',
      action: 'create',
      reason: 'new flag',
      before: null,
      after: { enabled: true, rolloutPercentage: 5, description: '' },
    });
    const read = observation({ flag: flag({ rolloutPercentage: 5, version: 11, configVersion: 11 }) });
    const finding = assertRollout(
      context({ first: read, audit: [create], expect: { rolloutPercentage: 1 } }),
    );
    expect(finding?.message).toBe(
      'rollout_percentage is 5 %, expected 1 %: created at 5 % by alice at 2026-02-03 13:25:33Z (reason: "new flag")',
    );
    expect(finding?.audit?.[0]?.action).toBe('create');
  });

  it('says when a persisting mismatch was re-read', () => {
    const read = (ms: number) =>
      observation({ at: at(ms), flag: flag({ rolloutPercentage: 5, version: 11, configVersion: 11 }) });
    const finding = assertRollout(
      context({ first: read(0), last: read(2_000), audit: [], expect: { rolloutPercentage: 1 } }),
    );
    expect(finding?.status).toBe('FAIL');
    expect(finding?.message).toBe(
      'rollout_percentage is 5 %, expected 1 %: no audit entry records this change; still 5 % when re-read 2000 ms later',
    );
  });

  it('warns when the value drifted and came back between the reads (seed: 5 % then 1 %)', () => {
    const up = rolloutChange(1, 5, 11, at(-30_000), 'alice', 'load test');
    const down = rolloutChange(5, 1, 12, at(38_000), 'bob', 'rollback');
    const first = observation({ flag: flag({ rolloutPercentage: 5, version: 11, configVersion: 11 }) });
    const last = observation({
      at: at(40_000),
      flag: flag({ rolloutPercentage: 1, version: 12, configVersion: 12 }),
    });
    const finding = assertRollout(
      context({ first, last, audit: [down, up], expect: { rolloutPercentage: 1 } }),
    );
    expect(finding?.status).toBe('WARN');
    expect(finding?.message).toBe(
      'rollout_percentage drifted and reverted: was 5 % from 2026-02-03 13:25:33Z to 2026-02-03 13:26:41Z; now 1 % as expected',
    );
    expect(finding?.notes).toEqual([
      'set to 5 % by alice at 2026-02-03 13:25:33Z (reason: "load test")',
      'set to 1 % by bob at 2026-02-03 13:26:41Z (reason: "rollback")',
    ]);
    expect(finding?.audit?.map((q) => q.actor)).toEqual(['alice', 'bob']);
  });

  it('warns when the audit log shows a round trip between two reads that both saw 1 %', () => {
    const up = rolloutChange(1, 5, 11, at(5_000), 'alice', null);
    const down = rolloutChange(5, 1, 12, at(20_000), 'bob', 'oops');
    const first = observation();
    const last = observation({ at: at(30_000), flag: flag({ version: 12, configVersion: 12 }) });
    const finding = assertRollout(
      context({ first, last, audit: [down, up], expect: { rolloutPercentage: 1 } }),
    );
    expect(finding?.status).toBe('WARN');
    expect(finding?.message).toBe(
      'rollout_percentage drifted and reverted: was 5 % from 2026-02-03 13:26:08Z to 2026-02-03 13:26:23Z; now 1 % as expected',
    );
  });

  it('ignores changes before the first read when the first read already matched', () => {
    const up = rolloutChange(1, 5, 9, at(-90_000));
    const down = rolloutChange(5, 1, 10, at(-60_000));
    const finding = assertRollout(context({ audit: [down, up], expect: { rolloutPercentage: 1 } }));
    expect(finding?.status).toBe('PASS');
  });
});

describe('assertEnabled', () => {
  it('fails when the flag was switched off, quoting the change', () => {
    const off = audit({
      version: 11,
      at: at(-5_000),
      actor: 'carla',
      reason: 'incident 42',
      before: { enabled: true, rolloutPercentage: 1 },
      after: { enabled: false, rolloutPercentage: 1 },
    });
    const read = observation({ flag: flag({ enabled: false, version: 11, configVersion: 11 }) });
    const finding = assertEnabled(context({ first: read, audit: [off], expect: { enabled: true } }));
    expect(finding?.status).toBe('FAIL');
    expect(finding?.message).toBe(
      'enabled is false, expected true: set from true to false by carla at 2026-02-03 13:25:58Z (reason: "incident 42")',
    );
  });

  it('reads snake_case audit states too', () => {
    const change = audit({
      version: 11,
      at: at(-5_000),
      before: { rollout_percentage: '1.00' },
      after: { rollout_percentage: '5.00' },
    });
    const read = observation({ flag: flag({ rolloutPercentage: 5, version: 11, configVersion: 11 }) });
    const finding = assertRollout(
      context({ first: read, audit: [change], expect: { rolloutPercentage: 1 } }),
    );
    expect(finding?.message).toContain('set from 1 % to 5 % by goes');
  });
});
