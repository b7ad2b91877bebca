import { formatPercent } from '@kaviar/flags-core/internal';
import { createFlag } from '@kaviar/flags-pg';
import { WRITE_OPTIONS, writeOptionsOf } from '../command-helpers';
import { defineCommand } from '../command-spec';
import { parseBooleanArg, parseFlagKeyArg, parseRolloutArg } from '../input-values';
import { printFlagRow } from '../print-flag-row';

/** `kaviar-flags create <flag>`: adds a flag (disabled at 0 % unless told otherwise). */
export const createCommand = defineCommand({
  name: 'create',
  summary: 'Create a flag (starts disabled at 0 % unless --enabled / --rollout say otherwise)',
  usage: '<flag> [--enabled true|false] [--rollout N] [--description TEXT] [--actor NAME] [--reason TEXT]',
  options: {
    enabled: { type: 'string', value: 'true|false', description: 'Master switch (default false)' },
    rollout: {
      type: 'string',
      value: 'N',
      description: 'Rollout percentage 0..100, two decimals at most (default 0)',
    },
    description: { type: 'string', value: 'TEXT', description: 'What the flag is for' },
    ...WRITE_OPTIONS,
  },
  examples: [
    'kaviar-flags create passenger_favorites_matching --description "Match favourite drivers" --actor goes',
  ],
  parse(args) {
    args.maxPositionals(1);
    const key = parseFlagKeyArg(args.positional(0, 'the flag key argument'), args.command);
    const enabled = args.string('enabled');
    const rollout = args.string('rollout');
    return {
      key,
      ...(enabled !== undefined && { enabled: parseBooleanArg(enabled, 'enabled', args.command) }),
      ...(rollout !== undefined && { rolloutPercentage: parseRolloutArg(rollout, 'rollout', args.command) }),
      ...(args.string('description') !== undefined && { description: args.string('description') }),
      write: writeOptionsOf(args),
    };
  },
  async run({ write, ...flag }, ctx) {
    const row = await createFlag(await ctx.db(), flag, write);
    if (ctx.printer.json) {
      ctx.printer.printJson({ created: row });
      return undefined;
    }
    ctx.printer.line(
      `Created ${row.key}: ${row.enabled ? 'enabled' : 'disabled'}, rollout ${formatPercent(row.rolloutPercentage)}, version ${row.version}.`,
    );
    printFlagRow(ctx.printer, row);
    return undefined;
  },
});
