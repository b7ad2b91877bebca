import { setTimeout as sleep } from 'node:timers/promises';
import { TimeoutError } from '@kaviar/flags-core';
import type { FlagsDb } from '@kaviar/flags-pg';
import { createPgFlags, type PgFlagsClient } from '@kaviar/flags-pg';

/*
 * The demo's "backend": a few real flag clients on the demo database, as separate app instances
 * would run them, each evaluating its share of the passengers. Heartbeats and exposure counts go to
 * the database on a short interval so the monitor can see them within the demo's time budget.
 */

/** What one round of evaluations found, by reason. */
export interface EvaluationRound {
  readonly passengers: number;
  readonly enabled: number;
  readonly allowlisted: number;
  readonly byRollout: number;
}

/** The running clients of the demo. @internal */
export interface DemoFleet {
  readonly clients: readonly PgFlagsClient[];
  /** Every client evaluates its share of `passengers` ids; resolves with the totals. */
  evaluate(flagKey: string, passengers: number, progress: (done: number) => void): Promise<EvaluationRound>;
  /** Makes every client load the latest version and waits until all heartbeats report it. */
  sync(): Promise<number>;
  /** Waits until the database holds `total` evaluations of the flag (all rounds so far). */
  flushed(flagKey: string, total: number): Promise<void>;
  close(): Promise<void>;
}

const HEARTBEAT_MS = 200;

/** The subject id of passenger `n` (1-based): `passenger-000001`. */
export const passengerId = (n: number) => `passenger-${String(n).padStart(6, '0')}`;

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new TimeoutError(`The demo timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Starts `size` clients named `backend-1..size` on `db` and waits until each has loaded the flags. */
export async function startDemoFleet(db: FlagsDb, size: number): Promise<DemoFleet> {
  const clients = Array.from({ length: size }, (_, i) =>
    createPgFlags({
      db,
      appName: 'kaviar-backend',
      instanceId: `backend-${i + 1}`,
      listen: false,
      pollIntervalMs: 1000,
      heartbeatIntervalMs: HEARTBEAT_MS,
    }),
  );
  await Promise.all(clients.map((c) => c.ready({ timeoutMs: 15_000 })));
  const storeVersion = async () => {
    const { rows } = await db.query<{ version: number }>(
      `select version::float8 as version from ${db.ident}.state`,
    );
    return Number(rows[0]?.version ?? 0);
  };
  return {
    clients,
    async evaluate(flagKey, passengers, progress) {
      let enabled = 0;
      let allowlisted = 0;
      for (let n = 1; n <= passengers; n++) {
        const client = clients[n % clients.length] as PgFlagsClient;
        const result = client.evaluate(flagKey, passengerId(n));
        if (result.enabled) enabled++;
        if (result.reason === 'ALLOWLIST') allowlisted++;
        // Yield now and then so heartbeats and the progress line keep moving.
        if (n % 10_000 === 0) {
          progress(n);
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
      return { passengers, enabled, allowlisted, byRollout: enabled - allowlisted };
    },
    async sync() {
      const version = await storeVersion();
      await Promise.all(clients.map((c) => c.refresh()));
      await waitFor('every instance to report the new version', async () => {
        const { rows } = await db.query<{ behind: number }>(
          `select count(*)::int as behind from ${db.ident}.instances where id like 'backend-%' and loaded_version < $1`,
          [version],
        );
        return rows[0]?.behind === 0;
      });
      return version;
    },
    async flushed(flagKey, total) {
      await waitFor('the exposure counts', async () => {
        const { rows } = await db.query<{ total: number }>(
          `select coalesce(sum(evaluations), 0)::float8 as total from ${db.ident}.exposures where flag_key = $1`,
          [flagKey],
        );
        return Number(rows[0]?.total ?? 0) >= total;
      });
    },
    async close() {
      await Promise.all(clients.map((c) => c.close()));
    },
  };
}
