/**
 * Allowlist import benchmark against a real Postgres (DATABASE_URL, default the local test server):
 * 1. `importAllowlist(..., { replace: true })` of 1,000,000 ids over 1,000,000 rows (10 % of them new),
 *    the same list again (nothing changes), and over 20,000 rows, each beside the floor measured in the same run: the same ids inserted into an
 *    empty table without index or trigger (what any import has to pay to get the ids to the server);
 * 2. the peer, the previous release's replace (`subject_id not in (select unnest($2))`), beside the staged
 *    import on 50k, 100k and 200k ids over 20k rows, cut at 60 s;
 * 3. while the 1M imports run, an `updateFlag` on another flag every 100 ms: how long writes to other
 *    flags wait (max and p50);
 * 4. how long an abort (`signal`) of a 1M import takes to reject, and that nothing was written.
 * Run: `npx tsx packages/pg/bench/import.ts`. Prints numbers; never fails on a time.
 */

import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createFlag,
  type FlagsDb,
  getFlag,
  importAllowlist,
  migrate,
  openDb,
  updateFlag,
  WriteAbortedError,
} from '../src/index';

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const actor = { actor: 'bench' };
const M = 1_000_000;

const ids = (from: number, to: number, prefix = 'passenger-') =>
  Array.from({ length: to - from }, (_, i) => `${prefix}${from + i}`);
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/** Seeds `key` with `n` rows in one statement (generate_series, not the import under test). */
async function seed(db: FlagsDb, key: string, n: number): Promise<void> {
  await createFlag(db, { key }, actor);
  await db.query(
    `insert into ${db.ident}.allowlist (flag_key, subject_id) select $1, 'passenger-' || g from generate_series(0, $2 - 1) g`,
    [key, n],
  );
}

/** The floor: the ids into an empty temporary table, no index, no trigger, same batches. */
async function floor(db: FlagsDb, list: string[]): Promise<number> {
  const start = performance.now();
  await db.transaction(async (tx) => {
    await tx.query('create temporary table bench_floor (subject_id text not null) on commit drop');
    for (let i = 0; i < list.length; i += 10_000) {
      await tx.query('insert into pg_temp.bench_floor select unnest($1::text[])', [
        list.slice(i, i + 10_000),
      ]);
    }
  });
  return performance.now() - start;
}

/** Runs `work` while updating `other` every 100 ms; returns its time and the waits of those updates. */
async function withOtherWrites(db: FlagsDb, other: string, work: () => Promise<unknown>) {
  const waits: number[] = [];
  let running = true;
  const writer = (async () => {
    let n = 0;
    while (running) {
      const start = performance.now();
      await updateFlag(db, other, { rolloutPercentage: n++ % 2 }, actor);
      waits.push(performance.now() - start);
      await sleep(100);
    }
  })();
  const start = performance.now();
  await work();
  const ms = performance.now() - start;
  running = false;
  await writer;
  return { ms, waits };
}

/**
 * The peer: the previous release's replace (a `not in (select unnest($2))` delete, then batched inserts),
 * in one transaction, cut at 60 s. Returns `undefined` when cut.
 */
async function previousRelease(db: FlagsDb, key: string, list: string[]): Promise<number | undefined> {
  const start = performance.now();
  try {
    await db.transaction(async (tx) => {
      await tx.query('set local statement_timeout = 60000');
      await tx.query(`update ${db.ident}.flags set updated_at = now() where key = $1`, [key]);
      await tx.query(
        `delete from ${db.ident}.allowlist where flag_key = $1 and subject_id not in (select unnest($2::text[]))`,
        [key, list],
      );
      for (let i = 0; i < list.length; i += 10_000) {
        await tx.query(
          `insert into ${db.ident}.allowlist (flag_key, subject_id) select $1, id from unnest($2::text[]) as id
           on conflict do nothing`,
          [key, list.slice(i, i + 10_000)],
        );
      }
    });
  } catch (error) {
    if ((error as { code?: string }).code === '57014') return undefined;
    throw error;
  }
  return performance.now() - start;
}

/** Resets `key` to `n` rows `passenger-0..n-1`. */
async function reset(db: FlagsDb, key: string, n: number): Promise<void> {
  await db.query(`delete from ${db.ident}.allowlist where flag_key = $1`, [key]);
  await db.query(
    `insert into ${db.ident}.allowlist (flag_key, subject_id) select $1, 'passenger-' || g from generate_series(0, $2 - 1) g`,
    [key, n],
  );
}

async function main() {
  const schema = `bench_import_${randomBytes(4).toString('hex')}`;
  const db = await openDb({ connectionString: url, schema, maxConnections: 4 });
  try {
    await migrate(db);
    await createFlag(db, { key: 'other' }, actor);
    const million = ids(100_000, 1_100_000); // over 0..1M: 900k kept, 100k removed, 100k added

    console.log('1M ids, replace: true');
    await seed(db, 'over-1m', M);
    const floorMs = await floor(db, million);
    const big = await withOtherWrites(db, 'other', () =>
      importAllowlist(db, 'over-1m', million, { ...actor, replace: true }),
    );
    console.log(
      `  over 1,000,000 rows: ${secs(big.ms)} (${(big.ms / floorMs).toFixed(2)}x the floor of ${secs(floorMs)}); ` +
        `size ${(await getFlag(db, 'over-1m'))?.allowlistCount}; ` +
        `other-flag writes: ${big.waits.length}, max wait ${secs(Math.max(...big.waits))}, p50 ${secs(median(big.waits))}`,
    );
    const same = await withOtherWrites(db, 'other', () =>
      importAllowlist(db, 'over-1m', million, { ...actor, replace: true }),
    );
    console.log(
      `  the same again (nothing changes): ${secs(same.ms)} (${(same.ms / floorMs).toFixed(2)}x the floor); ` +
        `other-flag writes: ${same.waits.length}, max wait ${secs(Math.max(...same.waits))}, p50 ${secs(median(same.waits))}`,
    );
    await seed(db, 'over-20k', 20_000);
    const small = await withOtherWrites(db, 'other', () =>
      importAllowlist(db, 'over-20k', million, { ...actor, replace: true }),
    );
    console.log(
      `  over 20,000 rows:    ${secs(small.ms)} (${(small.ms / floorMs).toFixed(2)}x the floor); ` +
        `size ${(await getFlag(db, 'over-20k'))?.allowlistCount}; ` +
        `other-flag writes: ${small.waits.length}, max wait ${secs(Math.max(...small.waits))}, p50 ${secs(median(small.waits))}`,
    );

    console.log('replace over 20,000 rows (half the ids new): previous release vs staged import');
    await seed(db, 'peer', 20_000);
    for (const n of [50_000, 100_000, 200_000]) {
      const list = ids(10_000, 10_000 + n);
      const previous = await previousRelease(db, 'peer', list);
      await reset(db, 'peer', 20_000);
      const start = performance.now();
      await importAllowlist(db, 'peer', list, { ...actor, replace: true });
      const ours = performance.now() - start;
      await reset(db, 'peer', 20_000);
      const ratio = previous === undefined ? `> ${(60_000 / ours).toFixed(1)}` : (previous / ours).toFixed(2);
      console.log(
        `  ${n.toLocaleString('en')} ids: previous ${previous === undefined ? '> 60 s (cut)' : secs(previous)}, ` +
          `staged ${secs(ours)} (previous/staged ${ratio})`,
      );
    }

    console.log('abort of a 1M import over 20,000 rows after 1 s');
    await seed(db, 'abort', 20_000);
    const controller = new AbortController();
    let abortedAt = 0;
    const timer = setTimeout(() => {
      abortedAt = performance.now();
      controller.abort();
    }, 1000);
    let outcome = 'committed';
    await importAllowlist(db, 'abort', ids(0, M, 'new-'), {
      ...actor,
      replace: true,
      signal: controller.signal,
    }).catch((error) => {
      outcome = error instanceof WriteAbortedError ? 'WriteAbortedError' : String(error);
    });
    clearTimeout(timer);
    console.log(
      `  rejected ${secs(performance.now() - abortedAt)} after the abort with ${outcome}; size ${(await getFlag(db, 'abort'))?.allowlistCount} (was 20000)`,
    );
  } finally {
    await db.exec(`drop schema if exists ${db.ident} cascade`).catch(() => {});
    await db.close();
  }
}

await main();
