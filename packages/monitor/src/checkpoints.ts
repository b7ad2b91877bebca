import { type CheckpointRow, insertCheckpoint, selectCheckpoints } from '@kaviar/flags-pg';
import { limitOption } from '@kaviar/flags-pg/internal';
import type { MonitorDb } from './monitor-db';
import type { AuditQuote, Checkpoint, CheckStatus, Expectations, Finding } from './types';

/**
 * Stores a checkpoint in the checkpoints table and returns it with its `id`.
 * `checkFlag(..., { record: true })` calls this for you.
 */
export async function recordCheckpoint(
  db: MonitorDb,
  checkpoint: Checkpoint,
): Promise<Checkpoint & { id: number }> {
  const id = await insertCheckpoint(db, checkpoint);
  return { ...checkpoint, id };
}

/** Options of `listCheckpoints`. */
export interface ListCheckpointsOptions {
  /** Only this flag's checkpoints. Default: every flag. */
  readonly flagKey?: string;
  /** How many to return, newest first: a positive integer. Default 20. */
  readonly limit?: number;
}

/**
 * Recorded checkpoints, newest first (by time, then id), with phase, label, status, findings,
 * expectations and the configuration version they checked.
 */
export async function listCheckpoints(
  db: MonitorDb,
  options: ListCheckpointsOptions = {},
): Promise<Checkpoint[]> {
  const rows = await selectCheckpoints(db, {
    limit: limitOption(options.limit, 20),
    ...(options.flagKey === undefined ? {} : { flagKey: options.flagKey }),
  });
  return rows.map(toCheckpoint);
}

/** A stored checkpoint row as the monitor reads it back. @internal */
export function toCheckpoint(r: CheckpointRow & { readonly id: number }): Checkpoint {
  return {
    id: r.id,
    flagKey: r.flagKey,
    phase: r.phase,
    label: r.label,
    status: r.status as CheckStatus,
    findings: ((r.findings ?? []) as Finding[]).map((f) =>
      f.audit ? { ...f, audit: f.audit.map(withoutOldIds) } : f,
    ),
    expected: (r.expected ?? {}) as Expectations,
    configVersion: r.configVersion,
    at: r.at,
  };
}

/**
 * A quote from a checkpoint recorded when audit rows still kept the first few allowlist ids, without
 * them. (The audit itself no longer holds ids; this is about the checkpoints that quoted it.)
 */
function withoutOldIds(quote: AuditQuote): AuditQuote {
  return { ...quote, before: dropIds(quote.before), after: dropIds(quote.after) };
}

function dropIds(state: AuditQuote['before']): AuditQuote['before'] {
  if (state === null || typeof state !== 'object' || !('ids' in state)) return state;
  const { ids: _ids, ...rest } = state;
  return rest;
}
