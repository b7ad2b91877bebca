import type { FlagRow } from '@kaviar/flags-pg';
import { formatTime } from './format-time';
import type { SnapshotCheckpoint } from './render-ops-snapshot';

/*
 * The drift analysis of the ops snapshot: the flag as stored now against what its latest checkpoint
 * expected, and whether earlier non-PASS checkpoints still hold. Written to answer the question the
 * seed's operators answered by hand ("was that WARN real?").
 */

/** Status icons used in the ops snapshot. @internal */
export const STATUS_ICON: Readonly<Record<string, string>> = {
  PASS: '✅',
  WARN: '⚠️',
  FAIL: '❌',
  UNKNOWN: '❔',
};

const pct = (n: number) => `${n}%`;
const ICON = STATUS_ICON;

/** The drift analysis lines for one flag (checkpoints newest first). @internal */
export function driftLines(flag: FlagRow, cps: readonly SnapshotCheckpoint[], tz: string): string[] {
  const latest = cps[0];
  if (!latest)
    return [`- No check recorded: run \`kaviar-flags check ${flag.key} ... --record\` to have one.`];
  const lines = [
    `- Latest check: **${latest.status}** ${ICON[latest.status] ?? ''} at ${formatTime(latest.at, tz)} (\`${latest.phase}\` / \`${latest.label}\`)`,
  ];
  const drift: string[] = [];
  const compare = (name: string, actual: string, expected: string | undefined) => {
    if (expected === undefined) return;
    const ok = actual === expected;
    lines.push(
      `- ${name} in the database: **${actual}** (the check expects ${expected}) ${ok ? '✅' : '❌'}`,
    );
    if (!ok) drift.push(`${name.toLowerCase()} is ${actual}, expected ${expected}`);
  };
  compare(
    'Rollout',
    pct(flag.rolloutPercentage),
    latest.expected.rolloutPercentage === undefined ? undefined : pct(latest.expected.rolloutPercentage),
  );
  compare(
    'Enabled',
    String(flag.enabled),
    latest.expected.enabled === undefined ? undefined : String(latest.expected.enabled),
  );
  compare(
    'Allowlist size',
    String(flag.allowlistCount),
    latest.expected.allowlistSize === undefined ? undefined : String(latest.expected.allowlistSize),
  );
  if (latest.configVersion !== null && flag.version > latest.configVersion) {
    lines.push(
      `- The flag changed after this check (version ${latest.configVersion} → ${flag.version}): check again.`,
    );
  }
  const earlier = cps.slice(1, 3).filter((cp) => cp.status !== 'PASS');
  if (latest.status === 'PASS' && drift.length === 0) {
    for (const cp of earlier) {
      const why = cp.findings.find((f) => f.status === cp.status)?.message ?? cp.status;
      lines.push(
        `- Earlier ${cp.status} at ${formatTime(cp.at, tz)} (\`${cp.label}\`): ${why}. It no longer holds: the latest check passes and the database matches it.`,
      );
    }
  }
  lines.push(
    drift.length > 0
      ? `- **Conclusion:** drift: ${drift.join('; ')}.`
      : latest.status === 'PASS'
        ? `- **Conclusion:** no drift: the database matches the latest check.`
        : `- **Conclusion:** the configuration matches the latest check's expectations, but the check was ${latest.status}: read its findings.`,
  );
  return lines;
}
