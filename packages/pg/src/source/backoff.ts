/**
 * Delay before retry number `attempt` (0-based): capped exponential backoff with "equal jitter"
 * (half fixed, half random), so many instances that failed together do not retry together.
 * @internal
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
