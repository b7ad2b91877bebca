import type { AuditEntry, Observation } from './observation';
import type { Expectations, Finding } from './types';

/** Tunables the built-in assertions read; `checkFlag` fills in the defaults. */
export interface AssertionOptions {
  /** An instance is live when its last heartbeat is at most this old (ms, database clock). Default 60 000. */
  readonly liveWindowMs: number;
  /**
   * How long an instance may take to load a change (ms since the change committed) before being
   * behind is a WARN at the final read. Default 0: any live instance still behind after the settle
   * window is named in a WARN.
   */
  readonly maxPropagationMs: number;
  /**
   * How often instances send a heartbeat (ms; `heartbeatIntervalMs` of `createPgFlags`). An instance
   * behind the change whose last heartbeat predates it and is older than twice this is presumed gone
   * (a note, not a WARN). Default 15 000.
   */
  readonly heartbeatIntervalMs: number;
  /** Confidence of the exposure-share interval, e.g. 0.999. Default 0.999. */
  readonly confidence: number;
  /** An effective sample of fewer distinct non-allowlisted subjects than this is "not enough data" (SKIP). Default 1000. */
  readonly minSamples: number;
}

/**
 * What an assertion gets. When the first read showed a problem and `settleMs` is set, the check
 * re-reads and runs every assertion again with `first` (the read that saw it) and `last` (the read
 * after the settle window); otherwise both are the same read.
 */
export interface CheckContext {
  readonly flagKey: string;
  readonly expect: Expectations;
  /** The first read. */
  readonly first: Observation;
  /** The latest read (the same object as `first` when no re-read happened). */
  readonly last: Observation;
  /** Audit entries of the flag, newest first (the most recent ones, enough to explain the current state). */
  readonly audit: readonly AuditEntry[];
  /**
   * `false` for the first pass of a check that will re-read on a problem: assertions may report
   * transient states (an instance still loading) as WARN to ask for the re-read.
   */
  readonly final: boolean;
  readonly options: AssertionOptions;
}

/**
 * An assertion: a small named function from what was read to a finding. It never throws for a
 * failed expectation; it returns `undefined` when it does not apply (nothing expected).
 * A custom assertion that throws is reported as an `UNKNOWN` finding.
 *
 * @example
 * const notDeprecated: Assertion = (ctx) =>
 *   ctx.last.flag?.updatedBy === 'legacy-sync'
 *     ? { name: 'owner', status: 'WARN', message: 'still changed by legacy-sync', expected: 'a person', observed: 'legacy-sync' }
 *     : undefined;
 */
export type Assertion = (context: CheckContext) => Finding | undefined;
