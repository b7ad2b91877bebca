import { parseFlagKey } from '@kaviar/flags-core';
import { describe } from '@kaviar/flags-core/internal';
import type { FlagsDb } from '../db';
import { FlagExistsError } from '../errors';
import { auditState, writeAudit } from './audit';
import { checkFlagFields, checkWriteOptions, type FlagRow, readFlagRow, type WriteOptions } from './flag-row';
import type { FlagChanges } from './update-flag';
import { runWrite } from './write-transaction';

/** A new flag: its key and the fields of {@link FlagChanges}. Defaults: disabled, 0 % rollout, empty description. */
export interface NewFlag extends FlagChanges {
  readonly key: string;
}

/**
 * Creates a flag and its `create` audit row in one transaction.
 * Throws `FlagExistsError` when the key is taken, `InvalidFlagError` for a bad flag field or
 * `InvalidOptionError` for a bad actor or reason (nothing written).
 *
 * @example
 * await createFlag(db, { key: 'passenger_favorites_matching', enabled: true, rolloutPercentage: 1 }, { actor: 'ana' });
 */
export async function createFlag(db: FlagsDb, flag: NewFlag, options: WriteOptions): Promise<FlagRow> {
  const key = parseFlagKey(flag?.key);
  const { actor, reason } = checkWriteOptions(options);
  const { enabled = false, rolloutPercentage = 0, description = '' } = checkFlagFields(flag);
  return runWrite(db, `Creating flag ${describe(key)}`, {}, async (tx) => {
    const { rows } = await tx.query(
      `insert into ${db.ident}.flags (key, enabled, rollout_percentage, description, updated_by)
       values ($1, $2, $3, $4, $5) on conflict (key) do nothing returning key`,
      [key, enabled, rolloutPercentage, description, actor],
    );
    if (rows.length === 0) throw new FlagExistsError(key);
    const row = (await readFlagRow(tx, db.ident, key))!;
    await writeAudit(tx, db.ident, {
      flagKey: key,
      action: 'create',
      actor,
      reason,
      before: null,
      after: auditState(row),
    });
    return row;
  });
}
