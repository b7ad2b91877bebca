import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FlagsDb } from '../db';
import { NotifyListener } from './notify-listener';

/** A fake db whose LISTEN connections can fail, be deaf (a pooler) or hear their probes. */
function fakeDb() {
  // `deaf`: no connection hears; `deafConnections`: these (by number, from 1) never hear (half-open).
  const state = { deaf: false, refuse: false, connects: 0, deafConnections: new Set<number>() };
  let current = 0;
  let notify: ((payload: string, channel: string) => void) | undefined;
  let lose: ((error: Error) => void) | undefined;
  const db = {
    schema: 's',
    async listen(
      _channels: readonly string[],
      onNotify: (payload: string, channel: string) => void,
      onError: (error: Error) => void,
    ) {
      state.connects++;
      if (state.refuse) throw new Error('connect ECONNREFUSED');
      current = state.connects;
      notify = onNotify;
      lose = onError;
      return { close: async () => {} };
    },
    async query(_sql: string, params: readonly unknown[] = []) {
      const [channel, token] = params as [string, string];
      if (!state.deaf && !state.deafConnections.has(current)) queueMicrotask(() => notify?.(token, channel));
      return { rows: [] };
    },
  } as unknown as FlagsDb;
  return { db, state, lose: (error: Error) => lose?.(error) };
}

function listener(db: FlagsDb, events: string[]) {
  return new NotifyListener(
    db,
    {
      onVersion: () => events.push('version'),
      onConnected: (again) => events.push(again ? 'reconnected' : 'connected'),
      onError: () => events.push('error'),
      onUnavailable: () => events.push('unavailable'),
    },
    { minMs: 1000, maxMs: 30_000, random: () => 1, probeTimeoutMs: 500 },
  );
}

describe('NotifyListener', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('connected only once its probe comes back', async () => {
    const fake = fakeDb();
    const events: string[] = [];
    const l = listener(fake.db, events);
    l.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(l.status()).toEqual({ state: 'connected' });
    expect(events).toEqual(['connected']);
    l.stop();
  });

  it('a deaf LISTEN (pooler) is unavailable, said once over its retries; kick() does not hurry those retries', async () => {
    const fake = fakeDb();
    fake.state.deaf = true;
    const events: string[] = [];
    const l = listener(fake.db, events);
    l.start();
    await vi.advanceTimersByTimeAsync(500);
    expect(l.status().state).toBe('unavailable');
    expect(l.status().reason).toMatch(/probe NOTIFY did not come back within 500 ms/);
    expect(fake.state.connects).toBe(1);
    l.kick(); // a sync succeeded: not a reason to expect a pooler to start delivering
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.state.connects).toBe(1);
    // Backoff 1 s, 2 s, 4 s (random = 1: the full delay), each followed by a 500 ms probe.
    await vi.advanceTimersByTimeAsync(1000 + 500 + 2000 + 500 + 4000 + 500);
    expect(fake.state.connects).toBe(4);
    expect(events).toEqual(['unavailable']);
    // The pooler goes away (a direct connection): the next retry connects and says so.
    fake.state.deaf = false;
    await vi.advanceTimersByTimeAsync(8000);
    expect(l.status()).toEqual({ state: 'connected' });
    expect(events).toEqual(['unavailable', 'connected']);
    l.stop();
  });

  it('after a lost connection and a grown backoff, kick() reconnects at once', async () => {
    const fake = fakeDb();
    const events: string[] = [];
    const l = listener(fake.db, events);
    l.start();
    await vi.advanceTimersByTimeAsync(0);
    fake.state.refuse = true;
    fake.lose(new Error('Connection terminated unexpectedly'));
    expect(l.status()).toEqual({ state: 'connecting', reason: 'Connection terminated unexpectedly' });
    await vi.advanceTimersByTimeAsync(1000 + 2000 + 4000 + 8000); // four refused retries: next in 16 s
    expect(fake.state.connects).toBe(5);
    fake.state.refuse = false;
    l.kick();
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.state.connects).toBe(6);
    expect(l.status()).toEqual({ state: 'connected' });
    expect(events.at(-1)).toBe('reconnected');
    l.stop();
  });

  it('kick() re-probes a connected listener and replaces it when the probe goes unheard', async () => {
    const fake = fakeDb();
    const events: string[] = [];
    const l = listener(fake.db, events);
    l.start();
    await vi.advanceTimersByTimeAsync(0);
    l.kick(); // healthy: the probe comes back, nothing changes
    await vi.advanceTimersByTimeAsync(500);
    expect(fake.state.connects).toBe(1);
    fake.state.deafConnections.add(1); // half-open: the connection looks fine and hears nothing
    l.kick();
    await vi.advanceTimersByTimeAsync(499);
    expect(fake.state.connects).toBe(1); // still waiting for the probe
    await vi.advanceTimersByTimeAsync(1);
    expect(fake.state.connects).toBe(2); // replaced at once, no backoff
    expect(l.status()).toEqual({ state: 'connected' });
    expect(events).toEqual(['connected', 'reconnected']);
    l.stop();
  });
});
