import type { Assertion } from './assertion';
import { describeChange, quoteAudit } from './quote-audit';

/**
 * The flag exists in the store. FAIL when it does not, quoting its deletion when the audit log
 * has one; a flag created between the two reads passes with a note.
 */
export const assertExists: Assertion = (ctx) => {
  const flag = ctx.last.flag;
  if (!flag) {
    const deletion = ctx.audit.find((entry) => entry.action === 'delete');
    return {
      name: 'exists',
      status: 'FAIL',
      message: deletion
        ? `flag ${ctx.flagKey} does not exist: deleted ${describeChange(deletion)}`
        : `flag ${ctx.flagKey} does not exist (no audit entry for it; check the key and the schema)`,
      expected: true,
      observed: false,
      ...(deletion ? { audit: [quoteAudit(deletion)] } : {}),
    };
  }
  const creation = ctx.first.flag ? undefined : ctx.audit.find((entry) => entry.action === 'create');
  return {
    name: 'exists',
    status: 'PASS',
    message: `flag ${ctx.flagKey} exists at version ${flag.configVersion}`,
    expected: true,
    observed: true,
    ...(creation
      ? { notes: [`created during the check ${describeChange(creation)}`], audit: [quoteAudit(creation)] }
      : {}),
  };
};
