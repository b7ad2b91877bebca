import { formatDuration, formatPercent } from '@kaviar/flags-core/internal';
import { type Checkpoint, listCheckpoints } from '@kaviar/flags-monitor';
import {
  FlagNotFoundError,
  type FlagsDb,
  getFlag,
  type InstanceRow,
  listFlags,
  listInstances,
} from '@kaviar/flags-pg';
import { defineCommand } from '../command-spec';
import { parseFlagKeyArg } from '../input-values';
import { printFlagRow } from '../print-flag-row';
import type { Printer } from '../printer';
import { statusColor } from '../status-color';

async function storeVersion(db: FlagsDb): Promise<number> {
  const { rows } = await db.query<{ version: number }>(
    `select version::float8 as version from ${db.ident}.state`,
  );
  return Number(rows[0]?.version ?? 0);
}

function printInstances(printer: Printer, instances: readonly InstanceRow[], current: number): void {
  if (instances.length === 0) {
    printer.line('No instance sent a heartbeat in the last hour.');
    return;
  }
  const { color } = printer;
  printer.table(instances, [
    { header: 'INSTANCE', cell: (i) => i.id },
    { header: 'APP', cell: (i) => i.app || '-' },
    { header: 'HOST', cell: (i) => i.host || '-' },
    { header: 'PID', cell: (i) => (i.pid === null ? '-' : String(i.pid)), align: 'right' },
    {
      header: 'SERVES',
      cell: (i) =>
        i.loadedVersion >= current ? `v${i.loadedVersion}` : color.yellow(`v${i.loadedVersion} (behind)`),
    },
    { header: 'STATE', cell: (i) => (i.state === 'ready' ? i.state : color.yellow(i.state)) },
    { header: 'SEEN', cell: (i) => `${formatDuration(i.ageMs)} ago` },
  ]);
}

function lastCheckText(printer: Printer, cp: Checkpoint | undefined): string {
  if (!cp) return '-';
  return `${statusColor(printer.color, cp.status)} ${printer.time(cp.at)} (${cp.phase}/${cp.label})`;
}

/** `kaviar-flags status [flag]`: what is configured, what was last checked, what each instance serves. */
export const statusCommand = defineCommand({
  name: 'status',
  summary: 'Show flags (or one flag), their last checkpoint and the version each live instance serves',
  usage: '[flag]',
  options: {},
  examples: [
    'kaviar-flags status',
    'kaviar-flags status passenger_favorites_matching --tz America/Sao_Paulo',
  ],
  parse(args) {
    args.maxPositionals(1);
    const key = args.positionals[0];
    return { key: key === undefined ? undefined : parseFlagKeyArg(key, args.command) };
  },
  async run({ key }, ctx) {
    const db = await ctx.db();
    const { printer } = ctx;
    const version = await storeVersion(db);
    const instances = await listInstances(db);
    if (key !== undefined) {
      const row = await getFlag(db, key);
      if (!row) throw new FlagNotFoundError(key);
      const [last] = await listCheckpoints(db, { flagKey: key, limit: 1 });
      if (printer.json) {
        printer.printJson({ storeVersion: version, flag: row, lastCheckpoint: last ?? null, instances });
        return undefined;
      }
      printFlagRow(printer, row, [['last check', lastCheckText(printer, last)]]);
      printer.line();
      printInstances(printer, instances, row.version);
      return undefined;
    }
    const flags = await listFlags(db);
    const checks = new Map<string, Checkpoint>();
    for (const flag of flags) {
      const [last] = await listCheckpoints(db, { flagKey: flag.key, limit: 1 });
      if (last) checks.set(flag.key, last);
    }
    const lastOf = (k: string) => checks.get(k);
    if (printer.json) {
      const withChecks = flags.map((f) => ({ ...f, lastCheckpoint: lastOf(f.key) ?? null }));
      printer.printJson({ storeVersion: version, flags: withChecks, instances });
      return undefined;
    }
    printer.line(`Store version ${version}, schema ${db.schema}, on ${ctx.target.label}`);
    printer.line();
    if (flags.length === 0) printer.line('No flags yet: create one with `kaviar-flags create <flag>`.');
    else {
      const { color } = printer;
      printer.table(flags, [
        { header: 'FLAG', cell: (f) => f.key },
        { header: 'ENABLED', cell: (f) => (f.enabled ? color.green('yes') : color.yellow('no')) },
        { header: 'ROLLOUT', cell: (f) => formatPercent(f.rolloutPercentage), align: 'right' },
        { header: 'ALLOWLIST', cell: (f) => String(f.allowlistCount), align: 'right' },
        { header: 'VERSION', cell: (f) => String(f.version), align: 'right' },
        { header: 'UPDATED', cell: (f) => `${printer.time(f.updatedAt)} by ${f.updatedBy}` },
        { header: 'LAST CHECK', cell: (f) => lastCheckText(printer, lastOf(f.key)) },
      ]);
    }
    printer.line();
    printInstances(printer, instances, version);
    return undefined;
  },
});
