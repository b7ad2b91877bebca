import { InvalidCheckOptionsError } from './errors';
import type { MonitorDb } from './monitor-db';
import { quoteAudit } from './quote-audit';
import type { Checkpoint, CheckStatus, Expectations, Finding } from './types';

/** Filters of {@link searchCheckpoints}; each one given narrows the result. */
export interface SearchCheckpointsOptions {
  /** Only this flag's checkpoints. */
  readonly flagKey?: string;
  /** Only checkpoints with one of these verdicts. */
  readonly status?: readonly CheckStatus[];
  /** Only checkpoints of this phase (exact match). */
  readonly phase?: string;
  /** How many to return, newest first. Default 50. */
  readonly last?: number;
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
  const last = options.last ?? 50;
  if (!(Number.isInteger(last) && last > 0))
    throw new InvalidCheckOptionsError('last', `${last} is not a whole number > 0`);
  const bad = options.status?.find((s) => !STATUSES.includes(s));
  if (bad !== undefined)
    throw new InvalidCheckOptionsError('status', `${bad} is not one of ${STATUSES.join(', ')}`);
  const { rows } = await db.query<Record<string, unknown>>(
    `select id::float8 as id, flag_key, phase, label, status, expected, findings,
       config_version::float8 as config_version, at
     from ${db.ident}.checkpoints
     where ($2::text is null or flag_key = $2) and ($3::text[] is null or status = any($3::text[]))
       and ($4::text is null or phase = $4)
     order by at desc, id desc limit $1`,
    [
      last,
      options.flagKey ?? null,
      options.status?.length ? [...options.status] : null,
      options.phase ?? null,
    ],
  );
  const phases = await db.query<{ phase: string }>(
    `select distinct phase from ${db.ident}.checkpoints order by phase limit 200`,
  );
  return { checkpoints: rows.map(toCheckpoint), phases: phases.rows.map((r) => r.phase) };
}

function toCheckpoint(r: Record<string, unknown>): Checkpoint {
  return {
    id: Number(r.id),
    flagKey: String(r.flag_key),
    phase: String(r.phase),
    label: String(r.label),
    status: String(r.status) as CheckStatus,
    findings: (json(r.findings, []) as Finding[]).map((f) =>
      f.audit ? { ...f, audit: f.audit.map(quoteAudit) } : f,
    ),
    expected: json(r.expected, {}) as Expectations,
    configVersion:
      r.config_version === null || r.config_version === undefined ? null : Number(r.config_version),
    at: r.at instanceof Date ? r.at : new Date(String(r.at)),
  };
}

function json(value: unknown, fallback: unknown): unknown {
  if (value === null || value === undefined) return fallback;
  return typeof value === 'string' ? JSON.parse(value) : value;
}
