import { parseFlagKey } from '@kaviar/flags-core';
import type { FlagsDb, Queryable } from '../db';
import { InvalidOptionError } from '../errors';
import { limitOption } from '../limit-option';
import type { FlagRow } from './flag-row';

/** What an audit row records. `restore` is a change made by `importSnapshot`; `ramp.*` a ramp's state change. */
export type AuditAction =
  | RampAuditAction
  | 'create'
  | 'update'
  | 'delete'
  | 'allowlist.add'
  | 'allowlist.remove'
  | 'allowlist.import'
  | 'restore';

/** The audit actions of a ramp (`startRamp`, its checks, `pauseRamp`, `resumeRamp`, `abortRamp`). */
export type RampAuditAction =
  | 'ramp.start'
  | 'ramp.advance'
  | 'ramp.complete'
  | 'ramp.hold'
  | 'ramp.pause'
  | 'ramp.resume'
  | 'ramp.rollback'
  | 'ramp.abort';

/** The audited state of a flag row. */
export interface AuditFlagState {
  readonly enabled: boolean;
  readonly rolloutPercentage: number;
  readonly description: string;
}

/** The audited effect of an allowlist change: counts only, never the subject ids. */
export interface AuditAllowlistChange {
  readonly added?: number;
  readonly removed?: number;
  /** Allowlist size after the change. */
  readonly size?: number;
}

/**
 * An audit row's `before` or `after`, by action: a flag's state ({@link AuditFlagState}) for `create`,
 * `update`, `delete` and `restore`; an allowlist change's counts ({@link AuditAllowlistChange}) for
 * `allowlist.*` (and `allowlistAdded`/`allowlistRemoved` on `restore`); a ramp's `state`, `step` and
 * `percent` for `ramp.*` (`ramp.start` adds `steps` and `holdMs`). Typed as a plain record because rows written by other releases may hold other
 * fields: read the fields you need and check their types.
 */
export type AuditState = Readonly<Record<string, unknown>>;

/** One audited change, as returned by {@link listAudit}. */
export interface AuditEntry {
  readonly id: number;
  readonly flagKey: string;
  readonly action: AuditAction;
  readonly actor: string;
  readonly reason: string | null;
  /** The flag before (`null` on create, and for allowlist changes). */
  readonly before: AuditState | null;
  /** The flag after (`null` on delete), or what an allowlist change did. */
  readonly after: AuditState | null;
  readonly at: Date;
  /** The store version the change was committed as. */
  readonly version: number | null;
}

/** @internal */
export function auditState(
  row: Pick<FlagRow, 'enabled' | 'rolloutPercentage' | 'description'>,
): AuditFlagState {
  return { enabled: row.enabled, rolloutPercentage: row.rolloutPercentage, description: row.description };
}

/**
 * Writes an audit row inside the write's transaction, with the version that transaction took
 * (`state.version`, already bumped by the write's trigger and locked by it). @internal
 */
export async function writeAudit(
  tx: Queryable,
  ident: string,
  entry: {
    flagKey: string;
    action: AuditAction;
    actor: string;
    reason: string | null;
    before: object | null;
    after: object | null;
  },
): Promise<number> {
  const { rows } = await tx.query<{ version: number }>(
    `insert into ${ident}.audit (flag_key, action, actor, reason, before, after, version)
     values ($1, $2, $3, $4, $5::jsonb, $6::jsonb, (select version from ${ident}.state))
     returning version`,
    [
      entry.flagKey,
      entry.action,
      entry.actor,
      entry.reason,
      entry.before === null ? null : JSON.stringify(entry.before),
      entry.after === null ? null : JSON.stringify(entry.after),
    ],
  );
  return rows[0]?.version ?? 0;
}

/** Filters for {@link listAudit}. */
export interface ListAuditOptions {
  /** Only changes to this flag. */
  readonly flagKey?: string;
  /** Only changes at or after this time. */
  readonly since?: Date;
  /** At most this many entries: a positive integer. Default 100. */
  readonly limit?: number;
  /** Only changes made by this actor (exact match). */
  readonly actor?: string;
  /** Leave out the ramps' own rows (`ramp.*`): only changes to flags and their allowlists. Default `false`. */
  readonly flagChangesOnly?: boolean;
}

interface RawAudit {
  id: number;
  flag_key: string;
  action: AuditAction;
  actor: string;
  reason: string | null;
  before: AuditEntry['before'];
  after: AuditEntry['after'];
  at: Date;
  version: number | null;
}

/**
 * An audited state without `ids`: rows written before the audit kept counts only held the first few
 * allowlist ids, and members are never shown from the audit.
 */
function withoutIds<T extends object | null>(state: T): T {
  if (state === null || typeof state !== 'object' || !('ids' in state)) return state;
  const { ids: _ids, ...rest } = state as Record<string, unknown>;
  return rest as T;
}

/** Audited changes, newest first. Never holds allowlist ids (older rows that kept some lose them here). */
export async function listAudit(
  db: Pick<FlagsDb, 'ident' | 'query'>,
  options: ListAuditOptions = {},
): Promise<AuditEntry[]> {
  const limit = limitOption(options.limit, 100);
  if (options.flagKey !== undefined) parseFlagKey(options.flagKey);
  if (
    options.since !== undefined &&
    !(options.since instanceof Date && Number.isFinite(options.since.getTime()))
  ) {
    throw new InvalidOptionError('since', options.since, 'must be a valid Date');
  }
  const { rows } = await db.query<RawAudit>(
    `select id, flag_key, action, actor, reason, before, after, at, version from ${db.ident}.audit
     where ($1::text is null or flag_key = $1) and ($2::timestamptz is null or at >= $2)
       and ($4::text is null or actor = $4) and (not $5::boolean or action not like 'ramp.%')
     order by at desc, id desc limit $3`,
    [
      options.flagKey ?? null,
      options.since ?? null,
      limit,
      options.actor ?? null,
      options.flagChangesOnly ?? false,
    ],
  );
  return rows.map((r) => ({
    id: r.id,
    flagKey: r.flag_key,
    action: r.action,
    actor: r.actor,
    reason: r.reason,
    before: withoutIds(r.before),
    after: withoutIds(r.after),
    at: r.at,
    version: r.version,
  }));
}
