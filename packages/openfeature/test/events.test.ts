/**
 * Provider events and status through the real SDK, driven by a hand-held source (injected clock, no
 * timers): every change of the client is announced once, and the provider's `status` always agrees with
 * the status the SDK reports to clients.
 */
import { createTestFlags, type FlagConfig } from '@kaviar/flags-core';
import { type Client, ErrorCode, OpenFeature, ProviderEvents, ProviderStatus } from '@openfeature/server-sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { KaviarFlagsProvider } from '../src/index';
import { manualSource } from './support/manual-source';

const flag = (key: string, rolloutPercentage = 100): FlagConfig => ({
  key,
  enabled: true,
  rolloutPercentage,
  allowlist: [],
});
let domains = 0;

afterAll(async () => {
  await OpenFeature.clearProviders();
});

interface Seen {
  type: string;
  message?: string;
  flagsChanged?: string[];
  errorCode?: unknown;
  metadata?: Record<string, unknown>;
}

/** Records every provider event a client sees, with the status the SDK reports at that moment. */
function record(client: Client): Seen[] {
  const seen: Seen[] = [];
  for (const type of Object.values(ProviderEvents)) {
    client.addHandler(type, (details) => {
      const entry: Seen = { type };
      if (details?.message !== undefined) entry.message = details.message;
      if (details?.flagsChanged !== undefined) entry.flagsChanged = details.flagsChanged as string[];
      if (details?.errorCode !== undefined) entry.errorCode = details.errorCode;
      if (details?.metadata !== undefined) entry.metadata = details.metadata;
      seen.push(entry);
    });
  }
  return seen;
}

async function setUp(provider: KaviarFlagsProvider) {
  const name = `events-test-${++domains}`;
  const client = OpenFeature.getClient(name);
  const seen = record(client);
  await OpenFeature.setProviderAndWait(name, provider);
  const agree = (status: ProviderStatus) => {
    expect(client.providerStatus).toBe(status);
    expect(provider.status).toBe(status);
  };
  return { client, seen, agree };
}

describe('provider events', () => {
  it('CONFIGURATION_CHANGED with the keys that changed, on every change of the test kit', async () => {
    const flags = createTestFlags({ a: true, b: { rolloutPercentage: 5 } });
    const { seen, agree } = await setUp(new KaviarFlagsProvider(flags));
    expect(seen.map((s) => s.type)).toEqual([ProviderEvents.Ready]);
    flags.set('b', { rolloutPercentage: 50 });
    flags.set('c', false);
    flags.remove('a');
    const changes = seen.filter((s) => s.type === ProviderEvents.ConfigurationChanged);
    expect(changes.map((s) => s.flagsChanged)).toEqual([['b'], ['c'], ['a']]);
    expect(changes.map((s) => s.metadata?.version)).toEqual([2, 3, 4]);
    agree(ProviderStatus.READY);
  });

  it('STALE once with the age when the store fails, nothing more while it keeps failing, READY on recovery', async () => {
    const manual = manualSource({ flags: [flag('a')] });
    const { client, seen, agree } = await setUp(new KaviarFlagsProvider(manual.client));
    agree(ProviderStatus.READY);
    manual.advance(1500);
    manual.fail(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
    agree(ProviderStatus.STALE);
    const stale = seen.filter((s) => s.type === ProviderEvents.Stale);
    expect(stale).toHaveLength(1);
    expect(stale[0]?.message).toBe(
      'Serving the last good flags (version 1, database), last confirmed 1.5 s ago: connect ECONNREFUSED 127.0.0.1:5432',
    );
    expect(stale[0]?.metadata).toEqual({ version: 1, ageMs: 1500, origin: 'database' });
    // Still served, and the evaluation says how old it is.
    expect(await client.getBooleanDetails('a', false, { targetingKey: 'x' })).toMatchObject({
      value: true,
      flagMetadata: { stale: true, ageMs: 1500 },
    });
    manual.advance(60_000);
    manual.fail(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
    manual.fail(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
    expect(seen.filter((s) => s.type === ProviderEvents.Stale)).toHaveLength(1);
    expect(seen.filter((s) => s.type === ProviderEvents.Error)).toHaveLength(0);
    manual.recover();
    agree(ProviderStatus.READY);
    expect(seen.map((s) => s.type)).toEqual([
      ProviderEvents.Ready,
      ProviderEvents.Stale,
      ProviderEvents.Ready,
    ]);
    expect(seen.at(-1)?.message).toBe('Flags are current (version 1, database)');
    expect(await client.getBooleanDetails('a', false, { targetingKey: 'x' })).toMatchObject({
      flagMetadata: { stale: false, ageMs: 0 },
    });
  });

  it('a change that ends an outage: CONFIGURATION_CHANGED, then READY', async () => {
    const manual = manualSource({ flags: [flag('a'), flag('b')] });
    const { seen, agree } = await setUp(new KaviarFlagsProvider(manual.client));
    manual.fail(new Error('timeout'));
    agree(ProviderStatus.STALE);
    manual.publish([flag('a'), flag('b', 0)], ['b']);
    agree(ProviderStatus.READY);
    expect(seen.map((s) => [s.type, s.flagsChanged])).toEqual([
      [ProviderEvents.Ready, undefined],
      [ProviderEvents.Stale, undefined],
      [ProviderEvents.ConfigurationChanged, ['b']],
      [ProviderEvents.Ready, undefined],
    ]);
  });

  it('nothing loaded and the store fails after a defaults start: ERROR, then READY without a change event', async () => {
    const manual = manualSource();
    const provider = new KaviarFlagsProvider(manual.client, { readyTimeoutMs: 20 });
    const name = `events-test-${++domains}`;
    const client = OpenFeature.getClient(name);
    const seen = record(client);
    await expect(OpenFeature.setProviderAndWait(name, provider)).rejects.toThrow(/No flags loaded/);
    manual.fail(new Error('still down'));
    // Already ERROR (the SDK announced it): a further failure says nothing new.
    expect(seen.map((s) => s.type)).toEqual([ProviderEvents.Error]);
    manual.publish([flag('a')]);
    expect(seen.map((s) => s.type)).toEqual([ProviderEvents.Error, ProviderEvents.Ready]);
    expect(client.providerStatus).toBe(ProviderStatus.READY);
  });

  it('a failure right after the first load is announced after the SDK READY, never before it', async () => {
    const manual = manualSource();
    const provider = new KaviarFlagsProvider(manual.client);
    const name = `events-test-${++domains}`;
    const client = OpenFeature.getClient(name);
    const seen = record(client);
    const set = OpenFeature.setProviderAndWait(name, provider);
    // ready() resolves, and the store fails once initialize() has returned but before the SDK has
    // reacted to it (as the Postgres source does when a snapshot file wins the race with a refused connect).
    manual.publish([flag('a')]);
    queueMicrotask(() => manual.fail(new Error('connect ECONNREFUSED')));
    await set;
    expect(seen.map((s) => s.type)).toEqual([ProviderEvents.Ready, ProviderEvents.Stale]);
    expect(client.providerStatus).toBe(ProviderStatus.STALE);
    expect(provider.status).toBe(ProviderStatus.STALE);
  });

  it('PROVIDER_ERROR with PROVIDER_FATAL when the client is closed under the provider', async () => {
    const flags = createTestFlags({ a: true });
    const { client, seen, agree } = await setUp(new KaviarFlagsProvider(flags));
    await flags.close();
    agree(ProviderStatus.FATAL);
    const fatal = seen.filter((s) => s.type === ProviderEvents.Error);
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toMatchObject({
      errorCode: ErrorCode.PROVIDER_FATAL,
      message: expect.stringContaining('closed'),
    });
    expect(await client.getBooleanDetails('a', false, { targetingKey: 'x' })).toMatchObject({
      value: false,
      errorCode: ErrorCode.PROVIDER_FATAL,
    });
  });

  it('stops emitting once the SDK closes it', async () => {
    const flags = createTestFlags({ a: true });
    const provider = new KaviarFlagsProvider(flags);
    const { seen } = await setUp(provider);
    await provider.onClose();
    flags.set('a', false);
    await flags.close();
    expect(seen.map((s) => s.type)).toEqual([ProviderEvents.Ready]);
    expect(provider.status).toBe(ProviderStatus.NOT_READY);
  });
});
