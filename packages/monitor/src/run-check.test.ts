import { describe, expect, it } from 'vitest';
import { at, defaultOptions, flag, observation, rolloutChange } from '../test/support/observations';
import type { Assertion } from './assertion';
import type { AuditEntry, Observation } from './observation';
import { builtinAssertions, type RunCheckOptions, runCheck } from './run-check';

function reader(reads: Observation[], audits: AuditEntry[][] = [[]]) {
  let observed = 0;
  let audited = 0;
  return {
    get reads() {
      return observed;
    },
    observe: async () => {
      const read = reads[Math.min(observed++, reads.length - 1)];
      if (!read) throw new Error('no read scripted');
      return read;
    },
    audit: async () => audits[Math.min(audited++, audits.length - 1)] ?? [],
  };
}

function options(overrides: Partial<RunCheckOptions> = {}): RunCheckOptions & { slept: number[] } {
  const slept: number[] = [];
  return {
    ...defaultOptions,
    flagKey: 'passenger_favorites_matching',
    phase: 'phase2_rollout',
    label: 'manual',
    expect: { enabled: true, rolloutPercentage: 1 },
    settleMs: 2_000,
    assertions: builtinAssertions,
    sleep: async (ms) => {
      slept.push(ms);
    },
    slept,
    ...overrides,
  };
}

const at5 = observation({ flag: flag({ rolloutPercentage: 5, version: 11, configVersion: 11 }) });
const at1 = observation({ at: at(2_000), flag: flag({ version: 12, configVersion: 12 }) });
const up = rolloutChange(1, 5, 11, at(-1_000), 'alice', 'try 5');
const down = rolloutChange(5, 1, 12, at(1_500), 'alice', 'back to 1');

describe('runCheck', () => {
  it('passes without waiting when the first read is clean', async () => {
    const source = reader([observation()]);
    const opts = options();
    const { checkpoint } = await runCheck(source, opts);
    expect(checkpoint.status).toBe('PASS');
    expect(checkpoint.findings.map((f) => `${f.name}:${f.status}`)).toEqual([
      'exists:PASS',
      'enabled:PASS',
      'rollout:PASS',
      'propagation:SKIP',
      'exposures:SKIP',
    ]);
    expect(opts.slept).toEqual([]);
    expect(source.reads).toBe(1);
    expect(checkpoint).toMatchObject({
      phase: 'phase2_rollout',
      label: 'manual',
      configVersion: 10,
      at: at(0),
    });
  });

  it('re-reads after settleMs and fails a mismatch that persisted', async () => {
    const source = reader([at5, { ...at5, at: at(2_000) }], [[up]]);
    const opts = options();
    const { checkpoint } = await runCheck(source, opts);
    expect(opts.slept).toEqual([2_000]);
    expect(source.reads).toBe(2);
    expect(checkpoint.status).toBe('FAIL');
    expect(checkpoint.findings.find((f) => f.name === 'rollout')?.message).toBe(
      'rollout_percentage is 5 %, expected 1 %: set from 1 % to 5 % by alice at 2026-02-03 13:26:02Z (reason: "try 5"); still 5 % when re-read 2000 ms later',
    );
  });

  it('warns when the mismatch reverted inside the settle window', async () => {
    const { checkpoint } = await runCheck(reader([at5, at1], [[up], [down, up]]), options());
    expect(checkpoint.status).toBe('WARN');
    expect(checkpoint.configVersion).toBe(12);
    expect(checkpoint.findings.find((f) => f.name === 'rollout')?.message).toBe(
      'rollout_percentage drifted and reverted: was 5 % from 2026-02-03 13:26:02Z to 2026-02-03 13:26:04Z; now 1 % as expected',
    );
  });

  it('judges the first read when settleMs is 0', async () => {
    const opts = options({ settleMs: 0 });
    const { checkpoint } = await runCheck(reader([at5, at1], [[up]]), opts);
    expect(checkpoint.status).toBe('FAIL');
    expect(opts.slept).toEqual([]);
  });

  it('is UNKNOWN with the cause when a read fails', async () => {
    const failing = {
      observe: async () => {
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
      },
      audit: async () => [],
    };
    const { checkpoint, readFailed } = await runCheck(failing, options());
    expect(readFailed).toBe(true);
    expect(checkpoint.status).toBe('UNKNOWN');
    expect(checkpoint.configVersion).toBeNull();
    expect(checkpoint.findings).toEqual([
      {
        name: 'database',
        status: 'UNKNOWN',
        message:
          'could not check passenger_favorites_matching: database unreachable: connect ECONNREFUSED 127.0.0.1:1',
        expected: 'a reachable database with the flags schema',
        observed: { code: 'ECONNREFUSED', cause: 'database unreachable: connect ECONNREFUSED 127.0.0.1:1' },
      },
    ]);
  });

  it('runs custom assertions and reports one that throws as UNKNOWN', async () => {
    const owner: Assertion = (ctx) => ({
      name: 'owner',
      status: ctx.last.flag?.updatedBy === 'goes' ? 'PASS' : 'WARN',
      message: `last changed by ${ctx.last.flag?.updatedBy}`,
      expected: 'goes',
      observed: ctx.last.flag?.updatedBy,
    });
    const broken: Assertion = function broken() {
      throw new Error('boom');
    };
    const { checkpoint } = await runCheck(
      reader([observation()]),
      options({ assertions: [...builtinAssertions, owner, broken] }),
    );
    expect(checkpoint.findings.slice(-2)).toEqual([
      { name: 'owner', status: 'PASS', message: 'last changed by goes', expected: 'goes', observed: 'goes' },
      {
        name: 'broken',
        status: 'UNKNOWN',
        message: 'assertion broken threw: boom',
        expected: null,
        observed: null,
      },
    ]);
    expect(checkpoint.status).toBe('UNKNOWN');
  });
});
