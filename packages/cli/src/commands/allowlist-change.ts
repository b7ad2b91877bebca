import { addToAllowlist, removeFromAllowlist } from '@kaviar/flags-pg';
import { UsageError } from '../cli-errors';
import { WRITE_OPTIONS, writeOptionsOf } from '../command-helpers';
import { defineCommand } from '../command-spec';
import { parseFlagKeyArg } from '../input-values';
import type { ParsedArgs } from '../parsed-args';

function parseIds(args: ParsedArgs) {
  const key = parseFlagKeyArg(args.positional(0, 'the flag key argument'), args.command);
  const ids = args.positionals.slice(1).map((id) => id.trim());
  if (ids.length === 0) throw new UsageError('Give at least one subject id after the flag key', args.command);
  const bad = ids.find((id) => id === '' || id.length > 1024);
  if (bad !== undefined) throw new UsageError('Subject ids must be 1..1024 characters', args.command);
  return { key, ids, write: writeOptionsOf(args) };
}

/** `kaviar-flags allowlist add <flag> <id>...` */
export const allowlistAddCommand = defineCommand({
  name: 'allowlist add',
  summary: 'Add subject ids to a flag’s allowlist (they get the flag whenever it is enabled)',
  usage: '<flag> <id>... [--actor NAME] [--reason TEXT]',
  options: { ...WRITE_OPTIONS },
  examples: [
    'kaviar-flags allowlist add passenger_favorites_matching passenger-1 passenger-2 --reason "beta"',
  ],
  parse: parseIds,
  async run({ key, ids, write }, ctx) {
    const result = await addToAllowlist(await ctx.db(), key, ids, write);
    if (ctx.printer.json) ctx.printer.printJson({ flagKey: key, ...result });
    else
      ctx.printer.line(
        `${key}: added ${result.added} (${ids.length - result.added} already there); allowlist size ${result.size}.`,
      );
    return undefined;
  },
});

/** `kaviar-flags allowlist remove <flag> <id>...` */
export const allowlistRemoveCommand = defineCommand({
  name: 'allowlist remove',
  summary: 'Remove subject ids from a flag’s allowlist',
  usage: '<flag> <id>... [--actor NAME] [--reason TEXT]',
  options: { ...WRITE_OPTIONS },
  examples: [
    'kaviar-flags allowlist remove passenger_favorites_matching passenger-2 --reason "left the beta"',
  ],
  parse: parseIds,
  async run({ key, ids, write }, ctx) {
    const result = await removeFromAllowlist(await ctx.db(), key, ids, write);
    if (ctx.printer.json) ctx.printer.printJson({ flagKey: key, ...result });
    else
      ctx.printer.line(
        `${key}: removed ${result.removed} (${ids.length - result.removed} were not there); allowlist size ${result.size}.`,
      );
    return undefined;
  },
});
