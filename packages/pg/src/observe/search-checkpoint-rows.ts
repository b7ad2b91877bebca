import type { FlagsDb } from '../db';
import type { CheckpointRow } from './checkpoint-rows';
import { asDate } from './read-flag-state';

/** Filters of {@link searchCheckpointRows}; each one given narrows the result. */
export interface CheckpointRowFilter {
  readonly flagKey?: string;
  /** Only rows with one of these statuses. */
  readonly statuses?: readonly string[];
  /** Only rows of this phase (exact match). */
  readonly phase?: string;
  /** At most this many rows. */
  readonly limit: number;
}

/**
 * Checkpoint rows across flags, newest first (by time, then id), filtered in the database by flag,
 * status and phase; and the phases recorded (at most 200, sorted), for a filter menu.
 */
export async function searchCheckpointRows(
  db: Pick<FlagsDb, 'ident' | 'query'>,
  filter: CheckpointRowFilter,
): Promise<{ rows: (CheckpointRow & { readonly id: number })[]; phases: string[] }> {
  const { rows } = await db.query<Record<string, unknown>>(
    `select id::float8 as id, flag_key, phase, label, status, expected, findings,
       config_version::float8 as config_version, at
     from ${db.ident}.checkpoints
     where ($2::text is null or flag_key = $2) and ($3::text[] is null or status = any($3::text[]))
       and ($4::text is null or phase = $4)
     order by at desc, id desc limit $1`,
    [
      filter.limit,
      filter.flagKey ?? null,
      filter.statuses?.length ? [...filter.statuses] : null,
      filter.phase ?? null,
    ],
  );
  const phases = await db.query<{ phase: string }>(
    `select distinct phase from ${db.ident}.checkpoints order by phase limit 200`,
  );
  return {
    rows: rows.map((r) => ({
      id: Number(r.id),
      flagKey: String(r.flag_key),
      phase: String(r.phase),
      label: String(r.label),
      status: String(r.status),
      expected: json(r.expected),
      findings: json(r.findings),
      configVersion:
        r.config_version === null || r.config_version === undefined ? null : Number(r.config_version),
      at: asDate(r.at),
    })),
    phases: phases.rows.map((r) => String(r.phase)),
  };
}

// PGlite may hand jsonb back as text.
function json(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : (value ?? null);
}
