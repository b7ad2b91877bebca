import { toError } from '@kaviar/flags-core/internal';

const UNREACHABLE = new Set([
  'DB_UNAVAILABLE',
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
]);
const MISSING = new Set(['SCHEMA_MISSING', '3F000', '42P01']);

/**
 * Why a check could not run, in words an operator can act on: `database unreachable: ...`,
 * `schema missing: ...` (with the fix), or the error's own name and message. @internal
 */
export function describeFailure(caught: unknown): { cause: string; code: string } {
  const error = toError(caught);
  const code = String((error as { code?: unknown }).code ?? error.name);
  const detail =
    error.message || (error instanceof AggregateError ? error.errors.map(String).join('; ') : code);
  if (UNREACHABLE.has(code) || code.startsWith('08') || code.startsWith('28')) {
    return { code, cause: `database unreachable: ${detail}` };
  }
  if (MISSING.has(code)) {
    const fix = /migrate/i.test(detail) ? '' : ' (run `kaviar-flags migrate` or migrate(db))';
    return { code, cause: `schema missing: ${detail}${fix}` };
  }
  return { code, cause: `${error.name}: ${detail}` };
}
