import type { Palette } from './palette';

/** A checkpoint or finding status in its colour: PASS green, WARN yellow, FAIL red, others dim. */
export function statusColor(color: Palette, status: string): string {
  if (status === 'PASS') return color.green(status);
  if (status === 'WARN') return color.yellow(status);
  if (status === 'FAIL') return color.red(status);
  return color.dim(status);
}
