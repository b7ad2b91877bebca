import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { formatPercent } from '@kaviar/flags-core/internal';
import { type FlagsDb, getFlag, getRamp } from '@kaviar/flags-pg';
import type { CommandContext } from './command-spec';
import { passengerId, startDemoFleet } from './demo-fleet';
import { demoNarrator } from './demo-narrator';
import { EXIT_CODES } from './exit-codes';

/*
 * The guarded-ramp chapter of the demo: a ramp 1 % → 5 % → 25 % with second-long holds, real clients
 * serving the passengers between checks, a guard (an error-rate script speaking the monitoring-plugin
 * exit codes) that fails at 25 %, the automatic rollback to 5 %, and the ramp telling the story. Every
 * step prints the command an operator would type and runs exactly that command on the same database.
 */

const FLAG = 'passenger_favorites_matching';
/** What the ticks must exit with: advanced, advanced, rolled back. */
const EXPECTED_TICKS = [0, 0, 2];

/** How the chapter runs. */
export interface RampDemoOptions {
  readonly passengers: number;
  readonly instances: number;
  /** Folder for the guard script. */
  readonly dir: string;
}

// An error-rate check as a team would write it against Prometheus; here the new matching "breaks" at 25 %.
const GUARD = `#!/bin/sh
# Monitoring-plugin convention: exit 0 OK, 1 WARNING, 2 CRITICAL. The first line is the message.
case "$KAVIAR_RAMP_PERCENT" in
  1) echo "OK: 0.2 % errors among passengers in the rollout" ;;
  5) echo "OK: 0.3 % errors among passengers in the rollout" ;;
  *) echo "CRITICAL: 3.1 % errors among passengers in the rollout (limit 1 %)"; exit 2 ;;
esac
`;

/** Runs the chapter; resolves to the exit code of `kaviar-flags demo --ramp` (0 when it went as told). */
export async function runRampDemo(
  db: FlagsDb,
  ctx: CommandContext,
  options: RampDemoOptions,
): Promise<number> {
  const started = Date.now();
  const { printer } = ctx;
  const { say, kaviar } = demoNarrator(db, ctx);
  const guard = join(options.dir, 'check_error_rate');
  writeFileSync(guard, GUARD, { mode: 0o755 });
  const allowlist = join(options.dir, 'beta-passengers.txt');
  writeFileSync(allowlist, `${Array.from({ length: 12 }, (_, i) => passengerId(i + 1)).join('\n')}\n`);

  say(`1. ${FLAG} exists, switched on at 0 %, with 12 allowlisted passengers`);
  await kaviar(
    'create',
    FLAG,
    '--enabled',
    'true',
    '--rollout',
    '0',
    '--actor',
    'goes',
    '--reason',
    'new matching',
  );
  await kaviar('allowlist', 'import', FLAG, allowlist, '--actor', 'goes', '--reason', 'beta passengers');
  const fleet = await startDemoFleet(db, options.instances);
  const ticks: number[] = [];
  try {
    say('2. Declare the ramp once: 1 % → 5 % → 25 %, each step held 1 s, guarded by an error-rate check');
    await kaviar(
      'ramp',
      'start',
      FLAG,
      '--steps',
      '1,5,25',
      '--hold',
      '1s',
      '--guard',
      guard,
      '--actor',
      'goes',
      '--reason',
      'phase 2 rollout',
      '--yes',
    );
    let total = 0;
    for (let round = 1; round <= EXPECTED_TICKS.length; round++) {
      await fleet.sync();
      const flag = await getFlag(db, FLAG);
      const served = await fleet.evaluate(FLAG, options.passengers, () => undefined);
      total += served.passengers;
      await fleet.flushed(FLAG, total);
      say(
        `${round + 2}. ${options.instances} instances serve ${options.passengers.toLocaleString('en-US')} passengers at ${formatPercent(flag?.rolloutPercentage)} ` +
          `(${served.byRollout.toLocaleString('en-US')} by rollout); once the hold is over, cron runs the tick`,
      );
      const ramp = await getRamp(db, FLAG);
      const due = ramp?.nextCheckAt ? ramp.nextCheckAt.getTime() - ctx.now() : 0;
      if (due > 0) await sleep(due);
      const code = await kaviar('ramp', 'tick', '--settle', '0');
      ticks.push(code);
      if (code !== EXIT_CODES.OK) break;
    }
    await fleet.sync();
  } finally {
    await fleet.close();
  }
  say(`${ticks.length + 3}. The ramp tells its story, and the audit log shows every step`);
  await kaviar('ramp', 'status', FLAG);
  await kaviar('history', FLAG, '--last', '9');
  const flag = await getFlag(db, FLAG);
  const ok =
    ticks.length === EXPECTED_TICKS.length &&
    ticks.every((code, i) => code === EXPECTED_TICKS[i]) &&
    flag?.rolloutPercentage === 5;
  const ramp = await getRamp(db, FLAG);
  const seconds = Number(((Date.now() - started) / 1000).toFixed(1));
  if (printer.json) {
    printer.printJson({ ok, ticks, rolloutPercentage: flag?.rolloutPercentage, ramp, seconds });
  } else if (ok) {
    printer.line(
      printer.color.green(
        `Ramp demo done in ${seconds}s: advanced to 5 % and 25 % on PASS, rolled back to 5 % when the guard failed.`,
      ),
    );
  } else {
    printer.line(
      printer.color.red(
        `Ramp demo finished in ${seconds}s but the ticks exited ${ticks.join(', ')} (expected 0, 0, 2) with the rollout at ${formatPercent(flag?.rolloutPercentage)}.`,
      ),
    );
  }
  return ok ? EXIT_CODES.OK : EXIT_CODES.INTERNAL;
}
