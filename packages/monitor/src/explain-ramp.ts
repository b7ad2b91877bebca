/**
 * A ramp's decisions in plain words, from the findings of the check that led to them:
 * "advanced 5 % → 25 % at 14:02 after 30 min at 5 %: drift PASS, 14/14 instances on version 41,
 * exposure 4.9 % (interval 4.1–5.8 %), guard `check_error_rate` OK: 0.2 % errors".
 */
import { formatDuration, formatPercent, formatShare } from '@kaviar/flags-core/internal';
import type { AuditEntry } from '@kaviar/flags-pg';
import { auditField, formatTime } from './quote-audit';
import type { Checkpoint, Finding } from './types';

const DRIFT = new Set(['exists', 'enabled', 'rollout', 'allowlist']);
const NAGIOS = /^(OK|WARNING|CRITICAL|UNKNOWN)\b/;

const share = (value: unknown) => (typeof value === 'number' ? formatShare(value, 1) : '?');

function field(value: unknown, name: string): unknown {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[name] : undefined;
}

/** `guard \`check_error_rate\` CRITICAL: 3.1 % errors`, or `propagation WARN: ...`. */
function describeFinding(finding: Finding): string {
  if (finding.name.startsWith('guard:')) {
    const name = finding.name.slice('guard:'.length);
    const status = NAGIOS.test(finding.message) ? '' : `${finding.status} `;
    return `guard \`${name}\` ${status}${finding.message}`;
  }
  if (finding.name === 'exposures' && finding.status === 'SKIP') return `exposure ${finding.message}`;
  return `${finding.name} ${finding.status}: ${finding.message}`;
}

/** What a passing check showed, in a few words per part. */
export function passEvidence(checkpoint: Checkpoint): string {
  const parts: string[] = [];
  const drift = checkpoint.findings.filter((f) => DRIFT.has(f.name));
  if (drift.length > 0) parts.push(`drift ${drift.every((f) => f.status === 'PASS') ? 'PASS' : 'WARN'}`);
  for (const finding of checkpoint.findings) {
    if (DRIFT.has(finding.name)) continue;
    if (finding.name === 'propagation') {
      const live = Number(field(finding.observed, 'live') ?? 0);
      const behind = (field(finding.observed, 'behind') as unknown[] | undefined)?.length ?? 0;
      const version = field(finding.expected, 'version');
      parts.push(
        finding.status === 'SKIP'
          ? 'no live instance reported'
          : `${live - behind}/${live} instances on version ${version}`,
      );
    } else if (finding.name === 'exposures' && finding.status === 'PASS') {
      const interval = /\[([\d.]+) %, ([\d.]+) %\]/.exec(finding.message);
      const tenth = (text: string) => Number(Number(text).toFixed(1));
      const range = interval
        ? ` (interval ${tenth(interval[1]!)}–${formatPercent(tenth(interval[2]!))})`
        : '';
      parts.push(`exposure ${share(field(finding.observed, 'share'))}${range}`);
    } else if (finding.name !== 'ramp') {
      parts.push(describeFinding(finding));
    }
  }
  return parts.join(', ');
}

/** The findings that stopped a step, in a few words each. */
export function problems(checkpoint: Checkpoint): string {
  const bad = checkpoint.findings.filter(
    (f) => f.name !== 'ramp' && (f.status === 'WARN' || f.status === 'FAIL' || f.status === 'UNKNOWN'),
  );
  const starved = checkpoint.findings.filter((f) => f.name === 'exposures' && f.status === 'SKIP');
  return [...bad, ...starved].map(describeFinding).join('; ');
}

/** `advanced 5 % → 25 % at … after 30 min at 5 %: …` */
export function explainAdvance(from: number, to: number, now: Date, heldMs: number, cp: Checkpoint): string {
  return `advanced ${formatPercent(from)} → ${formatPercent(to)} at ${formatTime(now)} after ${formatDuration(heldMs)} at ${formatPercent(from)}: ${passEvidence(cp)}`;
}

/** `completed at 100 % at … after 30 min: …` */
export function explainComplete(at: number, now: Date, heldMs: number, cp: Checkpoint): string {
  return `completed at ${formatPercent(at)} at ${formatTime(now)} after ${formatDuration(heldMs)} at ${formatPercent(at)}: ${passEvidence(cp)}`;
}

/** `held at 25 % at … (check 1 of 3 without PASS): …` */
export function explainHold(at: number, now: Date, holds: number, maxHolds: number, cp: Checkpoint): string {
  return `held at ${formatPercent(at)} at ${formatTime(now)} (check ${holds} of ${maxHolds} without PASS): ${problems(cp)}`;
}

/** `paused at 25 % at … after 3 checks in a row without PASS: …` */
export function explainPauseAfterHolds(at: number, now: Date, holds: number, cp: Checkpoint): string {
  return `paused at ${formatPercent(at)} at ${formatTime(now)} after ${holds} checks in a row without PASS: ${problems(cp)}`;
}

/** `rolled back 25 % → 5 % at …: guard \`check_error_rate\` CRITICAL: 3.1 % errors` */
export function explainRollback(from: number, to: number, now: Date, cp: Checkpoint): string {
  return `rolled back ${formatPercent(from)} → ${formatPercent(to)} at ${formatTime(now)}: ${problems(cp)}`;
}

/** One audited change by someone else: `rollout set to 40 % by maria at … (reason: "…")`. */
function describeForeignChange(entry: AuditEntry): string {
  const who = `by ${entry.actor} at ${formatTime(entry.at)}${entry.reason ? ` (reason: ${JSON.stringify(entry.reason)})` : ''}`;
  const before = entry.before as Record<string, unknown> | null;
  const after = entry.after as Record<string, unknown> | null;
  if (entry.action.startsWith('allowlist.')) {
    const added = Number(field(after, 'added') ?? 0);
    const removed = Number(field(after, 'removed') ?? 0);
    return `allowlist changed (${[added ? `+${added}` : '', removed ? `-${removed}` : ''].filter(Boolean).join(' ') || '±0'}) ${who}`;
  }
  if (entry.action === 'delete') return `flag deleted ${who}`;
  const parts: string[] = [];
  const rollout = auditField(after, 'rolloutPercentage');
  if (auditField(before, 'rolloutPercentage') !== rollout)
    parts.push(`rollout set to ${formatPercent(rollout)}`);
  const enabled = auditField(after, 'enabled');
  if (auditField(before, 'enabled') !== enabled) parts.push(enabled ? 'switched on' : 'switched off');
  if (auditField(before, 'description') !== auditField(after, 'description'))
    parts.push('description changed');
  return `${parts.join(', ') || `${entry.action} (no field changed)`} ${who}`;
}

/**
 * `paused: rollout set to 40 % by maria at … (reason: "…")`: a change someone else made to the flag
 * during the ramp, from the audit log (the entries after the version the ramp last wrote).
 */
export function explainForeignChange(
  entries: readonly AuditEntry[],
  fromVersion: number,
  toVersion: number,
): string {
  const foreign = entries
    .filter((e) => !e.action.startsWith('ramp.') && e.version !== null && e.version > fromVersion)
    .reverse();
  if (foreign.length === 0) {
    return `paused: the flag changed (version ${fromVersion} → ${toVersion}) and no audit entry says who did it`;
  }
  return `paused: ${foreign.map(describeForeignChange).join('; ')}`;
}
