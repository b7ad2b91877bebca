/**
 * The verdict of one assertion. `SKIP` means it could not decide (not enough data, nothing to
 * compare): it is never a pass. `UNKNOWN` means it could not run at all (database unreachable,
 * an assertion that threw).
 */
export type FindingStatus = 'PASS' | 'WARN' | 'FAIL' | 'SKIP' | 'UNKNOWN';

/**
 * The verdict of a whole check, the worst of its findings (`SKIP` counts as `PASS`):
 * `PASS` < `WARN` < `UNKNOWN` < `FAIL`. Maps to exit codes 0 / 1 / 3 / 2 (see `exitCodeFor`).
 */
export type CheckStatus = 'PASS' | 'WARN' | 'FAIL' | 'UNKNOWN';

/**
 * One audit log entry quoted as evidence: what changed, from what to what, by whom, when, why.
 * Every finding that involves a change carries the entries that explain it.
 */
export interface AuditQuote {
  /** `create`, `update`, `delete`, `allowlist.add`, `allowlist.remove`, `allowlist.import`, `restore`. */
  readonly action: string;
  /** Who made the change. */
  readonly actor: string;
  /** Why, as the actor wrote it; `null` when none was given. */
  readonly reason: string | null;
  /** When the change was committed (ISO 8601, database clock). */
  readonly at: string;
  /** The store version the change produced. */
  readonly version: number | null;
  /** The changed fields before the change (`null` for a create). */
  readonly before: Readonly<Record<string, unknown>> | null;
  /** The changed fields after the change (`null` for a delete). */
  readonly after: Readonly<Record<string, unknown>> | null;
}

/**
 * What an assertion found: data, never an exception.
 *
 * @example
 * { name: 'rollout', status: 'FAIL', message: 'rollout_percentage is 5 %, expected 1 % ...',
 *   expected: 1, observed: 5, audit: [{ actor: 'alice', ... }] }
 */
export interface Finding {
  /** Stable name of the assertion (`exists`, `enabled`, `rollout`, `allowlist`, `propagation`, `exposures`, or a custom one). */
  readonly name: string;
  readonly status: FindingStatus;
  /** One or two sentences an operator can act on. */
  readonly message: string;
  /** What the operator expected (JSON-serialisable). */
  readonly expected: unknown;
  /** What was observed (JSON-serialisable). */
  readonly observed: unknown;
  /** Extra context that does not change the verdict (an instance that caught up, a window that drifted). */
  readonly notes?: readonly string[];
  /** Audit log entries that explain the finding, oldest first. */
  readonly audit?: readonly AuditQuote[];
}

/**
 * What the operator expects of the flag. Only what is given is asserted; the flag's existence,
 * instance propagation and the exposure share are always checked.
 */
export interface Expectations {
  /** Expected master switch. */
  readonly enabled?: boolean;
  /** Expected rollout, percent 0..100 with at most two decimals. */
  readonly rolloutPercentage?: number;
  /** Expected number of allowlisted subjects. */
  readonly allowlistSize?: number;
  /** Subject ids that must be on the allowlist. */
  readonly allowlistIncludes?: readonly string[];
}

/**
 * The result of checking one flag: the worst of its findings, with the evidence.
 * This is what `checkFlag` returns, what `record` stores and what `listCheckpoints` reads back.
 */
export interface Checkpoint {
  /** Row id once recorded. */
  readonly id?: number;
  readonly flagKey: string;
  /** Rollout phase the operator is in (e.g. `phase2_rollout`). */
  readonly phase: string;
  /** Free label for this check (e.g. `manual`, `smoke-test-final`). */
  readonly label: string;
  /** Worst finding: PASS < WARN < UNKNOWN < FAIL. */
  readonly status: CheckStatus;
  readonly findings: readonly Finding[];
  /** The expectations the check ran with. */
  readonly expected: Expectations;
  /** Store version of the flag's configuration that was checked; `null` when unknown (missing flag, no database). */
  readonly configVersion: number | null;
  /** When the check concluded (database clock when it could read the database). */
  readonly at: Date;
}
