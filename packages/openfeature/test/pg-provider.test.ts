/**
 * The provider over the real store, `createPgFlags`, on Postgres and on PGlite: change events after
 * `updateFlag`, STALE when the database goes away and READY when it is back, a failed initialisation
 * that recovers, and the same decisions as `isEnabled` for 10,000 subjects.
 *
 * Outages: on Postgres, the repository's TCP proxy is cut (the shared server is never touched). PGlite
 * runs in-process and has no connection to cut, so its database handle is wrapped to fail every query
 * while "cut", as a lost connection does.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bucketOf, thresholdOf } from '@kaviar/flags-core';
import {
  addToAllowlist,
  createFlag,
  createPgFlags,
  DatabaseUnavailableError,
  type FlagsDb,
  type PgFlagsClient,
  type PgFlagsOptions,
  updateFlag,
} from '@kaviar/flags-pg';
import { type Client, OpenFeature, ProviderEvents, ProviderStatus } from '@openfeature/server-sdk';
import { afterAll, expect, it } from 'vitest';
import {
  DATABASE_URL,
  forEachDatabase,
  type TestDatabaseContext,
  testAppName,
} from '../../../test/support/databases';
import { guardLeaks } from '../../../test/support/leaks';
import { startTcpProxy } from '../../../test/support/tcp-proxy';
import { KaviarFlagsProvider } from '../src/index';

guardLeaks();

const actor = { actor: 'ops', reason: 'openfeature test' };
let domains = 0;

afterAll(async () => {
  await OpenFeature.clearProviders();
});

/** A store whose database can be cut and restored. */
interface BreakableStore {
  readonly client: PgFlagsClient;
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

/** PGlite: a handle whose queries fail while cut, as over a lost connection. */
function breakableDb(db: FlagsDb): { db: FlagsDb; setDown(down: boolean): void } {
  let down = false;
  const guard = () => {
    if (down) throw new DatabaseUnavailableError('connection lost (test)');
  };
  const wrapped: FlagsDb = {
    schema: db.schema,
    ident: db.ident,
    driver: db.driver,
    query: async (sql, params) => {
      guard();
      return db.query(sql, params);
    },
    exec: async (sql) => {
      guard();
      return db.exec(sql);
    },
    transaction: async (fn) => {
      guard();
      return db.transaction(fn);
    },
    listen: async (channel, onNotify, onError) => {
      guard();
      return db.listen(channel, onNotify, onError);
    },
    close: async () => {},
  };
  return { db: wrapped, setDown: (value) => (down = value) };
}

/** Opens a client on the test schema; with `startCut`, the database is away before the client starts. */
async function openStore(
  getDb: () => FlagsDb,
  ctx: TestDatabaseContext,
  options: Partial<PgFlagsOptions> = {},
  startCut = false,
): Promise<BreakableStore> {
  const common = {
    heartbeat: false,
    countExposures: false,
    listen: false,
    pollIntervalMs: 60_000,
    ...options,
  };
  if (ctx.kind === 'postgres') {
    const proxy = await startTcpProxy(DATABASE_URL as string);
    if (startCut) await proxy.cut();
    const client = createPgFlags({
      connectionString: proxy.url,
      schema: ctx.schema(),
      appName: testAppName('openfeature'),
      ...common,
    });
    return {
      client,
      cut: () => proxy.cut(),
      restore: () => proxy.restore(),
      close: async () => {
        await client.close();
        await proxy.close();
      },
    };
  }
  const breakable = breakableDb(getDb());
  breakable.setDown(startCut);
  const client = createPgFlags({ db: breakable.db, ...common });
  return {
    client,
    cut: async () => breakable.setDown(true),
    restore: async () => breakable.setDown(false),
    close: () => client.close(),
  };
}

interface Seen {
  readonly type: string;
  readonly message?: string;
  readonly flagsChanged?: string[];
}

/** An OpenFeature client on its own domain, recording the provider events it sees. */
function ofClient(): { name: string; client: Client; seen: Seen[]; next(type: string): Promise<Seen> } {
  const name = `pg-provider-${++domains}`;
  const client = OpenFeature.getClient(name);
  const seen: Seen[] = [];
  const waiting: { type: string; resolve: (s: Seen) => void }[] = [];
  for (const type of Object.values(ProviderEvents)) {
    client.addHandler(type, (details) => {
      const entry: Seen = {
        type,
        message: details?.message,
        flagsChanged: details?.flagsChanged as string[],
      };
      seen.push(entry);
      for (const w of waiting.filter((x) => x.type === type)) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(entry);
      }
    });
  }
  return {
    name,
    client,
    seen,
    next: (type) => new Promise((resolve) => waiting.push({ type, resolve })),
  };
}

forEachDatabase((getDb, ctx) => {
  it('emits CONFIGURATION_CHANGED with the changed key after updateFlag (LISTEN/NOTIFY)', async () => {
    await createFlag(getDb(), { key: 'of.change.a', enabled: true, rolloutPercentage: 10 }, actor);
    await createFlag(getDb(), { key: 'of.change.b', enabled: true, rolloutPercentage: 10 }, actor);
    const store = await openStore(getDb, ctx, { listen: true });
    try {
      const of = ofClient();
      await OpenFeature.setProviderAndWait(of.name, new KaviarFlagsProvider(store.client));
      // Let LISTEN take effect (its first connect triggers a sync) before writing.
      await store.client.refresh();
      const changed = of.next(ProviderEvents.ConfigurationChanged);
      await updateFlag(getDb(), 'of.change.b', { rolloutPercentage: 100 }, actor);
      expect((await changed).flagsChanged).toEqual(['of.change.b']);
      expect(
        await of.client.getBooleanDetails('of.change.b', false, { targetingKey: 'anyone' }),
      ).toMatchObject({
        value: true,
        reason: 'SPLIT',
        flagMetadata: { version: store.client.status().version, stale: false },
      });
      const disabled = of.next(ProviderEvents.ConfigurationChanged);
      await updateFlag(getDb(), 'of.change.a', { enabled: false }, actor);
      expect((await disabled).flagsChanged).toEqual(['of.change.a']);
      expect(of.seen.map((s) => s.type)).toEqual([
        ProviderEvents.Ready,
        ProviderEvents.ConfigurationChanged,
        ProviderEvents.ConfigurationChanged,
      ]);
    } finally {
      await store.close();
    }
  });

  it('emits STALE with the age when the database goes away, READY when it is back', async () => {
    await createFlag(getDb(), { key: 'of.outage', enabled: true, rolloutPercentage: 100 }, actor);
    const store = await openStore(getDb, ctx);
    const provider = new KaviarFlagsProvider(store.client);
    try {
      const of = ofClient();
      await OpenFeature.setProviderAndWait(of.name, provider);
      await store.cut();
      await store.client.refresh();
      expect(of.seen.map((s) => s.type)).toEqual([ProviderEvents.Ready, ProviderEvents.Stale]);
      expect(of.seen[1]?.message).toMatch(
        /^Serving the last good flags \(version \d+, database\), last confirmed \d.* ago: Database unavailable/,
      );
      expect(provider.status).toBe(ProviderStatus.STALE);
      expect(of.client.providerStatus).toBe(ProviderStatus.STALE);
      // Still served from the last good snapshot, saying so.
      expect(await of.client.getBooleanDetails('of.outage', false, { targetingKey: 'x' })).toMatchObject({
        value: true,
        flagMetadata: { stale: true },
      });
      await store.restore();
      await store.client.refresh();
      expect(of.seen.map((s) => s.type)).toEqual([
        ProviderEvents.Ready,
        ProviderEvents.Stale,
        ProviderEvents.Ready,
      ]);
      expect(provider.status).toBe(ProviderStatus.READY);
      expect(of.client.providerStatus).toBe(ProviderStatus.READY);
      expect(await of.client.getBooleanDetails('of.outage', false, { targetingKey: 'x' })).toMatchObject({
        flagMetadata: { stale: false },
      });
    } finally {
      await store.close();
    }
  });

  it('fails initialisation with the store error when the database is away at start, READY once it answers', async () => {
    await createFlag(getDb(), { key: 'of.start', enabled: true, rolloutPercentage: 100 }, actor);
    const store = await openStore(getDb, ctx, { retryMinMs: 50, pollIntervalMs: 1000 }, true);
    const provider = new KaviarFlagsProvider(store.client, { readyTimeoutMs: 300 });
    try {
      const of = ofClient();
      const failed = await OpenFeature.setProviderAndWait(of.name, provider).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failed).toMatchObject({
        code: 'TIMEOUT',
        message: expect.stringMatching(/Database unavailable/),
      });
      expect((failed as Error).cause).toBeInstanceOf(DatabaseUnavailableError);
      expect(of.client.providerStatus).toBe(ProviderStatus.ERROR);
      expect(await of.client.getBooleanDetails('of.start', false, { targetingKey: 'x' })).toMatchObject({
        value: false,
        errorCode: 'PROVIDER_NOT_READY',
      });
      const ready = of.next(ProviderEvents.Ready);
      await store.restore();
      await ready;
      expect(of.client.providerStatus).toBe(ProviderStatus.READY);
      expect(provider.status).toBe(ProviderStatus.READY);
      expect(await of.client.getBooleanValue('of.start', false, { targetingKey: 'x' })).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('starts STALE on a snapshot file while the database is away, then CONFIGURATION_CHANGED and READY', async () => {
    await createFlag(getDb(), { key: 'of.file', enabled: true, rolloutPercentage: 100 }, actor);
    const dir = await mkdtemp(join(tmpdir(), 'kaviar-openfeature-'));
    const snapshotFile = join(dir, `${ctx.kind}.json`);
    try {
      // A first instance leaves the snapshot file behind.
      const writer = await openStore(getDb, ctx, { snapshotFile });
      await writer.client.ready({ timeoutMs: 10_000 });
      await writer.close();
      const store = await openStore(getDb, ctx, { snapshotFile, retryMinMs: 50, pollIntervalMs: 1000 }, true);
      const provider = new KaviarFlagsProvider(store.client);
      try {
        const of = ofClient();
        await OpenFeature.setProviderAndWait(of.name, provider);
        expect(store.client.status().origin).toBe('snapshot-file');
        expect(of.client.providerStatus).toBe(ProviderStatus.STALE);
        expect(provider.status).toBe(ProviderStatus.STALE);
        expect(of.seen.map((s) => s.type)).toEqual([ProviderEvents.Ready, ProviderEvents.Stale]);
        expect(of.seen[1]?.message).toMatch(/\(version \d+, snapshot-file\)/);
        expect(await of.client.getBooleanDetails('of.file', false, { targetingKey: 'x' })).toMatchObject({
          value: true,
          flagMetadata: { stale: true },
        });
        await updateFlag(getDb(), 'of.file', { rolloutPercentage: 0 }, actor);
        const ready = of.next(ProviderEvents.Ready);
        await store.restore();
        await ready;
        // The database's data replaces the file's: every key is announced, then READY.
        const changed = of.seen.filter((s) => s.type === ProviderEvents.ConfigurationChanged);
        expect(changed.length).toBeGreaterThanOrEqual(1);
        expect(changed[0]?.flagsChanged).toContain('of.file');
        expect(of.seen.at(-1)?.type).toBe(ProviderEvents.Ready);
        expect(await of.client.getBooleanDetails('of.file', true, { targetingKey: 'x' })).toMatchObject({
          value: false,
          reason: 'SPLIT',
          flagMetadata: { stale: false, reason: 'OUT_OF_ROLLOUT' },
        });
      } finally {
        await store.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('decides exactly as isEnabled (same buckets) for 10,000 subjects', async () => {
    const key = 'passenger_favorites_matching';
    const rolloutPercentage = 12.34;
    const allowlist = Array.from({ length: 12 }, (_, i) => `passenger-${i * 700}`);
    await createFlag(getDb(), { key, enabled: true, rolloutPercentage }, actor);
    await addToAllowlist(getDb(), key, allowlist, actor);
    const store = await openStore(getDb, ctx);
    try {
      const of = ofClient();
      await OpenFeature.setProviderAndWait(of.name, new KaviarFlagsProvider(store.client));
      const allowed = new Set(allowlist);
      const threshold = thresholdOf(rolloutPercentage);
      let on = 0;
      let mismatches = 0;
      for (let i = 0; i < 10_000; i++) {
        const id = `passenger-${i}`;
        const details = await of.client.getBooleanDetails(key, false, { targetingKey: id });
        const evaluation = store.client.evaluate(key, id);
        // Checked against the client and against the published contract, independently.
        const contract = allowed.has(id) || bucketOf(key, id) < threshold;
        if (
          details.value !== store.client.isEnabled(key, id) ||
          details.value !== contract ||
          details.flagMetadata.reason !== evaluation.reason ||
          details.reason !== (evaluation.reason === 'ALLOWLIST' ? 'TARGETING_MATCH' : 'SPLIT')
        ) {
          mismatches++;
        }
        if (details.value) on++;
      }
      expect(mismatches).toBe(0);
      // Binomial(10000, 0.1234) plus 12 allowlisted: about 1246, sigma 33.
      expect(Math.abs(on - 1246)).toBeLessThan(200);
    } finally {
      await store.close();
    }
  });
});
