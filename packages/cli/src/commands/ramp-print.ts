import { formatDuration, formatPercent } from '@kaviar/flags-core/internal';
import type { Ramp } from '@kaviar/flags-pg';
import type { Printer } from '../printer';
import { statusColor } from '../status-color';

/** `1 % ✓ → 5 % ✓ → [25 %] → 50 %`: the steps, the ones passed ticked, the current one in brackets. */
export function describeRampSteps(ramp: Ramp): string {
  return ramp.steps
    .map((step, i) => {
      const passed = ramp.history.some((h) => h.step === i && h.status === 'PASS');
      const text = `${formatPercent(step)}${passed ? ' ✓' : ''}`;
      return i === ramp.stepIndex && ['active', 'holding', 'paused'].includes(ramp.state)
        ? `[${text}]`
        : text;
    })
    .join(' → ');
}

/** `holding at 25 % (step 3 of 5)` */
export function describeRampState(ramp: Ramp): string {
  const where = `${formatPercent(ramp.currentPercent)} (step ${ramp.stepIndex + 1} of ${ramp.steps.length})`;
  if (ramp.state === 'completed') return `completed at ${formatPercent(ramp.currentPercent)}`;
  if (ramp.state === 'rolled_back') return `rolled back from ${where}`;
  if (ramp.state === 'aborted') return `aborted at ${where}`;
  return `${ramp.state} at ${where}`;
}

/** Prints one ramp for `ramp status`: state, steps, next check, each check's verdict and checkpoint, the latest decision. */
export function printRamp(printer: Printer, ramp: Ramp): void {
  const { color } = printer;
  const due = ramp.nextCheckAt ? `; next check due ${printer.time(ramp.nextCheckAt)}` : '';
  printer.line(`${color.bold(ramp.flagKey)}: ${describeRampState(ramp)}${due}`);
  printer.line(`  steps: ${describeRampSteps(ramp)}`);
  const back = ramp.rollbackTo === 'zero' ? '0 %' : 'the previous step';
  printer.line(
    `  each held ${formatDuration(ramp.holdMs)}; a FAIL rolls back to ${back}; pauses after ${ramp.maxHolds} checks in a row without PASS`,
  );
  for (const guard of ramp.guards) printer.line(`  guard ${guard.name}: ${guard.command}`);
  const reason = ramp.reason ? ` (reason: ${JSON.stringify(ramp.reason)})` : '';
  printer.line(`  started by ${ramp.startedBy} at ${printer.time(ramp.startedAt)}${reason}`);
  for (const entry of ramp.history) {
    const status = entry.status === null ? '    ' : statusColor(color, entry.status).padEnd(4);
    const checkpoint = entry.checkpointId === null ? '' : color.dim(` (checkpoint #${entry.checkpointId})`);
    printer.line(`  ${printer.time(entry.at)} ${status} ${entry.explanation}${checkpoint}`);
  }
}
