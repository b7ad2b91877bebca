import { InvalidFlagError, parseFlagKey, parseRolloutPercentage } from '@kaviar/flags-core';
import { InvalidRampError } from '../errors';
import type { RampGuardCommand } from './ramp';

/** A ramp to start. */
export interface NewRamp {
  readonly flagKey: string;
  /** Percentages, strictly increasing, each above 0 and at most 100 with two decimals (`[1, 5, 25, 50, 100]`). */
  readonly steps: readonly (number | string)[];
  /** How long each step is held before it is checked (ms, > 0). */
  readonly holdMs: number;
  /** Checkpoint phase of each step (one per step). Default `ramp_<percent>pct` (`ramp_5pct`, `ramp_0_5pct`). */
  readonly phases?: readonly string[];
  /** Guard commands run at each check (monitoring-plugin exit codes). Default none. */
  readonly guards?: readonly RampGuardCommand[];
  /** Where a FAIL rolls back to: `previous` (default, the previous step that passed) or `zero`. */
  readonly rollbackTo?: 'previous' | 'zero';
  /** Consecutive checks without PASS after which the ramp pauses. Default 3. */
  readonly maxHolds?: number;
}

/** A ramp definition as `validateRamp` returns it: percentages parsed, defaults filled in. */
export interface RampPlan {
  readonly flagKey: string;
  readonly steps: number[];
  readonly phases: string[];
  readonly holdMs: number;
  readonly guards: RampGuardCommand[];
  readonly rollbackTo: 'previous' | 'zero';
  readonly maxHolds: number;
}

/** `ramp_5pct`, `ramp_0_5pct`: the default phase name of a step. */
export function defaultPhase(percent: number): string {
  return `ramp_${String(percent).replace('.', '_')}pct`;
}

const text = (field: string, value: unknown, max: number): string => {
  if (typeof value !== 'string' || value.trim() === '' || value.length > max || /[\r\n]/.test(value)) {
    throw new InvalidRampError(field, value, `must be one non-empty line of at most ${max} characters`);
  }
  return value.trim();
};

/**
 * Validates everything about a new ramp that does not need the database (what `startRamp` checks first):
 * throws `InvalidRampError` naming the field, else returns the plan with its defaults.
 *
 * @example validateRamp({ flagKey: 'f', steps: [5, 1], holdMs: 60_000 }) // throws: steps must be strictly increasing
 */
export function validateRamp(input: NewRamp): RampPlan {
  try {
    parseFlagKey(input?.flagKey);
  } catch {
    throw new InvalidRampError('flagKey', input?.flagKey, 'is not a valid flag key');
  }
  if (!Array.isArray(input.steps) || input.steps.length === 0 || input.steps.length > 100) {
    throw new InvalidRampError('steps', input.steps, 'must list 1 to 100 percentages');
  }
  const steps = input.steps.map((step, i) => {
    let percent: number;
    try {
      percent = parseRolloutPercentage(step, `steps[${i}]`);
    } catch (caught) {
      const problem = caught instanceof InvalidFlagError ? caught.problem : '';
      throw new InvalidRampError(`steps[${i}]`, step, problem || 'is not a rollout percentage');
    }
    if (percent <= 0) throw new InvalidRampError(`steps[${i}]`, step, 'must be above 0 %');
    return percent;
  });
  steps.forEach((percent, i) => {
    const before = steps[i - 1];
    if (before !== undefined && percent <= before) {
      throw new InvalidRampError(
        'steps',
        input.steps,
        `must be strictly increasing (${percent} after ${before})`,
      );
    }
  });
  if (!Number.isSafeInteger(input.holdMs) || input.holdMs <= 0) {
    throw new InvalidRampError('holdMs', input.holdMs, 'must be a whole number of milliseconds above 0');
  }
  const phases = input.phases === undefined ? steps.map(defaultPhase) : [...input.phases];
  if (phases.length !== steps.length) {
    throw new InvalidRampError('phases', input.phases, `must name each of the ${steps.length} steps`);
  }
  phases.forEach((phase, i) => {
    phases[i] = text(`phases[${i}]`, phase, 200);
  });
  const guards = (input.guards ?? []).map((guard, i) => ({
    name: text(`guards[${i}].name`, guard?.name, 200),
    command: text(`guards[${i}].command`, guard?.command, 4000),
  }));
  const rollbackTo = input.rollbackTo ?? 'previous';
  if (rollbackTo !== 'previous' && rollbackTo !== 'zero') {
    throw new InvalidRampError('rollbackTo', rollbackTo, "must be 'previous' or 'zero'");
  }
  const maxHolds = input.maxHolds ?? 3;
  if (!Number.isSafeInteger(maxHolds) || maxHolds < 1) {
    throw new InvalidRampError('maxHolds', maxHolds, 'must be a whole number >= 1');
  }
  return { flagKey: input.flagKey, steps, phases, holdMs: input.holdMs, guards, rollbackTo, maxHolds };
}
