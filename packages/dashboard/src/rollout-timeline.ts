/**
 * The rollout over time, from the audit log: one step per audited change of the flag row (create,
 * update, restore), oldest first. What the timeline chart draws and what checkpoint markers are
 * placed on. Allowlist changes do not move the rollout and are left out.
 */
import type { AuditEntry } from '@kaviar/flags-pg';

/** The flag's configuration from `at` until the next step. */
export interface RolloutStep {
  readonly at: Date;
  readonly rolloutPercentage: number;
  readonly enabled: boolean;
  /** Who set it and why (`null` for the state before the oldest audited change read). */
  readonly actor: string | null;
  readonly reason: string | null;
  readonly action: string;
  readonly version: number | null;
}

function field(state: unknown, camel: string, snake: string): unknown {
  if (!state || typeof state !== 'object') return undefined;
  const record = state as Record<string, unknown>;
  return camel in record ? record[camel] : record[snake];
}

function stateOf(state: unknown): { rolloutPercentage: number; enabled: boolean } | undefined {
  const rollout = Number(field(state, 'rolloutPercentage', 'rollout_percentage'));
  const enabled = field(state, 'enabled', 'enabled');
  if (!Number.isFinite(rollout) || typeof enabled !== 'boolean') return undefined;
  return { rolloutPercentage: rollout, enabled };
}

/** Steps from audit entries (any order), oldest first. @internal */
export function rolloutTimeline(audit: readonly AuditEntry[]): RolloutStep[] {
  const entries = [...audit].sort((a, b) => a.at.getTime() - b.at.getTime() || a.id - b.id);
  const steps: RolloutStep[] = [];
  for (const entry of entries) {
    const after = stateOf(entry.after);
    if (!after) continue;
    const before = stateOf(entry.before);
    if (steps.length === 0 && before && entry.action !== 'create') {
      // The log read starts mid-history: the state before its oldest change, from that change.
      steps.push({ at: entry.at, ...before, actor: null, reason: null, action: 'before', version: null });
    }
    steps.push({
      at: entry.at,
      ...after,
      actor: entry.actor,
      reason: entry.reason,
      action: entry.action,
      version: entry.version,
    });
  }
  return steps;
}

/** The step in force at `at` (the last one at or before it), if any. @internal */
export function stepAt(steps: readonly RolloutStep[], at: Date): RolloutStep | undefined {
  let found: RolloutStep | undefined;
  for (const step of steps) {
    if (step.at.getTime() <= at.getTime()) found = step;
    else break;
  }
  return found;
}
