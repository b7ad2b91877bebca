/**
 * The agreement check: a speed number only counts if the SDK made the same decisions.
 * - Candidates on our bucketing contract (ours, the baselines, Unleash, the OpenFeature evaluator) must
 *   enable exactly the ids the floor enables, on every id they evaluated.
 * - Candidates with their own hash (GrowthBook, LaunchDarkly) must enable the configured share within
 *   5 binomial standard deviations; their overlap with our ids is printed, not judged.
 * - Every allowlisted id a candidate evaluated must be on.
 * - A constant (the OpenFeature floor) decides nothing: only that it ran is checked.
 */
import { type Measurement, NOT_EVALUATED } from './harness';

/** The verdict for one candidate. */
export interface Agreement {
  readonly evaluated: number;
  readonly enabled: number;
  /** Of the ids the reference enables (among those evaluated), how many this candidate enables too. */
  readonly overlap: number;
  readonly referenceEnabled: number;
  /** Ids decided differently from the reference (only judged for `contract` candidates). */
  readonly mismatches: number;
  readonly allowlistMissed: number;
  readonly ok: boolean;
  /** One line saying why, for the table. */
  readonly summary: string;
}

/** Compares a measurement with the reference decisions (the floor's). */
export function checkAgreement(
  measurement: Measurement,
  reference: Uint8Array,
  allowlistIndexes: readonly number[],
  rolloutPercentage: number,
): Agreement {
  const decisions = measurement.decisions;
  let evaluated = 0;
  let enabled = 0;
  let overlap = 0;
  let referenceEnabled = 0;
  let mismatches = 0;
  for (let i = 0; i < decisions.length; i++) {
    const mine = decisions[i];
    if (mine === NOT_EVALUATED) continue;
    evaluated++;
    const theirs = reference[i];
    if (mine === 1) enabled++;
    if (theirs === 1) {
      referenceEnabled++;
      if (mine === 1) overlap++;
    }
    if (mine !== theirs) mismatches++;
  }
  const allowlistMissed = allowlistIndexes.filter((i) => decisions[i] === 0).length;
  const share = evaluated === 0 ? 0 : enabled / evaluated;
  const pct = (share * 100).toFixed(3);
  const seen = `${enabled.toLocaleString('en-US')} of ${evaluated.toLocaleString('en-US')} on (${pct} %)`;
  if (measurement.candidate.hash === 'none') {
    const ok = evaluated > 0;
    const summary = `${seen}; a constant, not judged`;
    return { evaluated, enabled, overlap, referenceEnabled, mismatches, allowlistMissed, ok, summary };
  }
  if (measurement.candidate.hash === 'contract') {
    const ok = evaluated > 0 && mismatches === 0 && allowlistMissed === 0;
    const summary = ok ? `${seen}, same ids as ours` : `${seen}, ${mismatches} ids differ from ours`;
    return { evaluated, enabled, overlap, referenceEnabled, mismatches, allowlistMissed, ok, summary };
  }
  const p = rolloutPercentage / 100;
  const tolerance =
    5 * Math.sqrt((p * (1 - p)) / Math.max(evaluated, 1)) + allowlistIndexes.length / Math.max(evaluated, 1);
  const ok = evaluated > 0 && Math.abs(share - p) <= tolerance && allowlistMissed === 0;
  const overlapText = `${overlap.toLocaleString('en-US')} of our ${referenceEnabled.toLocaleString('en-US')} also on`;
  const summary = `${seen}${ok ? '' : ' OUT OF TOLERANCE'}; own hash: ${overlapText}`;
  return { evaluated, enabled, overlap, referenceEnabled, mismatches, allowlistMissed, ok, summary };
}
