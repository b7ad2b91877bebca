/**
 * The timing harness. Every candidate is warmed up, then measured in rounds that are interleaved
 * across candidates (round 1 of each, then round 2 of each, ...), so a noisy neighbour on the machine
 * slows all rows alike and the ratios stay meaningful. Before each round garbage is collected. A round is timed as a whole with
 * `process.hrtime.bigint()`; its decisions land in a per-candidate array (the sink that keeps the
 * evaluations alive), which the agreement check reads afterwards.
 */
import type { Candidate } from './candidate';

/** Marks an id the candidate never evaluated. */
export const NOT_EVALUATED = 255;

/** What the harness measured for one candidate. */
export interface Measurement {
  readonly candidate: Candidate;
  /** Nanoseconds per evaluation, one entry per timed round. */
  readonly samples: number[];
  /** Evaluations in the timed rounds. */
  timedEvaluations: number;
  /** Per id: 1 on, 0 off, `NOT_EVALUATED`. */
  readonly decisions: Uint8Array;
}

/** Options of `measure`. */
export interface MeasureOptions {
  /** Timed rounds per candidate. */
  readonly rounds: number;
  /** Progress lines go here. */
  readonly log: (line: string) => void;
}

/**
 * Collects garbage (with `--expose-gc`) and gives the collector's background threads a moment, so a
 * round does not pay for the previous row's garbage.
 */
async function settle(): Promise<void> {
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((resolve) => setTimeout(resolve, 20));
}

/** Total of enabled results, printed at the end so no engine can prove the work unused. */
export let sink = 0;

/** Runs `ids[from..to)` through a candidate; awaiting costs only the async ones. */
async function runSlice(
  candidate: Candidate,
  ids: readonly string[],
  from: number,
  to: number,
  decisions: Uint8Array,
) {
  const result = candidate.run(ids, from, to, decisions);
  sink += typeof result === 'number' ? result : await result;
}

/** Warms up, then times `rounds` interleaved rounds of every candidate. */
export async function measure(
  candidates: readonly Candidate[],
  ids: readonly string[],
  options: MeasureOptions,
): Promise<Measurement[]> {
  const total = ids.length;
  const measurements: Measurement[] = candidates.map((candidate) => ({
    candidate,
    samples: [],
    timedEvaluations: 0,
    decisions: new Uint8Array(total).fill(NOT_EVALUATED),
  }));
  for (const m of measurements) {
    const warmup = Math.min(m.candidate.plan.warmupIds, total);
    const started = process.hrtime.bigint();
    await runSlice(m.candidate, ids, 0, warmup, m.decisions);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    options.log(`  warm-up ${m.candidate.name}: ${warmup.toLocaleString('en-US')} ids, ${ms.toFixed(0)} ms`);
  }
  for (let round = 0; round < options.rounds; round++) {
    // Odd rounds run the list backwards: no row always comes first after the slow peers' garbage,
    // and rows listed next to each other (ours, the floor) stay next to each other.
    const order = round % 2 === 0 ? measurements : [...measurements].reverse();
    for (const m of order) {
      const size = Math.min(m.candidate.plan.idsPerRound, total);
      const from = (round * size) % total;
      const to = Math.min(from + size, total);
      await settle();
      const started = process.hrtime.bigint();
      await runSlice(m.candidate, ids, from, to, m.decisions);
      const elapsed = Number(process.hrtime.bigint() - started);
      m.samples.push(elapsed / (to - from));
      m.timedEvaluations += to - from;
    }
    options.log(`  round ${round + 1}/${options.rounds} done`);
  }
  return measurements;
}

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
