import { afterEach, describe, expect, it } from 'vitest';
import { forEachDatabase } from '../../../test/support/databases';
import { guardLeaks } from '../../../test/support/leaks';
import { checkFlag, exitCodeFor } from '../src/index';
import { exposures, heartbeat, hhmmss, seedFlag, setRollout, versionOf } from './seed';

const expect1 = { enabled: true, rolloutPercentage: 1, allowlistSize: 12 };

guardLeaks();

forEachDatabase((getDb) => {
  afterEach(async () => {
    await getDb().query(`delete from ${getDb().ident}.instances`);
  });

  it('1. passes a flag at 1 % with 12 allowlisted passengers', async () => {
    const db = getDb();
    const passengers = await seedFlag(db, 'seed_pass');
    const checkpoint = await checkFlag(db, 'seed_pass', {
      expect: { ...expect1, allowlistIncludes: passengers.slice(0, 3) },
      phase: 'phase2_rollout',
      label: 'manual',
      settleMs: 50,
    });
    expect(checkpoint.status).toBe('PASS');
    expect(exitCodeFor(checkpoint.status)).toBe(0);
    expect(checkpoint.configVersion).toBe(await versionOf(db));
    expect(checkpoint.findings.map((f) => [f.name, f.status, f.message])).toEqual([
      ['exists', 'PASS', `flag seed_pass exists at version ${checkpoint.configVersion}`],
      ['enabled', 'PASS', 'enabled is true'],
      ['rollout', 'PASS', 'rollout_percentage is 1 %'],
      ['allowlist', 'PASS', 'allowlist has 12 subjects and includes the 3 required members'],
      ['propagation', 'SKIP', 'no live instance to check: none sent a heartbeat in the last 60000 ms'],
      [
        'exposures',
        'SKIP',
        `not enough data: no non-allowlisted subjects since version ${checkpoint.configVersion}`,
      ],
    ]);
  });

  it('2. fails when someone set 5 %, naming the actor, the time and the reason', async () => {
    const db = getDb();
    await seedFlag(db, 'seed_fail');
    const change = await setRollout(db, 'seed_fail', 5, 'alice', 'more traffic for the load test');
    let slept = 0;
    const checkpoint = await checkFlag(db, 'seed_fail', {
      expect: expect1,
      settleMs: 40,
      sleep: async () => {
        slept++;
      },
    });
    expect(slept).toBe(1);
    expect(checkpoint.status).toBe('FAIL');
    expect(exitCodeFor(checkpoint.status)).toBe(2);
    const rollout = checkpoint.findings.find((f) => f.name === 'rollout');
    expect(rollout?.status).toBe('FAIL');
    expect(rollout?.message).toMatch(
      new RegExp(
        `^rollout_percentage is 5 %, expected 1 %: set from 1 % to 5 % by alice at ${hhmmss(change.at)} ` +
          `\\(reason: "more traffic for the load test"\\); still 5 % when re-read \\d+ ms later$`,
      ),
    );
    expect(rollout?.audit).toEqual([
      {
        action: 'update',
        actor: 'alice',
        reason: 'more traffic for the load test',
        at: change.at.toISOString(),
        version: change.version,
        before: { enabled: true, rolloutPercentage: 1, description: '' },
        after: { enabled: true, rolloutPercentage: 5, description: '' },
      },
    ]);
  });

  it('3. warns "drifted and reverted" when 1 % → 5 % → 1 % inside the settle window', async () => {
    const db = getDb();
    await seedFlag(db, 'seed_revert');
    const up = await setRollout(db, 'seed_revert', 5, 'alice', 'try 5 %');
    let down: Awaited<ReturnType<typeof setRollout>> | undefined;
    const checkpoint = await checkFlag(db, 'seed_revert', {
      expect: expect1,
      settleMs: 40,
      sleep: async () => {
        down = await setRollout(db, 'seed_revert', 1, 'bob', 'back to 1 %');
      },
    });
    expect(down).toBeDefined();
    expect(checkpoint.status).toBe('WARN');
    expect(exitCodeFor(checkpoint.status)).toBe(1);
    const rollout = checkpoint.findings.find((f) => f.name === 'rollout');
    expect(rollout?.status).toBe('WARN');
    expect(rollout?.message).toBe(
      `rollout_percentage drifted and reverted: was 5 % from ${hhmmss(up.at)} to ${hhmmss(down?.at ?? new Date(0))}; now 1 % as expected`,
    );
    expect(rollout?.notes).toEqual([
      `set to 5 % by alice at ${hhmmss(up.at)} (reason: "try 5 %")`,
      `set to 1 % by bob at ${hhmmss(down?.at ?? new Date(0))} (reason: "back to 1 %")`,
    ]);
    expect(checkpoint.configVersion).toBe(down?.version);
  });

  describe('4. an instance still serving the old 5 % version', () => {
    it('passes with a note when it catches up inside the window (the seed false positive)', async () => {
      const db = getDb();
      await seedFlag(db, 'seed_lag');
      const up = await setRollout(db, 'seed_lag', 5, 'alice', 'try 5 %');
      const down = await setRollout(db, 'seed_lag', 1, 'alice', 'back to 1 %');
      await heartbeat(db, 'web-1', down.version ?? 0);
      await heartbeat(db, 'web-2', up.version ?? 0, 'ip-10-0-0-8');
      const checkpoint = await checkFlag(db, 'seed_lag', {
        expect: expect1,
        settleMs: 40,
        sleep: async () => {
          await heartbeat(db, 'web-2', down.version ?? 0, 'ip-10-0-0-8');
        },
      });
      expect(checkpoint.status).toBe('PASS');
      const propagation = checkpoint.findings.find((f) => f.name === 'propagation');
      expect(propagation?.status).toBe('PASS');
      expect(propagation?.message).toBe(`all 2 live instances serve version ${down.version} or later`);
      expect(propagation?.notes).toHaveLength(1);
      expect(propagation?.notes?.[0]).toMatch(
        new RegExp(
          `^web-2 \\(kaviar-backend@ip-10-0-0-8, pid 31\\) was serving version ${up.version} \\(rollout 5 %\\) at .* and caught up to version ${down.version} by `,
        ),
      );
    });

    it('warns naming the instance when it never catches up', async () => {
      const db = getDb();
      await seedFlag(db, 'seed_stuck');
      const up = await setRollout(db, 'seed_stuck', 5, 'alice', 'try 5 %');
      const down = await setRollout(db, 'seed_stuck', 1, 'bob', 'back to 1 %');
      await heartbeat(db, 'web-1', down.version ?? 0);
      await heartbeat(db, 'web-2', up.version ?? 0, 'ip-10-0-0-8');
      const checkpoint = await checkFlag(db, 'seed_stuck', { expect: expect1, settleMs: 40 });
      expect(checkpoint.status).toBe('WARN');
      const propagation = checkpoint.findings.find((f) => f.name === 'propagation');
      expect(propagation?.status).toBe('WARN');
      expect(propagation?.message).toMatch(
        new RegExp(
          `^1 of 2 live instances still behind version ${down.version} after a \\d+ ms settle window: ` +
            `web-2 \\(kaviar-backend@ip-10-0-0-8, pid 31\\) serves version ${up.version} \\(rollout 5 %\\), last heartbeat .*; ` +
            `current version ${down.version} set by bob at ${hhmmss(down.at)} \\(reason: "back to 1 %"\\)$`,
        ),
      );
      expect(checkpoint.findings.find((f) => f.name === 'rollout')?.status).toBe('PASS');
    });
  });

  describe('5. exposure share', () => {
    it('fails when 5 % of 50,000 non-allowlisted passengers got a 1 % flag', async () => {
      const db = getDb();
      await seedFlag(db, 'share_high');
      await exposures(
        db,
        'share_high',
        { evaluations: 30_000 + 7, enabled: 1_500 + 7, allowlisted: 7 },
        'web-1',
      );
      await exposures(
        db,
        'share_high',
        { evaluations: 20_000 + 5, enabled: 1_000 + 5, allowlisted: 5 },
        'web-2',
      );
      const checkpoint = await checkFlag(db, 'share_high', { expect: expect1, settleMs: 0 });
      expect(checkpoint.status).toBe('FAIL');
      const finding = checkpoint.findings.find((f) => f.name === 'exposures');
      expect(finding?.status).toBe('FAIL');
      expect(finding?.message).toBe(
        'observed 5 % (2500 of 50000 non-allowlisted subjects in 2 instance-minute windows) is inconsistent with rollout 1 %: the 99.9 % quasi-binomial Wilson score interval [4.568 %, 5.471 %] on an effective sample of 25255 subjects (windows may share subjects) excludes 1 % (two-sided test)',
      );
      expect(finding?.observed).toMatchObject({
        evaluations: 50_012,
        enabled: 2_512,
        allowlisted: 12,
        instances: 2,
      });
    });

    it('passes 1.1 % of 10,000', async () => {
      const db = getDb();
      await seedFlag(db, 'share_ok');
      await exposures(db, 'share_ok', { evaluations: 10_012, enabled: 122, allowlisted: 12 });
      const checkpoint = await checkFlag(db, 'share_ok', { expect: expect1, settleMs: 0 });
      expect(checkpoint.status).toBe('PASS');
      expect(checkpoint.findings.find((f) => f.name === 'exposures')?.message).toBe(
        'observed 1.1 % (110 of 10000 non-allowlisted subjects); its 99.9 % Wilson score interval [0.806 %, 1.5 %] contains the configured rollout 1 %',
      );
    });

    it('skips 30 samples, saying so', async () => {
      const db = getDb();
      await seedFlag(db, 'share_few');
      await exposures(db, 'share_few', { evaluations: 30, enabled: 1, allowlisted: 0 });
      const checkpoint = await checkFlag(db, 'share_few', { expect: expect1, settleMs: 0 });
      const finding = checkpoint.findings.find((f) => f.name === 'exposures');
      expect(finding?.status).toBe('SKIP');
      expect(finding?.message).toBe(
        'not enough data: 30 non-allowlisted subjects, need at least 1000 to test rollout 1 %',
      );
      expect(checkpoint.status).toBe('PASS');
    });

    it('ignores exposures counted under an older flag version', async () => {
      const db = getDb();
      await seedFlag(db, 'share_old');
      await setRollout(db, 'share_old', 5, 'alice', 'try 5 %');
      await exposures(db, 'share_old', { evaluations: 50_000, enabled: 2_500, allowlisted: 0 });
      await setRollout(db, 'share_old', 1, 'alice', 'back');
      const checkpoint = await checkFlag(db, 'share_old', { expect: expect1, settleMs: 0 });
      expect(checkpoint.findings.find((f) => f.name === 'exposures')?.status).toBe('SKIP');
      expect(checkpoint.status).toBe('PASS');
    });
  });

  it('fails a missing flag', async () => {
    const checkpoint = await checkFlag(getDb(), 'no_such_flag', { expect: expect1, settleMs: 0 });
    expect(checkpoint.status).toBe('FAIL');
    expect(checkpoint.configVersion).toBeNull();
    expect(checkpoint.findings).toHaveLength(1);
    expect(checkpoint.findings[0]?.message).toBe(
      'flag no_such_flag does not exist (no audit entry for it; check the key and the schema)',
    );
  });

  it('fails a missing flag at once, without waiting the settle window', async () => {
    const waits: number[] = [];
    const checkpoint = await checkFlag(getDb(), 'no_such_flag', {
      expect: expect1,
      settleMs: 60_000,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    expect(checkpoint.status).toBe('FAIL');
    expect(waits).toEqual([]);
  });

  it('still waits the settle window for a flag that exists but mismatches', async () => {
    const db = getDb();
    await seedFlag(db, 'settle_waits');
    const waits: number[] = [];
    await checkFlag(db, 'settle_waits', {
      expect: { ...expect1, rolloutPercentage: 50 },
      settleMs: 1234,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    expect(waits).toEqual([1234]);
  });
});
