import { formatPercent } from '@kaviar/flags-core/internal';

function field(state: unknown, camel: string, snake: string): unknown {
  if (!state || typeof state !== 'object') return undefined;
  const record = state as Record<string, unknown>;
  return camel in record ? record[camel] : record[snake];
}

function describeState(state: unknown): string {
  if (!state || typeof state !== 'object') return '—';
  const enabled = field(state, 'enabled', 'enabled');
  const rollout = field(state, 'rolloutPercentage', 'rollout_percentage');
  if (typeof enabled === 'boolean' || rollout !== undefined) {
    const parts: string[] = [];
    if (typeof enabled === 'boolean') parts.push(enabled ? 'enabled' : 'disabled');
    if (rollout !== undefined && Number.isFinite(Number(rollout))) parts.push(formatPercent(Number(rollout)));
    return parts.join(', ');
  }
  const added = field(state, 'added', 'added');
  const removed = field(state, 'removed', 'removed');
  const size = field(state, 'size', 'size');
  const parts: string[] = [];
  if (typeof added === 'number') parts.push(`+${added}`);
  if (typeof removed === 'number') parts.push(`−${removed}`);
  if (typeof size === 'number') parts.push(`${size} on the allowlist`);
  return parts.join(', ') || '—';
}

/** `enabled, 1 % → enabled, 5 %`; allowlist changes as counts (members never shown). @internal */
export function describeAuditChange(entry: {
  readonly action: string;
  readonly before: unknown;
  readonly after: unknown;
}): {
  before: string;
  after: string;
} {
  if (entry.action.startsWith('allowlist.')) return { before: '', after: describeState(entry.after) };
  return {
    before: entry.before ? describeState(entry.before) : '',
    after: entry.after ? describeState(entry.after) : 'deleted',
  };
}
