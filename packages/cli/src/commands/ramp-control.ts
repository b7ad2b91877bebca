import type { FlagsDb } from '@kaviar/flags-pg';
import { abortRamp, pauseRamp, type Ramp, type RampActionOptions, resumeRamp } from '@kaviar/flags-pg';
import { defineCommand } from '../command-spec';
import { parseFlagKeyArg } from '../input-values';
import { rampActorOf } from './ramp-start';

type Action = (db: FlagsDb, flagKey: string, options: RampActionOptions) => Promise<Ramp>;

function controlCommand(verb: 'pause' | 'resume' | 'abort', action: Action, summary: string, note: string) {
  return defineCommand({
    name: `ramp ${verb}`,
    summary,
    usage: '<flag> --actor NAME [--reason TEXT]',
    options: {
      actor: { type: 'string', value: 'NAME', description: 'Who does it, for the audit log (required)' },
      reason: { type: 'string', value: 'TEXT', description: 'Why, for the audit log and the ramp’s story' },
    },
    examples: [
      `kaviar-flags ramp ${verb} passenger_favorites_matching --actor maria --reason "release freeze"`,
    ],
    notes: [note, 'No ramp in progress exits 67; a ramp in the wrong state (resume an active one) exits 75.'],
    parse(args) {
      args.maxPositionals(1);
      return {
        flagKey: parseFlagKeyArg(args.positional(0, 'the flag key argument'), args.command),
        ...rampActorOf(args),
      };
    },
    async run({ flagKey, ...write }, ctx) {
      const ramp = await action(await ctx.db(), flagKey, { ...write, now: new Date(ctx.now()) });
      if (ctx.printer.json) ctx.printer.printJson({ ramp });
      else ctx.printer.line(`${flagKey}: ${ramp.explanation}.`);
      return undefined;
    },
  });
}

/** `kaviar-flags ramp pause <flag>` */
export const rampPauseCommand = controlCommand(
  'pause',
  pauseRamp,
  'Pause a ramp: no more checks or steps until resumed; the rollout stays',
  'The rollout stays where it is; `ramp resume` continues from the same step.',
);

/** `kaviar-flags ramp resume <flag>` */
export const rampResumeCommand = controlCommand(
  'resume',
  resumeRamp,
  'Resume a paused ramp at its step; checked again after one hold',
  'The flag must be back at the step’s rollout (after a change by someone else, set it back first).',
);

/** `kaviar-flags ramp abort <flag>` */
export const rampAbortCommand = controlCommand(
  'abort',
  abortRamp,
  'End a ramp for good; the rollout is left as it is',
  'Roll the flag back yourself if needed: kaviar-flags set <flag> --rollout N --expect-rollout M.',
);
