import { InvalidCheckOptionsError } from './errors';
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
  const { rows } = await db.query<{ id: unknown }>(
    `insert into ${db.ident}.checkpoints (flag_key, phase, label, status, expected, findings, config_version, at)
     values ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $8) returning id::float8 as id`,
    [
      checkpoint.flagKey,
      checkpoint.phase,
      checkpoint.label,
      checkpoint.status,
      JSON.stringify(checkpoint.expected),
      JSON.stringify(checkpoint.findings),
      checkpoint.configVersion,
      checkpoint.at,
    ],
  );
  return { ...checkpoint, id: Number(rows[0]?.id) };
}

/** Options of `listCheckpoints`. */
export interface ListCheckpointsOptions {
  /** Only this flag's checkpoints. Default: every flag. */
  readonly flagKey?: string;
  /** How many to return, newest first. Default 20. */
  readonly last?: number;
}

/**
 * Recorded checkpoints, newest first (by time, then id), with phase, label, status, findings,
 * expectations and the configuration version they checked.
 */
export async function listCheckpoints(
  db: MonitorDb,
  options: ListCheckpointsOptions = {},
): Promise<Checkpoint[]> {
  const last = options.last ?? 20;
  if (!(Number.isInteger(last) && last > 0))
    throw new InvalidCheckOptionsError('last', `${last} is not a whole number > 0`);
  const where = options.flagKey === undefined ? '' : 'where flag_key = $2';
  const { rows } = await db.query<Record<string, unknown>>(
    `select id::float8 as id, flag_key, phase, label, status, expected, findings, config_version::float8 as config_version, at
     from ${db.ident}.checkpoints ${where} order by at desc, id desc limit $1`,
    options.flagKey === undefined ? [last] : [last, options.flagKey],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    flagKey: String(r.flag_key),
    phase: String(r.phase),
    label: String(r.label),
    status: String(r.status) as CheckStatus,
    // Checkpoints recorded before quotes dropped allowlist ids may still hold some.
    findings: (json(r.findings, []) as Finding[]).map((f) =>
      f.audit ? { ...f, audit: f.audit.map(quoteAudit) } : f,
    ),
    expected: json(r.expected, {}) as Expectations,
    configVersion:
      r.config_version === null || r.config_version === undefined ? null : Number(r.config_version),
    at: r.at instanceof Date ? r.at : new Date(String(r.at)),
  }));
}

function json(value: unknown, fallback: unknown): unknown {
  if (value === null || value === undefined) return fallback;
  return typeof value === 'string' ? JSON.parse(value) : value;
}
