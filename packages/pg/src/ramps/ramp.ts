import type { Queryable } from '../db';
import { jsonCell } from '../json-cell';

/**
 * Where a ramp is: `active` (due for its next check), `holding` (the last check was not a PASS; checked
 * again at the next tick), `paused` (by an operator, after too many holds, or because someone changed the
 * flag), or one of the ends: `completed`, `rolled_back`, `aborted`.
 */
export type RampState = 'active' | 'holding' | 'paused' | 'completed' | 'rolled_back' | 'aborted';

/** The states of a ramp in progress (at most one per flag). */
export const RAMP_IN_PROGRESS: readonly RampState[] = ['active', 'holding', 'paused'];

/** A guard command stored with a ramp: run at each check with the monitoring-plugin exit codes. */
export interface RampGuardCommand {
  /** Short name shown in explanations (`check_error_rate`). */
  readonly name: string;
  /** The shell command. */
  readonly command: string;
}

/** What a ramp decided at one check (or an operator did). */
export type RampDecision =
  | 'started'
  | 'advanced'
  | 'completed'
  | 'held'
  | 'paused'
  | 'resumed'
  | 'rolled_back'
  | 'aborted';

/** One entry of a ramp's story: a check of a step and what it led to, or an operator's action. */
export interface RampStepResult {
  /** Index of the step it concerned (0-based). */
  readonly step: number;
  /** That step's percentage. */
  readonly percent: number;
  /** That step's phase name. */
  readonly phase: string;
  /** The checkpoint's verdict, `null` when no check ran (an operator's action, a change by someone else). */
  readonly status: 'PASS' | 'WARN' | 'FAIL' | 'UNKNOWN' | null;
  readonly decision: RampDecision;
  /** The recorded checkpoint, when there is one. */
  readonly checkpointId: number | null;
  /** When (ISO 8601; the ticker's clock). */
  readonly at: string;
  /** The decision in plain words. */
  readonly explanation: string;
}

/** A guarded ramp as stored. Read with `getRamp` / `listRamps`. */
export interface Ramp {
  readonly id: number;
  readonly flagKey: string;
  /** Percentages, strictly increasing. */
  readonly steps: readonly number[];
  /** Checkpoint phase of each step. */
  readonly phases: readonly string[];
  /** How long each step is held before it is checked (ms). */
  readonly holdMs: number;
  /** `previous`: the previous step that passed; `zero`: 0 %. See `rampRollbackTarget`. */
  readonly rollbackTo: 'previous' | 'zero';
  /** The flag's rollout when the ramp started. */
  readonly initialRollout: number;
  /** The flag's switch when the ramp started (always `true`: a ramp needs an enabled flag). */
  readonly expectEnabled: boolean;
  /** The allowlist size when the ramp started; each check expects it unchanged. */
  readonly expectAllowlistSize: number;
  readonly guards: readonly RampGuardCommand[];
  /** Consecutive checks without PASS after which the ramp pauses. */
  readonly maxHolds: number;
  readonly state: RampState;
  /** Index of the current step (0-based). */
  readonly stepIndex: number;
  /** The current step's percentage (`steps[stepIndex]`). */
  readonly currentPercent: number;
  /** When the current step began (the ticker's clock). */
  readonly stepStartedAt: Date;
  /** When the next check is due; `null` when the ramp is paused or over. */
  readonly nextCheckAt: Date | null;
  /** Consecutive checks without PASS at the current step. */
  readonly holds: number;
  /** The flag version the ramp last wrote or accepted. */
  readonly flagVersion: number;
  /** Bumped by every change of the ramp (compare-and-set). */
  readonly revision: number;
  readonly startedBy: string;
  readonly reason: string | null;
  readonly startedAt: Date;
  readonly updatedAt: Date;
  readonly endedAt: Date | null;
  /** The latest decision in plain words. */
  readonly explanation: string;
  /** Every check and operator action, oldest first. */
  readonly history: readonly RampStepResult[];
  /** The ticker holding the ramp while it checks it, if any. */
  readonly leaseOwner: string | null;
  readonly leaseUntil: Date | null;
}

interface RawRamp {
  id: number;
  flag_key: string;
  steps: (number | string)[];
  phases: string[];
  hold_ms: number;
  rollback_to: 'previous' | 'zero';
  initial_rollout: number;
  expect_enabled: boolean;
  expect_allowlist_size: number;
  guards: RampGuardCommand[] | string;
  max_holds: number;
  state: RampState;
  step_index: number;
  step_started_at: Date;
  next_check_at: Date | null;
  holds: number;
  flag_version: number;
  revision: number;
  started_by: string;
  reason: string | null;
  started_at: Date;
  updated_at: Date;
  ended_at: Date | null;
  explanation: string;
  step_results: RampStepResult[] | string;
  lease_owner: string | null;
  lease_until: Date | null;
}

/** The columns of a ramp, with bigint/numeric arrays cast so both drivers return numbers. @internal */
export const RAMP_COLUMNS = `id::float8 as id, flag_key, steps::float8[] as steps, phases, hold_ms::float8 as hold_ms,
  rollback_to, initial_rollout::float8 as initial_rollout, expect_enabled, expect_allowlist_size, guards,
  max_holds, state, step_index, step_started_at, next_check_at, holds, flag_version::float8 as flag_version,
  revision, started_by, reason, started_at, updated_at, ended_at, explanation, step_results, lease_owner,
  lease_until`;

/** @internal */
export function toRamp(raw: RawRamp): Ramp {
  const steps = raw.steps.map(Number);
  return {
    id: Number(raw.id),
    flagKey: raw.flag_key,
    steps,
    phases: raw.phases,
    holdMs: Number(raw.hold_ms),
    rollbackTo: raw.rollback_to,
    initialRollout: Number(raw.initial_rollout),
    expectEnabled: raw.expect_enabled,
    expectAllowlistSize: Number(raw.expect_allowlist_size),
    guards: jsonCell(raw.guards) ?? [],
    maxHolds: Number(raw.max_holds),
    state: raw.state,
    stepIndex: Number(raw.step_index),
    currentPercent: steps[raw.step_index] ?? 0,
    stepStartedAt: raw.step_started_at,
    nextCheckAt: raw.next_check_at,
    holds: Number(raw.holds),
    flagVersion: Number(raw.flag_version),
    revision: Number(raw.revision),
    startedBy: raw.started_by,
    reason: raw.reason,
    startedAt: raw.started_at,
    updatedAt: raw.updated_at,
    endedAt: raw.ended_at,
    explanation: raw.explanation,
    history: jsonCell(raw.step_results) ?? [],
    leaseOwner: raw.lease_owner,
    leaseUntil: raw.lease_until,
  };
}

/** Reads the ramp in progress of a flag, optionally locking its row. @internal */
export async function readRampInProgress(
  q: Queryable,
  ident: string,
  flagKey: string,
  lock = false,
): Promise<Ramp | undefined> {
  const { rows } = await q.query<RawRamp>(
    `select ${RAMP_COLUMNS} from ${ident}.ramps
     where flag_key = $1 and state in ('active', 'holding', 'paused') ${lock ? 'for update' : ''}`,
    [flagKey],
  );
  return rows[0] && toRamp(rows[0]);
}

/** Selects ramps with a where clause. @internal */
export async function selectRamps(
  q: Queryable,
  ident: string,
  where: string,
  params: readonly unknown[],
): Promise<Ramp[]> {
  const { rows } = await q.query<RawRamp>(`select ${RAMP_COLUMNS} from ${ident}.ramps ${where}`, params);
  return rows.map(toRamp);
}

/**
 * Where a failed check rolls the ramp back to: with `rollbackTo: 'zero'`, 0 %; otherwise the previous
 * step (the one that passed to get here) or, at the first step, the rollout the flag had before the ramp
 * when it was lower than the first step, else 0 %.
 *
 * @example rampRollbackTarget({ steps: [1, 5, 25], stepIndex: 2, rollbackTo: 'previous', initialRollout: 0 }) // 5
 */
export function rampRollbackTarget(
  ramp: Pick<Ramp, 'steps' | 'stepIndex' | 'rollbackTo' | 'initialRollout'>,
): number {
  if (ramp.rollbackTo === 'zero') return 0;
  if (ramp.stepIndex > 0) return ramp.steps[ramp.stepIndex - 1] ?? 0;
  const first = ramp.steps[0] ?? 0;
  return ramp.initialRollout < first ? ramp.initialRollout : 0;
}

/** The advisory lock of one ramp: the class, and the flag within this schema. @internal */
export const RAMP_LOCK_SQL = (fn: 'pg_try_advisory_xact_lock' | 'pg_advisory_xact_lock') =>
  `select ${fn}(${0x6b72}, hashtext($1 || '/' || $2)) as locked`;

/** `2026-02-03 14:02:00Z`, as ramp explanations print times (the monitor prints them the same way). @internal */
export function stamp(at: Date): string {
  return `${at.toISOString().slice(0, 10)} ${at.toISOString().slice(11, 19)}Z`;
}

/** `1 % → 5 % → 25 %` */
export function describeSteps(steps: readonly number[]): string {
  return steps.map((s) => `${s} %`).join(' → ');
}
