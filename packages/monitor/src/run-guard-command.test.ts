import { readFileSync, rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { firstLine, guardEnvironment, guardName, runGuardCommand } from './run-guard-command';

const context = {
  flagKey: 'passenger_favorites_matching',
  step: 3,
  steps: [1, 5, 25, 50],
  percent: 25,
  nextPercent: 50,
  rollbackPercent: 5,
  phase: 'ramp_25pct',
};
const run = (command: string, timeoutMs?: number) =>
  runGuardCommand({ name: 'g', command }, context, timeoutMs === undefined ? {} : { timeoutMs });

/** Running (a killed process whose parent died may linger as a zombie until something reaps it). */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return process.platform !== 'linux';
  }
};

describe('runGuardCommand', () => {
  it.each([
    [0, 'PASS'],
    [1, 'WARN'],
    [2, 'FAIL'],
    [3, 'UNKNOWN'],
    [127, 'UNKNOWN'],
  ])('maps exit %i to %s (monitoring-plugin convention)', async (code, status) => {
    const finding = await run(`echo "STATUS: exit ${code}"; exit ${code}`);
    expect([finding.name, finding.status, finding.message]).toEqual([
      'guard:g',
      status,
      `STATUS: exit ${code}`,
    ]);
  });

  it('gives the command the flag, the step and the percentages', async () => {
    const finding = await run(
      'echo "OK $KAVIAR_FLAG $KAVIAR_RAMP_STEP/$KAVIAR_RAMP_STEPS at $KAVIAR_RAMP_PERCENT next $KAVIAR_RAMP_NEXT_PERCENT back $KAVIAR_RAMP_ROLLBACK_PERCENT $KAVIAR_RAMP_PHASE"',
    );
    expect(finding.message).toBe(
      'OK passenger_favorites_matching 3/1,5,25,50 at 25 next 50 back 5 ramp_25pct',
    );
    expect(guardEnvironment({ ...context, nextPercent: null }).KAVIAR_RAMP_NEXT_PERCENT).toBe('');
  });

  it('keeps the first line, drops performance data, falls back to stderr', async () => {
    expect((await run('printf "\\n  CRITICAL - 3.1 %% errors | rate=0.031\\nmore\\n"; exit 2')).message).toBe(
      'CRITICAL - 3.1 % errors',
    );
    const quiet = await run('echo "UNKNOWN: no Prometheus" >&2; exit 3');
    expect([quiet.status, quiet.message]).toEqual(['UNKNOWN', 'UNKNOWN: no Prometheus']);
    expect((await run('exit 1')).message).toBe('exited 1 with no output');
  });

  it('reads non-UTF-8 output with replacement characters and no control characters', async () => {
    const finding = await run("printf 'OK \\377\\376 caf\\303\\251 \\033[31mred\\033[0m\\001\\n'");
    expect(finding.status).toBe('PASS');
    expect(finding.message).toBe('OK \uFFFD\uFFFD café [31mred[0m');
    expect(JSON.parse(JSON.stringify(finding)).message).toBe(finding.message);
    expect(firstLine(Buffer.from([0xc3, 0x28, 0x0a]))).toBe('\uFFFD(');
  });

  it('kills a command that outlives its timeout, with everything it started: UNKNOWN', async () => {
    const started = Date.now();
    const finding = await run('echo "$$" ; sleep 30 & echo $! ; wait', 300);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(finding.status).toBe('UNKNOWN');
    expect(finding.message).toMatch(/^UNKNOWN: did not finish within 300 ms, killed \(last said: \d+\)$/);
    const { timedOut } = finding.observed as { timedOut: boolean };
    expect(timedOut).toBe(true);
  });

  it('kills the background children too', async () => {
    const pidFile = `/tmp/kaviar-guard-${process.pid}-${Date.now()}`;
    await run(`sleep 30 & echo $! > ${pidFile}; wait`, 300);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    rmSync(pidFile);
    expect(pid).toBeGreaterThan(0);
    for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
    expect(alive(pid)).toBe(false);
  });

  it('names a guard after its program', () => {
    expect(guardName('./scripts/check_error_rate --max 1')).toBe('check_error_rate');
    expect(guardName('/usr/lib/nagios/plugins/check_http -H api')).toBe('check_http');
    expect(guardName('check_latency.sh')).toBe('check_latency');
  });
});
