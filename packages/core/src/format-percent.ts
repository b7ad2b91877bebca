/**
 * A rollout percentage for people: `1 %`, `0.5 %`, `12.25 %` (the number as JavaScript writes it, a
 * space, then `%`). Anything but a number (an audit field from an older row, say) is printed as is.
 *
 * @example formatPercent(0.5) // '0.5 %'
 */
export function formatPercent(value: unknown): string {
  return typeof value === 'number' ? `${value} %` : String(value);
}

/**
 * A share in 0..1 as a percentage for people, rounded to `digits` decimals without trailing zeros:
 * `4.9 %`, `99.9 %`, `0.125 %`. The caller picks `digits` (how precise the share it shows is).
 *
 * @example formatShare(0.04912, 1) // '4.9 %'
 */
export function formatShare(share: number, digits: number): string {
  return formatPercent(Number((share * 100).toFixed(digits)));
}
