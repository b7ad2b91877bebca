/**
 * Delay before retry number `attempt` (0-based): `minMs` doubled per attempt, capped at `maxMs`, with
 * "equal jitter" (half fixed, half `random()`), so many instances that failed together do not retry
 * together; `random = () => 1` gives exactly `minMs * 2 ** attempt`. The one backoff rule: `PgSource`
 * reconnects with it, the monitor's webhook retries too (through `./internal`).
 */
export function backoffDelay(attempt: number, minMs: number, maxMs: number, random: () => number): number {
  const capped = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
  return Math.round(capped / 2 + (random() * capped) / 2);
}

/**
 * `intervalMs` spread by ±`jitter`/2 (jitter 0.2 gives 90..110 %), so polls of many instances drift apart.
 * @internal
 */
export function jittered(intervalMs: number, jitter: number, random: () => number): number {
  return Math.max(1, Math.round(intervalMs * (1 - jitter / 2 + random() * jitter)));
}
