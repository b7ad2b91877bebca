import { formatTime } from './quote-audit';
import type { Checkpoint } from './types';

/** Options of `formatCheckpoint`. */
export interface FormatCheckpointOptions {
  /** Include PASS and SKIP findings, not only the ones that need attention. Default `true`. */
  readonly all?: boolean;
  /** Include notes under each finding. Default `true`. */
  readonly notes?: boolean;
}

/**
 * A checkpoint as plain text for terminals, logs and chat: a headline with the verdict, then one
 * line per finding with its notes indented.
 *
 * @example
 * FAIL passenger_favorites_matching phase2_rollout/manual at 2026-02-03 10:27:00Z (config version 12)
 *   PASS exists: flag passenger_favorites_matching exists at version 12
 *   FAIL rollout: rollout_percentage is 5 %, expected 1 %: set from 1 % to 5 % by alice at ...
 */
export function formatCheckpoint(checkpoint: Checkpoint, options: FormatCheckpointOptions = {}): string {
  const all = options.all ?? true;
  const withNotes = options.notes ?? true;
  const version = checkpoint.configVersion === null ? '' : ` (config version ${checkpoint.configVersion})`;
  const lines = [
    `${checkpoint.status} ${checkpoint.flagKey} ${checkpoint.phase}/${checkpoint.label} at ${formatTime(checkpoint.at)}${version}`,
  ];
  for (const finding of checkpoint.findings) {
    if (!all && (finding.status === 'PASS' || finding.status === 'SKIP') && !finding.notes?.length) continue;
    lines.push(`  ${finding.status} ${finding.name}: ${finding.message}`);
    if (withNotes) for (const note of finding.notes ?? []) lines.push(`      note: ${note}`);
  }
  return lines.join('\n');
}
