import { type AllowlistResult, addToAllowlist, removeFromAllowlist } from '@kaviar/flags-pg';
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

/** `allowlist add` and `allowlist remove`: the same arguments and output, a different write. */
function allowlistChangeCommand(change: {
  readonly verb: 'add' | 'remove';
  readonly summary: string;
  readonly example: string;
  readonly write: typeof addToAllowlist;
  /** `added 1 (0 already there)` */
  readonly describe: (result: AllowlistResult, given: number) => string;
}) {
  return defineCommand({
    name: `allowlist ${change.verb}`,
    summary: change.summary,
    usage: '<flag> <id>... [--actor NAME] [--reason TEXT]',
    options: { ...WRITE_OPTIONS },
    examples: [change.example],
    parse: parseIds,
    async run({ key, ids, write }, ctx) {
      const result = await change.write(await ctx.db(), key, ids, write);
      if (ctx.printer.json) ctx.printer.printJson({ flagKey: key, ...result });
      else ctx.printer.line(`${key}: ${change.describe(result, ids.length)}; allowlist size ${result.size}.`);
      return undefined;
    },
  });
}

/** `kaviar-flags allowlist add <flag> <id>...` */
export const allowlistAddCommand = allowlistChangeCommand({
  verb: 'add',
  summary: 'Add subject ids to a flag’s allowlist (they get the flag whenever it is enabled)',
  example: 'kaviar-flags allowlist add passenger_favorites_matching passenger-1 passenger-2 --reason "beta"',
  write: addToAllowlist,
  describe: (r, given) => `added ${r.added} (${given - r.added} already there)`,
});

/** `kaviar-flags allowlist remove <flag> <id>...` */
export const allowlistRemoveCommand = allowlistChangeCommand({
  verb: 'remove',
  summary: 'Remove subject ids from a flag’s allowlist',
  example: 'kaviar-flags allowlist remove passenger_favorites_matching passenger-2 --reason "left the beta"',
  write: removeFromAllowlist,
  describe: (r, given) => `removed ${r.removed} (${given - r.removed} were not there)`,
});
