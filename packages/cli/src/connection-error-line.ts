import { classifyConnectionFailure, whatToCheck } from '@kaviar/flags-pg';

/**
 * The error line for a connection or permission failure: the driver's own words, the masked target
 * in parentheses, then what to check (`password authentication failed for user "app"
 * (postgres://app:***@db:5432/app): check the password ...`). `undefined` for other errors.
 */
export function connectionErrorLine(error: Error, target: string | undefined): string | undefined {
  const problem = classifyConnectionFailure(error);
  if (problem === undefined) return undefined;
  const cause = error.cause instanceof Error ? error.cause : error;
  const text = cause.message || error.message.replace(/^Database unavailable: /, '') || String(cause.name);
  const detail = text.split('\n').join(' ').replace(/\.$/, '');
  const what = error.message.startsWith('Database unavailable') ? 'Database unavailable: ' : '';
  const where = target === undefined ? '' : ` (${target})`;
  // A bad URL never reached a driver: its message is ours and already says what to check.
  if (problem === 'invalid-url' || problem === 'unsupported-scheme') return `${error.message}${where}`;
  return `${what}${detail}${where}: ${whatToCheck(problem)}`;
}
