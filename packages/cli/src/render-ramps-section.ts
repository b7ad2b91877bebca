import { formatDuration } from '@kaviar/flags-core/internal';
import type { Ramp } from '@kaviar/flags-pg';
import { describeRampState, describeRampSteps } from './commands/ramp-print';
import { formatTime } from './format-time';

/**
 * The ops snapshot's ramps section (its lines, from the heading): each flag's ramp in progress (or else its latest ramp) with its
 * steps, state, next check and its story in plain words, oldest first. `ramps` as `listRamps` returns
 * them (in progress first, then newest); one ramp per flag is shown.
 */
export function renderRampsSection(ramps: readonly Ramp[], timeZone: string): string[] {
  const lines = ['## Ramps', ''];
  const shown = ramps.filter((ramp, i) => ramps.findIndex((r) => r.flagKey === ramp.flagKey) === i);
  if (shown.length === 0) return [...lines, 'No ramps.', ''];
  for (const ramp of shown) {
    const guards = ramp.guards.length
      ? `; guards: ${ramp.guards.map((g) => `\`${g.name}\``).join(', ')}`
      : '';
    const reason = ramp.reason ? ` (reason: ${ramp.reason})` : '';
    lines.push(
      `### ${ramp.flagKey}`,
      '',
      `- **State:** ${describeRampState(ramp)}`,
      `- **Steps:** ${describeRampSteps(ramp)}, each held ${formatDuration(ramp.holdMs)}${guards}`,
      `- **Started:** by ${ramp.startedBy} at ${formatTime(ramp.startedAt, timeZone)}${reason}`,
      ...(ramp.nextCheckAt ? [`- **Next check:** ${formatTime(ramp.nextCheckAt, timeZone)}`] : []),
      '',
      '**Story:**',
      '',
      ...ramp.history.map(
        (entry, i) =>
          `${i + 1}. ${formatTime(new Date(entry.at), timeZone)}${entry.status ? ` **${entry.status}**` : ''}: ${entry.explanation}${entry.checkpointId === null ? '' : ` (checkpoint #${entry.checkpointId})`}`,
      ),
      '',
    );
  }
  return lines;
}
