import type { Scenario } from './scenario';

/** How much work a candidate gets: slow SDKs evaluate fewer ids so the run stays short. */
export interface Plan {
  /** Ids evaluated once, untimed, before the first round (JIT warm-up). */
  readonly warmupIds: number;
  /** Ids per timed round. Consecutive rounds take consecutive slices of the id list, wrapping around. */
  readonly idsPerRound: number;
}

/** One row of the benchmark: an SDK set up offline with the scenario's flag, or a baseline. */
export interface Candidate {
  readonly name: string;
  /** `ours` is the reference of every ratio; the 10x target applies to `peer`s. */
  readonly kind: 'ours' | 'peer' | 'baseline';
  /** How it is called, e.g. `sync` or `async (await per evaluation)`. */
  readonly call: string;
  /**
   * `contract` when it buckets exactly like ours (MurmurHash3 of `flagKey:id`, UTF-8), so it must
   * enable exactly the same ids; `own` when it has its own hash and only the share must match; `none`
   * when it decides nothing (a constant), so its decisions are not judged.
   */
  readonly hash: 'contract' | 'own' | 'none';
  /**
   * The rows compared with each other through the OpenFeature client: our provider, the SDK's
   * in-memory provider (`peer`) and a constant provider (`floor`).
   */
  readonly openFeature?: 'ours' | 'peer' | 'floor';
  readonly plan: Plan;
  /**
   * Evaluates the flag for `ids[from..to)`, writes 1 (on) or 0 (off) to `decisions[i]` and returns how
   * many were on. Each candidate has its own loop, so no call site is shared between SDKs.
   */
  run(ids: readonly string[], from: number, to: number, decisions: Uint8Array): number | Promise<number>;
  /** Releases timers and connections. */
  close(): Promise<void>;
}

/** Builds a candidate for a scenario, or explains why it cannot run here. */
export type CandidateFactory = (scenario: Scenario) => Promise<Candidate>;

/** The plan of the fast rows: every id in every round. */
export const FULL_PLAN = (ids: number): Plan => ({ warmupIds: ids, idsPerRound: ids });
