import { describeFailure } from './describe-failure';
import type { Checkpoint, Expectations } from './types';

/**
 * The checkpoint for a check that could not run (database unreachable, schema missing, ...):
 * status UNKNOWN with the cause in plain words, never PASS. Use it when even connecting failed.
 *
 * @example
 * let db;
 * try { db = await openDb({ connectionString }); }
 * catch (error) { return unknownCheckpoint('passenger_favorites_matching', error); }
 */
export function unknownCheckpoint(
  flagKey: string,
  error: unknown,
  context: { readonly phase?: string; readonly label?: string; readonly expect?: Expectations } = {},
): Checkpoint {
  const { cause, code } = describeFailure(error);
  return {
    flagKey,
    phase: context.phase ?? 'adhoc',
    label: context.label ?? 'manual',
    status: 'UNKNOWN',
    findings: [
      {
        name: 'database',
        status: 'UNKNOWN',
        message: `could not check ${flagKey}: ${cause}`,
        expected: 'a reachable database with the flags schema',
        observed: { code, cause },
      },
    ],
    expected: context.expect ?? {},
    configVersion: null,
    at: new Date(),
  };
}
