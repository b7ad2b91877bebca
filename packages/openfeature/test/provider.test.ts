/**
 * The provider through the real `@openfeature/server-sdk`: reasons, details, type mismatches, hooks,
 * targeting keys at every level, initialisation and closing. Each test binds its provider to its own
 * domain, so the global OpenFeature API never carries state from one test to the next.
 */
import { createFlagClient, createMemorySource, createTestFlags } from '@kaviar/flags-core';
import {
  ErrorCode,
  type EvaluationDetails,
  type FlagValue,
  type Hook,
  OpenFeature,
  ProviderEvents,
  ProviderStatus,
} from '@openfeature/server-sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { KaviarFlagsProvider } from '../src/index';
import { manualSource } from './support/manual-source';

const FLAG = 'passenger_favorites_matching';
let domains = 0;
const domain = () => `provider-test-${++domains}`;

afterAll(async () => {
  await OpenFeature.clearProviders();
});

/** The seed's flag: on, 1 % rollout, two allowlisted passengers; plus a disabled one. */
function seedFlags() {
  return createTestFlags({
    [FLAG]: { enabled: true, rolloutPercentage: 1, allowlist: ['vip-1', 'vip-2'] },
    kill_switch: { enabled: false, allowlist: ['vip-1'] },
  });
}

async function openClient(provider: KaviarFlagsProvider) {
  const name = domain();
  await OpenFeature.setProviderAndWait(name, provider);
  return OpenFeature.getClient(name);
}

describe('KaviarFlagsProvider with the OpenFeature server SDK', () => {
  it('is a server provider named kaviar-flags, READY once set', async () => {
    const provider = new KaviarFlagsProvider(seedFlags());
    expect(provider.metadata.name).toBe('kaviar-flags');
    expect(provider.runsOn).toBe('server');
    expect(provider.status).toBe(ProviderStatus.NOT_READY);
    const client = await openClient(provider);
    expect(client.metadata.providerMetadata.name).toBe('kaviar-flags');
    expect(client.providerStatus).toBe(ProviderStatus.READY);
    expect(provider.status).toBe(ProviderStatus.READY);
  });

  it('maps every reason: allowlist, rollout in and out, disabled, missing flag, missing key', async () => {
    const flags = seedFlags();
    const client = await openClient(new KaviarFlagsProvider(flags));
    const [inside] = flags.subjectsIn(FLAG, 1);
    const [outside] = flags.subjectsOut(FLAG, 1);
    const details = (key: string, targetingKey: string | undefined, fallback = false) =>
      client.getBooleanDetails(key, fallback, targetingKey === undefined ? {} : { targetingKey });

    expect(await details(FLAG, 'vip-1')).toMatchObject({
      value: true,
      variant: 'on',
      reason: 'TARGETING_MATCH',
      flagMetadata: { reason: 'ALLOWLIST' },
    });
    expect(await details(FLAG, inside)).toMatchObject({
      value: true,
      variant: 'on',
      reason: 'SPLIT',
      flagMetadata: { reason: 'ROLLOUT' },
    });
    // The default never leaks into a real decision: out of the rollout is off even with a `true` default.
    expect(await details(FLAG, outside, true)).toMatchObject({
      value: false,
      variant: 'off',
      reason: 'SPLIT',
      flagMetadata: { reason: 'OUT_OF_ROLLOUT' },
    });
    // Disabled is the operator's off switch: off for the allowlist too, whatever the default.
    expect(await details('kill_switch', 'vip-1', true)).toMatchObject({
      value: false,
      variant: 'off',
      reason: 'DISABLED',
      flagMetadata: { reason: 'DISABLED' },
    });
    const missing = await details('no_such_flag', 'vip-1', true);
    expect(missing).toMatchObject({
      value: true,
      reason: 'ERROR',
      errorCode: ErrorCode.FLAG_NOT_FOUND,
      flagMetadata: { reason: 'FLAG_NOT_FOUND' },
    });
    expect(missing.errorMessage).toContain('no_such_flag');
    for (const key of [undefined, '']) {
      const noKey = await details(FLAG, key, true);
      expect(noKey).toMatchObject({
        value: true,
        reason: 'ERROR',
        errorCode: ErrorCode.TARGETING_KEY_MISSING,
        flagMetadata: { reason: 'NO_SUBJECT' },
      });
      expect(noKey.errorMessage).toContain('targetingKey');
      expect(noKey.variant).toBeUndefined();
    }
    // OpenFeature's targetingKey is a string: a number from untyped code is not silently hashed.
    expect(
      await client.getBooleanDetails(FLAG, true, { targetingKey: 42 as unknown as string }),
    ).toMatchObject({ value: true, errorCode: ErrorCode.TARGETING_KEY_MISSING });
  });

  it('returns every field of getBooleanDetails, with version, stale and age in flagMetadata', async () => {
    const flags = seedFlags();
    const client = await openClient(new KaviarFlagsProvider(flags));
    const [inside] = flags.subjectsIn(FLAG, 1);
    const details = await client.getBooleanDetails(FLAG, false, { targetingKey: inside as string });
    expect(details).toEqual({
      flagKey: FLAG,
      value: true,
      variant: 'on',
      reason: 'SPLIT',
      flagMetadata: {
        version: flags.status().version,
        stale: false,
        ageMs: expect.any(Number),
        reason: 'ROLLOUT',
      },
    });
    expect(details.flagMetadata.version).toBeGreaterThan(0);
    expect(details.flagMetadata.ageMs).toBeGreaterThanOrEqual(0);
  });

  it('answers string, number and object requests with the default and TYPE_MISMATCH', async () => {
    const client = await openClient(new KaviarFlagsProvider(seedFlags()));
    const context = { targetingKey: 'vip-1' };
    const cases = [
      await client.getStringDetails(FLAG, 'fallback', context),
      await client.getNumberDetails(FLAG, 7, context),
      await client.getObjectDetails(FLAG, { fallback: true }, context),
    ];
    expect(cases.map((d) => d.value)).toEqual(['fallback', 7, { fallback: true }]);
    for (const d of cases) {
      expect(d).toMatchObject({ reason: 'ERROR', errorCode: ErrorCode.TYPE_MISMATCH });
      expect(d.errorMessage).toContain('boolean');
    }
    expect(await client.getStringValue(FLAG, 'fallback', context)).toBe('fallback');
    // A flag that does not exist is not found, whatever type was asked for.
    expect(await client.getNumberDetails('no_such_flag', 3, context)).toMatchObject({
      value: 3,
      errorCode: ErrorCode.FLAG_NOT_FOUND,
    });
  });

  it('shows flagMetadata to hooks, on success and on error', async () => {
    const flags = seedFlags();
    const client = await openClient(new KaviarFlagsProvider(flags));
    const after: Record<string, unknown>[] = [];
    const finals: EvaluationDetails<FlagValue>[] = [];
    const errors: string[] = [];
    const hook: Hook = {
      after: (_ctx, details) => {
        after.push({ ...details.flagMetadata });
      },
      error: (_ctx, error) => {
        errors.push((error as { code?: string }).code ?? '?');
      },
      finally: (_ctx, details) => {
        finals.push(details);
      },
    };
    client.addHooks(hook);
    await client.getBooleanValue(FLAG, false, { targetingKey: 'vip-2' });
    await client.getBooleanValue('no_such_flag', false, { targetingKey: 'vip-2' });
    const version = flags.status().version;
    expect(after).toEqual([{ version, stale: false, ageMs: expect.any(Number), reason: 'ALLOWLIST' }]);
    expect(errors).toEqual([ErrorCode.FLAG_NOT_FOUND]);
    expect(finals.map((d) => d.flagMetadata.reason)).toEqual(['ALLOWLIST', 'FLAG_NOT_FOUND']);
  });

  it('takes the targetingKey from the client context, overridden by the invocation context', async () => {
    const flags = seedFlags();
    const client = await openClient(new KaviarFlagsProvider(flags));
    const [inside] = flags.subjectsIn(FLAG, 1);
    const [outside] = flags.subjectsOut(FLAG, 1);
    client.setContext({ targetingKey: inside as string });
    expect(await client.getBooleanValue(FLAG, false)).toBe(true);
    expect(await client.getBooleanValue(FLAG, true, { targetingKey: outside as string })).toBe(false);
    client.setContext({ targetingKey: outside as string });
    expect(await client.getBooleanDetails(FLAG, true)).toMatchObject({ value: false, reason: 'SPLIT' });
    expect(await client.getBooleanValue(FLAG, false, { targetingKey: 'vip-1' })).toBe(true);
  });

  it('decides exactly as isEnabled for every subject, at several rollouts', async () => {
    const flags = seedFlags();
    const client = await openClient(new KaviarFlagsProvider(flags));
    const ids = Array.from({ length: 2000 }, (_, i) => `passenger-${i}`);
    for (const rolloutPercentage of [1, 37.5, 100]) {
      flags.set(FLAG, { rolloutPercentage });
      const viaProvider = await Promise.all(
        ids.map((id) => client.getBooleanValue(FLAG, false, { targetingKey: id })),
      );
      const expected = ids.map((id) => flags.isEnabled(FLAG, id));
      expect(viaProvider).toEqual(expected);
      expect(expected.filter(Boolean).length).toBeGreaterThan(0);
    }
  });

  it('fails initialisation with the client error when nothing loads, then turns READY on the first load', async () => {
    const manual = manualSource();
    const provider = new KaviarFlagsProvider(manual.client, { readyTimeoutMs: 50 });
    const name = domain();
    const events: string[] = [];
    OpenFeature.getClient(name).addHandler(ProviderEvents.Error, (d) => {
      events.push(`error: ${d?.message}`);
    });
    OpenFeature.getClient(name).addHandler(ProviderEvents.Ready, () => {
      events.push('ready');
    });
    manual.fail(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
    const failed = OpenFeature.setProviderAndWait(name, provider);
    await expect(failed).rejects.toMatchObject({ code: 'TIMEOUT', name: 'TimeoutError' });
    const client = OpenFeature.getClient(name);
    expect(client.providerStatus).toBe(ProviderStatus.ERROR);
    expect(provider.status).toBe(ProviderStatus.ERROR);
    expect(events).toEqual(['error: No flags loaded within 50 ms']);
    // The SDK still asks an errored provider: nothing is loaded, so the default, PROVIDER_NOT_READY.
    expect(await client.getBooleanDetails(FLAG, true, { targetingKey: 'vip-1' })).toMatchObject({
      value: true,
      errorCode: ErrorCode.PROVIDER_NOT_READY,
      flagMetadata: { reason: 'NOT_READY', version: 0 },
    });
    expect(await client.getStringDetails(FLAG, 'x')).toMatchObject({
      errorCode: ErrorCode.PROVIDER_NOT_READY,
    });
    manual.publish([{ key: FLAG, enabled: true, rolloutPercentage: 100, allowlist: [] }]);
    expect(events).toEqual(['error: No flags loaded within 50 ms', 'ready']);
    expect(client.providerStatus).toBe(ProviderStatus.READY);
    expect(provider.status).toBe(ProviderStatus.READY);
    expect(await client.getBooleanValue(FLAG, false, { targetingKey: 'anyone' })).toBe(true);
  });

  it('is STALE as soon as setProviderAndWait returns when the client serves a snapshot file', async () => {
    const manual = manualSource({
      flags: [{ key: FLAG, enabled: true, rolloutPercentage: 100, allowlist: [] }],
      stale: true,
    });
    const provider = new KaviarFlagsProvider(manual.client);
    const name = domain();
    const events: string[] = [];
    const client = OpenFeature.getClient(name);
    for (const type of [ProviderEvents.Ready, ProviderEvents.Stale]) {
      client.addHandler(type, () => {
        events.push(type);
      });
    }
    await OpenFeature.setProviderAndWait(name, provider);
    expect(client.providerStatus).toBe(ProviderStatus.STALE);
    expect(provider.status).toBe(ProviderStatus.STALE);
    expect(events).toEqual([ProviderEvents.Ready, ProviderEvents.Stale]);
    expect(await client.getBooleanDetails(FLAG, false, { targetingKey: 'x' })).toMatchObject({
      value: true,
      flagMetadata: { stale: true },
    });
  });

  it('fails with ProviderFatalError over a closed client: FATAL, evaluations short-circuit', async () => {
    const flags = seedFlags();
    await flags.close();
    const name = domain();
    await expect(OpenFeature.setProviderAndWait(name, new KaviarFlagsProvider(flags))).rejects.toMatchObject({
      code: ErrorCode.PROVIDER_FATAL,
      message: expect.stringContaining('closed'),
    });
    const client = OpenFeature.getClient(name);
    expect(client.providerStatus).toBe(ProviderStatus.FATAL);
    expect(await client.getBooleanDetails(FLAG, true, { targetingKey: 'vip-1' })).toMatchObject({
      value: true,
      errorCode: ErrorCode.PROVIDER_FATAL,
    });
  });

  it('closes a client it created on OpenFeature.close(), never one it was given', async () => {
    const given = seedFlags();
    const shared = new KaviarFlagsProvider(given);
    let created = 0;
    const owning = new KaviarFlagsProvider(() => {
      created++;
      return createFlagClient({
        source: createMemorySource([{ key: FLAG, enabled: true, rolloutPercentage: 100, allowlist: [] }]),
      });
    });
    const first = owning.client;
    const a = domain();
    const b = domain();
    await OpenFeature.setProviderAndWait(a, shared);
    await OpenFeature.setProviderAndWait(b, owning);
    await OpenFeature.close();
    expect(given.status().state).toBe('ready');
    expect(given.isEnabled(FLAG, 'vip-1')).toBe(true);
    expect(first.status().state).toBe('closed');
    expect(created).toBe(1);
    // Set again once the SDK let go of it: the owning provider creates a fresh client.
    await OpenFeature.clearProviders();
    const c = domain();
    await OpenFeature.setProviderAndWait(c, owning);
    expect(created).toBe(2);
    expect(owning.client).not.toBe(first);
    expect(await OpenFeature.getClient(c).getBooleanValue(FLAG, false, { targetingKey: 'x' })).toBe(true);
  });

  it('accepts track() without effect on evaluations or exposure counts', async () => {
    const client = createFlagClient({
      source: createMemorySource([{ key: FLAG, enabled: true, rolloutPercentage: 100, allowlist: [] }]),
      countExposures: true,
    });
    const of = await openClient(new KaviarFlagsProvider(client));
    expect(await of.getBooleanValue(FLAG, false, { targetingKey: 'p-1' })).toBe(true);
    of.track('ride_booked', { targetingKey: 'p-1' }, { value: 12.5 });
    of.track('ride_booked', { targetingKey: 'p-2' });
    const [counts] = client.takeExposures();
    expect(counts).toMatchObject({ flagKey: FLAG, evaluations: 1, enabled: 1 });
  });
});
