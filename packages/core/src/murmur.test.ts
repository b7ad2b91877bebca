import mm from 'murmurhash3js-revisited';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../test/support/prng';
import { hashWithPrefix, prefixState } from './murmur';

const encoder = new TextEncoder();
const reference = (text: string) => mm.x86.hash32(encoder.encode(text));

function randomString(random: () => number): string {
  const length = Math.floor(random() * 24);
  let out = '';
  for (let i = 0; i < length; i++) {
    const kind = random();
    // Mostly ASCII (the fast path), then 2- and 3-byte characters, pairs and lone surrogates.
    if (kind < 0.7) out += String.fromCharCode(32 + Math.floor(random() * 95));
    else if (kind < 0.8) out += String.fromCharCode(0x80 + Math.floor(random() * 0x780));
    else if (kind < 0.88) out += String.fromCharCode(0x800 + Math.floor(random() * 0xd000));
    else if (kind < 0.96) out += String.fromCodePoint(0x10000 + Math.floor(random() * 0xfffff));
    else out += String.fromCharCode(0xd800 + Math.floor(random() * 0x800));
  }
  return out;
}

// A million strings in CI (about 3 s); a tenth of them on a local run, where the suite should stay quick.
const RANDOM_STRINGS = process.env.CI ? 1_000_000 : 100_000;

describe('hashWithPrefix', () => {
  it(`equals murmurhash3js-revisited over UTF-8 for ${RANDOM_STRINGS.toLocaleString('en')} random strings`, () => {
    const random = mulberry32(20260203);
    const prefixes = ['passenger_favorites_matching:', 'a:', 'ab:', 'abc:', 'é:', 'ключ:'].map((p) => ({
      text: p,
      state: prefixState(p),
    }));
    const mismatches: string[] = [];
    for (let i = 0; i < RANDOM_STRINGS; i++) {
      const prefix = prefixes[i % prefixes.length]!;
      const subject = randomString(random);
      if (hashWithPrefix(prefix.state, subject) !== reference(prefix.text + subject))
        mismatches.push(subject);
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
  });

  it('encodes lone surrogates as U+FFFD, as TextEncoder does', () => {
    const state = prefixState('k:');
    expect(hashWithPrefix(state, 'a\ud800b')).toBe(hashWithPrefix(state, 'a\ufffdb'));
    expect(hashWithPrefix(state, '\udc00')).toBe(reference('k:\ufffd'));
  });

  it('handles every prefix alignment with short subjects', () => {
    for (const prefix of ['', 'a', 'ab', 'abc', 'abcd']) {
      for (const subject of ['', 'x', 'xy', 'xyz', 'xyzw', 'xyzwv', 'é', 'xé']) {
        expect(hashWithPrefix(prefixState(prefix), subject)).toBe(reference(prefix + subject));
      }
    }
  });
});
