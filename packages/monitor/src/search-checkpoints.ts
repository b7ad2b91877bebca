import { InvalidOptionError } from '@kaviar/flags-core';
import { searchCheckpointRows } from '@kaviar/flags-pg';
import { limitOption } from '@kaviar/flags-pg/internal';
import { toCheckpoint } from './checkpoints';
import type { MonitorDb } from './monitor-db';
import type { Checkpoint, CheckStatus } from './types';

/** Filters of {@link searchCheckpoints}; each one given narrows the result. */
export interface SearchCheckpointsOptions {
  /** Only this flag's checkpoints. */
  readonly flagKey?: string;
  /** Only checkpoints with one of these verdicts. */
  readonly status?: readonly CheckStatus[];
  /** Only checkpoints of this phase (exact match). */
  readonly phase?: string;
  /** How many to return, newest first: a positive integer. Default 50. */
  readonly limit?: number;
}

const STATUSES: readonly string[] = ['PASS', 'WARN', 'FAIL', 'UNKNOWN'];

/**
 * Recorded checkpoints across flags, newest first (by time, then id), filtered in the database by
 * flag, verdict and phase, with the same shape `listCheckpoints` returns (allowlist ids left out of
 * audit quotes). Also returns the phases recorded, for a filter menu.
 *
 * @example
 * const { checkpoints, phases } = await searchCheckpoints(db, { status: ['WARN', 'FAIL'], phase: 'ROLLOUT_1PCT' });
 */
export async function searchCheckpoints(
  db: MonitorDb,
  options: SearchCheckpointsOptions = {},
): Promise<{ checkpoints: Checkpoint[]; phases: string[] }> {
  const limit = limitOption(options.limit, 50);
  const bad = options.status?.find((s) => !STATUSES.includes(s));
  if (bad !== undefined) throw new InvalidOptionError('status', bad, `is not one of ${STATUSES.join(', ')}`);
  const { rows, phases } = await searchCheckpointRows(db, {
    limit,
    ...(options.flagKey === undefined ? {} : { flagKey: options.flagKey }),
    ...(options.status ? { statuses: options.status } : {}),
    ...(options.phase === undefined ? {} : { phase: options.phase }),
  });
  return { checkpoints: rows.map(toCheckpoint), phases };
}
