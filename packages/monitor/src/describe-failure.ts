import { toError } from '@kaviar/flags-core/internal';
import { type ConnectionProblem, classifyConnectionFailure } from '@kaviar/flags-pg';

const MISSING = new Set(['SCHEMA_MISSING', '3F000', '42P01']);

/** How an UNKNOWN finding names each connection problem (the classification is @kaviar/flags-pg's). */
const HEADLINE: Readonly<Record<ConnectionProblem, string>> = {
  'wrong-password': 'authentication failed',
  'unknown-role': 'authentication failed',
  'access-rejected': 'authentication failed',
  'permission-denied': 'permission denied',
  'unknown-database': 'connection misconfigured',
  'ssl-required': 'connection misconfigured',
  'ssl-refused': 'connection misconfigured',
  'invalid-url': 'connection misconfigured',
  'unsupported-scheme': 'connection misconfigured',
  unreachable: 'database unreachable',
};

/**
 * Why a check could not run, in words an operator can act on: `authentication failed: ...`,
 * `database unreachable: ...`, `schema missing: ...` (with the fix), or the error's own name and message.
 * @internal
 */
export function describeFailure(caught: unknown): { cause: string; code: string } {
  const error = toError(caught);
  const code = String((error as { code?: unknown }).code ?? error.name);
  const detail =
    error.message || (error instanceof AggregateError ? error.errors.map(String).join('; ') : code);
  const problem = classifyConnectionFailure(error);
  if (problem !== undefined) return { code, cause: `${HEADLINE[problem]}: ${detail}` };
  if (MISSING.has(code)) {
    const fix = /migrate/i.test(detail) ? '' : ' (run `kaviar-flags migrate` or migrate(db))';
    return { code, cause: `schema missing: ${detail}${fix}` };
  }
  return { code, cause: `${error.name}: ${detail}` };
}
