/**
 * Allowlist members never reach a page. Audit states hold no ids (`listAudit` returns none), but a
 * checkpoint can name members the operator required (`expect.allowlistIncludes`, the allowlist
 * finding's "is missing ..."): those are replaced here.
 */
import type { Checkpoint, Finding } from '@kaviar/flags-monitor';

/** What replaces a member id in a message. @internal */
export const HIDDEN_MEMBER = '(an allowlist member)';

function idsNamedBy(checkpoint: Checkpoint): string[] {
  const ids = new Set<string>();
  for (const id of checkpoint.expected.allowlistIncludes ?? []) if (typeof id === 'string') ids.add(id);
  for (const finding of checkpoint.findings) {
    const missing = (finding.observed as { missing?: unknown } | null | undefined)?.missing;
    if (Array.isArray(missing)) for (const id of missing) if (typeof id === 'string') ids.add(id);
  }
  return [...ids].filter((id) => id !== '').sort((a, b) => b.length - a.length);
}

function scrub(text: string, ids: readonly string[]): string {
  let out = text;
  for (const id of ids) out = out.split(JSON.stringify(id)).join(HIDDEN_MEMBER).split(id).join(HIDDEN_MEMBER);
  return out;
}

/** A checkpoint without member ids; `requiredMembers` counts the `allowlistIncludes` it had. @internal */
export type ShownCheckpoint = Checkpoint & { readonly requiredMembers: number };

/**
 * The checkpoint as a page may show it: member ids replaced in messages and notes, `expected` and
 * `observed` kept only as counts for the allowlist. @internal
 */
export function redactCheckpoint(checkpoint: Checkpoint): ShownCheckpoint {
  const ids = idsNamedBy(checkpoint);
  const includes = checkpoint.expected.allowlistIncludes;
  const findings: Finding[] = checkpoint.findings.map((f) => ({
    ...f,
    message: scrub(f.message, ids),
    ...(f.notes ? { notes: f.notes.map((n) => scrub(n, ids)) } : {}),
    expected: f.name === 'allowlist' ? null : f.expected,
    observed: f.name === 'allowlist' ? null : f.observed,
  }));
  const { allowlistIncludes: _members, ...expected } = checkpoint.expected;
  return { ...checkpoint, findings, expected, requiredMembers: includes?.length ?? 0 };
}
