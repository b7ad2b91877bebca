import { describe, expect, it } from 'vitest';
import { createFlagClient } from './flag-client';
import { createListenerSet } from './listener-set';
import { createMemorySource } from './memory-source';
import type { FlagSnapshot, FlagSource, SourceEvent, SourceStatus } from './source';
import type { FlagConfig } from './types';

const FLAG: FlagConfig = {
  key: 'passenger_favorites_matching',
  enabled: true,
  rolloutPercentage: 1,
  allowlist: Array.from({ length: 12 }, (_, i) => `vip-${i}`),
};
const ids = Array.from({ length: 20_000 }, (_, i) => `passenger-${i}`);

/** A source driven by the test: publish snapshots and states by hand. */
function manualSource() {
  const listeners = createListenerSet<SourceEvent>();
  let snapshot: FlagSnapshot | undefined;
  let status: SourceStatus = { state: 'starting', version: 0, origin: 'defaults', confirmedAt: undefined };
  let closed = 0;
  const source: FlagSource = {
    current: () => snapshot,
    status: () => status,
    subscribe: (listener) => listeners.add(listener),
    ready: async () => ({ origin: status.origin, version: status.version, ageMs: 0 }),
    close: async () => {
      closed++;
    },
  };
  return {
    source,
    publish(flags: FlagConfig[], version: number, confirmedAt: number) {
      snapshot = { version, flags: new Map(flags.map((f) => [f.key, f])), origin: 'database' };
      status = { state: 'ready', version, origin: 'database', confirmedAt };
      listeners.emit({ type: 'change', snapshot, changedKeys: flags.map((f) => f.key) });
    },
    goStale(error: Error) {
      status = { ...status, state: 'stale', lastError: error };
      listeners.emit({ type: 'error', error });
      listeners.emit({ type: 'state', state: 'stale' });
    },
    closedCount: () => closed,
  };
}

describe('createFlagClient', () => {
  it('agrees with evaluate() on every subject and reason', () => {
    const client = createFlagClient({ source: createMemorySource([FLAG]) });
    for (const id of [...ids, ...FLAG.allowlist, '']) {
      expect(client.isEnabled(FLAG.key, id)).toBe(client.evaluate(FLAG.key, id).enabled);
    }
    expect(ids.filter((id) => client.isEnabled(FLAG.key, { id })).length).toBe(
      ids.filter((id) => client.evaluate(FLAG.key, id).reason === 'ROLLOUT').length,
    );
  });

  it('agrees with evaluate() for a hand-written source whose allowlist holds the empty id', () => {
    // A custom source skips parseFlag, so nothing upstream removed '' from its allowlist.
    const manual = manualSource();
    const client = createFlagClient({ source: manual.source });
    manual.publish([{ ...FLAG, rolloutPercentage: 100, allowlist: ['', 'vip-0'] }], 1, 0);
    for (const subject of ['', { id: '' }, null, undefined] as const) {
      expect(client.isEnabled(FLAG.key, subject as never)).toBe(false);
      expect(client.evaluate(FLAG.key, subject as never)).toMatchObject({
        enabled: false,
        reason: 'NO_SUBJECT',
      });
    }
    expect(client.evaluate(FLAG.key, 'vip-0').reason).toBe('ALLOWLIST');
    expect(client.isEnabled(FLAG.key, 'vip-0')).toBe(true);
  });

  it('returns the fallback only for unknown flags or before the first load', () => {
    const manual = manualSource();
    const client = createFlagClient({ source: manual.source });
    expect(client.isEnabled(FLAG.key, 'vip-1', true)).toBe(true);
    expect(client.evaluate(FLAG.key, 'vip-1')).toMatchObject({ reason: 'NOT_READY', version: 0 });
    manual.publish([{ ...FLAG, enabled: false }], 7, Date.now());
    expect(client.isEnabled(FLAG.key, 'vip-1', true)).toBe(false);
    expect(client.isEnabled('unknown_flag', 'vip-1', true)).toBe(true);
    expect(client.evaluate('unknown_flag', 'x')).toMatchObject({ reason: 'FLAG_NOT_FOUND', version: 7 });
  });

  it('never throws, whatever the subject', () => {
    const client = createFlagClient({ source: createMemorySource([FLAG]) });
    const hostile = {
      get id(): string {
        throw new Error('boom');
      },
    };
    expect(client.isEnabled(FLAG.key, hostile, true)).toBe(true);
    expect(client.isEnabled(FLAG.key, 42 as unknown as string)).toBe(false);
    expect(client.evaluate(FLAG.key, hostile).enabled).toBe(false);
  });

  it('keeps serving the last snapshot when the source goes stale, and reports its age', () => {
    let now = 1_000_000;
    const manual = manualSource();
    const client = createFlagClient({ source: manual.source, now: () => now });
    manual.publish([FLAG], 3, now);
    const errors: Error[] = [];
    client.on('error', (event) => errors.push(event.error));
    now += 45_000;
    manual.goStale(new Error('connection refused'));
    expect(client.isEnabled(FLAG.key, 'vip-3')).toBe(true);
    expect(client.evaluate(FLAG.key, 'vip-3')).toMatchObject({
      enabled: true,
      stale: true,
      ageMs: 45_000,
      version: 3,
    });
    expect(client.status()).toMatchObject({ state: 'stale', stale: true, ageMs: 45_000 });
    expect(errors.map((e) => e.message)).toEqual(['connection refused']);
  });

  it('sees changes as the source publishes them, and isolates throwing listeners', () => {
    const source = createMemorySource([FLAG]);
    const client = createFlagClient({ source });
    const seen: number[] = [];
    client.on('change', () => {
      throw new Error('listener bug');
    });
    client.on('change', (event) => seen.push(event.snapshot.version));
    const inside = ids.find((id) => client.evaluate(FLAG.key, id).reason === 'OUT_OF_ROLLOUT')!;
    source.set({ ...FLAG, rolloutPercentage: 100 });
    expect(client.isEnabled(FLAG.key, inside)).toBe(true);
    source.set({ ...FLAG, rolloutPercentage: 0 });
    expect(client.isEnabled(FLAG.key, inside)).toBe(false);
    expect(seen).toEqual([2, 3]);
  });

  it('counts exposures per flag version when asked, and resets on take', () => {
    const source = createMemorySource([FLAG]);
    const client = createFlagClient({ source, countExposures: true });
    for (const id of ids) client.isEnabled(FLAG.key, id);
    for (const id of FLAG.allowlist) client.isEnabled(FLAG.key, id);
    client.isEnabled(FLAG.key, '');
    const inRollout = ids.filter((id) => client.evaluate(FLAG.key, id).reason === 'ROLLOUT').length;
    source.set({ ...FLAG, rolloutPercentage: 5 });
    client.isEnabled(FLAG.key, 'vip-0');
    expect(inRollout).toBeGreaterThan(0);
    expect(client.takeExposures()).toEqual([
      // The 1 % version: isEnabled for every id and allowlisted id, plus the evaluate() calls above;
      // subjects are distinct, so evaluating everyone twice does not double them.
      {
        flagKey: FLAG.key,
        flagVersion: 1,
        evaluations: 2 * ids.length + 12,
        enabled: 2 * inRollout + 12,
        allowlisted: 12,
        subjects: ids.length,
        subjectsEnabled: inRollout,
      },
      {
        flagKey: FLAG.key,
        flagVersion: 2,
        evaluations: 1,
        enabled: 1,
        allowlisted: 1,
        subjects: 0,
        subjectsEnabled: 0,
      },
    ]);
    expect(client.takeExposures()).toEqual([]);
  });

  it('weighs a busy subject once per interval in the subject counts', () => {
    const client = createFlagClient({
      source: createMemorySource([{ ...FLAG, rolloutPercentage: 50 }]),
      countExposures: true,
    });
    const busy = ids.find((id) => client.evaluate(FLAG.key, id).enabled)!;
    client.takeExposures();
    for (let i = 0; i < 1000; i++) client.isEnabled(FLAG.key, busy);
    for (const id of ids.slice(0, 99).filter((id) => id !== busy)) client.isEnabled(FLAG.key, id);
    const [count] = client.takeExposures();
    expect(count?.evaluations).toBe(1000 + ids.slice(0, 99).filter((id) => id !== busy).length);
    expect(count?.subjects).toBe(1 + ids.slice(0, 99).filter((id) => id !== busy).length);
    // After take, the same subject counts again in the next interval.
    client.isEnabled(FLAG.key, busy);
    expect(client.takeExposures()).toMatchObject([{ evaluations: 1, subjects: 1, subjectsEnabled: 1 }]);
  });

  it('counts nothing unless asked', () => {
    const client = createFlagClient({ source: createMemorySource([FLAG]) });
    for (const id of ids.slice(0, 100)) client.isEnabled(FLAG.key, id);
    expect(client.takeExposures()).toEqual([]);
  });

  it('closes its source once, and stops delivering events', async () => {
    const manual = manualSource();
    const client = createFlagClient({ source: manual.source });
    let changes = 0;
    const states: string[] = [];
    client.on('change', () => changes++);
    client.on('state', (event) => states.push(event.state));
    await client.close();
    await client.close();
    manual.publish([FLAG], 2, Date.now());
    manual.goStale(new Error('gone'));
    expect(manual.closedCount()).toBe(1);
    expect(changes).toBe(0);
    // One last `closed`, then nothing.
    expect(states).toEqual(['closed']);
    await expect(client.ready()).rejects.toMatchObject({ code: 'CLOSED' });
  });
});
