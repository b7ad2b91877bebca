/**
 * The source's reads. Each is ONE statement, so it sees one consistent database snapshot: because every
 * write takes its version under the `state` row lock (see migration 0001), a statement that reads
 * `state.version = w` sees every change with a version <= w and none above.
 * - `readVersion`: the idle poll, one single-row query.
 * - `loadAll`: every flag with its allowlist.
 * - `loadChanges`: only the flags and allowlist entries changed since a version, from the `changes` log;
 *   `undefined` when the log no longer reaches back that far (pruned), so the caller loads everything.
 */
import type { FlagConfig } from '@kaviar/flags-core';
import type { Queryable } from '../db';

/** The store's current version and how far back its change log reaches. @internal */
export interface StoreVersion {
  readonly version: number;
  readonly prunedThrough: number;
}

/** Flags loaded at one version, plus the keys that differ from the previous map. @internal */
export interface LoadedFlags {
  readonly version: number;
  readonly flags: ReadonlyMap<string, FlagConfig>;
  readonly changedKeys: readonly string[];
}

interface JsonFlag {
  key: string;
  enabled: boolean;
  rollout: number;
  description: string;
  version: number;
  updated_at: string;
  allowlist?: string[];
}

const flagJson = (alias: string, withAllowlist: string) => `json_build_object(
  'key', ${alias}.key, 'enabled', ${alias}.enabled, 'rollout', ${alias}.rollout_percentage,
  'description', ${alias}.description, 'version', ${alias}.version, 'updated_at', ${alias}.updated_at
  ${withAllowlist})`;

function toConfig(raw: JsonFlag, allowlist: readonly string[]): FlagConfig {
  return {
    key: raw.key,
    enabled: raw.enabled,
    rolloutPercentage: Number(raw.rollout),
    allowlist,
    version: raw.version,
    updatedAt: new Date(raw.updated_at),
    description: raw.description,
  };
}

/** The idle poll: one row. @internal */
export async function readVersion(q: Queryable, ident: string): Promise<StoreVersion> {
  const { rows } = await q.query<{ version: number; pruned_through: number }>(
    `select version, pruned_through from ${ident}.state`,
  );
  const row = rows[0];
  return { version: row?.version ?? 0, prunedThrough: row?.pruned_through ?? 0 };
}

/** Loads every flag. `previous` lets unchanged flags keep their config objects. @internal */
export async function loadAll(
  q: Queryable,
  ident: string,
  previous?: ReadonlyMap<string, FlagConfig>,
): Promise<LoadedFlags> {
  const { rows } = await q.query<{ version: number; flags: JsonFlag[] | null }>(
    `select s.version, (select json_agg(${flagJson(
      'f',
      `, 'allowlist', (select coalesce(json_agg(a.subject_id), '[]'::json) from ${ident}.allowlist a where a.flag_key = f.key)`,
    )}) from ${ident}.flags f) as flags
     from ${ident}.state s`,
  );
  const row = rows[0];
  const flags = new Map<string, FlagConfig>();
  const changedKeys: string[] = [];
  for (const raw of row?.flags ?? []) {
    const config = toConfig(raw, raw.allowlist ?? []);
    const old = previous?.get(raw.key);
    if (old !== undefined && sameConfig(old, config)) {
      flags.set(raw.key, old);
    } else {
      flags.set(raw.key, config);
      changedKeys.push(raw.key);
    }
  }
  for (const key of previous?.keys() ?? []) if (!flags.has(key)) changedKeys.push(key);
  return { version: row?.version ?? 0, flags, changedKeys };
}

/**
 * Applies the changes logged after `since` to `previous`. Returns `undefined` when the change log was
 * pruned past `since` (load everything instead). @internal
 */
export async function loadChanges(
  q: Queryable,
  ident: string,
  since: number,
  previous: ReadonlyMap<string, FlagConfig>,
): Promise<LoadedFlags | undefined> {
  const { rows } = await q.query<{
    version: number;
    pruned_through: number;
    row_keys: string[] | null;
    flags: JsonFlag[] | null;
    members: [string, string, boolean][] | null;
  }>(
    `with ch as (select distinct flag_key, subject_id from ${ident}.changes where version > $1)
     select s.version, s.pruned_through,
       (select json_agg(ch.flag_key) from ch where ch.subject_id is null) as row_keys,
       (select json_agg(${flagJson('f', '')}) from ${ident}.flags f
         where f.key in (select flag_key from ch where subject_id is null)) as flags,
       (select json_agg(json_build_array(ch.flag_key, ch.subject_id, a.subject_id is not null)) from ch
         left join ${ident}.allowlist a on a.flag_key = ch.flag_key and a.subject_id = ch.subject_id
         where ch.subject_id is not null) as members
     from ${ident}.state s`,
    [since],
  );
  const row = rows[0];
  if (row === undefined || row.pruned_through > since) return undefined;
  const rowKeys = new Set(row.row_keys ?? []);
  const current = new Map((row.flags ?? []).map((raw) => [raw.key, raw]));
  const members = new Map<string, Map<string, boolean>>();
  for (const [key, id, present] of row.members ?? []) {
    const forFlag = members.get(key) ?? new Map<string, boolean>();
    members.set(key, forFlag);
    forFlag.set(id, present);
  }
  const flags = new Map(previous);
  const changedKeys: string[] = [];
  for (const key of new Set([...rowKeys, ...members.keys()])) {
    const old = previous.get(key);
    let allowlist = old?.allowlist ?? [];
    const memberChanges = members.get(key);
    if (memberChanges) {
      const set = new Set(allowlist);
      for (const [id, present] of memberChanges) present ? set.add(id) : set.delete(id);
      allowlist = [...set];
    }
    // A changed flag row is re-read (absent now = deleted); otherwise only its allowlist changed.
    const raw = current.get(key);
    const next = rowKeys.has(key) ? raw && toConfig(raw, allowlist) : old && { ...old, allowlist };
    if (next === undefined) {
      if (flags.delete(key)) changedKeys.push(key);
    } else if (old === undefined || !sameConfig(old, next)) {
      flags.set(key, next);
      changedKeys.push(key);
    }
  }
  return { version: row.version, flags, changedKeys };
}

function sameConfig(a: FlagConfig, b: FlagConfig): boolean {
  if (
    a.enabled !== b.enabled ||
    a.rolloutPercentage !== b.rolloutPercentage ||
    a.version !== b.version ||
    a.description !== b.description ||
    a.updatedAt?.getTime() !== b.updatedAt?.getTime() ||
    a.allowlist.length !== b.allowlist.length
  ) {
    return false;
  }
  const ids = new Set(a.allowlist);
  return b.allowlist.every((id) => ids.has(id));
}
