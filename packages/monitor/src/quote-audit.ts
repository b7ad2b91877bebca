import type { AuditEntry } from './observation';
import type { AuditQuote } from './types';

/** `2026-02-03 10:26:03Z`: a UTC timestamp to the second, short enough for a message. @internal */
export function formatTime(at: Date): string {
  return `${at.toISOString().slice(0, 10)} ${at.toISOString().slice(11, 19)}Z`;
}

/**
 * An audit record as JSON-serialisable evidence. It holds no allowlist ids: pg's `listAudit` never
 * returns any. @internal
 */
export function quoteAudit(
  entry: Pick<AuditEntry, 'action' | 'actor' | 'reason' | 'version' | 'before' | 'after'> & {
    at: Date | string;
  },
): AuditQuote {
  return {
    action: entry.action,
    actor: entry.actor,
    reason: entry.reason,
    at: typeof entry.at === 'string' ? entry.at : entry.at.toISOString(),
    version: entry.version,
    before: entry.before,
    after: entry.after,
  };
}

/** `by alice at 2026-02-03 10:26:03Z (reason: "ramp up")`: who, when and why, for a message. @internal */
export function describeChange(entry: AuditEntry): string {
  const reason = entry.reason ? `reason: ${JSON.stringify(entry.reason)}` : 'no reason given';
  return `by ${entry.actor} at ${formatTime(entry.at)} (${reason})`;
}

/**
 * Reads a field of an audit `before`/`after` object, accepting camelCase and snake_case
 * (`rolloutPercentage` / `rollout_percentage`). Numeric strings become numbers. @internal
 */
export function auditField(state: Readonly<Record<string, unknown>> | null, field: string): unknown {
  if (!state) return undefined;
  const snake = field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  const value = field in state ? state[field] : state[snake];
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  return value;
}
