/**
 * `@kaviar/flags-pg/internal`: what the @kaviar/flags packages share beyond the public API. Not public
 * API: no semver promise, may change in any release. Applications use `@kaviar/flags-pg`.
 */
import { backoffDelay as sourceBackoffDelay } from './source/backoff';

export { limitOption } from './limit-option';
export { isConnectionError, sqlStateOf } from './sqlstate';

/**
 * Delay before retry number `attempt` (0-based): `minMs` doubled per attempt, capped at `maxMs`, with
 * "equal jitter" (half fixed, half `random()`), so `random = () => 1` gives exactly `minMs * 2 ** attempt`.
 * The one backoff rule: `PgSource` reconnects with it, the monitor's webhook retries too.
 */
// Declared here rather than re-exported: the source file marks it internal, and stripInternal drops it.
export const backoffDelay: (attempt: number, minMs: number, maxMs: number, random: () => number) => number =
  sourceBackoffDelay;
