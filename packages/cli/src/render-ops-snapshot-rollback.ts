import { formatTime } from './format-time';
import type { OpsSnapshotInput } from './render-ops-snapshot';
import { codeRollbackLines, codeValidationLines } from './render-ops-snapshot-git';
import { shellQuote } from './render-ops-snapshot-text';

/*
 * The rollback instructions and the post-rollback validation. Every command must work when pasted
 * into a shell anywhere: it names its database (`$DATABASE_URL`, failing with a clear line when unset,
 * or the embedded database's folder), its schema and its files by absolute path when the snapshot
 * knows them. The actor is left to its default (the OS user), which needs no environment variable.
 */

/** The shell text a pasted command names its database with. @internal */
export const DATABASE_URL_ARG =
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, printed as is.
  '--database-url "${DATABASE_URL:?set DATABASE_URL to the database this snapshot came from}"';

/** ` --database-url ... --schema ...` for every command of the document. @internal */
export function targetArgs(input: OpsSnapshotInput): string {
  const database = input.database ?? { kind: 'server' };
  const where =
    database.kind === 'embedded' ? ` --data-dir ${shellQuote(database.dir)}` : ` ${DATABASE_URL_ARG}`;
  return `${where}${input.schema ? ` --schema ${input.schema}` : ''}`;
}

function flagRollbackLines(input: OpsSnapshotInput, target: string): string[] {
  const file = input.restoreFile ? shellQuote(input.restoreFile) : undefined;
  const restore = file
    ? [
        '### Restore this snapshot',
        'Puts every flag back exactly as above: enabled, rollout, description and allowlist members, and',
        '`--delete-missing` deletes the flags created after this snapshot (drop it to keep them). It applies',
        'in one transaction with a `restore` audit row per changed flag.',
        '```bash',
        `# Shows what would change, writes nothing:`,
        `kaviar-flags restore ${file}${target} --delete-missing --dry-run`,
        `# Applies it:`,
        `kaviar-flags restore ${file}${target} --delete-missing --reason "rollback to the snapshot of ${formatTime(input.generatedAt, input.timeZone)}"`,
        '```',
      ]
    : [
        '### Restore this snapshot',
        'This document was printed without `--out`, so no restorable JSON was written beside it. Save one with:',
        '```bash',
        `kaviar-flags snapshot${target} --out ops-snapshot.md   # also writes ops-snapshot.json`,
        '```',
      ];
  const switches = input.flags.flatMap((flag) => [
    `# ${flag.key}: switch it off for everyone (allowlist included)`,
    `kaviar-flags set ${flag.key}${target} --enabled false --reason "rollback"`,
    `# or only stop the rollout (the allowlist keeps it)`,
    `kaviar-flags set ${flag.key}${target} --rollout 0 --expect-rollout ${flag.rolloutPercentage} --reason "rollback"`,
  ]);
  return [
    ...restore,
    '',
    '### Switch a flag off',
    ...(switches.length ? ['```bash', ...switches, '```'] : ['No flags.']),
  ];
}

/** The "Rollback instructions" and "Post-rollback validation" sections. @internal */
export function rollbackLines(input: OpsSnapshotInput): string[] {
  const target = targetArgs(input);
  const checks = input.flags.map(
    (flag) =>
      `kaviar-flags check ${flag.key}${target} --phase post_rollback --label manual --expect-rollout ${flag.rolloutPercentage}${flag.enabled ? ' --expect-enabled' : ' --expect-disabled'} --expect-allowlist ${flag.allowlistCount}`,
  );
  return [
    '## Rollback instructions',
    '',
    ...codeRollbackLines(input.git),
    ...flagRollbackLines(input, target),
    '',
    '---',
    '',
    '## Post-rollback validation',
    '',
    '```bash',
    ...codeValidationLines(input.git),
    '# The flags: must show the state under "Feature flags" above',
    `kaviar-flags status${target}`,
    ...(checks.length ? ['# Each flag: must print PASS and exit 0', ...checks] : []),
    '```',
  ];
}
