import type { FlagRow } from '@kaviar/flags-pg';
import { formatTime } from './format-time';
import { driftLines, STATUS_ICON } from './ops-snapshot-drift';

/*
 * The ops snapshot as Markdown, generated from data: the document operators used to type by hand
 * before risky work (flags in the store's field names, allowlist sizes, the last checkpoints, a drift
 * analysis, and rollback commands). It never holds allowlist members or connection strings.
 */

/** A recorded checkpoint as the snapshot shows it. */
export interface SnapshotCheckpoint {
  readonly status: string;
  readonly phase: string;
  readonly label: string;
  readonly at: Date;
  readonly configVersion: number | null;
  readonly expected: {
    readonly enabled?: boolean;
    readonly rolloutPercentage?: number;
    readonly allowlistSize?: number;
  };
  readonly findings: readonly { readonly name: string; readonly status: string; readonly message: string }[];
}

/** Everything the document is made from. */
export interface OpsSnapshotInput {
  readonly generatedAt: Date;
  /** IANA zone for every time shown. */
  readonly timeZone: string;
  readonly cliVersion: string;
  /** Where the data came from, already masked. */
  readonly source: string;
  /** `--schema` when not the default, repeated in the commands. */
  readonly schema?: string | undefined;
  /** Store version at export. */
  readonly storeVersion: number;
  readonly flags: readonly FlagRow[];
  /** Last checkpoints per flag key, newest first (at most three are shown). */
  readonly checkpoints: ReadonlyMap<string, readonly SnapshotCheckpoint[]>;
  /** Path of the JSON snapshot written beside this document, for `restore`. */
  readonly restoreFile?: string | undefined;
}

const ICON = STATUS_ICON;
const shellQuote = (text: string) =>
  /^[\w./:@%+-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;

function flagJson(flag: FlagRow): string[] {
  const doc = {
    key: flag.key,
    enabled: flag.enabled,
    rollout_percentage: flag.rolloutPercentage,
    updated_at: flag.updatedAt.toISOString(),
    created_at: flag.createdAt.toISOString(),
    updated_by: flag.updatedBy,
    version: flag.version,
    ...(flag.description !== '' && { description: flag.description }),
  };
  return ['```json', JSON.stringify(doc, null, 2), '```'];
}

function checkpointLines(cps: readonly SnapshotCheckpoint[], tz: string): string[] {
  if (cps.length === 0) return ['No checkpoint recorded yet.', ''];
  return cps
    .slice(0, 3)
    .flatMap((cp, i) => [
      `#### ${i + 1}. ${formatTime(cp.at, tz)}`,
      `- Status: **${cp.status}** ${ICON[cp.status] ?? ''}`.trimEnd(),
      `- Phase: \`${cp.phase}\``,
      `- Label: \`${cp.label}\``,
      ...cp.findings
        .filter((f) => f.status !== 'PASS' && f.status !== 'SKIP')
        .map((f) => `- Finding (${f.name}, ${f.status}): ${f.message}`),
      '',
    ]);
}

function rollbackLines(input: OpsSnapshotInput): string[] {
  const schema = input.schema ? ` --schema ${input.schema}` : '';
  const file = input.restoreFile ? shellQuote(input.restoreFile) : undefined;
  const restore = file
    ? [
        '### Restore this snapshot',
        'Puts every flag back exactly as above: enabled, rollout, description and allowlist members, and',
        '`--delete-missing` deletes the flags created after this snapshot (drop it to keep them). It applies',
        'in one transaction with a `restore` audit row per changed flag.',
        '```bash',
        `# Shows what would change, writes nothing:`,
        `kaviar-flags restore ${file}${schema} --delete-missing --dry-run --actor "$USER"`,
        `# Applies it:`,
        `kaviar-flags restore ${file}${schema} --delete-missing --actor "$USER" --reason "rollback to the snapshot of ${formatTime(input.generatedAt, input.timeZone)}"`,
        '```',
      ]
    : [
        '### Restore this snapshot',
        'This document was printed without `--out`, so no restorable JSON was written beside it. Save one with:',
        '```bash',
        `kaviar-flags snapshot${schema} --out ops-snapshot.md   # also writes ops-snapshot.json`,
        '```',
      ];
  const switches = input.flags.flatMap((flag) => [
    `# ${flag.key}: switch it off for everyone (allowlist included)`,
    `kaviar-flags set ${flag.key}${schema} --enabled false --actor "$USER" --reason "rollback"`,
    `# or only stop the rollout (the allowlist keeps it)`,
    `kaviar-flags set ${flag.key}${schema} --rollout 0 --expect-rollout ${flag.rolloutPercentage} --actor "$USER" --reason "rollback"`,
  ]);
  const verify = input.flags.map(
    (flag) =>
      `kaviar-flags check ${flag.key}${schema} --phase post_rollback --label manual --expect-rollout ${flag.rolloutPercentage}${flag.enabled ? ' --expect-enabled' : ' --expect-disabled'} --expect-allowlist ${flag.allowlistCount}`,
  );
  return [
    ...restore,
    '',
    '### Switch a flag off',
    ...(switches.length ? ['```bash', ...switches, '```'] : ['No flags.']),
    '',
    '### Verify once the state above is back (the check must print PASS and exit 0)',
    '```bash',
    `kaviar-flags status${schema}`,
    ...verify,
    '```',
  ];
}

/** Renders the ops snapshot Markdown document. Pure: same input, same text. */
export function renderOpsSnapshot(input: OpsSnapshotInput): string {
  const tz = input.timeZone;
  const lines = [
    `# Ops snapshot - ${formatTime(input.generatedAt, tz)}`,
    '',
    `Generated by kaviar-flags ${input.cliVersion} from ${input.source}${input.schema ? `, schema \`${input.schema}\`` : ''}, store version ${input.storeVersion}. Times in ${tz}.`,
    '',
    '---',
    '',
    '## Feature flags',
    '',
  ];
  if (input.flags.length === 0) lines.push('No flags.', '');
  for (const flag of input.flags) {
    lines.push(
      `### ${flag.key}`,
      ...flagJson(flag),
      '',
      `**Allowlist:** ${flag.allowlistCount} ${flag.allowlistCount === 1 ? 'subject' : 'subjects'}`,
      '',
    );
  }
  lines.push('---', '', '## Checkpoints (last 3 per flag)', '');
  for (const flag of input.flags) {
    lines.push(`### ${flag.key}`, '', ...checkpointLines(input.checkpoints.get(flag.key) ?? [], tz));
  }
  lines.push('---', '', '## Drift analysis', '');
  for (const flag of input.flags) {
    lines.push(`### ${flag.key}`, '', ...driftLines(flag, input.checkpoints.get(flag.key) ?? [], tz), '');
  }
  lines.push('---', '', '## Rollback instructions', '', ...rollbackLines(input), '', '---', '');
  lines.push('This document holds no connection strings, secrets or allowlist members.', '');
  return lines.join('\n');
}
