import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatShare } from '@kaviar/flags-core/internal';
import type { FlagsDb } from '@kaviar/flags-pg';
import type { CommandContext } from './command-spec';
import { type EvaluationRound, passengerId, startDemoFleet } from './demo-fleet';
import { demoNarrator } from './demo-narrator';
import { shellQuote } from './render-ops-snapshot-text';

/*
 * The seed's story, end to end, on real clients and the real commands: a flag at 1 % with 12
 * allowlisted passengers, a check that passes, a rollout bumped to 5 % by mistake, a check that fails
 * and names who did it, the rollback, a passing check, and the ops snapshot. Every step prints the
 * command an operator would type, then runs exactly that command in-process on the same database.
 */

/** How the demo runs. */
export interface DemoOptions {
  /** Passengers evaluated per round. */
  readonly passengers: number;
  /** Backend instances (flag clients). */
  readonly instances: number;
  /** Folder for the demo's files (allowlist, ops snapshot). */
  readonly dir: string;
}

/** The verdicts of the demo's three checks, in order, and where the snapshot went. */
export interface DemoResult {
  readonly checks: readonly { readonly label: string; readonly exitCode: number }[];
  readonly snapshotFile: string;
  readonly ms: number;
}

const FLAG = 'passenger_favorites_matching';
const EXPECTED_CHECKS = [0, 2, 0];

/** Runs the story; prints through `ctx.printer` (a null sink for `--json`). */
export async function runDemoStory(
  db: FlagsDb,
  ctx: CommandContext,
  options: DemoOptions,
): Promise<DemoResult> {
  const started = Date.now();
  const { printer } = ctx;
  const { quiet, say, kaviar } = demoNarrator(db, ctx);
  const allowlistFile = join(options.dir, 'beta-passengers.txt');
  writeFileSync(allowlistFile, `${Array.from({ length: 12 }, (_, i) => passengerId(i + 1)).join('\n')}\n`);

  say(`1. phase2_rollout: create ${FLAG} at 1 %, with the 12 beta passengers of phase1_allowlist`);
  await kaviar(
    'create',
    FLAG,
    '--enabled',
    'true',
    '--rollout',
    '1',
    '--description',
    'Match passengers with their favourite drivers',
    '--actor',
    'goes',
    '--reason',
    'phase2_rollout: 1 %',
  );
  await kaviar(
    'allowlist',
    'import',
    FLAG,
    allowlistFile,
    '--actor',
    'goes',
    '--reason',
    'phase1_allowlist: beta passengers',
  );
  if (!quiet) {
    printer.line(
      `Done so far: ${FLAG} exists, enabled at 1 %, and the 12 beta passengers are allowlisted; no instance runs yet.`,
    );
    printer.line();
  }

  say(
    `2. Start ${options.instances} backend instances; they evaluate ${options.passengers.toLocaleString('en-US')} passengers`,
  );
  const fleet = await startDemoFleet(db, options.instances);
  const checks: { label: string; exitCode: number }[] = [];
  try {
    let total = 0;
    const round = async () => {
      await fleet.sync();
      const result = await fleet.evaluate(FLAG, options.passengers, (n) =>
        printer.progress(
          `evaluating passengers... ${n.toLocaleString('en-US')}/${options.passengers.toLocaleString('en-US')}`,
        ),
      );
      printer.progress(undefined);
      total += result.passengers;
      await fleet.flushed(FLAG, total);
      if (!quiet) printer.line(describeRound(result, options.instances));
      if (!quiet) printer.line();
    };
    await round();
    const check = async (phase: string, label: string, settle: string) => {
      const code = await kaviar(
        'check',
        FLAG,
        '--phase',
        phase,
        '--label',
        label,
        '--expect-rollout',
        '1',
        '--expect-enabled',
        '--expect-allowlist',
        '12',
        '--settle',
        settle,
        '--record',
      );
      checks.push({ label, exitCode: code });
    };
    say('3. Check phase2_rollout: the rollout is what the operator expects (PASS)');
    await check('phase2_rollout', 'smoke-test', '0');

    say('4. A deploy script sets 5 % by mistake; the instances pick it up');
    await kaviar(
      'set',
      FLAG,
      '--rollout',
      '5',
      '--yes',
      '--actor',
      'deploy-bot',
      '--reason',
      'synced from a stale config_json copy',
    );
    await round();

    say(
      '5. Check again: FAIL, naming who changed it and when (after re-reading, so it is not a transient state)',
    );
    await check('phase2_rollout', 'smoke-test-final', '1s');

    say('6. Roll back to 1 %, only if it is still 5 % (compare-and-set)');
    await kaviar(
      'set',
      FLAG,
      '--rollout',
      '1',
      '--expect-rollout',
      '5',
      '--actor',
      'goes',
      '--reason',
      'rollback: 5 % came from a stale config_json copy',
    );
    await round();

    say('7. Check phase2_rollout: PASS again');
    await check('phase2_rollout', 'final-check', '0');
  } finally {
    await fleet.close();
  }

  say('8. The ops snapshot, generated (Markdown, plus the JSON that `restore` reads)');
  const snapshotFile = join(options.dir, 'ops-snapshot.md');
  await kaviar('snapshot', '--out', snapshotFile);
  if (!quiet) {
    printer.line(printer.color.cyan(`$ cat ${shellQuote(snapshotFile)}`));
    printer.line(readFileSync(snapshotFile, 'utf8').trimEnd());
    printer.line();
  }
  await kaviar('status');
  if (!quiet)
    printer.line(
      printer.color.bold(
        `See the story in a browser: kaviar-flags dashboard ${demoDatabaseArgs(ctx, db.schema)}`,
      ),
    );
  return { checks, snapshotFile, ms: Date.now() - started };
}

/**
 * The options that name the demo's database in a command to paste after it: the schema unless it is the
 * default, and `--data-dir` unless the embedded database is the current directory's `./.kaviar-flags`.
 */
export function demoDatabaseArgs(ctx: CommandContext, schema: string): string {
  const args = schema === 'kaviar_flags' ? [] : ['--schema', schema];
  if (ctx.target.kind === 'embedded' && ctx.target.dir !== join(ctx.cwd, '.kaviar-flags')) {
    args.push('--data-dir', ctx.target.dir);
  }
  return args.map(shellQuote).join(' ');
}

function describeRound(r: EvaluationRound, instances: number): string {
  const rest = r.passengers - r.allowlisted;
  const share = formatShare(rest > 0 ? r.byRollout / rest : 0, 2);
  return (
    `${r.passengers.toLocaleString('en-US')} passengers evaluated on ${instances} instances: ` +
    `${r.enabled.toLocaleString('en-US')} got the feature (${r.allowlisted} allowlisted, ` +
    `${r.byRollout.toLocaleString('en-US')} by rollout = ${share} of the others); exposure counts flushed.`
  );
}

/** Whether the checks came out as the story says: PASS, FAIL, PASS. */
export function demoWentAsExpected(result: DemoResult): boolean {
  return (
    result.checks.length === EXPECTED_CHECKS.length &&
    result.checks.every((c, i) => c.exitCode === EXPECTED_CHECKS[i])
  );
}
