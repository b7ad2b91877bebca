import { type CheckpointRow, insertCheckpoint, selectCheckpoints } from '@kaviar/flags-pg';
import { limitOption } from '@kaviar/flags-pg/internal';
import type { MonitorDb } from './monitor-db';
import { quoteAudit } from './quote-audit';
import type { Checkpoint, CheckStatus, Expectations, Finding } from './types';

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
    // Checkpoints recorded before quotes dropped allowlist ids may still hold some.
    findings: ((r.findings ?? []) as Finding[]).map((f) =>
      f.audit ? { ...f, audit: f.audit.map(quoteAudit) } : f,
    ),
    expected: (r.expected ?? {}) as Expectations,
    configVersion: r.configVersion,
    at: r.at,
  };
}
