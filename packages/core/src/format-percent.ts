/**
 * A rollout percentage for people: `1 %`, `0.5 %`, `12.25 %` (the number as JavaScript writes it, a
 * space, then `%`). Anything but a number (an audit field from an older row, say) is printed as is.
 *
 * @example formatPercent(0.5) // '0.5 %'
 */
export function formatPercent(value: unknown): string {
  return typeof value === 'number' ? `${value} %` : String(value);
}
