import {
  InvalidFlagError,
  InvalidOptionError,
  parseRolloutPercentage,
  textProblem,
} from '@kaviar/flags-core';
import type { Queryable } from '../db';

/** A flag as stored, for operators (evaluation uses `FlagConfig` from core). */
export interface FlagRow {
  readonly key: string;
  readonly enabled: boolean;
  /** 0..100, at most two decimals. */
  readonly rolloutPercentage: number;
  readonly description: string;
  /** Version of the last change to the flag row or its allowlist. */
  readonly version: number;
  readonly createdAt: Date;
  /** When the flag or its allowlist last changed. */
  readonly updatedAt: Date;
  /** Actor of the last change. */
  readonly updatedBy: string;
  /** Number of subject ids on the allowlist. */
  readonly allowlistCount: number;
}

/** Who makes a change and why; recorded in the audit row written in the same transaction. */
export interface WriteOptions {
  /** Who is making the change (a person or a script). Required, non-empty. */
  readonly actor: string;
  /** Why; shown in history and in monitor checkpoints. */
  readonly reason?: string;
}

interface RawFlagRow {
  key: string;
  enabled: boolean;
  rollout_percentage: number;
  description: string;
  version: number;
  created_at: Date;
  updated_at: Date;
  updated_by: string;
  allowlist_count: number;
}

/** @internal */
export function selectFlagsSql(ident: string, where: string, lock = ''): string {
  return `select f.key, f.enabled, f.rollout_percentage, f.description, f.version, f.created_at, f.updated_at,
    f.updated_by, (select count(*) from ${ident}.allowlist a where a.flag_key = f.key)::int as allowlist_count
    from ${ident}.flags f ${where} ${lock}`;
}

/** @internal */
export function toFlagRow(raw: RawFlagRow): FlagRow {
  return {
    key: raw.key,
    enabled: raw.enabled,
    rolloutPercentage: raw.rollout_percentage,
    description: raw.description,
    version: raw.version,
    createdAt: raw.created_at,
    updatedAt: raw.updated_at,
    updatedBy: raw.updated_by,
    allowlistCount: raw.allowlist_count,
  };
}

/** Reads one flag row, optionally locking it (`for update`) inside a transaction. @internal */
export async function readFlagRow(
  q: Queryable,
  ident: string,
  key: string,
  lock = false,
): Promise<FlagRow | undefined> {
  const { rows } = await q.query<RawFlagRow>(
    selectFlagsSql(ident, 'where f.key = $1', lock ? 'for update of f' : ''),
    [key],
  );
  return rows[0] && toFlagRow(rows[0]);
}

/** Reads all flag rows, ordered by key. @internal */
export async function readFlagRows(q: Queryable, ident: string): Promise<FlagRow[]> {
  const { rows } = await q.query<RawFlagRow>(selectFlagsSql(ident, 'order by f.key'));
  return rows.map(toFlagRow);
}

/**
 * Validates write options; returns the actor and reason. Both are stored as given, so they must be
 * storable text (core's `textProblem`: no NUL, no lone surrogate). Throws `InvalidOptionError` naming
 * the option. @internal
 */
export function checkWriteOptions(options: WriteOptions): { actor: string; reason: string | null } {
  if (typeof options?.actor !== 'string' || options.actor.trim() === '') {
    throw new InvalidOptionError(
      'actor',
      options?.actor,
      'must be a non-empty string (who makes the change)',
    );
  }
  checkOptionText('actor', options.actor);
  if (options.reason !== undefined && typeof options.reason !== 'string') {
    throw new InvalidOptionError('reason', options.reason, 'must be a string');
  }
  if (options.reason !== undefined) checkOptionText('reason', options.reason);
  return { actor: options.actor, reason: options.reason ?? null };
}

/** Throws `InvalidOptionError` naming `option` when `value` cannot be stored as text. */
function checkOptionText(option: string, value: string): void {
  const problem = textProblem(value);
  if (problem !== undefined) throw new InvalidOptionError(option, value, problem);
}

/** Validates a description. @internal */
export function checkDescription(value: unknown): string {
  if (typeof value !== 'string') throw new InvalidFlagError('description', value, 'must be a string');
  return checkText('description', value);
}

/** Throws `InvalidFlagError` naming `field` when `value` cannot be stored as text. @internal */
export function checkText(field: string, value: string): string {
  const problem = textProblem(value);
  if (problem !== undefined) throw new InvalidFlagError(field, value, problem);
  return value;
}

/** The fields a write sets on a flag row, validated. @internal */
export type FlagFields = {
  enabled?: boolean;
  rolloutPercentage?: number;
  description?: string;
};

/**
 * Validates the fields that are given (omitted ones stay omitted) for create, update and compare-and-set;
 * `prefix` names them in errors (`expect.`). @internal
 */
export function checkFlagFields(
  fields: {
    readonly enabled?: unknown;
    readonly rolloutPercentage?: unknown;
    readonly description?: unknown;
  },
  prefix = '',
): FlagFields {
  const out: FlagFields = {};
  if (fields?.enabled !== undefined) {
    if (typeof fields.enabled !== 'boolean') {
      throw new InvalidFlagError(`${prefix}enabled`, fields.enabled, 'must be true or false');
    }
    out.enabled = fields.enabled;
  }
  if (fields?.rolloutPercentage !== undefined) {
    out.rolloutPercentage = parseRolloutPercentage(fields.rolloutPercentage, `${prefix}rolloutPercentage`);
  }
  if (fields?.description !== undefined) out.description = checkDescription(fields.description);
  return out;
}
