import type { FlagsDb } from '../db';
import { jsonCell } from '../json-cell';
import { asDate } from './read-flag-state';

/**
 * A row of the checkpoints table. The store keeps `expected` and `findings` as JSON without reading
 * them: their shape belongs to @kaviar/flags-monitor, which writes and reads them.
 */
export interface CheckpointRow {
  readonly flagKey: string;
  readonly phase: string;
  readonly label: string;
  /** `PASS`, `WARN`, `FAIL` or `UNKNOWN`. */
  readonly status: string;
  readonly expected: unknown;
  readonly findings: unknown;
  /** Store version of the flag's configuration the check saw, or `null`. */
  readonly configVersion: number | null;
  readonly at: Date;
}

/** Inserts a checkpoint row; returns its id. */
export async function insertCheckpoint(
  db: Pick<FlagsDb, 'ident' | 'query'>,
  row: CheckpointRow,
): Promise<number> {
  const { rows } = await db.query<{ id: unknown }>(
    `insert into ${db.ident}.checkpoints (flag_key, phase, label, status, expected, findings, config_version, at)
     values ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $8) returning id::float8 as id`,
    [
      row.flagKey,
      row.phase,
      row.label,
      row.status,
      JSON.stringify(row.expected),
      JSON.stringify(row.findings),
      row.configVersion,
      row.at,
    ],
  );
  return Number(rows[0]?.id);
}

/** Filters of {@link selectCheckpoints}; each one given narrows the result. */
export interface CheckpointRowFilter {
  readonly flagKey?: string;
  /** Only rows with one of these statuses. */
  readonly statuses?: readonly string[];
  /** Only rows of this phase (exact match). */
  readonly phase?: string;
  /** At most this many rows. */
  readonly limit: number;
}

/** Checkpoint rows, newest first (by time, then id), filtered in the database by flag, status and phase. */
export async function selectCheckpoints(
  db: Pick<FlagsDb, 'ident' | 'query'>,
  filter: CheckpointRowFilter,
): Promise<(CheckpointRow & { readonly id: number })[]> {
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
  return rows.map((r) => ({
    id: Number(r.id),
    flagKey: String(r.flag_key),
    phase: String(r.phase),
    label: String(r.label),
    status: String(r.status),
    expected: jsonCell(r.expected),
    findings: jsonCell(r.findings),
    configVersion:
      r.config_version === null || r.config_version === undefined ? null : Number(r.config_version),
    at: asDate(r.at),
  }));
}
