import { getFlag, listAudit, transitionRamp } from '@kaviar/flags-pg';
import type { RampStepContext, RampStepDecision } from './check-ramp-step';
import { withDecision } from './check-ramp-step';
import { recordCheckpoint } from './checkpoints';
import { explainForeignChange } from './explain-ramp';
import { quoteAudit } from './quote-audit';
import type { Checkpoint } from './types';

/**
 * Pauses a claimed ramp whose flag someone else changed since the ramp last wrote it, saying who changed
 * what from the audit log, with a WARN checkpoint that carries the same explanation. @internal
 */
export async function pauseForForeignChange(context: RampStepContext): Promise<RampStepDecision> {
  const { db, ramp, now } = context;
  const flag = await getFlag(db, ramp.flagKey);
  const entries = await listAudit(db, { flagKey: ramp.flagKey, limit: 50 });
  const explanation = explainForeignChange(entries, ramp.flagVersion, flag?.version ?? ramp.flagVersion);
  const evidence = entries
    .filter((e) => !e.action.startsWith('ramp.') && e.version !== null && e.version > ramp.flagVersion)
    .reverse()
    .map((e) => quoteAudit(e));
  const empty: Checkpoint = {
    flagKey: ramp.flagKey,
    phase: ramp.phases[ramp.stepIndex] ?? `step_${ramp.stepIndex + 1}`,
    label: 'ramp',
    status: 'PASS',
    findings: [],
    expected: {
      enabled: ramp.expectEnabled,
      rolloutPercentage: ramp.currentPercent,
      allowlistSize: ramp.expectAllowlistSize,
    },
    configVersion: flag?.version ?? null,
    at: now,
  };
  const observed = {
    decision: 'paused',
    rolloutPercentage: flag?.rolloutPercentage ?? null,
    enabled: flag?.enabled ?? null,
    flagVersion: flag?.version ?? null,
  };
  const decided = withDecision(empty, 'WARN', explanation, observed, ramp);
  const recorded: Checkpoint = {
    ...decided,
    findings: decided.findings.map((f) => (f.name === 'ramp' ? { ...f, audit: evidence } : f)),
  };
  let stored = recorded;
  const after = await transitionRamp(
    db,
    ramp.flagKey,
    {
      expectRevision: ramp.revision,
      leaseOwner: context.owner,
      action: 'ramp.pause',
      decision: 'paused',
      state: 'paused',
      nextCheckAt: null,
      holds: ramp.holds,
      status: 'WARN',
      explanation,
      flagVersion: 'ignore',
      now,
    },
    {
      actor: context.actor,
      async record(tx) {
        stored = await recordCheckpoint(tx, recorded);
        return stored.id;
      },
    },
  );
  return { outcome: 'paused', explanation, ramp: after, checkpoint: stored };
}
