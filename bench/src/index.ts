/**
 * `npm run bench`: `isEnabled` for the seed's scenario (flag on, 1 % rollout, 12-id allowlist,
 * 1,000,000 distinct passenger ids) in our SDK, four peer SDKs set up offline and two baselines, in
 * one process; and through the OpenFeature client, our provider beside the SDK's in-memory provider and
 * a constant provider. Prints ns/evaluation (median of timed rounds after warm-up), each row's ratio to ours,
 * whether every row made the decisions it should, and the verdict on the targets.
 *
 * Flags: `--quick` runs 100,000 ids and 3 rounds (a smoke run; its numbers are not the result);
 * `--verbose` prints every round's ns/evaluation; `--rounds=N` overrides the number of timed rounds
 * (default 15); `--only=ours,unleash` runs only the named rows (factory names; the floor always runs).
 * Exit code 1 when a row disagrees with the reference decisions or a peer cannot be set up.
 */

import { toError } from '@kaviar/flags-core/internal';
import { checkAgreement } from './agreement';
import { BenchError } from './bench-error';
import type { Candidate, CandidateFactory } from './candidate';
import { floor } from './candidates/floor';
import { growthbook } from './candidates/growthbook';
import { launchDarkly } from './candidates/launchdarkly';
import { murmurBaseline, murmurEncodeBaseline } from './candidates/murmur-baseline';
import { openFeature } from './candidates/openfeature';
import { openFeatureFloor, oursOpenFeature } from './candidates/openfeature-provider';
import { ours, oursCounting } from './candidates/ours';
import { oursPg } from './candidates/ours-pg';
import { unleash } from './candidates/unleash';
import { describeEnvironment } from './environment';
import { measure, sink } from './harness';
import {
  formatOpenFeatureVerdict,
  formatTable,
  formatVerdict,
  openFeatureVerdictOf,
  type Row,
  verdictOf,
} from './report';
import { resolveBuilt } from './resolve-built';
import { createScenario } from './scenario';
import { verifyFloorHash } from './verify-floor-hash';

const FACTORIES: readonly CandidateFactory[] = [
  // Ours and the floor run back to back in every round: their ratio is the tightest comparison.
  ours,
  floor,
  oursCounting,
  oursPg,
  murmurBaseline,
  murmurEncodeBaseline,
  unleash,
  growthbook,
  launchDarkly,
  // The OpenFeature rows next to each other: the SDK's in-memory provider, ours, and a constant provider.
  openFeature,
  oursOpenFeature,
  openFeatureFloor,
];

const log = (line = '') => process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  const quick = process.argv.includes('--quick');
  const idCount = quick ? 100_000 : 1_000_000;
  const roundsArg = process.argv.find((arg) => arg.startsWith('--rounds='));
  const rounds = roundsArg !== undefined ? Number(roundsArg.slice('--rounds='.length)) : quick ? 3 : 15;
  if (!Number.isInteger(rounds) || rounds < 1) {
    throw new BenchError('BENCH_USAGE', `--rounds must be a positive integer, got ${roundsArg}`);
  }

  log('@kaviar/flags isEnabled benchmark');
  for (const line of describeEnvironment()) log(line);
  log(`@kaviar/flags-core loaded from ${resolveBuilt('@kaviar/flags-core')}`);
  log(`@kaviar/flags-pg loaded from ${resolveBuilt('@kaviar/flags-pg')}`);
  log(`@kaviar/flags-openfeature loaded from ${resolveBuilt('@kaviar/flags-openfeature')}`);
  if (quick) log('--quick: 100,000 ids, 3 rounds; a smoke run, not the result.');

  let started = performance.now();
  const scenario = createScenario(idCount);
  log(
    `scenario: ${scenario.flagKey}, enabled, ${scenario.rolloutPercentage} % rollout, allowlist of ${scenario.allowlist.length}, ${idCount.toLocaleString('en-US')} distinct ids (${(performance.now() - started).toFixed(0)} ms to generate)`,
  );
  started = performance.now();
  const checked = verifyFloorHash(`${scenario.flagKey}:`, scenario.ids);
  log(
    `floor hash = murmurhash3js-revisited on ${checked.toLocaleString('en-US')} inputs (every id + random non-ASCII strings, ${(performance.now() - started).toFixed(0)} ms)`,
  );

  const candidates: Candidate[] = [];
  let setupFailed = false;
  const only = process.argv
    .find((arg) => arg.startsWith('--only='))
    ?.slice('--only='.length)
    .split(',');
  for (const factory of FACTORIES) {
    // The floor always runs: it is the reference every row's decisions are checked against.
    if (only !== undefined && factory !== floor && !only.includes(factory.name)) continue;
    try {
      candidates.push(await factory(scenario));
    } catch (caught) {
      setupFailed = true;
      log(`could not set up ${factory.name}: ${toError(caught).message}`);
    }
  }
  log(
    `plans: ${candidates.map((c) => `${c.name} ${c.plan.idsPerRound.toLocaleString('en-US')} ids/round`).join('; ')}`,
  );
  log('slow peers evaluate fewer ids per round (consecutive slices of the same list) to keep the run short.');
  log('measuring...');
  const measurements = await measure(candidates, scenario.ids, { rounds, log });

  const reference = measurements.find(
    (m) => m.candidate.kind === 'baseline' && m.candidate.name.startsWith('floor'),
  );
  if (reference === undefined) {
    throw new BenchError('BENCH_NO_REFERENCE', 'The floor did not run: nothing to check decisions against');
  }
  const allowlisted = new Set(scenario.allowlist);
  const allowlistIndexes = scenario.ids.flatMap((id, i) => (allowlisted.has(id) ? [i] : []));
  const rows: Row[] = measurements.map((measurement) => ({
    measurement,
    agreement: checkAgreement(measurement, reference.decisions, allowlistIndexes, scenario.rolloutPercentage),
  }));

  log();
  for (const line of formatTable(rows)) log(line);
  log();
  log('ns = nanoseconds per evaluation; median and best of the timed rounds.');
  log('"vs ours" = median over rounds of (row time / our time in the same round): > 1 is slower than ours.');
  log('Async rows (LaunchDarkly, OpenFeature) await every evaluation: that is the API their users call.');
  for (const line of formatVerdict(verdictOf(rows, reference))) log(line);
  for (const line of formatOpenFeatureVerdict(openFeatureVerdictOf(rows))) log(line);
  if (process.argv.includes('--verbose')) {
    for (const { candidate, samples } of measurements)
      log(`samples ${candidate.name}: ${samples.map((value) => value.toFixed(0)).join(' ')}`);
  }
  log(`(sink ${sink})`);

  for (const candidate of candidates) {
    await candidate.close().catch((caught) => log(`closing ${candidate.name}: ${toError(caught).message}`));
  }
  return setupFailed || rows.some((row) => !row.agreement.ok) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (caught) => {
    process.stderr.write(`${toError(caught).stack}\n`);
    process.exit(1);
  },
);
