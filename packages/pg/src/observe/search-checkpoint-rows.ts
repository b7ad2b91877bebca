import type { FlagsDb } from '../db';
import { type CheckpointRow, type CheckpointRowFilter, selectCheckpoints } from './checkpoint-rows';

export type { CheckpointRowFilter } from './checkpoint-rows';

/**
 * Checkpoint rows across flags, newest first (by time, then id), filtered in the database by flag,
 * status and phase (as {@link selectCheckpoints}); and the phases recorded (at most 200, sorted), for a
 * filter menu.
 */
export async function searchCheckpointRows(
  db: Pick<FlagsDb, 'ident' | 'query'>,
  filter: CheckpointRowFilter,
): Promise<{ rows: (CheckpointRow & { readonly id: number })[]; phases: string[] }> {
  const rows = await selectCheckpoints(db, filter);
  const phases = await db.query<{ phase: string }>(
    `select distinct phase from ${db.ident}.checkpoints order by phase limit 200`,
  );
  return { rows, phases: phases.rows.map((r) => String(r.phase)) };
}
