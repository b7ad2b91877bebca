import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '@kaviar/flags-pg';
import { UsageError } from '../cli-errors';
import { defineCommand } from '../command-spec';
import { runRampDemo } from '../demo-ramp';
import { demoDatabaseArgs, demoWentAsExpected, runDemoStory } from '../demo-story';
import { EXIT_CODES } from '../exit-codes';
import { parseIntegerArg } from '../input-values';

/** `kaviar-flags demo`: the seed's rollout story on the embedded database, in under a minute. */
export const demoCommand = defineCommand({
  name: 'demo',
  summary: 'Run the whole rollout story (create, evaluate, check, a bad change caught, rollback, snapshot)',
  usage: '[--passengers N] [--instances N] [--ramp]',
  defaultSchema: 'kaviar_flags_demo',
  createsEmbeddedDatabase: true,
  options: {
    passengers: {
      type: 'string',
      value: 'N',
      description: 'Passengers evaluated per round (default 100000)',
    },
    instances: {
      type: 'string',
      value: 'N',
      description: 'Backend instances (flag clients) to run (default 4)',
    },
    ramp: {
      type: 'boolean',
      description: 'The guarded ramp instead: 1 → 5 → 25 %, a guard failing at 25 %, the automatic rollback',
    },
  },
  examples: [
    'kaviar-flags demo',
    'kaviar-flags demo --ramp',
    'kaviar-flags status --schema kaviar_flags_demo   # look around afterwards',
  ],
  notes: [
    'Runs in its own schema (default kaviar_flags_demo, which it empties first; a --schema must contain "demo"),',
    'on the embedded database unless --database-url / DATABASE_URL is set. Exits 0 when the checks come out',
    'PASS, FAIL, PASS as the story says, 70 otherwise.',
  ],
  parse(args) {
    args.maxPositionals(0);
    const schema = args.string('schema');
    if (schema !== undefined && !schema.includes('demo')) {
      throw new UsageError(
        'The demo empties its schema first: give a --schema whose name contains "demo"',
        args.command,
      );
    }
    const passengers = args.string('passengers');
    const instances = args.string('instances');
    return {
      passengers:
        passengers === undefined ? 100_000 : parseIntegerArg(passengers, 'passengers', args.command, 100),
      instances: instances === undefined ? 4 : parseIntegerArg(instances, 'instances', args.command, 1),
      ramp: args.flag('ramp'),
    };
  },
  async run(options, ctx) {
    const { printer } = ctx;
    // The guard in parse only sees --schema; a database handed in by a program (runCli's `database`)
    // brings its own schema, which the demo would drop.
    if (!ctx.schema?.includes('demo')) {
      throw new UsageError(
        `The demo empties its schema first, and ${JSON.stringify(ctx.schema ?? 'kaviar_flags')} does not contain "demo"; nothing was dropped`,
        'demo',
      );
    }
    const started = Date.now();
    printer.notice(`Demo on ${ctx.target.label}, schema ${ctx.schema}.`);
    const db = await ctx.db();
    await db.exec(`drop schema if exists ${db.ident} cascade`);
    await migrate(db);
    const dir =
      ctx.target.kind === 'embedded' ? ctx.target.dir : mkdtempSync(join(tmpdir(), 'kaviar-flags-demo-'));
    if (options.ramp) return runRampDemo(db, ctx, { ...options, dir });
    const result = await runDemoStory(db, ctx, { ...options, dir });
    const ok = demoWentAsExpected(result);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (printer.json) {
      printer.printJson({
        ok,
        checks: result.checks,
        snapshotFile: result.snapshotFile,
        seconds: Number(seconds),
      });
    } else {
      const verdicts = result.checks
        .map((c) => ['PASS', 'WARN', 'FAIL', 'UNKNOWN'][c.exitCode] ?? c.exitCode)
        .join(', ');
      printer.line(
        ok
          ? printer.color.green(`Demo done in ${seconds}s: the checks said ${verdicts}, as the story goes.`)
          : printer.color.red(
              `Demo finished in ${seconds}s but the checks said ${verdicts}, expected PASS, FAIL, PASS.`,
            ),
      );
      printer.line(
        `The ops snapshot is in ${result.snapshotFile}; look around with: kaviar-flags status ${demoDatabaseArgs(ctx, ctx.schema)}`,
      );
    }
    return ok ? EXIT_CODES.OK : EXIT_CODES.INTERNAL;
  },
});
