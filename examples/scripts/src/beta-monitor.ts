/**
 * beta-monitor <flag> <phase> <label> --expected-rollout=1 [--expected-enabled=true]
 *   [--expected-allowlist=12] [--settle-ms=10000] [--webhook=url] [--json]
 *
 * Checks the flag against what you expect, records the checkpoint, prints it and exits with the
 * monitoring-plugin code: 0 PASS, 1 WARN, 2 FAIL, 3 UNKNOWN (could not check). With `--webhook`
 * (or `KAVIAR_FLAGS_WEBHOOK`), WARN/FAIL/UNKNOWN are also posted there (Slack-compatible text).
 *
 *   npx tsx examples/scripts/src/beta-monitor.ts passenger_favorites_matching phase2_rollout manual --expected-rollout=1
 */
import { parseArgs } from 'node:util';
import { parseRolloutPercentage } from '@kaviar/flags-core';
import {
  type Checkpoint,
  checkFlag,
  type Expectations,
  exitCodeFor,
  formatCheckpoint,
  notifyCheckpoint,
  unknownCheckpoint,
} from '@kaviar/flags-monitor';
import type { FlagsDb } from '@kaviar/flags-pg';
import { connect } from './connect';
import { toError } from './to-error';

const usage =
  'usage: beta-monitor <flag> <phase> <label> --expected-rollout=<percent> [--expected-enabled=true|false] [--expected-allowlist=<n>] [--settle-ms=<ms>] [--webhook=<url>] [--json]';

function expectations(values: Record<string, string | boolean | undefined>): Expectations {
  const rollout = values['expected-rollout'];
  const enabled = values['expected-enabled'];
  const allowlist = values['expected-allowlist'];
  if (enabled !== undefined && enabled !== 'true' && enabled !== 'false') {
    throw new Error(`--expected-enabled must be true or false, got ${String(enabled)}`);
  }
  if (allowlist !== undefined && !/^\d+$/.test(String(allowlist))) {
    throw new Error(`--expected-allowlist must be a whole number, got ${String(allowlist)}`);
  }
  return {
    ...(rollout === undefined ? {} : { rolloutPercentage: parseRolloutPercentage(rollout) }),
    ...(enabled === undefined ? {} : { enabled: enabled === 'true' }),
    ...(allowlist === undefined ? {} : { allowlistSize: Number(allowlist) }),
  };
}

async function main(argv: string[]): Promise<number> {
  let flagKey: string;
  let phase: string;
  let label: string;
  let expect: Expectations;
  let values: Record<string, string | boolean | undefined>;
  try {
    const parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'expected-rollout': { type: 'string' },
        'expected-enabled': { type: 'string' },
        'expected-allowlist': { type: 'string' },
        'settle-ms': { type: 'string' },
        webhook: { type: 'string' },
        json: { type: 'boolean' },
      },
    });
    values = parsed.values;
    if (parsed.positionals.length !== 3) throw new Error('expected <flag> <phase> <label>');
    [flagKey, phase, label] = parsed.positionals as [string, string, string];
    expect = expectations(values);
  } catch (caught) {
    console.error(`beta-monitor: ${toError(caught).message}\n${usage}`);
    return 3; // could not check: the plugin convention has no separate usage code
  }
  const settleMs = values['settle-ms'] === undefined ? 10_000 : Number(values['settle-ms']);

  let checkpoint: Checkpoint;
  let db: FlagsDb | undefined;
  try {
    db = await connect();
    checkpoint = await checkFlag(db, flagKey, { expect, phase, label, settleMs, record: true });
  } catch (caught) {
    checkpoint = unknownCheckpoint(flagKey, caught, { phase, label, expect });
  } finally {
    await db?.close();
  }

  console.log(values.json ? JSON.stringify(checkpoint, null, 2) : formatCheckpoint(checkpoint));
  const webhook = typeof values.webhook === 'string' ? values.webhook : process.env.KAVIAR_FLAGS_WEBHOOK;
  if (webhook) {
    const result = await notifyCheckpoint(checkpoint, { url: webhook, format: 'slack' });
    if (!result.sent && !result.skipped)
      console.error(`beta-monitor: notification not sent: ${result.error}`);
  }
  return exitCodeFor(checkpoint.status);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (caught: unknown) => {
    console.error(`beta-monitor: ${toError(caught).message}`);
    process.exitCode = 3;
  },
);
