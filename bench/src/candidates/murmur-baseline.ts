/**
 * The library baseline: murmurhash3js-revisited (the reference implementation of our bucketing) over
 * the UTF-8 bytes of `flagKey:id`, encoded with `encodeInto` into one reused buffer, plus `Set.has`.
 * The prefix's bytes are written once; per call only the id is encoded, and a view of the right length
 * is taken from a cache so nothing but `encodeInto`'s result object is allocated.
 */
import murmur from 'murmurhash3js-revisited';
import { type Candidate, FULL_PLAN } from '../candidate';
import { bucketOfHash, type Scenario } from '../scenario';

const BUFFER_BYTES = 1024;

/**
 * `hash(id)` = murmurhash3js-revisited `x86.hash32` of the UTF-8 bytes of `prefix + id`, reusing one
 * buffer. Ids longer than the buffer fall back to `TextEncoder.encode`.
 */
export function createLibraryHash(prefix: string): (id: string) => number {
  const encoder = new TextEncoder();
  const buffer = new Uint8Array(BUFFER_BYTES);
  const prefixBytes = encoder.encodeInto(prefix, buffer).written;
  const tail = buffer.subarray(prefixBytes);
  const views = Array.from({ length: BUFFER_BYTES + 1 }, (_, n) => buffer.subarray(0, n));
  return (id) => {
    const { read, written } = encoder.encodeInto(id, tail);
    if (read < id.length) return murmur.x86.hash32(encoder.encode(prefix + id), 0);
    return murmur.x86.hash32(views[prefixBytes + written] as Uint8Array, 0);
  };
}

/** The obvious way to call the library: a fresh `TextEncoder.encode` of the whole key per evaluation. */
export async function murmurEncodeBaseline(scenario: Scenario): Promise<Candidate> {
  const encoder = new TextEncoder();
  const prefix = `${scenario.flagKey}:`;
  const allowlist = new Set(scenario.allowlist);
  const threshold = scenario.threshold;
  return {
    name: 'murmurhash3js-revisited, encode() per call',
    kind: 'baseline',
    call: 'sync, new Uint8Array per call',
    hash: 'contract',
    plan: { warmupIds: 250_000, idsPerRound: 250_000 },
    run(ids, from, to, decisions) {
      let on = 0;
      for (let i = from; i < to; i++) {
        const id = ids[i] as string;
        const enabled =
          allowlist.has(id) || bucketOfHash(murmur.x86.hash32(encoder.encode(prefix + id), 0)) < threshold;
        decisions[i] = enabled ? 1 : 0;
        if (enabled) on++;
      }
      return on;
    },
    close: async () => {},
  };
}

/** The murmurhash3js-revisited row. */
export async function murmurBaseline(scenario: Scenario): Promise<Candidate> {
  const hash = createLibraryHash(`${scenario.flagKey}:`);
  const allowlist = new Set(scenario.allowlist);
  const threshold = scenario.threshold;
  return {
    name: 'murmurhash3js-revisited + Set.has',
    kind: 'baseline',
    call: 'sync, encodeInto reused buffer',
    hash: 'contract',
    plan: FULL_PLAN(scenario.ids.length),
    run(ids, from, to, decisions) {
      let on = 0;
      for (let i = from; i < to; i++) {
        const id = ids[i] as string;
        const enabled = allowlist.has(id) || bucketOfHash(hash(id)) < threshold;
        decisions[i] = enabled ? 1 : 0;
        if (enabled) on++;
      }
      return on;
    },
    close: async () => {},
  };
}
