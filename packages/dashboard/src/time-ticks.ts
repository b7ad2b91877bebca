/** Tick positions for a time axis: round UTC instants, about `count` of them. @internal */
export function timeTicks(from: number, to: number, count = 5): { at: number; stepMs: number }[] {
  const minute = 60_000;
  const steps = [
    1 / 60,
    5 / 60,
    10 / 60,
    15 / 60,
    30 / 60,
    ...[1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080, 20160, 43200],
  ].map((m) => Math.round(m * minute));
  const span = Math.max(to - from, 1000);
  const stepMs = steps.find((s) => span / s <= count) ?? steps[steps.length - 1]!;
  const ticks: { at: number; stepMs: number }[] = [];
  for (let at = Math.ceil(from / stepMs) * stepMs; at <= to; at += stepMs) ticks.push({ at, stepMs });
  return ticks;
}

/** A round upper bound for a percentage axis that leaves headroom above `max`. @internal */
export function niceMax(max: number): number {
  const nice = [0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 25, 50, 75, 100];
  return nice.find((n) => n >= max * 1.2) ?? 100;
}
