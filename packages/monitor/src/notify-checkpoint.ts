import { setTimeout as wait } from 'node:timers/promises';
import { toError } from '@kaviar/flags-core/internal';
import { backoffDelay } from '@kaviar/flags-pg/internal';
import { request } from 'undici';
import { formatCheckpoint } from './format-checkpoint';
import type { Checkpoint, CheckStatus } from './types';

/** Options of `notifyCheckpoint`. */
export interface WebhookOptions {
  /** Where to POST. Treated as a secret: never put in results or messages. */
  readonly url: string;
  /**
   * `json` (default): `{ text, checkpoint }`, the full checkpoint plus a summary.
   * `slack`: `{ text }`, accepted by Slack incoming webhooks and the many tools that copy them.
   */
  readonly format?: 'json' | 'slack';
  /** Which verdicts are sent. Default `['WARN', 'FAIL', 'UNKNOWN']`. */
  readonly notifyOn?: readonly CheckStatus[];
  /** Time limit of one attempt, ms (connect, headers and body). Default 5000. */
  readonly timeoutMs?: number;
  /** Further attempts after a failed one (network error, timeout, HTTP 429 or 5xx). Default 2. */
  readonly retries?: number;
  /** Wait before the first retry, ms; doubles with each retry. Default 500. */
  readonly backoffMs?: number;
  /** Extra request headers (e.g. an authorization header). */
  readonly headers?: Readonly<Record<string, string>>;
  /** How to wait between attempts (tests inject their own). */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** What happened to a notification. Never an exception: a failing webhook never changes the verdict. */
export interface WebhookResult {
  /** `true` when a 2xx response was received. */
  readonly sent: boolean;
  /** `true` when the verdict is not in `notifyOn` and nothing was sent. */
  readonly skipped: boolean;
  /** Attempts made (0 when skipped). */
  readonly attempts: number;
  /** HTTP status of the last response, if one came back. */
  readonly statusCode?: number;
  /** Why it was not sent, when it was not. */
  readonly error?: string;
}

/**
 * pg's backoff without its jitter: `backoffMs` is the documented first wait and each retry doubles it
 * exactly (a single sender has no crowd to spread out). `retry` is 0-based.
 */
function retryDelay(retry: number, backoffMs: number): number {
  return backoffDelay(retry, backoffMs, Number.POSITIVE_INFINITY, () => 1);
}

/**
 * Posts a checkpoint to a webhook when its status calls for it (WARN, FAIL, UNKNOWN by default),
 * with a per-attempt timeout and bounded retries with doubling backoff. 4xx answers other than 429
 * are not retried (the request will not get better). Resolves with what happened; never rejects.
 *
 * @example
 * const result = await notifyCheckpoint(checkpoint, { url: process.env.SLACK_WEBHOOK_URL!, format: 'slack' });
 * if (!result.sent && !result.skipped) console.error(`notification failed: ${result.error}`);
 */
export async function notifyCheckpoint(
  checkpoint: Checkpoint,
  options: WebhookOptions,
): Promise<WebhookResult> {
  const notifyOn = options.notifyOn ?? ['WARN', 'FAIL', 'UNKNOWN'];
  if (!notifyOn.includes(checkpoint.status)) return { sent: false, skipped: true, attempts: 0 };
  const timeoutMs = options.timeoutMs ?? 5000;
  const retries = Math.max(0, Math.floor(options.retries ?? 2));
  const sleep = options.sleep ?? wait;
  const text = formatCheckpoint(checkpoint, { all: false });
  const body = JSON.stringify(options.format === 'slack' ? { text } : { text, checkpoint });
  let statusCode: number | undefined;
  let error = '';
  for (let attempt = 1; attempt <= retries + 1; attempt++) {
    if (attempt > 1) await sleep(retryDelay(attempt - 2, options.backoffMs ?? 500));
    try {
      const response = await request(options.url, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'kaviar-flags-monitor',
          ...options.headers,
        },
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: AbortSignal.timeout(timeoutMs),
        reset: true,
      });
      statusCode = response.statusCode;
      await response.body.dump();
      if (statusCode >= 200 && statusCode < 300)
        return { sent: true, skipped: false, attempts: attempt, statusCode };
      error = `webhook answered HTTP ${statusCode}`;
      if (statusCode < 500 && statusCode !== 429)
        return { sent: false, skipped: false, attempts: attempt, statusCode, error };
    } catch (caught) {
      const cause = toError(caught);
      const timedOut =
        cause.name === 'TimeoutError' || cause.name === 'AbortError' || /timeout/i.test(cause.name);
      error = timedOut
        ? `webhook did not answer within ${timeoutMs} ms`
        : `webhook request failed: ${cause.message}`;
    }
  }
  return {
    sent: false,
    skipped: false,
    attempts: retries + 1,
    error,
    ...(statusCode === undefined ? {} : { statusCode }),
  };
}
