/**
 * The check loop, independent of where the data comes from.
 *
 * Read once and run every assertion. When something is not PASS/SKIP and `settleMs > 0`, wait
 * `settleMs`, read again and run every assertion once more over both reads: a mismatch that
 * persisted becomes FAIL, one that came back becomes WARN, an instance that caught up becomes a
 * note. The audit log is read after the last read, so it covers every change the reads saw.
 * A failure to read produces an UNKNOWN checkpoint, never an exception and never a PASS.
 */
import { toError } from '@kaviar/flags-core/internal';
import { assertAllowlist } from './assert-allowlist';
import { assertEnabled, assertRollout } from './assert-config-field';
import { assertExists } from './assert-exists';
import { assertExposures } from './assert-exposures';
import { assertPropagation } from './assert-propagation';
import type { Assertion, AssertionOptions, CheckContext } from './assertion';
import { worstStatus } from './exit-code';
import type { AuditEntry, Observation } from './observation';
import type { Checkpoint, Expectations, Finding } from './types';
import { unknownCheckpoint } from './unknown-checkpoint';

/** The built-in assertions, in the order their findings appear. */
export const builtinAssertions: readonly Assertion[] = [
  assertExists,
  assertEnabled,
  assertRollout,
  assertAllowlist,
  assertPropagation,
  assertExposures,
];

/** Where a check gets its data. `checkFlag` reads Postgres; tests can supply anything. @internal */
export interface CheckReader {
  observe(): Promise<Observation>;
  audit(): Promise<readonly AuditEntry[]>;
}

/** Everything `runCheck` needs, defaults already applied. @internal */
export interface RunCheckOptions extends AssertionOptions {
  readonly flagKey: string;
  readonly phase: string;
  readonly label: string;
  readonly expect: Expectations;
  readonly settleMs: number;
  readonly assertions: readonly Assertion[];
  readonly sleep: (ms: number) => Promise<void>;
}

function runAssertions(assertions: readonly Assertion[], ctx: CheckContext): Finding[] {
  const findings: Finding[] = [];
  for (const assertion of assertions) {
    try {
      const finding = assertion(ctx);
      if (finding) findings.push(finding);
    } catch (caught) {
      const error = toError(caught);
      const name = assertion.name || 'custom';
      findings.push({
        name,
        status: 'UNKNOWN',
        message: `assertion ${name} threw: ${error.message}`,
        expected: null,
        observed: null,
      });
    }
  }
  return findings;
}

const settled = (findings: readonly Finding[]) =>
  findings.every((f) => f.status === 'PASS' || f.status === 'SKIP');

/**
 * Runs one check over a reader. Never throws for a failed expectation or a failed read; `readFailed`
 * says the checkpoint is UNKNOWN because the data could not be read. @internal
 */
export async function runCheck(
  reader: CheckReader,
  options: RunCheckOptions,
): Promise<{ checkpoint: Checkpoint; readFailed: boolean }> {
  const { flagKey, phase, label, expect, settleMs } = options;
  let first: Observation;
  let last: Observation;
  let audit: readonly AuditEntry[];
  let findings: Finding[];
  try {
    first = await reader.observe();
    last = first;
    audit = await reader.audit();
    const base = { flagKey, expect, audit, options, first };
    findings = runAssertions(options.assertions, { ...base, last, final: settleMs <= 0 });
    if (settleMs > 0) {
      if (!settled(findings)) {
        await options.sleep(settleMs);
        last = await reader.observe();
        audit = await reader.audit();
      }
      findings = runAssertions(options.assertions, { ...base, audit, last, final: true });
    }
  } catch (caught) {
    return { checkpoint: unknownCheckpoint(flagKey, caught, { phase, label, expect }), readFailed: true };
  }
  const checkpoint: Checkpoint = {
    flagKey,
    phase,
    label,
    status: worstStatus(findings.map((f) => f.status)),
    findings,
    expected: expect,
    configVersion: last.flag?.configVersion ?? null,
    at: last.at,
  };
  return { checkpoint, readFailed: false };
}
