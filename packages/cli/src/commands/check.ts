import { type Checkpoint, checkFlag, type Expectations, exitCodeFor } from '@kaviar/flags-monitor';
import { UsageError } from '../cli-errors';
import { defineCommand } from '../command-spec';
import {
  parseDurationArg,
  parseFlagKeyArg,
  parseIntegerArg,
  parseRolloutArg,
  parseTextArg,
} from '../input-values';
import type { Printer } from '../printer';
import { statusColor } from '../status-color';

/** Prints a checkpoint: the verdict line, then each finding with its notes. */
export function printCheckpoint(printer: Printer, cp: Checkpoint): void {
  const { color } = printer;
  const version = cp.configVersion === null ? '' : ` (config version ${cp.configVersion})`;
  printer.line(
    `${color.bold(statusColor(color, cp.status))} ${cp.flagKey} ${cp.phase}/${cp.label} at ${printer.time(cp.at)}${version}`,
  );
  for (const finding of cp.findings) {
    printer.line(`  ${statusColor(color, finding.status).padEnd(4)} ${finding.name}: ${finding.message}`);
    for (const note of finding.notes ?? []) printer.line(color.dim(`       note: ${note}`));
  }
}

/** `kaviar-flags check <flag>`: the drift check, with monitoring-plugin exit codes. */
export const checkCommand = defineCommand({
  name: 'check',
  summary:
    'Check a flag against what you expect; prints the verdict and findings, exits 0 PASS/1 WARN/2 FAIL/3 UNKNOWN',
  usage:
    '<flag> --phase P --label L [--expect-rollout N] [--expect-enabled|--expect-disabled] [--expect-allowlist N] [--include ID]... [--settle 10s] [--heartbeat-interval 15s] [--record]',
  options: {
    phase: { type: 'string', value: 'P', description: 'Rollout phase (e.g. phase2_rollout)' },
    label: { type: 'string', value: 'L', description: 'Label of this check (e.g. manual, smoke-test-final)' },
    'expect-rollout': { type: 'string', value: 'N', description: 'Expected rollout percentage' },
    'expect-enabled': { type: 'boolean', description: 'Expect the flag to be switched on' },
    'expect-disabled': { type: 'boolean', description: 'Expect the flag to be switched off' },
    'expect-allowlist': {
      type: 'string',
      value: 'N',
      description: 'Expected number of allowlisted subjects',
    },
    include: {
      type: 'string',
      multiple: true,
      value: 'ID',
      description: 'A subject id that must be allowlisted',
    },
    settle: {
      type: 'string',
      value: 'DURATION',
      description: 'On a mismatch, re-read after this long before judging (default 10s; 0 judges at once)',
    },
    'heartbeat-interval': {
      type: 'string',
      value: 'DURATION',
      description:
        "The clients' heartbeat interval (default 15s, as createPgFlags): an instance silent for two is presumed gone",
    },
    record: { type: 'boolean', description: 'Store the checkpoint (see `kaviar-flags checkpoints`)' },
  },
  examples: [
    'kaviar-flags check passenger_favorites_matching --phase phase2_rollout --label manual --expect-rollout 1 --expect-enabled --expect-allowlist 12 --record',
  ],
  notes: [
    'Besides what you expect, every check verifies that the flag exists, that every live instance serves its',
    'current version, and that the share of subjects who got it matches the rollout (from exposure counts).',
    'A mismatch names the audit entries that explain it (who changed what, when). Any error is UNKNOWN (3).',
  ],
  parse(args) {
    args.maxPositionals(1);
    const c = args.command;
    const key = parseFlagKeyArg(args.positional(0, 'the flag key argument'), c);
    if (args.flag('expect-enabled') && args.flag('expect-disabled')) {
      throw new UsageError('Give --expect-enabled or --expect-disabled, not both', c);
    }
    const rollout = args.string('expect-rollout');
    const size = args.string('expect-allowlist');
    const include = args.list('include').map((id) => parseTextArg(id, 'include', c, 1024));
    const expect: Expectations = {
      ...(rollout !== undefined && { rolloutPercentage: parseRolloutArg(rollout, 'expect-rollout', c) }),
      ...(args.flag('expect-enabled') && { enabled: true }),
      ...(args.flag('expect-disabled') && { enabled: false }),
      ...(size !== undefined && { allowlistSize: parseIntegerArg(size, 'expect-allowlist', c) }),
      ...(include.length > 0 && { allowlistIncludes: include }),
    };
    const settle = args.string('settle');
    const heartbeat = args.string('heartbeat-interval');
    const heartbeatIntervalMs =
      heartbeat === undefined ? undefined : parseDurationArg(heartbeat, 'heartbeat-interval', c);
    if (heartbeatIntervalMs === 0) throw new UsageError('--heartbeat-interval: must be longer than 0', c);
    return {
      key,
      phase: parseTextArg(args.required('phase'), 'phase', c, 200),
      label: parseTextArg(args.required('label'), 'label', c, 200),
      expect,
      settleMs: settle === undefined ? 10_000 : parseDurationArg(settle, 'settle', c),
      ...(heartbeatIntervalMs !== undefined && { heartbeatIntervalMs }),
      record: args.flag('record'),
    };
  },
  async run({ key, ...options }, ctx) {
    const { printer } = ctx;
    const db = await ctx.db();
    if (options.settleMs > 0)
      printer.progress(`Checking ${key} (re-reads after ${options.settleMs / 1000}s on a mismatch)...`);
    const checkpoint = await checkFlag(db, key, options);
    printer.progress(undefined);
    const exitCode = exitCodeFor(checkpoint.status);
    if (printer.json) printer.printJson({ ...checkpoint, exitCode });
    else {
      printCheckpoint(printer, checkpoint);
      if (checkpoint.id !== undefined)
        printer.line(printer.color.dim(`Recorded as checkpoint #${checkpoint.id}.`));
    }
    return exitCode;
  },
});
