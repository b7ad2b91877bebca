/**
 * The printed result: one row per candidate with its median and best ns/evaluation, how many times
 * slower than ours it is, and its agreement; then our ratio to the floor and the verdict on the targets
 * (at least 10x faster than every peer, within 1.5x of the floor).
 *
 * Ratios are paired: round r of a row is divided by round r of ours, measured moments apart, and the
 * median of those per-round ratios is reported. A burst of load from another process then inflates
 * both sides of a pair instead of one side of the comparison.
 */
import type { Agreement } from './agreement';
import { type Measurement, median } from './harness';

/** A measured row with its verdicts, ready to print. */
export interface Row {
  readonly measurement: Measurement;
  readonly agreement: Agreement;
}

/** The targets from the benchmark's brief. */
export const TARGETS = { peerSpeedup: 10, floorRatio: 1.5 } as const;

/** The outcome against the targets. */
export interface Verdict {
  readonly oursNs: number;
  readonly floorNs: number;
  /** Median over rounds of ours / floor. */
  readonly floorRatio: number;
  /** The smallest paired `peer / ours` over the peers that ran; `undefined` when none ran. */
  readonly worstPeerSpeedup: number | undefined;
  readonly met: boolean;
}

/** Median over rounds of `row[r] / reference[r]` (same round, measured moments apart). */
export function pairedRatio(row: Measurement, reference: Measurement): number {
  const rounds = Math.min(row.samples.length, reference.samples.length);
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) ratios.push((row.samples[r] as number) / (reference.samples[r] as number));
  return median(ratios);
}

const pad = (text: string, width: number) => text.padEnd(width);
const padLeft = (text: string, width: number) => text.padStart(width);
const ns = (value: number) => (value >= 1000 ? value.toFixed(0) : value.toFixed(1));

/** Computes the verdict; `undefined` when ours or the floor did not run. */
export function verdictOf(rows: readonly Row[], floor: Measurement): Verdict | undefined {
  const ours = rows.find((row) => row.measurement.candidate.kind === 'ours')?.measurement;
  if (ours === undefined) return undefined;
  const speedups = rows
    .filter((row) => row.measurement.candidate.kind === 'peer')
    .map((row) => pairedRatio(row.measurement, ours));
  const worstPeerSpeedup = speedups.length === 0 ? undefined : Math.min(...speedups);
  const floorRatio = pairedRatio(ours, floor);
  const met =
    worstPeerSpeedup !== undefined &&
    worstPeerSpeedup >= TARGETS.peerSpeedup &&
    floorRatio <= TARGETS.floorRatio;
  return { oursNs: median(ours.samples), floorNs: median(floor.samples), floorRatio, worstPeerSpeedup, met };
}

/** Formats the table (plain text, fixed-width). */
export function formatTable(rows: readonly Row[]): string[] {
  const ours = rows.find((row) => row.measurement.candidate.kind === 'ours')?.measurement;
  const header = [
    pad('candidate', 42),
    pad('call', 30),
    padLeft('rounds x ids', 14),
    padLeft('median ns', 10),
    padLeft('min ns', 9),
    padLeft('vs ours', 9),
    '  decisions',
  ].join(' ');
  const lines = [header, '-'.repeat(header.length + 40)];
  for (const { measurement, agreement } of rows) {
    const c = measurement.candidate;
    const size = measurement.timedEvaluations / measurement.samples.length;
    lines.push(
      [
        pad(c.name, 42),
        pad(c.call, 30),
        padLeft(`${measurement.samples.length} x ${size.toLocaleString('en-US')}`, 14),
        padLeft(ns(median(measurement.samples)), 10),
        padLeft(ns(Math.min(...measurement.samples)), 9),
        padLeft(ours === undefined ? '-' : `${pairedRatio(measurement, ours).toFixed(2)}x`, 9),
        `  ${agreement.ok ? 'ok' : 'FAIL'}: ${agreement.summary}`,
      ].join(' '),
    );
  }
  return lines;
}

/** Formats the verdict lines. */
export function formatVerdict(verdict: Verdict | undefined): string[] {
  const target = `target: >= ${TARGETS.peerSpeedup}x faster than every peer, <= ${TARGETS.floorRatio}x the floor`;
  if (verdict === undefined) return [`${target}: not evaluated (ours did not run)`];
  const lines = [
    `ours / floor: ${verdict.floorRatio.toFixed(2)}x (medians: ours ${ns(verdict.oursNs)} ns, floor ${ns(verdict.floorNs)} ns)`,
  ];
  if (verdict.worstPeerSpeedup === undefined) return [...lines, `${target}: not evaluated (no peer ran)`];
  return [
    ...lines,
    `ours vs the closest peer: ${verdict.worstPeerSpeedup.toFixed(1)}x faster`,
    `${target}: ${verdict.met ? 'MET' : 'MISSED'}`,
  ];
}

/** The OpenFeature comparison's goal: our provider within this factor of the constant provider. */
export const OPENFEATURE_TARGET = { floorRatio: 1.15 } as const;

/** Our provider against the constant provider and the SDK's in-memory provider, all through the SDK. */
export interface OpenFeatureVerdict {
  readonly oursNs: number;
  readonly floorNs: number;
  /** Median over rounds of ours / floor. */
  readonly floorRatio: number;
  /** Median over rounds of in-memory / ours (> 1: ours is faster); `undefined` when that row did not run. */
  readonly peerRatio: number | undefined;
  readonly peerNs: number | undefined;
  readonly met: boolean;
}

/** Computes the OpenFeature verdict; `undefined` unless our provider and the constant floor both ran. */
export function openFeatureVerdictOf(rows: readonly Row[]): OpenFeatureVerdict | undefined {
  const row = (role: 'ours' | 'peer' | 'floor') =>
    rows.find((r) => r.measurement.candidate.openFeature === role)?.measurement;
  const ours = row('ours');
  const floor = row('floor');
  if (ours === undefined || floor === undefined) return undefined;
  const peer = row('peer');
  const floorRatio = pairedRatio(ours, floor);
  const peerRatio = peer === undefined ? undefined : pairedRatio(peer, ours);
  return {
    oursNs: median(ours.samples),
    floorNs: median(floor.samples),
    floorRatio,
    peerRatio,
    peerNs: peer === undefined ? undefined : median(peer.samples),
    met: floorRatio <= OPENFEATURE_TARGET.floorRatio && peerRatio !== undefined && peerRatio > 1,
  };
}

/** Formats the OpenFeature verdict lines (none when the rows did not run). */
export function formatOpenFeatureVerdict(verdict: OpenFeatureVerdict | undefined): string[] {
  if (verdict === undefined) return [];
  const target = `OpenFeature target: <= ${OPENFEATURE_TARGET.floorRatio}x the constant provider, faster than InMemoryProvider`;
  const lines = [
    `OpenFeature: ours via KaviarFlagsProvider / constant provider: ${verdict.floorRatio.toFixed(3)}x (medians: ours ${ns(verdict.oursNs)} ns, constant ${ns(verdict.floorNs)} ns)`,
  ];
  if (verdict.peerRatio === undefined || verdict.peerNs === undefined) {
    return [...lines, `${target}: not evaluated (InMemoryProvider did not run)`];
  }
  return [
    ...lines,
    `OpenFeature: InMemoryProvider / ours via KaviarFlagsProvider: ${verdict.peerRatio.toFixed(3)}x (median ${ns(verdict.peerNs)} ns; > 1: ours is faster)`,
    `${target}: ${verdict.met ? 'MET' : 'MISSED'}`,
  ];
}
