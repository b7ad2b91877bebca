import { formatPercent } from '@kaviar/flags-core/internal';
import { deleteFlag, FlagNotFoundError, getFlag } from '@kaviar/flags-pg';
import { WRITE_OPTIONS, writeOptionsOf } from '../command-helpers';
import { defineCommand } from '../command-spec';
import { parseFlagKeyArg } from '../input-values';

/** `kaviar-flags delete <flag>`: removes a flag and its allowlist, audited; always confirmed. */
export const deleteCommand = defineCommand({
  name: 'delete',
  summary: 'Delete a flag and its allowlist (audited; asks first, or needs --yes without a terminal)',
  usage: '<flag> [--yes] [--dry-run] [--actor NAME] [--reason TEXT]',
  options: { ...WRITE_OPTIONS },
  examples: [
    'kaviar-flags delete passenger_favorites_matching --dry-run',
    'kaviar-flags delete passenger_favorites_matching --reason "feature shipped to everyone" --yes',
  ],
  notes: [
    'Clients then evaluate the key as not found and serve the fallback given in code. `history` keeps',
    'the flag’s audit log, and a JSON snapshot taken before (`snapshot --format json`) can restore it.',
  ],
  parse(args) {
    args.maxPositionals(1);
    const key = parseFlagKeyArg(args.positional(0, 'the flag key argument'), args.command);
    return { key, write: writeOptionsOf(args) };
  },
  async run({ key, write }, ctx) {
    const db = await ctx.db();
    const flag = await getFlag(db, key);
    if (!flag) throw new FlagNotFoundError(key);
    const state = `${flag.enabled ? 'enabled' : 'disabled'} at ${formatPercent(flag.rolloutPercentage)}, ${flag.allowlistCount} allowlisted`;
    await ctx.confirm([
      `${key}: delete the flag (${state}): clients serve their code fallback for it from the next sync.`,
    ]);
    const before = await deleteFlag(db, key, write);
    const { printer } = ctx;
    if (printer.json) printer.printJson({ deleted: before });
    else printer.line(`Deleted ${key} (was ${state}), audited as ${write.actor}.`);
    return undefined;
  },
});
