import { parseFlagKey } from '@kaviar/flags-core';
import { describe } from '@kaviar/flags-core/internal';
import type { FlagsDb } from '../db';
import { FlagNotFoundError } from '../errors';
import { auditState, writeAudit } from './audit';
import { checkWriteOptions, type FlagRow, readFlagRow, type WriteOptions } from './flag-row';
import { runWrite } from './write-transaction';

/**
 * Deletes a flag and its allowlist, with a `delete` audit row, in one transaction. Returns the flag as it
 * was. Clients then evaluate the key as `FLAG_NOT_FOUND` (the caller's fallback). Throws `FlagNotFoundError`.
 */
export async function deleteFlag(db: FlagsDb, key: string, options: WriteOptions): Promise<FlagRow> {
  parseFlagKey(key);
  const { actor, reason } = checkWriteOptions(options);
  return runWrite(db, `Deleting flag ${describe(key)}`, {}, async (tx) => {
    const before = await readFlagRow(tx, db.ident, key, true);
    if (!before) throw new FlagNotFoundError(key);
    await tx.query(`delete from ${db.ident}.flags where key = $1`, [key]);
    await writeAudit(tx, db.ident, {
      flagKey: key,
      action: 'delete',
      actor,
      reason,
      before: { ...auditState(before), allowlistCount: before.allowlistCount },
      after: null,
    });
    return before;
  });
}
