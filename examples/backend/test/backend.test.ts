import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bucketOf, createTestFlags } from '@kaviar/flags-core';
import { KaviarFlagsProvider } from '@kaviar/flags-openfeature';
import { addToAllowlist, createFlag, createPgFlags, type PgFlagsClient, updateFlag } from '@kaviar/flags-pg';
import { OpenFeature } from '@openfeature/server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachDatabase } from '../../../test/support/databases';
import { createApp, FAVORITES_FLAG, healthOf } from '../src/create-app';

interface Match {
  passengerId: string;
  strategy: string;
  evaluation: { reason: string; bucket?: number };
}

interface OfMatch {
  passengerId: string;
  strategy: string;
  evaluation: { value: boolean; reason: string; variant?: string; flagMetadata: Record<string, unknown> };
}

interface Health {
  status: string;
  flags: { state: string; origin: string; version: number; stale: boolean; ageMs: number };
}

forEachDatabase((getDb) => {
  let flags: PgFlagsClient;
  let server: Server;
  let base: string;
  const get = async <T = Match>(path: string) => {
    const res = await fetch(`${base}${path}`);
    return { status: res.status, body: (await res.json()) as T };
  };

  beforeAll(async () => {
    const db = getDb();
    await createFlag(db, { key: FAVORITES_FLAG, enabled: true, rolloutPercentage: 1 }, { actor: 'goes' });
    await addToAllowlist(db, FAVORITES_FLAG, ['vip-1', 'vip-2'], { actor: 'goes' });
    flags = createPgFlags({ db, listen: false, heartbeat: false, countExposures: false });
    await flags.ready({ timeoutMs: 10_000 });
    server = createApp(flags).listen(0);
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await flags?.close();
  });

  describe('backend example through OpenFeature', () => {
    let ofServer: Server;
    let ofBase: string;
    const domain = `backend-example-${Math.random().toString(36).slice(2)}`;
    beforeAll(async () => {
      await OpenFeature.setProviderAndWait(domain, new KaviarFlagsProvider(flags));
      ofServer = createApp(flags, { openFeature: OpenFeature.getClient(domain) }).listen(0);
      await new Promise((resolve) => ofServer.once('listening', resolve));
      ofBase = `http://127.0.0.1:${(ofServer.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await new Promise((resolve) => ofServer?.close(resolve));
      await OpenFeature.clearProviders();
    });
    const ofGet = async (path: string) => {
      const res = await fetch(`${ofBase}${path}`);
      return { status: res.status, body: (await res.json()) as OfMatch };
    };

    it('decides like isEnabled, explained in OpenFeature terms with our reason in flagMetadata', async () => {
      const vip = await ofGet('/passengers/vip-2/matches?explain');
      expect(vip.body).toMatchObject({
        strategy: 'favorites-first',
        evaluation: {
          value: true,
          variant: 'on',
          reason: 'TARGETING_MATCH',
          flagMetadata: { reason: 'ALLOWLIST' },
        },
      });
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) => ofGet(`/passengers/p-${i}/matches?explain`)),
      );
      for (const [i, { body }] of results.entries()) {
        const inRollout = bucketOf(FAVORITES_FLAG, `p-${i}`) < 100;
        expect(body.strategy).toBe(inRollout ? 'favorites-first' : 'nearest-first');
        expect(body.strategy).toBe(
          flags.isEnabled(FAVORITES_FLAG, `p-${i}`) ? 'favorites-first' : 'nearest-first',
        );
        expect(body.evaluation).toMatchObject({
          reason: 'SPLIT',
          flagMetadata: { reason: inRollout ? 'ROLLOUT' : 'OUT_OF_ROLLOUT', stale: false },
        });
      }
    });

    it('follows a rollback in the database through OpenFeature', async () => {
      await updateFlag(getDb(), FAVORITES_FLAG, { enabled: false }, { actor: 'goes', reason: 'rollback' });
      await flags.refresh();
      const vip = await ofGet('/passengers/vip-2/matches?explain');
      expect(vip.body).toMatchObject({
        strategy: 'nearest-first',
        evaluation: { reason: 'DISABLED', value: false },
      });
      await updateFlag(getDb(), FAVORITES_FLAG, { enabled: true }, { actor: 'goes', reason: 'back on' });
      await flags.refresh();
      expect((await ofGet('/passengers/vip-2/matches')).body.strategy).toBe('favorites-first');
    });
  });

  describe('backend example', () => {
    it('gates each request with isEnabled: allowlisted on, a rollout of 1 % for the rest', async () => {
      const vip = await get('/passengers/vip-1/matches?explain');
      expect(vip.body).toMatchObject({
        passengerId: 'vip-1',
        strategy: 'favorites-first',
        evaluation: { reason: 'ALLOWLIST' },
      });
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) => get(`/passengers/p-${i}/matches?explain`)),
      );
      for (const [i, { body }] of results.entries()) {
        // Computed independently of the service: the published bucketing contract.
        const inRollout = bucketOf(FAVORITES_FLAG, `p-${i}`) < 100;
        expect(body.evaluation.bucket).toBe(bucketOf(FAVORITES_FLAG, `p-${i}`));
        expect(body.strategy).toBe(inRollout ? 'favorites-first' : 'nearest-first');
        expect(body.evaluation.reason).toBe(inRollout ? 'ROLLOUT' : 'OUT_OF_ROLLOUT');
      }
    });

    it('reports the client on /health and follows a change in the database', async () => {
      const health = await get<Health>('/health');
      expect(health.status).toBe(200);
      expect(health.body.status).toBe('ok');
      expect(health.body.flags).toMatchObject({ state: 'ready', origin: 'database', stale: false });
      const before = health.body.flags.version;
      await updateFlag(getDb(), FAVORITES_FLAG, { enabled: false }, { actor: 'goes', reason: 'rollback' });
      await flags.refresh();
      const after = await get<Health>('/health');
      expect(after.body.flags.version).toBeGreaterThan(before);
      const vip = await get('/passengers/vip-1/matches?explain');
      expect(vip.body).toMatchObject({ strategy: 'nearest-first', evaluation: { reason: 'DISABLED' } });
    });
  });
});

describe('healthOf', () => {
  it('is 503 before data, 200 ok when fresh, 200 degraded when stale', () => {
    const at = (state: string, version: number, stale: boolean, ageMs: number) => ({
      status: () =>
        ({
          state,
          version,
          stale,
          ageMs,
          origin: version ? 'database' : 'defaults',
          confirmedAt: undefined,
        }) as never,
    });
    expect(healthOf(at('starting', 0, false, 0)).httpStatus).toBe(503);
    expect(healthOf(at('ready', 3, false, 10)).body.status).toBe('ok');
    expect(healthOf(at('stale', 3, true, 90_000))).toMatchObject({
      httpStatus: 200,
      body: { status: 'degraded' },
    });
    expect(healthOf(createTestFlags({ [FAVORITES_FLAG]: true })).body.status).toBe('ok');
  });
});
