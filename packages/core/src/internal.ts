/**
 * `@kaviar/flags-core/internal`: helpers the @kaviar/flags packages share. Not public API: no semver
 * promise, may change in any release. Applications use `@kaviar/flags-core`.
 */
export { describe, toError } from './errors';
export { formatDuration } from './format-duration';
export { formatPercent, formatShare } from './format-percent';
export { createListenerSet, type ListenerSet } from './listener-set';
