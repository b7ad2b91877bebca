import { setTimeout as sleep } from 'node:timers/promises';
import { type RampTickResult, type TickRampsResult, tickRamps } from '@kaviar/flags-monitor';
import { UsageError } from '../cli-errors';
import { defineCommand } from '../command-spec';
import { parseDurationArg, parseFlagKeyArg, parseTextArg } from '../input-values';
import type { Printer } from '../printer';
import { statusColor } from '../status-color';

const VERDICT: Record<RampTickResult['outcome'], string> = {
  advanced: 'PASS',
  completed: 'PASS',
  skipped: 'SKIP',
  held: 'WARN',
  paused: 'WARN',
  rolled_back: 'FAIL',
  failed: 'UNKNOWN',
};

function printTick(printer: Printer, tick: TickRampsResult, now: Date): void {
  for (const result of tick.results) {
    const verdict = statusColor(printer.color, VERDICT[result.outcome]);
    printer.line(`${verdict} ${printer.color.bold(result.flagKey)}: ${result.explanation}`);
    if (result.checkpoint?.id !== undefined) {
      printer.line(printer.color.dim(`     recorded as checkpoint #${result.checkpoint.id}`));
    }
    if (result.notification && !result.notification.sent) {
      printer.notice(`webhook not sent: ${result.notification.error ?? 'skipped'}`);
    }
  }
  if (tick.results.length === 0) printer.line(`No ramp due at ${printer.time(now)}.`);
}

/** `kaviar-flags ramp tick`: one pass over the due ramps (cron), or `--watch` until none is active. */
export const rampTickCommand = defineCommand({
  name: 'ramp tick',
  summary: 'Check every due ramp once: advance on PASS, hold on WARN/UNKNOWN, roll back on FAIL (for cron)',
  usage:
    '[--flag F] [--watch] [--interval 5s] [--settle 10s] [--guard-timeout 30s] [--webhook URL] [--webhook-format json|slack] [--actor NAME]',
  options: {
    flag: { type: 'string', value: 'F', description: 'Only this flag’s ramp' },
    watch: { type: 'boolean', description: 'Keep ticking until no ramp is active or holding' },
    interval: {
      type: 'string',
      value: 'DURATION',
      description: 'With --watch: the longest wait between passes (default 5s)',
    },
    settle: {
      type: 'string',
      value: 'DURATION',
      description: 'On a mismatch, re-read after this long before judging (default 10s)',
    },
    'heartbeat-interval': {
      type: 'string',
      value: 'DURATION',
      description: "The clients' heartbeat interval (default 15s, as createPgFlags)",
    },
    'guard-timeout': {
      type: 'string',
      value: 'DURATION',
      description: 'Kill a guard command after this long: UNKNOWN (default 30s)',
    },
    webhook: {
      type: 'string',
      value: 'URL',
      description: 'POST rollbacks and pauses here (or KAVIAR_FLAGS_WEBHOOK_URL)',
    },
    'webhook-format': { type: 'string', value: 'json|slack', description: 'Webhook body (default json)' },
    actor: {
      type: 'string',
      value: 'NAME',
      description: 'Who the ramp’s writes are audited as (default ramp)',
    },
  },
  examples: [
    '* * * * * kaviar-flags ramp tick --webhook "$SLACK_WEBHOOK_URL" --webhook-format slack   # crontab',
    'kaviar-flags ramp tick --watch --interval 10s',
  ],
  notes: [
    'Safe from several hosts at once: each ramp is checked by one ticker (an advisory lock and a lease).',
    'Exit codes: 0 every due ramp advanced or completed (or none was due), 1 one holds or paused (WARN,',
    'UNKNOWN, not enough data, a change by someone else), 2 one rolled back, 3 a ramp could not be checked',
    '(any error; the worst wins, in the order 0 < 1 < 3 < 2).',
  ],
  parse(args) {
    args.maxPositionals(0);
    const c = args.command;
    const flag = args.string('flag');
    const duration = (name: string, fallback: number) => {
      const text = args.string(name);
      return text === undefined ? fallback : parseDurationArg(text, name, c);
    };
    const guardTimeoutMs = duration('guard-timeout', 30_000);
    if (guardTimeoutMs <= 0) throw new UsageError('--guard-timeout: must be longer than 0', c);
    const heartbeatIntervalMs = duration('heartbeat-interval', 15_000);
    if (heartbeatIntervalMs <= 0) throw new UsageError('--heartbeat-interval: must be longer than 0', c);
    const intervalMs = duration('interval', 5000);
    if (intervalMs <= 0) throw new UsageError('--interval: must be longer than 0', c);
    const format = args.string('webhook-format') ?? 'json';
    if (format !== 'json' && format !== 'slack') {
      throw new UsageError(`--webhook-format: ${JSON.stringify(format)} must be json or slack`, c);
    }
    const webhook = args.string('webhook');
    if (webhook !== undefined && !/^https?:\/\/\S+$/.test(webhook)) {
      throw new UsageError('--webhook: must be an http:// or https:// URL', c);
    }
    const actor = args.string('actor');
    return {
      ...(flag !== undefined && { flagKey: parseFlagKeyArg(flag, c) }),
      watch: args.flag('watch'),
      intervalMs,
      settleMs: duration('settle', 10_000),
      heartbeatIntervalMs,
      guardTimeoutMs,
      webhook,
      format: format as 'json' | 'slack',
      actor: actor === undefined ? 'ramp' : parseTextArg(actor, 'actor', c, 200),
    };
  },
  async run(input, ctx) {
    const db = await ctx.db();
    const { printer } = ctx;
    const url = input.webhook ?? ctx.env.KAVIAR_FLAGS_WEBHOOK_URL;
    const options = {
      now: () => new Date(ctx.now()),
      actor: input.actor,
      guardTimeoutMs: input.guardTimeoutMs,
      check: { settleMs: input.settleMs, heartbeatIntervalMs: input.heartbeatIntervalMs },
      ...(input.flagKey !== undefined && { flagKey: input.flagKey }),
      ...(url && { webhook: { url, format: input.format } }),
    };
    const ticks: TickRampsResult[] = [];
    for (;;) {
      const now = new Date(ctx.now());
      const tick = await tickRamps(db, options);
      ticks.push(tick);
      if (!printer.json) printTick(printer, tick, now);
      if (!input.watch || tick.inProgress === 0) break;
      const until = tick.nextCheckAt ? tick.nextCheckAt.getTime() - ctx.now() : input.intervalMs;
      const wait = Math.max(50, Math.min(input.intervalMs, until));
      printer.progress(`${tick.inProgress} ramp(s) in progress; next pass in ${Math.ceil(wait / 1000)}s...`);
      await sleep(wait);
      printer.progress(undefined);
    }
    const results = ticks.flatMap((t) => t.results);
    const exitCode = ticks.reduce<0 | 1 | 2 | 3>((worst, t) => {
      const rank = { 0: 0, 1: 1, 3: 2, 2: 3 } as const;
      return rank[t.exitCode] > rank[worst] ? t.exitCode : worst;
    }, 0);
    if (printer.json) {
      const last = ticks.at(-1);
      printer.printJson({
        results,
        exitCode,
        inProgress: last?.inProgress ?? 0,
        nextCheckAt: last?.nextCheckAt ?? null,
      });
    } else if (input.watch) {
      printer.line(`No ramp active any more after ${ticks.length} pass(es).`);
    }
    return exitCode;
  },
});
