import { getRamp, listRamps, type Ramp } from '@kaviar/flags-pg';
import { defineCommand } from '../command-spec';
import { parseFlagKeyArg } from '../input-values';
import { printRamp } from './ramp-print';

/** `kaviar-flags ramp status [flag]`: the ramps in progress, or one flag's ramp, step by step. */
export const rampStatusCommand = defineCommand({
  name: 'ramp status',
  summary:
    'Show ramps: steps, current step, next check due, each check’s verdict, checkpoint and explanation',
  usage: '[flag] [--all]',
  options: {
    all: { type: 'boolean', description: 'Also list finished ramps (completed, rolled back, aborted)' },
  },
  examples: ['kaviar-flags ramp status', 'kaviar-flags ramp status passenger_favorites_matching --json'],
  notes: ['With a flag: its ramp in progress, else its latest ramp. Without: every ramp in progress.'],
  parse(args) {
    args.maxPositionals(1);
    const flag = args.positionals[0];
    return {
      flagKey: flag === undefined ? undefined : parseFlagKeyArg(flag, args.command),
      all: args.flag('all'),
    };
  },
  async run({ flagKey, all }, ctx) {
    const db = await ctx.db();
    let ramps: Ramp[];
    if (flagKey !== undefined && !all) {
      const ramp = await getRamp(db, flagKey);
      ramps = ramp ? [ramp] : [];
    } else {
      ramps = await listRamps(db, {
        ...(flagKey !== undefined && { flagKey }),
        ...(!all && { states: ['active', 'holding', 'paused'] }),
      });
    }
    const { printer } = ctx;
    if (printer.json) {
      printer.printJson({ ramps });
      return undefined;
    }
    if (ramps.length === 0) {
      printer.line(flagKey ? `${flagKey} has never had a ramp.` : 'No ramp in progress.');
      return undefined;
    }
    ramps.forEach((ramp, i) => {
      if (i > 0) printer.line();
      printRamp(printer, ramp);
    });
    return undefined;
  },
});
