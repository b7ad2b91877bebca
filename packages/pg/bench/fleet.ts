/**
 * Fleet benchmark (not a test): what a thousand instances cost the database.
 * - 1,000 simulated instances poll through PgBouncer in transaction mode (4 processes x 250 clients, `listen:
 *   false`, every other setting at its default: 5 s poll, heartbeat every 15 s), plus 20 instances listening
 *   on direct connections (LISTEN/NOTIFY, also at the defaults);
 * - first an idle window (no changes): what the fleet costs at rest, its steady state;
 * - then a window with a change every ~6 s, committed by this process; each client records when it saw each
 *   version (a change costs every instance one statement to load it and one heartbeat to report it).
 * Reports statements per second (all statements on the database, and the pollers' through PgBouncer), the CPU
 * the Postgres backends serving them used (from /proc), PgBouncer's own CPU, the server connections used and
 * p50/p99 propagation for pollers and listeners.
 *
 * Loopback only: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test) and PGBOUNCER_URL (default
 * its host on port 6432, as `scripts/pgbouncer.sh` starts it) must point at this machine. Works in a database
 * of its own (created and dropped), so its counters hold only its own traffic.
 * Run: `npm run bench:fleet -w bench` (starts PgBouncer if needed), or
 * `node --import tsx packages/pg/bench/fleet.ts [--idle-seconds 30] [--seconds 45] [--pollers 1000]
 * [--processes 4] [--listeners 20]`.
 */

import { execSync, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createFlag, migrate, openDb, updateFlag } from '../src/index';

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const IDLE_SECONDS = arg('idle-seconds', 30);
const SECONDS = arg('seconds', 45);
const POLLERS = arg('pollers', 1000);
const PROCESSES = arg('processes', 4);
const LISTENERS = arg('listeners', 20);
const CHANGE_EVERY_MS = 6000;
const POLL_INTERVAL_MS = 5000; // the default, which the workers keep

const baseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const bouncerBase =
  process.env.PGBOUNCER_URL ??
  (() => {
    const url = new URL(baseUrl);
    url.port = '6432';
    return url.toString();
  })();
for (const url of [baseUrl, bouncerBase]) {
  const host = new URL(url).hostname;
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) {
    throw new Error(
      `The fleet benchmark runs on loopback only; ${host} is not (DATABASE_URL / PGBOUNCER_URL)`,
    );
  }
}
const withDb = (url: string, database: string) => {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
};

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};
const ticks = Number(execSync('getconf CLK_TCK').toString().trim()) || 100;

/** utime + stime of a process in seconds, or undefined when it is gone. */
function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticks;
  } catch {
    return undefined;
  }
}

function pgbouncerPid(): number | undefined {
  const port = new URL(bouncerBase).port || '6432';
  const file = `${process.env.TMPDIR ?? '/tmp'}/kaviar-flags-pgbouncer-${port}/pgbouncer.pid`;
  try {
    return Number(readFileSync(file, 'utf8').trim()) || undefined;
  } catch {
    return undefined;
  }
}

async function bouncerStats(database: string): Promise<{ queries: number; serverConnections: number }> {
  const admin = new pg.Client({ connectionString: withDb(bouncerBase, 'pgbouncer') });
  await admin.connect();
  try {
    const stats = await admin.query<{ database: string; total_query_count: string }>('SHOW STATS');
    const pools = await admin.query<{
      database: string;
      sv_active: string;
      sv_idle: string;
      sv_used: string;
    }>('SHOW POOLS');
    const pool = pools.rows.find((r) => r.database === database);
    return {
      queries: Number(stats.rows.find((r) => r.database === database)?.total_query_count ?? 0),
      serverConnections: pool ? Number(pool.sv_active) + Number(pool.sv_idle) + Number(pool.sv_used) : 0,
    };
  } finally {
    await admin.end();
  }
}

interface Sample {
  readonly at: number;
  readonly xacts: number;
  readonly backendCpu: Map<number, number>;
  readonly bouncerCpu: number | undefined;
  readonly bouncerQueries: number;
}

async function sample(server: pg.Client, database: string): Promise<Sample> {
  const { rows } = await server.query<{ pid: number }>(
    'select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
    [database],
  );
  const backendCpu = new Map<number, number>();
  for (const { pid } of rows) {
    const cpu = cpuSeconds(pid);
    if (cpu !== undefined) backendCpu.set(pid, cpu);
  }
  await server.query('select pg_stat_clear_snapshot()');
  const xacts = await server.query<{ n: string }>(
    'select xact_commit + xact_rollback as n from pg_stat_database where datname = $1',
    [database],
  );
  const bouncer = pgbouncerPid();
  return {
    at: Date.now(),
    xacts: Number(xacts.rows[0]?.n ?? 0),
    backendCpu,
    bouncerCpu: bouncer === undefined ? undefined : cpuSeconds(bouncer),
    bouncerQueries: (await bouncerStats(database)).queries,
  };
}

/** Statements per second and CPU (in cores) between two samples. */
function cost(from: Sample, to: Sample) {
  const seconds = (to.at - from.at) / 1000;
  let backendCpu = 0;
  for (const [pid, cpu] of to.backendCpu) backendCpu += cpu - (from.backendCpu.get(pid) ?? cpu);
  return {
    seconds,
    qps: (to.xacts - from.xacts) / seconds,
    pooledQps: (to.bouncerQueries - from.bouncerQueries) / seconds,
    backendCores: backendCpu / seconds,
    bouncerCores:
      to.bouncerCpu !== undefined && from.bouncerCpu !== undefined
        ? (to.bouncerCpu - from.bouncerCpu) / seconds
        : undefined,
  };
}

type Seen = [version: number, at: number][][];

interface Worker {
  readonly role: 'poll' | 'listen';
  readonly child: ReturnType<typeof fork>;
  readonly ready: Promise<void>;
  readonly result: Promise<{ seen: Seen; stale: number }>;
}

function startWorker(
  role: 'poll' | 'listen',
  count: number,
  connectionString: string,
  schema: string,
): Worker {
  const script = fileURLToPath(new URL('./fleet-worker.ts', import.meta.url));
  const appName = role === 'poll' ? 'kaviar-fleet-poll' : 'kaviar-fleet-listen';
  const child = fork(script, [JSON.stringify({ role, count, connectionString, schema, appName })], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let onReady!: () => void;
  const ready = new Promise<void>((resolve) => {
    onReady = resolve;
  });
  const result = new Promise<{ seen: Seen; stale: number }>((resolve, reject) => {
    child.on('message', (message: { type: string; seen?: Seen; stale?: number }) => {
      if (message.type === 'ready') onReady();
      if (message.type === 'result') resolve({ seen: message.seen ?? [], stale: message.stale ?? 0 });
    });
    child.on('exit', (code) => reject(new Error(`a ${role} worker exited with ${code}`)));
  });
  result.catch(() => {});
  return { role, child, ready, result };
}

/** Delay from each change's commit to each client's first version at or past it. */
function lags(seen: Seen, changes: { version: number; at: number }[]): number[] {
  const out: number[] = [];
  for (const log of seen) {
    for (const change of changes) {
      const first = log.find(([version]) => version >= change.version);
      if (first) out.push(first[1] - change.at);
    }
  }
  return out;
}

async function main() {
  const database = `kaviar_fleet_${randomBytes(4).toString('hex')}`;
  const server = new pg.Client({ connectionString: baseUrl, application_name: 'kaviar-fleet-bench' });
  await server.connect();
  await server.query(`create database ${database}`);
  const directUrl = withDb(baseUrl, database);
  const pooledUrl = withDb(bouncerBase, database);
  const admin = await openDb({ connectionString: directUrl, applicationName: 'kaviar-fleet-bench' });
  const workers: Worker[] = [];
  try {
    await migrate(admin);
    for (let i = 0; i < 20; i++) {
      await createFlag(
        admin,
        { key: `fleet.flag-${i}`, enabled: true, rolloutPercentage: 10 },
        { actor: 'bench' },
      );
    }
    const started = Date.now();
    const perProcess = Math.ceil(POLLERS / PROCESSES);
    for (let p = 0; p < PROCESSES; p++) {
      const count = Math.min(perProcess, POLLERS - p * perProcess);
      if (count > 0) workers.push(startWorker('poll', count, pooledUrl, admin.schema));
    }
    if (LISTENERS > 0) workers.push(startWorker('listen', LISTENERS, directUrl, admin.schema));
    await Promise.all(workers.map((w) => w.ready));
    console.log(
      `${POLLERS} pollers (${PROCESSES} processes, through PgBouncer) + ${LISTENERS} listeners (direct) ready in ${((Date.now() - started) / 1000).toFixed(1)} s; idle ${IDLE_SECONDS} s, then changes for ${SECONDS} s`,
    );
    await sleep(POLL_INTERVAL_MS * 1.2); // every client past its first poll
    const idleStart = await sample(server, database);
    await sleep(IDLE_SECONDS * 1000);
    const idleEnd = await sample(server, database);

    const before = await sample(server, database);
    const changes: { version: number; at: number }[] = [];
    let serverConnections = 0;
    let pooledServerConnections = 0;
    const until = Date.now() + SECONDS * 1000;
    let rollout = 10;
    while (Date.now() + CHANGE_EVERY_MS < until) {
      await sleep(CHANGE_EVERY_MS * (0.9 + Math.random() * 0.2));
      rollout = rollout === 10 ? 20 : 10;
      const flag = await updateFlag(
        admin,
        'fleet.flag-0',
        { rolloutPercentage: rollout },
        { actor: 'bench' },
      );
      changes.push({ version: flag.version, at: Date.now() });
      const { rows } = await server.query<{ n: number }>(
        'select count(*)::int as n from pg_stat_activity where datname = $1',
        [database],
      );
      serverConnections = Math.max(serverConnections, rows[0]?.n ?? 0);
      pooledServerConnections = Math.max(
        pooledServerConnections,
        (await bouncerStats(database)).serverConnections,
      );
    }
    await sleep(Math.max(0, until - Date.now()));
    const after = await sample(server, database);
    await sleep(POLL_INTERVAL_MS * 1.2); // the last change reaches every poller (outside the measured window)
    for (const w of workers) w.child.send({ type: 'stop' });
    const results = await Promise.all(workers.map(async (w) => ({ role: w.role, ...(await w.result) })));

    const instances = POLLERS + LISTENERS;
    const idle = cost(idleStart, idleEnd);
    const busy = cost(before, after);
    const pollLags = lags(
      results.filter((r) => r.role === 'poll').flatMap((r) => r.seen),
      changes,
    );
    const listenLags = lags(
      results.filter((r) => r.role === 'listen').flatMap((r) => r.seen),
      changes,
    );
    const stale = results.reduce((n, r) => n + r.stale, 0);
    const pct = (cores: number) => `${(cores * 100).toFixed(1)} % of one core`;
    const per1000 = (value: number) => (value / instances) * 1000;
    const p = (values: number[]) =>
      `p50 ${percentile(values, 50).toFixed(0)} ms, p99 ${percentile(values, 99).toFixed(0)} ms (${values.length} samples)`;
    const lines: [string, string][] = [
      [
        'instances',
        `${POLLERS} polling through PgBouncer (poll ${POLL_INTERVAL_MS} ms) + ${LISTENERS} listening`,
      ],
      ['idle window', `${idle.seconds.toFixed(1)} s, no changes`],
      [
        '  statements/s, database',
        `${idle.qps.toFixed(0)} (${per1000(idle.qps).toFixed(0)} per 1,000 instances)`,
      ],
      ['  statements/s, PgBouncer', idle.pooledQps.toFixed(0)],
      ['  Postgres backend CPU', `${pct(idle.backendCores)} (${pct(per1000(idle.backendCores))} per 1,000)`],
      ['  PgBouncer CPU', idle.bouncerCores === undefined ? 'n/a' : pct(idle.bouncerCores)],
      ['change window', `${busy.seconds.toFixed(1)} s, ${changes.length} changes (one every ~6 s)`],
      [
        '  statements/s, database',
        `${busy.qps.toFixed(0)} (${per1000(busy.qps).toFixed(0)} per 1,000 instances)`,
      ],
      ['  Postgres backend CPU', `${pct(busy.backendCores)} (${pct(per1000(busy.backendCores))} per 1,000)`],
      ['  PgBouncer CPU', busy.bouncerCores === undefined ? 'n/a' : pct(busy.bouncerCores)],
      [
        'server connections (peak)',
        `${serverConnections} on Postgres, of which PgBouncer's ${pooledServerConnections}`,
      ],
      ['propagation, pollers', p(pollLags)],
      ['propagation, listeners', p(listenLags)],
      ['clients not ready at the end', String(stale)],
    ];
    const width = Math.max(...lines.map(([k]) => k.length));
    for (const [k, v] of lines) console.log(`${k.padEnd(width)}  ${v}`);
    console.log(
      JSON.stringify({
        pollers: POLLERS,
        listeners: LISTENERS,
        idle,
        busy,
        changes: changes.length,
        serverConnections,
        pooledServerConnections,
        poll: { p50: percentile(pollLags, 50), p99: percentile(pollLags, 99), n: pollLags.length },
        listen: { p50: percentile(listenLags, 50), p99: percentile(listenLags, 99), n: listenLags.length },
        stale,
      }),
    );
  } finally {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill();
    await admin.close();
    await server.query(`drop database if exists ${database} with (force)`).catch((error: unknown) => {
      console.error(`could not drop ${database}: ${String(error)}`);
    });
    await server.end();
  }
}

await main();
