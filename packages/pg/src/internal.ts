/**
 * `@kaviar/flags-pg/internal`: what the @kaviar/flags packages share beyond the public API. Not public
 * API: no semver promise, may change in any release. Applications use `@kaviar/flags-pg`.
 */
export { limitOption } from './limit-option';
export { backoffDelay } from './source/backoff';
export { isConnectionError, sqlStateOf } from './sqlstate';
