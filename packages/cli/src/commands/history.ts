import { formatPercent } from '@kaviar/flags-core/internal';
import { type AuditEntry, FlagNotFoundError, getFlag, listAudit } from '@kaviar/flags-pg';
import { defineCommand } from '../command-spec';
import { parseFlagKeyArg, parseIntegerArg, parseSinceArg, parseTextArg } from '../input-values';

function field(value: unknown, name: string): unknown {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[name] : undefined;
}

/** One audit entry's change as a short phrase (`rollout 1 % → 5 %`, `+12 ids`). Never lists ids. */
export function describeAuditChange(entry: Pick<AuditEntry, 'action' | 'before' | 'after'>): string {
  const { before, after } = entry;
  if (entry.action.startsWith('allowlist.')) {
    const added = Number(field(after, 'added') ?? 0);
    const removed = Number(field(after, 'removed') ?? 0);
    const size = field(after, 'size');
    const parts = [added ? `+${added}` : '', removed ? `-${removed}` : ''].filter(Boolean);
    return `allowlist ${parts.join(' ') || '±0'}${size === undefined ? '' : ` (size ${size})`}`;
  }
  if (entry.action === 'create') {
    return `created ${field(after, 'enabled') ? 'enabled' : 'disabled'} at ${formatPercent(field(after, 'rolloutPercentage'))}`;
  }
  if (entry.action === 'delete') return 'deleted';
  if (entry.action.startsWith('ramp.')) {
    const from = field(before, 'state');
    return `ramp ${from ? `${from} → ` : ''}${field(after, 'state')} at ${formatPercent(field(after, 'percent'))}`;
  }
  const parts: string[] = [];
  for (const name of ['enabled', 'rolloutPercentage', 'description'] as const) {
    const from = field(before, name);
    const to = field(after, name);
    if (from === to) continue;
    if (name === 'rolloutPercentage')
      parts.push(`rollout ${formatPercent(from ?? '-')} → ${formatPercent(to ?? '-')}`);
    else if (name === 'enabled') parts.push(to ? 'enabled' : 'disabled');
    else parts.push('description changed');
  }
  return parts.join(', ') || 'no change';
}

/** `kaviar-flags history [flag]`: the audit log, newest first, of one flag or of all. */
export const historyCommand = defineCommand({
  name: 'history',
  summary: 'Show the audit log (who changed what, when and why) of one flag or of all, newest first',
  usage: '[flag] [--last N] [--since TIME] [--actor NAME]',
  options: {
    last: { type: 'string', value: 'N', description: 'Show at most N entries (default 20)' },
    since: {
      type: 'string',
      value: 'TIME',
      description: 'Only entries after an ISO time, or within a duration (2h)',
    },
    actor: { type: 'string', value: 'NAME', description: 'Only changes made by NAME' },
  },
  examples: [
    'kaviar-flags history passenger_favorites_matching --since 24h --tz America/Sao_Paulo',
    'kaviar-flags history --actor deploy-bot --last 50',
  ],
  notes: ['A flag that does not exist and never did (no audit entry) exits 67; a deleted one shows its log.'],
  parse(args) {
    args.maxPositionals(1);
    const flag = args.positionals[0];
    const key = flag === undefined ? undefined : parseFlagKeyArg(flag, args.command);
    const last = args.string('last');
    const since = args.string('since');
    const actor = args.string('actor');
    return {
      key,
      limit: last === undefined ? 20 : parseIntegerArg(last, 'last', args.command, 1),
      ...(since !== undefined && { since: parseSinceArg(since, args.command) }),
      ...(actor !== undefined && { actor: parseTextArg(actor, 'actor', args.command, 200) }),
    };
  },
  async run({ key, limit, since, actor }, ctx) {
    const db = await ctx.db();
    const entries = await listAudit(db, {
      limit,
      ...(key !== undefined && { flagKey: key }),
      ...(since && { since }),
      ...(actor !== undefined && { actor }),
    });
    // No entry may just be the filters; no entry at all and no flag is a wrong key.
    if (key !== undefined && entries.length === 0 && !(await getFlag(db, key))) {
      const ever = await listAudit(db, { flagKey: key, limit: 1 });
      if (ever.length === 0) throw new FlagNotFoundError(key);
    }
    const { printer } = ctx;
    if (printer.json) {
      // `listAudit` never returns allowlist ids; only `allowlist list` prints members.
      printer.printJson({ ...(key !== undefined && { flagKey: key }), entries });
      return undefined;
    }
    if (entries.length === 0) {
      const filters = [since ? ` since ${printer.time(since)}` : '', actor ? ` by ${actor}` : ''].join('');
      printer.line(`No audit entries${key ? ` for ${key}` : ''}${filters}.`);
      return undefined;
    }
    printer.table(entries, [
      { header: 'AT', cell: (e) => printer.time(e.at) },
      ...(key === undefined ? [{ header: 'FLAG', cell: (e: AuditEntry) => e.flagKey }] : []),
      { header: 'ACTOR', cell: (e) => e.actor },
      { header: 'ACTION', cell: (e) => e.action },
      { header: 'CHANGE', cell: (e) => describeAuditChange(e) },
      { header: 'VERSION', cell: (e) => (e.version === null ? '-' : String(e.version)), align: 'right' },
      { header: 'REASON', cell: (e) => e.reason ?? '' },
    ]);
    return undefined;
  },
});
