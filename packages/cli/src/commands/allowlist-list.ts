import { getAllowlist } from '@kaviar/flags-pg';
import { defineCommand } from '../command-spec';
import { parseFlagKeyArg } from '../input-values';

/** `kaviar-flags allowlist list <flag>`: the only command that prints allowlist members. */
export const allowlistListCommand = defineCommand({
  name: 'allowlist list',
  summary: 'Print a flag’s allowlisted subject ids, one per line (the only command that prints them)',
  usage: '<flag>',
  options: {},
  examples: ['kaviar-flags allowlist list passenger_favorites_matching > allowlist.txt'],
  notes: ['The output is a valid input for `allowlist import`.'],
  parse(args) {
    args.maxPositionals(1);
    return { key: parseFlagKeyArg(args.positional(0, 'the flag key argument'), args.command) };
  },
  async run({ key }, ctx) {
    const ids = await getAllowlist(await ctx.db(), key);
    if (ctx.printer.json) ctx.printer.printJson({ flagKey: key, size: ids.length, ids });
    else for (const id of ids) ctx.printer.line(id);
    return undefined;
  },
});
