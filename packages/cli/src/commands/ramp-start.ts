import { describe as describeValue, formatDuration, formatPercent } from '@kaviar/flags-core/internal';
import { guardName } from '@kaviar/flags-monitor';
import { InvalidRampError, type NewRamp, startRamp, validateRamp } from '@kaviar/flags-pg';
import { describeSteps } from '@kaviar/flags-pg/internal';
import { UsageError } from '../cli-errors';
import { WRITE_OPTIONS } from '../command-helpers';
import { defineCommand } from '../command-spec';
import { isRiskyRollout } from '../confirm-change';
import { parseDurationArg, parseFlagKeyArg, parseIntegerArg, parseTextArg } from '../input-values';
import type { ParsedArgs } from '../parsed-args';
import { printRamp } from './ramp-print';

const list = (text: string) => text.split(',').map((part) => part.trim());

/** Ramp options shared by `ramp pause|resume|abort`: `--actor` is required, `--reason` optional. */
export function rampActorOf(args: ParsedArgs): { actor: string; reason?: string } {
  const actor = parseTextArg(args.required('actor'), 'actor', args.command, 200);
  const reason = args.string('reason');
  return reason === undefined
    ? { actor }
    : { actor, reason: parseTextArg(reason, 'reason', args.command, 1000) };
}

function parseRamp(args: ParsedArgs): NewRamp {
  const c = args.command;
  const flagKey = parseFlagKeyArg(args.positional(0, 'the flag key argument'), c);
  const stepsText = args.required('steps');
  const holdMs = parseDurationArg(args.required('hold'), 'hold', c);
  if (holdMs <= 0) throw new UsageError('--hold: must be longer than 0 (e.g. 30m)', c);
  const phases = args.string('phases');
  const rollback = args.string('rollback-to') ?? 'previous';
  if (rollback !== 'previous' && rollback !== '0') {
    throw new UsageError(`--rollback-to: ${JSON.stringify(rollback)} must be previous or 0`, c);
  }
  const maxHolds = args.string('max-holds');
  const names = new Map<string, number>();
  const guards = args.list('guard').map((command) => {
    const text = parseTextArg(command, 'guard', c, 4000);
    const base = guardName(text);
    const seen = (names.get(base) ?? 0) + 1;
    names.set(base, seen);
    return { name: seen === 1 ? base : `${base}-${seen}`, command: text };
  });
  const steps = list(stepsText);
  if (steps.some((s) => !/^\d+(\.\d+)?$/.test(s))) {
    throw new UsageError(
      `--steps: ${JSON.stringify(stepsText)} must be percentages separated by commas (1,5,25,50,100)`,
      c,
    );
  }
  const input: NewRamp = {
    flagKey,
    steps,
    holdMs,
    guards,
    rollbackTo: rollback === '0' ? 'zero' : 'previous',
    ...(phases !== undefined && { phases: list(phases) }),
    ...(maxHolds !== undefined && { maxHolds: parseIntegerArg(maxHolds, 'max-holds', c, 1) }),
  };
  try {
    validateRamp(input);
  } catch (caught) {
    if (!(caught instanceof InvalidRampError)) throw caught;
    const option = caught.field.startsWith('steps')
      ? 'steps'
      : caught.field.startsWith('phases')
        ? 'phases'
        : caught.field.startsWith('guards')
          ? 'guard'
          : caught.field;
    throw new UsageError(`--${option}: ${describeValue(caught.value)} ${caught.problem}`, c);
  }
  return input;
}

/** `kaviar-flags ramp start <flag>`: declares a guarded ramp. */
export const rampStartCommand = defineCommand({
  name: 'ramp start',
  summary: 'Start a guarded ramp: the rollout advances itself on PASS, holds on WARN, rolls back on FAIL',
  usage:
    '<flag> --steps 1,5,25,50,100 --hold 30m [--phases a,b,c] [--guard CMD]... [--rollback-to previous|0] [--max-holds N] --actor NAME --reason TEXT [--dry-run] [--yes]',
  options: {
    steps: {
      type: 'string',
      value: 'P,P,...',
      description: 'Rollout percentages, strictly increasing, above 0',
    },
    hold: {
      type: 'string',
      value: 'DURATION',
      description: 'How long each step is held before its check (30m, 1h)',
    },
    phases: {
      type: 'string',
      value: 'A,B,...',
      description: 'Checkpoint phase of each step (default ramp_<percent>pct)',
    },
    guard: {
      type: 'string',
      multiple: true,
      value: 'CMD',
      description: 'A shell command checked at each step: exit 0 OK, 1 WARNING, 2 CRITICAL, else UNKNOWN',
    },
    'rollback-to': {
      type: 'string',
      value: 'previous|0',
      description: 'Where a FAIL rolls back to (default previous: the step before)',
    },
    'max-holds': {
      type: 'string',
      value: 'N',
      description: 'Pause after N checks in a row without PASS (default 3)',
    },
    'dry-run': { type: 'boolean', description: 'Check everything and show the plan; write nothing' },
    yes: { type: 'boolean', description: 'Confirm moving the rollout to the first step now' },
    ...WRITE_OPTIONS,
    actor: {
      type: 'string',
      value: 'NAME',
      description: 'Who starts the ramp, for the audit log (required)',
    },
    reason: {
      type: 'string',
      value: 'TEXT',
      description: 'Why, for the audit log and the ramp’s story (required)',
    },
  },
  examples: [
    "kaviar-flags ramp start passenger_favorites_matching --steps 1,5,25,50,100 --hold 30m --guard './check_error_rate --max 1' --actor goes --reason 'phase 2 rollout' --yes",
    'kaviar-flags ramp start passenger_favorites_matching --steps 1,5,25 --hold 1h --phases phase2_rollout,phase3,phase4 --actor goes --reason "phase 2" --dry-run',
  ],
  notes: [
    'Checks run from `kaviar-flags ramp tick` (cron). A guard command gets KAVIAR_FLAG, KAVIAR_RAMP_STEP,',
    'KAVIAR_RAMP_STEPS, KAVIAR_RAMP_PERCENT, KAVIAR_RAMP_NEXT_PERCENT, KAVIAR_RAMP_ROLLBACK_PERCENT and',
    'KAVIAR_RAMP_PHASE; its first output line is quoted in the explanation. When the first step differs from',
    "the flag's rollout, start moves the rollout at once: when that move is risky (as for set), it asks on a terminal, or needs --yes (or --dry-run).",
    'A flag with a ramp in progress refuses a second one (exit 75); bad steps or hold exit 64. Nothing is written then.',
  ],
  parse(args) {
    args.maxPositionals(1);
    const ramp = parseRamp(args);
    if (args.flag('dry-run') && args.flag('yes')) {
      throw new UsageError('Give --dry-run or --yes, not both', args.command);
    }
    const reason = parseTextArg(args.required('reason'), 'reason', args.command, 1000);
    return {
      ramp,
      actor: rampActorOf(args).actor,
      reason,
      dryRun: args.flag('dry-run'),
      yes: args.flag('yes'),
    };
  },
  async run({ ramp, actor, reason, dryRun, yes }, ctx) {
    const db = await ctx.db();
    const now = new Date(ctx.now());
    const options = { actor, reason, now };
    const plan = await startRamp(db, ramp, { ...options, dryRun: true });
    // Moving the rollout now is a write like `set`: the same rule decides whether it needs confirming.
    if (plan.moved && !dryRun && !yes && isRiskyRollout(plan.moved.from, plan.moved.to)) {
      await ctx.confirm([
        `Starting this ramp moves the rollout of ${ramp.flagKey} from ${formatPercent(plan.moved.from)} to ${formatPercent(plan.moved.to)} now.`,
      ]);
    }
    // What was confirmed is what happens: the start refuses (75) if the rollout moved since the plan.
    const result = dryRun
      ? plan
      : await startRamp(db, ramp, { ...options, expectRollout: plan.ramp.initialRollout });
    const { printer } = ctx;
    if (printer.json) {
      printer.printJson(result);
      return undefined;
    }
    const head = dryRun ? 'Dry run, nothing written: would start' : 'Started';
    const moved = result.moved
      ? `; rollout ${dryRun ? 'would move' : 'moved'} ${formatPercent(result.moved.from)} → ${formatPercent(result.moved.to)}`
      : '';
    printer.line(
      `${head} the ramp of ${ramp.flagKey}: ${describeSteps(result.ramp.steps)}, each held ${formatDuration(result.ramp.holdMs)}${moved}.`,
    );
    if (!dryRun) printRamp(printer, result.ramp);
    else
      printer.line(
        `First check would be due ${printer.time(result.ramp.nextCheckAt)}; guards: ${describeValue(result.ramp.guards.map((g) => g.name))}.`,
      );
    return undefined;
  },
});
