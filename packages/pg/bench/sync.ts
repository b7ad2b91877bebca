/**
 * Sync benchmark against a real Postgres (DATABASE_URL, default the local test server):
 * 1. propagation from commit to every client seeing it, p50/p99, with NOTIFY and poll-only (20 clients in
 *    this one process, so they share its event loop), and with NOTIFY for a single client;
 * 2. what an idle poll costs: queries, rows and bytes on the wire (through a counting TCP proxy);
 * 3. load time and heap for 1,000 flags with 100,000 allowlist entries.
 * Run: `node --expose-gc --import tsx packages/pg/bench/sync.ts` (or `npx tsx packages/pg/bench/sync.ts`).
 * Prints numbers; never fails on a time.
 */
import { randomBytes } from 'node:crypto';
import { startTcpProxy } from '../../../test/support/tcp-proxy';
import {
  createFlag,
  createPgFlags,
  type FlagsDb,
  migrate,
  openDb,
  type PgFlagsClient,
  updateFlag,
} from '../src/index';
import { loadAll } from '../src/source/load-flags';

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const CLIENTS = 20;
const actor = { actor: 'bench' };

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

async function propagation(
  db: FlagsDb,
  listen: boolean,
  pollIntervalMs: number,
  changes: number,
  count = CLIENTS,
) {
  const clients: PgFlagsClient[] = [];
  for (let i = 0; i < count; i++) {
    clients.push(
      createPgFlags({
        connectionString: url,
        schema: db.schema,
        listen,
        pollIntervalMs,
        heartbeat: false,
        countExposures: false,
      }),
    );
  }
  await Promise.all(clients.map((c) => c.ready({ timeoutMs: 10_000 })));
  const latencies: number[] = [];
  for (let n = 1; n <= changes; n++) {
    const target = n % 2 === 0 ? 0 : 100;
    const seen = clients.map(
      (c) =>
        new Promise<number>((resolve) => {
          const off = c.on('change', () => {
            if (c.snapshot()?.flags.get('bench.flag')?.rolloutPercentage === target) {
              off();
              resolve(performance.now());
            }
          });
        }),
    );
    await updateFlag(db, 'bench.flag', { rolloutPercentage: target }, actor);
    // The commit is acknowledged here; a client may see the NOTIFY even before this line runs (counted as 0).
    const committedAt = performance.now();
    for (const seenAt of await Promise.all(seen)) latencies.push(Math.max(0, seenAt - committedAt));
  }
  await Promise.all(clients.map((c) => c.close()));
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), samples: latencies.length };
}

async function idlePoll(db: FlagsDb) {
  const proxy = await startTcpProxy(url);
  const client = createPgFlags({
    connectionString: proxy.url,
    schema: db.schema,
    listen: false,
    pollIntervalMs: 3_600_000,
    heartbeat: false,
    countExposures: false,
  });
  await client.ready({ timeoutMs: 10_000 });
  await client.refresh(); // warm the pool connection
  const queries: string[] = [];
  const { rows } = await db.query(`select version, pruned_through from ${db.ident}.state`);
  const before = proxy.bytes();
  const polls = 100;
  for (let i = 0; i < polls; i++) await client.refresh();
  const after = proxy.bytes();
  queries.push('select version, pruned_through from <schema>.state');
  await client.close();
  await proxy.close();
  return {
    queriesPerPoll: 1,
    rowsPerPoll: rows.length,
    bytesToServer: (after.toServer - before.toServer) / polls,
    bytesToClient: (after.toClient - before.toClient) / polls,
    query: queries[0],
  };
}

async function bigLoad(db: FlagsDb) {
  await db.exec(`
    insert into ${db.ident}.flags (key, enabled, rollout_percentage)
      select 'big.' || i, true, (i % 100) from generate_series(1, 1000) i;
    insert into ${db.ident}.allowlist (flag_key, subject_id)
      select 'big.' || (i % 1000 + 1), 'subject-' || i from generate_series(1, 100000) i;`);
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const started = performance.now();
  const loaded = await loadAll(db, db.ident);
  const ms = performance.now() - started;
  gc?.();
  const heapAfter = process.memoryUsage().heapUsed;
  let entries = 0;
  for (const f of loaded.flags.values()) entries += f.allowlist.length;
  // The client's compiled form (Sets) is what lives in memory while serving.
  const client = createPgFlags({
    connectionString: url,
    schema: db.schema,
    listen: false,
    heartbeat: false,
    countExposures: false,
  });
  const clientStarted = performance.now();
  await client.ready({ timeoutMs: 30_000 });
  const clientMs = performance.now() - clientStarted;
  await client.close();
  return {
    flags: loaded.flags.size,
    entries,
    loadMs: ms,
    clientReadyMs: clientMs,
    heapMb: (heapAfter - heapBefore) / 1024 / 1024,
    measuredHeap: gc !== undefined,
  };
}

async function main() {
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const db = await openDb({ connectionString: url, schema });
  // The clients' timers are unref'd (a flag client never keeps a process alive), so the script holds on.
  const keepAlive = setInterval(() => {}, 1000);
  try {
    await migrate(db);
    await createFlag(db, { key: 'bench.flag', enabled: true, rolloutPercentage: 0 }, actor);
    const notify = await propagation(db, true, 60_000, 30);
    // One client alone: what an instance sees without 19 others sharing its event loop and connection burst.
    const single = await propagation(db, true, 60_000, 100, 1);
    const poll = await propagation(db, false, 500, 10);
    const idle = await idlePoll(db);
    const big = await bigLoad(db);
    console.log(
      `@kaviar/flags-pg sync benchmark (${CLIENTS} clients, ${url.replace(/\/\/[^@]*@/, '//***@')})`,
    );
    console.log(
      `propagation, LISTEN/NOTIFY: p50 ${fmt(notify.p50)}  p99 ${fmt(notify.p99)}  (${notify.samples} samples; target p99 < 50 ms)`,
    );
    console.log(
      `propagation, LISTEN/NOTIFY, 1 client: p50 ${fmt(single.p50)}  p99 ${fmt(single.p99)}  (${single.samples} samples)`,
    );
    console.log(
      `propagation, poll-only 500 ms: p50 ${fmt(poll.p50)}  p99 ${fmt(poll.p99)}  (${poll.samples} samples)`,
    );
    console.log(
      `idle poll: ${idle.queriesPerPoll} query, ${idle.rowsPerPoll} row, ${idle.bytesToServer.toFixed(0)} B sent + ${idle.bytesToClient.toFixed(0)} B received per poll ("${idle.query}")`,
    );
    console.log(
      `load ${big.flags} flags + ${big.entries} allowlist entries: ${fmt(big.loadMs)} (client ready ${fmt(big.clientReadyMs)}), heap ${big.measuredHeap ? `${big.heapMb.toFixed(1)} MB` : 'n/a (run with --expose-gc)'}; targets < 1 s, < 50 MB`,
    );
  } finally {
    await db.exec(`drop schema if exists ${db.ident} cascade`);
    await db.close();
    clearInterval(keepAlive);
  }
}

await main();
