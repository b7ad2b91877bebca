/**
 * ramp-runner [--watch] [--settle-ms=10000] [--guard-timeout-ms=30000] [--webhook=url] [--json]
 *
 * The guarded ramps' cron job: one pass over every ramp whose check is due (advance on PASS, hold on
 * WARN/UNKNOWN or too little data, roll back on FAIL), printing each decision in plain words. Safe to
 * run on several hosts at once: each ramp is checked by one of them. Exit codes: 0 every due ramp
 * advanced or completed (or none was due), 1 one holds or paused, 2 one rolled back, 3 could not check.
 * With `--watch` it keeps going until no ramp is active. Rollbacks and pauses are posted to
 * `--webhook` (or `KAVIAR_FLAGS_WEBHOOK`) as Slack-compatible text.
 *
 *   * * * * * cd /srv/ops && node --import tsx examples/scripts/src/ramp-runner.ts >> /var/log/ramps.log 2>&1
 */
import { parseArgs } from 'node:util';
import { type TickRampsResult, tickRamps } from '@kaviar/flags-monitor';
import type { FlagsDb } from '@kaviar/flags-pg';
import { connect } from './connect';
import { toError } from './to-error';

const usage =
  'usage: ramp-runner [--watch] [--settle-ms=<ms>] [--guard-timeout-ms=<ms>] [--webhook=<url>] [--json]';

function whole(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new Error(`--${name} must be a whole number of milliseconds, got ${value}`);
  return Number(value);
}

async function main(argv: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  let settleMs: number;
  let guardTimeoutMs: number;
  try {
    values = parseArgs({
      args: argv,
      options: {
        watch: { type: 'boolean' },
        'settle-ms': { type: 'string' },
        'guard-timeout-ms': { type: 'string' },
        webhook: { type: 'string' },
        json: { type: 'boolean' },
      },
    }).values;
    settleMs = whole('settle-ms', values['settle-ms'] as string | undefined, 10_000);
    guardTimeoutMs = whole('guard-timeout-ms', values['guard-timeout-ms'] as string | undefined, 30_000);
    if (guardTimeoutMs === 0) throw new Error('--guard-timeout-ms must be above 0');
  } catch (caught) {
    console.error(`ramp-runner: ${toError(caught).message}\n${usage}`);
    return 3;
  }
  const url = typeof values.webhook === 'string' ? values.webhook : process.env.KAVIAR_FLAGS_WEBHOOK;
  let db: FlagsDb | undefined;
  let worst: 0 | 1 | 2 | 3 = 0;
  const rank = { 0: 0, 1: 1, 3: 2, 2: 3 } as const;
  try {
    db = await connect();
    for (;;) {
      const tick: TickRampsResult = await tickRamps(db, {
        actor: 'ramp-runner',
        guardTimeoutMs,
        check: { settleMs },
        ...(url && { webhook: { url, format: 'slack' as const } }),
      });
      for (const result of tick.results) {
        if (values.json) console.log(JSON.stringify(result));
        else console.log(`${new Date().toISOString()} ${result.flagKey}: ${result.explanation}`);
      }
      if (rank[tick.exitCode] > rank[worst]) worst = tick.exitCode;
      if (!values.watch || tick.inProgress === 0) break;
      const wait = tick.nextCheckAt ? tick.nextCheckAt.getTime() - Date.now() : 5000;
      await new Promise((resolve) => setTimeout(resolve, Math.min(Math.max(wait, 100), 60_000)));
    }
  } catch (caught) {
    console.error(`ramp-runner: could not check the ramps: ${toError(caught).message}`);
    return 3;
  } finally {
    await db?.close();
  }
  return worst;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (caught: unknown) => {
    console.error(`ramp-runner: ${toError(caught).message}`);
    process.exitCode = 3;
  },
);
