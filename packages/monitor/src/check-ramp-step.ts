import {
  type FlagsDb,
  type Ramp,
  type RampTransition,
  rampRollbackTarget,
  transitionRamp,
} from '@kaviar/flags-pg';
import { checkFlag } from './check-flag';
import { recordCheckpoint } from './checkpoints';
import { worstStatus } from './exit-code';
import {
  explainAdvance,
  explainComplete,
  explainHold,
  explainPauseAfterHolds,
  explainRollback,
} from './explain-ramp';
import { runGuardCommand } from './run-guard-command';
import type { TickRampsOptions } from './tick-ramps';
import type { Checkpoint, Finding, FindingStatus } from './types';

/** What a ramp's check led to. */
export type RampOutcome = 'advanced' | 'completed' | 'held' | 'paused' | 'rolled_back';

/** One claimed ramp, who acts for it, and the clock. @internal */
export interface RampStepContext {
  readonly db: FlagsDb;
  readonly ramp: Ramp;
  readonly actor: string;
  /** The lease owner that claimed the ramp. */
  readonly owner: string;
  readonly now: Date;
}

/** A decision, applied. @internal */
export interface RampStepDecision {
  readonly outcome: RampOutcome;
  readonly explanation: string;
  readonly ramp: Ramp;
  /** The recorded checkpoint, with the `ramp` finding. */
  readonly checkpoint: Checkpoint;
}

/** Adds the `ramp` finding (the decision in plain words) to a checkpoint. @internal */
export function withDecision(
  checkpoint: Checkpoint,
  status: FindingStatus,
  explanation: string,
  observed: Record<string, unknown>,
  ramp: Ramp,
): Checkpoint {
  const finding: Finding = {
    name: 'ramp',
    status,
    message: explanation,
    expected: { step: ramp.stepIndex + 1, of: ramp.steps.length, rolloutPercentage: ramp.currentPercent },
    observed,
  };
  const findings = [...checkpoint.findings, finding];
  return { ...checkpoint, findings, status: worstStatus(findings.map((f) => f.status)) };
}

/**
 * Checks the current step of a claimed ramp (the flag unchanged by others when it started) and applies
 * the decision in one `transitionRamp`, recording the checkpoint in the same transaction. Throws
 * `ConflictError` / `RampConflictError` when the flag or the ramp changed during the check. @internal
 */
export async function checkRampStep(
  context: RampStepContext,
  options: TickRampsOptions & { guardTimeoutMs: number },
): Promise<RampStepDecision> {
  const { db, ramp, now } = context;
  const percent = ramp.currentPercent;
  const last = ramp.stepIndex === ramp.steps.length - 1;
  const next = last ? null : (ramp.steps[ramp.stepIndex + 1] ?? null);
  const rollbackTarget = rampRollbackTarget(ramp);
  const phase = ramp.phases[ramp.stepIndex] ?? `step_${ramp.stepIndex + 1}`;
  const commandFindings = await Promise.all(
    ramp.guards.map((guard) =>
      runGuardCommand(
        guard,
        {
          flagKey: ramp.flagKey,
          step: ramp.stepIndex + 1,
          steps: ramp.steps,
          percent,
          nextPercent: next,
          rollbackPercent: rollbackTarget,
          phase,
        },
        { timeoutMs: options.guardTimeoutMs, ...(options.guardEnv && { env: options.guardEnv }) },
      ),
    ),
  );
  const library = typeof options.guards === 'function' ? options.guards(ramp) : (options.guards ?? []);
  const checkpoint = await checkFlag(db, ramp.flagKey, {
    ...options.check,
    expect: {
      enabled: ramp.expectEnabled,
      rolloutPercentage: percent,
      allowlistSize: ramp.expectAllowlistSize,
    },
    phase,
    label: 'ramp',
    assertions: [...library, ...commandFindings.map((finding) => () => finding)],
    record: false,
  });
  const heldMs = now.getTime() - ramp.stepStartedAt.getTime();
  const starved = checkpoint.findings.some((f) => f.name === 'exposures' && f.status === 'SKIP');
  const base = {
    expectRevision: ramp.revision,
    leaseOwner: context.owner,
    flagVersion: 'require',
    now,
  } as const;
  let outcome: RampOutcome;
  let transition: RampTransition;
  let status: FindingStatus;
  if (checkpoint.status === 'FAIL') {
    outcome = 'rolled_back';
    status = 'FAIL';
    transition = {
      ...base,
      action: 'ramp.rollback',
      decision: 'rolled_back',
      state: 'rolled_back',
      nextCheckAt: null,
      holds: ramp.holds,
      rollout: { from: percent, to: rollbackTarget },
      explanation: explainRollback(percent, rollbackTarget, now, checkpoint),
    };
  } else if (checkpoint.status === 'PASS' && !starved) {
    status = 'PASS';
    outcome = next === null ? 'completed' : 'advanced';
    transition =
      next === null
        ? {
            ...base,
            action: 'ramp.complete',
            decision: 'completed',
            state: 'completed',
            nextCheckAt: null,
            holds: 0,
            explanation: explainComplete(percent, now, heldMs, checkpoint),
          }
        : {
            ...base,
            action: 'ramp.advance',
            decision: 'advanced',
            state: 'active',
            stepIndex: ramp.stepIndex + 1,
            nextCheckAt: new Date(now.getTime() + ramp.holdMs),
            holds: 0,
            rollout: { from: percent, to: next },
            explanation: explainAdvance(percent, next, now, heldMs, checkpoint),
          };
  } else {
    const holds = ramp.holds + 1;
    const pause = holds >= ramp.maxHolds;
    outcome = pause ? 'paused' : 'held';
    // A PASS held for want of exposure data stays a PASS checkpoint; a pause asks for attention.
    status = pause ? 'WARN' : checkpoint.status === 'PASS' ? 'SKIP' : checkpoint.status;
    transition = {
      ...base,
      action: pause ? 'ramp.pause' : 'ramp.hold',
      decision: pause ? 'paused' : 'held',
      state: pause ? 'paused' : 'holding',
      // Re-checked at the next tick.
      nextCheckAt: pause ? null : now,
      holds,
      explanation: pause
        ? explainPauseAfterHolds(percent, now, holds, checkpoint)
        : explainHold(percent, now, holds, ramp.maxHolds, checkpoint),
    };
  }
  const observed = {
    decision: transition.decision,
    ...(transition.rollout && { rolloutPercentage: transition.rollout.to }),
  };
  const recorded = withDecision(checkpoint, status, transition.explanation, observed, ramp);
  let stored: Checkpoint = recorded;
  const after = await transitionRamp(
    db,
    ramp.flagKey,
    { ...transition, status: recorded.status },
    {
      actor: context.actor,
      async record(tx) {
        stored = await recordCheckpoint(tx, recorded);
        return stored.id;
      },
    },
  );
  return { outcome, explanation: transition.explanation, ramp: after, checkpoint: stored };
}
