import { formatPercent } from '@kaviar/flags-core/internal';
import type { FlagRow } from '@kaviar/flags-pg';
import type { Printer } from './printer';

/** Prints one flag as aligned `label  value` lines, then any `extra` lines in the same alignment. */
export function printFlagRow(printer: Printer, row: FlagRow, extra: readonly [string, string][] = []): void {
  const { color } = printer;
  const lines: [string, string][] = [
    ['key', color.bold(row.key)],
    ['enabled', row.enabled ? color.green('true') : color.yellow('false')],
    ['rollout', formatPercent(row.rolloutPercentage)],
    ['allowlist', `${row.allowlistCount} ${row.allowlistCount === 1 ? 'subject' : 'subjects'}`],
    ['version', String(row.version)],
    ['updated', `${printer.time(row.updatedAt)} by ${row.updatedBy}`],
    ['created', printer.time(row.createdAt)],
  ];
  if (row.description !== '') lines.push(['description', row.description]);
  lines.push(...extra);
  const width = Math.max(...lines.map(([label]) => label.length));
  for (const [label, value] of lines) printer.line(`  ${label.padEnd(width)}  ${value}`);
}
