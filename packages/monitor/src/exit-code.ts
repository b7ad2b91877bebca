import type { CheckStatus, FindingStatus } from './types';

const SEVERITY: Record<FindingStatus, number> = { PASS: 0, SKIP: 0, WARN: 1, UNKNOWN: 2, FAIL: 3 };

/**
 * The verdict of a set of findings: the worst one, with `SKIP` counting as `PASS` and
 * PASS < WARN < UNKNOWN < FAIL (a definite failure outranks a part that could not be checked).
 * An empty list is `PASS`.
 */
export function worstStatus(statuses: Iterable<FindingStatus>): CheckStatus {
  let worst: CheckStatus = 'PASS';
  for (const status of statuses) {
    const checkStatus: CheckStatus = status === 'SKIP' ? 'PASS' : status;
    if (SEVERITY[checkStatus] > SEVERITY[worst]) worst = checkStatus;
  }
  return worst;
}

/**
 * The process exit code for a check status, by the monitoring-plugin convention
 * (Nagios, Icinga, Sensu, cron wrappers): 0 PASS, 1 WARN, 2 FAIL, 3 UNKNOWN.
 *
 * @example
 * process.exitCode = exitCodeFor(checkpoint.status);
 */
export function exitCodeFor(status: CheckStatus): 0 | 1 | 2 | 3 {
  switch (status) {
    case 'PASS':
      return 0;
    case 'WARN':
      return 1;
    case 'FAIL':
      return 2;
    default:
      return 3;
  }
}
