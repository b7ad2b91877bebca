/**
 * `@kaviar/flags-pg/internal`: what the @kaviar/flags packages share beyond the public API. Not public
 * API: no semver promise, may change in any release. Applications use `@kaviar/flags-pg`.
 */
export { limitOption } from './limit-option';
export { describeSteps, RAMP_IN_PROGRESS } from './ramps/ramp';
export { backoffDelay } from './source/backoff';
export { isConnectionError, sqlStateOf } from './sqlstate';
