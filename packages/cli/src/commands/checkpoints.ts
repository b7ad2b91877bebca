import { listCheckpoints } from '@kaviar/flags-monitor';
import { defineCommand } from '../command-spec';
import { parseFlagKeyArg, parseIntegerArg } from '../input-values';
import { statusColor } from '../status-color';

/** `kaviar-flags checkpoints [flag]`: recorded checks, newest first. */
export const checkpointsCommand = defineCommand({
  name: 'checkpoints',
  summary: 'Show recorded checkpoints (status, phase, label, what was found), newest first',
  usage: '[flag] [--last N]',
  options: { last: { type: 'string', value: 'N', description: 'Show at most N checkpoints (default 3)' } },
  examples: ['kaviar-flags checkpoints passenger_favorites_matching --last 3'],
  parse(args) {
    args.maxPositionals(1);
    const key = args.positionals[0];
    const last = args.string('last');
    return {
      key: key === undefined ? undefined : parseFlagKeyArg(key, args.command),
      limit: last === undefined ? 3 : parseIntegerArg(last, 'last', args.command, 1),
    };
  },
  async run({ key, limit }, ctx) {
    const checkpoints = await listCheckpoints(await ctx.db(), {
      limit,
      ...(key !== undefined && { flagKey: key }),
    });
    const { printer } = ctx;
    if (printer.json) {
      printer.printJson({ checkpoints });
      return undefined;
    }
    if (checkpoints.length === 0) {
      printer.line(
        `No checkpoints recorded${key ? ` for ${key}` : ''}: run \`kaviar-flags check ... --record\`.`,
      );
      return undefined;
    }
    printer.table(checkpoints, [
      { header: 'AT', cell: (cp) => printer.time(cp.at) },
      { header: 'STATUS', cell: (cp) => statusColor(printer.color, cp.status) },
      ...(key === undefined
        ? [{ header: 'FLAG', cell: (cp: (typeof checkpoints)[number]) => cp.flagKey }]
        : []),
      { header: 'PHASE', cell: (cp) => cp.phase },
      { header: 'LABEL', cell: (cp) => cp.label },
      {
        header: 'VERSION',
        cell: (cp) => (cp.configVersion === null ? '-' : String(cp.configVersion)),
        align: 'right',
      },
      {
        header: 'FINDINGS',
        cell: (cp) => {
          const worst = cp.findings.find((f) => f.status === cp.status && cp.status !== 'PASS');
          return worst ? `${worst.name}: ${worst.message}` : `${cp.findings.length} passed`;
        },
      },
    ]);
    return undefined;
  },
});
