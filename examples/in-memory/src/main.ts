// Evaluates passenger_favorites_matching (1 %, 12 allowlisted) for 100,000 passengers in memory and
// prints who got it and why. Run: npx tsx examples/in-memory/src/main.ts [passengers] [percent]
import { ALLOWLIST, FLAG_KEY, simulateRollout } from './rollout';

const count = Number(process.argv[2] ?? 100_000);
const percent = Number(process.argv[3] ?? 1);
const started = performance.now();
const report = simulateRollout(count, percent);
const ms = performance.now() - started;

console.log(`${FLAG_KEY}: enabled, ${percent} % rollout, ${ALLOWLIST.length} allowlisted`);
console.log(`evaluated ${report.passengers.toLocaleString('en')} passengers in ${ms.toFixed(0)} ms`);
for (const [reason, n] of Object.entries(report.byReason)) {
  console.log(
    `  ${reason.padEnd(15)} ${String(n).padStart(7)}  ${((100 * n) / report.passengers).toFixed(2)} %`,
  );
}
const rollout = report.byReason.ROLLOUT ?? 0;
console.log(
  `got the feature: ${report.enabled} (${ALLOWLIST.length} by allowlist, ${rollout} by rollout bucket)`,
);
console.log('some of them:');
for (const s of report.sample)
  console.log(
    `  ${s.id.padEnd(20)} ${s.reason}${s.bucket === undefined ? '' : ` (bucket ${s.bucket} < ${percent * 100})`}`,
  );
