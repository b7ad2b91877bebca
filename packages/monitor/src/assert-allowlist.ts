import type { Assertion } from './assertion';
import type { Observation } from './observation';
import { describeChange, quoteAudit } from './quote-audit';
import type { Finding } from './types';

/** What is wrong with the allowlist in one read, or `undefined` when it is as expected. */
function problemIn(read: Observation, size: number | undefined): string | undefined {
  if (!read.flag) return undefined;
  const problems: string[] = [];
  if (size !== undefined && read.flag.allowlistCount !== size) {
    problems.push(`has ${read.flag.allowlistCount} subjects, expected ${size}`);
  }
  if (read.missingMembers.length > 0) {
    problems.push(`is missing ${read.missingMembers.map((id) => JSON.stringify(id)).join(', ')}`);
  }
  return problems.length > 0 ? `allowlist ${problems.join(' and ')}` : undefined;
}

/**
 * The allowlist has `expect.allowlistSize` subjects and contains every `expect.allowlistIncludes`
 * member. FAIL when that still does not hold at the last read (quoting the last allowlist change),
 * WARN when it did not hold at the first read but does at the last.
 */
export const assertAllowlist: Assertion = (ctx) => {
  const { allowlistSize, allowlistIncludes } = ctx.expect;
  const flag = ctx.last.flag;
  if ((allowlistSize === undefined && !allowlistIncludes?.length) || !flag) return undefined;
  const expected = { size: allowlistSize, includes: allowlistIncludes?.length ?? 0 };
  const observed = { size: flag.allowlistCount, missing: ctx.last.missingMembers };
  const lastChange = ctx.audit.find(
    (entry) => entry.action.startsWith('allowlist.') || entry.action === 'restore',
  );
  const evidence: Pick<Finding, 'audit'> = lastChange ? { audit: [quoteAudit(lastChange)] } : {};
  const changed = lastChange
    ? `; last allowlist change: ${lastChange.action} ${describeChange(lastChange)}`
    : '';
  const now = problemIn(ctx.last, allowlistSize);
  if (now)
    return {
      name: 'allowlist',
      status: 'FAIL',
      message: `${now}${changed}`,
      expected,
      observed,
      ...evidence,
    };
  const before = ctx.first === ctx.last ? undefined : problemIn(ctx.first, allowlistSize);
  if (before) {
    return {
      name: 'allowlist',
      status: 'WARN',
      message: `allowlist changed during the check: at the first read it ${before.replace(/^allowlist /, '')}, now as expected${changed}`,
      expected,
      observed,
      ...evidence,
    };
  }
  const members = allowlistIncludes?.length
    ? ` and includes the ${allowlistIncludes.length} required members`
    : '';
  return {
    name: 'allowlist',
    status: 'PASS',
    message: `allowlist has ${flag.allowlistCount} subjects${members}`,
    expected,
    observed,
  };
};
