import type { FlagsDb } from '../db';
import { SNAPSHOT_FORMAT, type SnapshotDocument, type SnapshotFlag } from './snapshot-document';

/**
 * Every flag with its allowlist as a JSON-ready document (seed field names: `key`, `enabled`,
 * `rollout_percentage`, `created_at`, `updated_at`), read in one statement so it is consistent at `version`.
 *
 * `options.source` is recorded as the document's `source` (where it was taken, for people; mask any
 * password first), so a restore into another database can say where the file came from.
 *
 * @example
 * writeFileSync('flags.json', JSON.stringify(await exportSnapshot(db), null, 2));
 */
export async function exportSnapshot(
  db: FlagsDb,
  options: { readonly source?: string } = {},
): Promise<SnapshotDocument> {
  const { rows } = await db.query<{ version: number; now: Date; flags: SnapshotFlag[] | null }>(
    `select s.version, now() as now, (
       select json_agg(json_build_object(
         'key', f.key, 'enabled', f.enabled, 'rollout_percentage', f.rollout_percentage,
         'description', f.description, 'created_at', f.created_at, 'updated_at', f.updated_at,
         'updated_by', f.updated_by, 'version', f.version,
         'allowlist', (select coalesce(json_agg(a.subject_id order by a.subject_id collate "C"), '[]'::json)
                       from ${db.ident}.allowlist a where a.flag_key = f.key)
       ) order by f.key collate "C") from ${db.ident}.flags f) as flags
     from ${db.ident}.state s`,
  );
  const row = rows[0];
  return {
    format: SNAPSHOT_FORMAT,
    version: row?.version ?? 0,
    exported_at: (row?.now ?? new Date()).toISOString(),
    ...(options.source === undefined ? {} : { source: options.source }),
    flags: (row?.flags ?? []).map((f) => ({
      ...f,
      rollout_percentage: Number(f.rollout_percentage),
      created_at: new Date(f.created_at as string).toISOString(),
      updated_at: new Date(f.updated_at as string).toISOString(),
    })),
  };
}
