import { formatPercent } from '@kaviar/flags-core/internal';
import { ConflictError, FlagNotFoundError, type FlagRow, getFlag, updateFlag } from '@kaviar/flags-pg';
import { UsageError } from '../cli-errors';
import { WRITE_OPTIONS, writeOptionsOf } from '../command-helpers';
import { defineCommand } from '../command-spec';
import { isRiskyRollout } from '../confirm-change';
import { parseBooleanArg, parseFlagKeyArg, parseRolloutArg } from '../input-values';

/** The conflict in operator terms: what was found, what was expected, what to do. Keeps the `CONFLICT` code. */
function explainConflict(key: string, error: ConflictError): ConflictError {
  const found = error.actual.rolloutPercentage;
  const expected = error.expected.rolloutPercentage;
  return new ConflictError(key, error.expected, error.actual, {
    message:
      `${key}: the rollout is ${formatPercent(found)}, not ${formatPercent(expected)} as --expect-rollout says (someone changed it); ` +
      `nothing was written. Check \`kaviar-flags history ${key}\` and decide again`,
    cause: error,
  });
}

/** The lines that describe a risky change (before → after, who it affects), or `[]` when it is not risky. */
function riskyChange(before: FlagRow, changes: { rolloutPercentage?: number; enabled?: boolean }): string[] {
  const lines: string[] = [];
  const from = before.rolloutPercentage;
  const to = changes.rolloutPercentage ?? from;
  const allowlisted = `${before.allowlistCount} allowlisted`;
  if (isRiskyRollout(from, to)) {
    const share = Math.round((to - from) * 100) / 100;
    lines.push(
      `${before.key}: rollout ${formatPercent(from)} → ${formatPercent(to)}: ${share} more of every 100 subjects get the flag` +
        `${before.enabled ? '' : ' once it is enabled'} (the ${allowlisted} subjects have it either way).`,
    );
  }
  if (before.enabled && changes.enabled === false) {
    lines.push(
      `${before.key}: enabled → disabled: every subject loses the flag, the ${allowlisted} and the ${formatPercent(before.rolloutPercentage)} by rollout.`,
    );
  }
  return lines;
}

/** `kaviar-flags set <flag>`: changes rollout / enabled / description, optionally compare-and-set. */
export const setCommand = defineCommand({
  name: 'set',
  summary: 'Change a flag’s rollout, switch or description (compare-and-set with --expect-rollout)',
  usage:
    '<flag> [--rollout N] [--enabled true|false] [--description TEXT] [--expect-rollout N] [--actor NAME] [--reason TEXT]',
  options: {
    rollout: {
      type: 'string',
      value: 'N',
      description: 'New rollout percentage 0..100, two decimals at most',
    },
    enabled: { type: 'string', value: 'true|false', description: 'New master switch' },
    description: { type: 'string', value: 'TEXT', description: 'New description' },
    'expect-rollout': {
      type: 'string',
      value: 'N',
      description: 'Write only if the rollout is N now; otherwise exit 75 and write nothing',
    },
    ...WRITE_OPTIONS,
  },
  examples: [
    'kaviar-flags set passenger_favorites_matching --rollout 5 --expect-rollout 1 --reason "phase 2"',
    'kaviar-flags set passenger_favorites_matching --enabled false --reason "rollback"',
  ],
  notes: [
    'With --expect-rollout the check and the write happen in one transaction: when two',
    'operators race, one wins and the other gets exit code 75 (CONFLICT) with the value it found.',
    'Risky changes (the rollout more than doubles or rises by more than 20 points, or the flag is',
    'disabled) show before → after and ask on a terminal; without one they need --yes (else exit 64).',
  ],
  parse(args) {
    args.maxPositionals(1);
    const key = parseFlagKeyArg(args.positional(0, 'the flag key argument'), args.command);
    const rollout = args.string('rollout');
    const enabled = args.string('enabled');
    const description = args.string('description');
    const expectRollout = args.string('expect-rollout');
    const changes = {
      ...(rollout !== undefined && { rolloutPercentage: parseRolloutArg(rollout, 'rollout', args.command) }),
      ...(enabled !== undefined && { enabled: parseBooleanArg(enabled, 'enabled', args.command) }),
      ...(description !== undefined && { description }),
    };
    if (Object.keys(changes).length === 0) {
      throw new UsageError('Nothing to change: give --rollout, --enabled or --description', args.command);
    }
    const write = writeOptionsOf(args);
    if (expectRollout === undefined) return { key, changes, write };
    const expect = { rolloutPercentage: parseRolloutArg(expectRollout, 'expect-rollout', args.command) };
    return { key, changes, write: { ...write, expect } };
  },
  async run({ key, changes, write }, ctx) {
    const db = await ctx.db();
    const before = await getFlag(db, key);
    if (!before) throw new FlagNotFoundError(key);
    const risky = riskyChange(before, changes);
    if (risky.length > 0) await ctx.confirm(risky);
    const after = await updateFlag(db, key, changes, write).catch((error: unknown) => {
      throw error instanceof ConflictError ? explainConflict(key, error) : error;
    });
    const { printer } = ctx;
    if (printer.json) {
      printer.printJson({ before: before ?? null, after });
      return undefined;
    }
    const parts: string[] = [];
    if (before && before.rolloutPercentage !== after.rolloutPercentage) {
      parts.push(
        `rollout ${formatPercent(before.rolloutPercentage)} → ${formatPercent(after.rolloutPercentage)}`,
      );
    }
    if (before && before.enabled !== after.enabled) parts.push(after.enabled ? 'enabled' : 'disabled');
    if (before && before.description !== after.description) parts.push('description changed');
    const what = parts.length > 0 ? parts.join(', ') : 'no change (already so)';
    printer.line(
      `${after.key}: ${what}; version ${after.version}, by ${after.updatedBy} at ${printer.time(after.updatedAt)}.`,
    );
    return undefined;
  },
});
