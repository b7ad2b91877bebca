/**
 * Drift assertions on one configuration field (`enabled`, `rollout_percentage`) over the check window.
 *
 * The window runs from the first read to the last one. Its history is the value at the first read
 * plus every audited change of the field between the two reads' versions. Verdicts:
 * - the last read differs from the expectation: FAIL (a mismatch that persisted), quoting the change
 *   that set the current value;
 * - the last read matches but the value was elsewhere at some point of the window: WARN
 *   "drifted and reverted", with each period and the changes that opened and closed it;
 * - otherwise PASS.
 */
import { formatPercent } from '@kaviar/flags-core/internal';
import type { Assertion, CheckContext } from './assertion';
import type { AuditEntry, FlagState } from './observation';
import { auditField, describeChange, formatTime, quoteAudit } from './quote-audit';
import type { Finding } from './types';

type Field = 'enabled' | 'rolloutPercentage';

interface FieldSpec {
  readonly name: string;
  readonly field: Field;
  /** The column name operators know. */
  readonly column: string;
  readonly format: (value: unknown) => string;
}

const same = (a: unknown, b: unknown): boolean =>
  typeof a === 'number' && typeof b === 'number' ? Math.abs(a - b) < 1e-9 : a === b;

/** Audit entries (newest first) that changed `field`. */
function changesOf(audit: readonly AuditEntry[], field: Field): AuditEntry[] {
  return audit.filter(
    (entry) => entry.after !== null && !same(auditField(entry.before, field), auditField(entry.after, field)),
  );
}

/** Whether an audit entry happened inside the window (after the first read, up to the last). */
function inWindow(entry: AuditEntry, first: FlagState | undefined, last: FlagState, firstAt: Date): boolean {
  if (entry.version !== null && first) return entry.version > first.version && entry.version <= last.version;
  return entry.at > firstAt && (entry.version === null || entry.version <= last.version);
}

/** The newest change that set `field` to `value` at or before `version`. */
function setterOf(changes: readonly AuditEntry[], field: Field, value: unknown, version: number) {
  return changes.find(
    (entry) =>
      (entry.version === null || entry.version <= version) && same(auditField(entry.after, field), value),
  );
}

function assertField(ctx: CheckContext, spec: FieldSpec): Finding | undefined {
  const expected = ctx.expect[spec.field];
  const last = ctx.last.flag;
  if (expected === undefined || !last) return undefined;
  const { name, field, column, format } = spec;
  const observed = last[field];
  const changes = changesOf(ctx.audit, field);
  const rechecked = ctx.first !== ctx.last;

  if (!same(observed, expected)) {
    const setter = setterOf(changes, field, observed, last.version);
    const created = setter && (setter.action === 'create' || auditField(setter.before, field) === undefined);
    const why = !setter
      ? 'no audit entry records this change'
      : created
        ? `created at ${format(observed)} ${describeChange(setter)}`
        : `set from ${format(auditField(setter.before, field))} to ${format(observed)} ${describeChange(setter)}`;
    const persisted = rechecked
      ? `; still ${format(observed)} when re-read ${ctx.last.at.getTime() - ctx.first.at.getTime()} ms later`
      : '';
    return {
      name,
      status: 'FAIL',
      message: `${column} is ${format(observed)}, expected ${format(expected)}: ${why}${persisted}`,
      expected,
      observed,
      ...(setter ? { audit: [quoteAudit(setter)] } : {}),
    };
  }

  const first = ctx.first.flag;
  const window = changes.filter((entry) => inWindow(entry, first, last, ctx.first.at)).reverse();
  const periods: string[] = [];
  const evidence: AuditEntry[] = [];
  let value: unknown = first ? first[field] : expected;
  let openedAt: Date | undefined;
  if (first && !same(value, expected)) {
    const openedBy = setterOf(changes, field, value, first.version);
    openedAt = openedBy?.at ?? ctx.first.at;
    if (openedBy) evidence.push(openedBy);
  }
  for (const entry of window) {
    const next = auditField(entry.after, field);
    evidence.push(entry);
    if (openedAt === undefined && !same(next, expected)) {
      openedAt = entry.at;
    } else if (openedAt !== undefined && same(next, expected)) {
      periods.push(`was ${format(value)} from ${formatTime(openedAt)} to ${formatTime(entry.at)}`);
      openedAt = undefined;
    }
    value = next;
  }
  if (openedAt !== undefined) {
    // The last read matches but no audited change explains the return: say what the reads saw.
    periods.push(
      `was ${format(value)} from ${formatTime(openedAt)} until at least ${formatTime(ctx.first.at)}`,
    );
  }
  if (periods.length === 0) {
    return { name, status: 'PASS', message: `${column} is ${format(observed)}`, expected, observed };
  }
  const who = evidence.map((entry) => `${format(auditField(entry.after, field))} ${describeChange(entry)}`);
  return {
    name,
    status: 'WARN',
    message: `${column} drifted and reverted: ${periods.join('; ')}; now ${format(observed)} as expected`,
    expected,
    observed,
    notes: who.map((line) => `set to ${line}`),
    audit: evidence.map(quoteAudit),
  };
}

/** `enabled` equals `expect.enabled` (FAIL when it persists, WARN when it drifted and came back). */
export const assertEnabled: Assertion = (ctx) =>
  assertField(ctx, { name: 'enabled', field: 'enabled', column: 'enabled', format: String });

/** `rollout_percentage` equals `expect.rolloutPercentage` (FAIL when it persists, WARN when it drifted and came back). */
export const assertRollout: Assertion = (ctx) =>
  assertField(ctx, {
    name: 'rollout',
    field: 'rolloutPercentage',
    column: 'rollout_percentage',
    format: formatPercent,
  });
