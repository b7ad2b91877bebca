import { InvalidFlagError, parseFlagKey } from '@kaviar/flags-core';
import { describe } from '@kaviar/flags-core/internal';
import type { FlagsDb } from '../db';
import { ConflictError, FlagNotFoundError } from '../errors';
import { auditState, writeAudit } from './audit';
import {
  checkFlagFields,
  checkWriteOptions,
  type FlagFields,
  type FlagRow,
  readFlagRow,
  type WriteOptions,
} from './flag-row';
import { runWrite } from './write-transaction';

/** Fields to change; omitted fields keep their value. */
export interface FlagChanges {
  readonly enabled?: boolean;
  /** 0..100, at most two decimals; numeric strings accepted. */
  readonly rolloutPercentage?: number | string;
  readonly description?: string;
}

/** Write options plus an optional compare-and-set. */
export interface UpdateOptions extends WriteOptions {
  /**
   * Compare-and-set: the values the caller believes are current. If any differs from the stored value,
   * nothing is written and `ConflictError` is thrown (with `expected` and `actual`).
   */
  readonly expect?: { readonly enabled?: boolean; readonly rolloutPercentage?: number | string };
}

/**
 * Changes `enabled`, `rolloutPercentage` and/or `description` of a flag, with its `update` audit row,
 * in one transaction that locks the flag row. A change that sets every field to its current value writes
 * nothing (no audit row, no new version) and returns the flag as is.
 * Throws `FlagNotFoundError`, `ConflictError` (compare-and-set lost), `InvalidFlagError` (a bad field) or
 * `InvalidOptionError` (a bad actor or reason).
 *
 * @example
 * // The rollback from the ops runbook, safe against a concurrent change:
 * await updateFlag(db, 'passenger_favorites_matching', { rolloutPercentage: 0 },
 *   { actor: 'ana', reason: 'rollback', expect: { rolloutPercentage: 1 } });
 */
export async function updateFlag(
  db: FlagsDb,
  key: string,
  changes: FlagChanges,
  options: UpdateOptions,
): Promise<FlagRow> {
  parseFlagKey(key);
  const { actor, reason } = checkWriteOptions(options);
  const patch = checkChanges(changes);
  const expected = checkExpect(options.expect);
  return runWrite(db, `Update of flag ${describe(key)}`, {}, async (tx) => {
    const before = await readFlagRow(tx, db.ident, key, true);
    if (!before) throw new FlagNotFoundError(key);
    if (expected) {
      const actual = Object.fromEntries(
        Object.keys(expected).map((field) => [field, before[field as keyof typeof expected]]),
      );
      const lost = Object.entries(expected).some(([field, value]) => actual[field] !== value);
      if (lost) throw new ConflictError(key, expected, actual);
    }
    const after = { ...auditState(before), ...patch };
    const same =
      after.enabled === before.enabled &&
      after.rolloutPercentage === before.rolloutPercentage &&
      after.description === before.description;
    if (same) return before;
    await tx.query(
      `update ${db.ident}.flags set enabled = $2, rollout_percentage = $3, description = $4,
       updated_at = now(), updated_by = $5 where key = $1`,
      [key, after.enabled, after.rolloutPercentage, after.description, actor],
    );
    await writeAudit(tx, db.ident, {
      flagKey: key,
      action: 'update',
      actor,
      reason,
      before: auditState(before),
      after,
    });
    return (await readFlagRow(tx, db.ident, key))!;
  });
}

function checkChanges(changes: FlagChanges): FlagFields {
  const patch = checkFlagFields(changes);
  if (Object.keys(patch).length === 0) {
    throw new InvalidFlagError('changes', changes, 'must set enabled, rolloutPercentage or description');
  }
  return patch;
}

function checkExpect(expect: UpdateOptions['expect']): FlagFields | undefined {
  if (expect === undefined) return undefined;
  const { enabled, rolloutPercentage } = expect;
  const out = checkFlagFields({ enabled, rolloutPercentage }, 'expect.');
  return Object.keys(out).length > 0 ? out : undefined;
}
