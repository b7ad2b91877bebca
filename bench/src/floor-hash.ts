/**
 * The floor's hash: MurmurHash3 x86_32 (seed 0) over the UTF-8 bytes of `prefix + subject`, with the
 * prefix (`flagKey:`) hashed once and only the subject's bytes mixed per call. Written here, apart
 * from the SDK, so the floor measures the bare algorithm rather than our implementation of it.
 *
 * Invariants:
 * - Equal to murmurhash3js-revisited's `x86.hash32(new TextEncoder().encode(prefix + subject))` for
 *   every string; a lone surrogate is encoded as U+FFFD (EF BF BD), as `TextEncoder` does. The
 *   benchmark checks this on every id and on random non-ASCII strings before timing anything.
 * - ASCII subjects are read straight from their UTF-16 code units: no encoder, no allocation.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

function mix(h: number, block: number): number {
  let k = Math.imul(block, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function finish(h: number, pending: number, count: number, length: number): number {
  if (count !== 0) {
    let k = Math.imul(pending, C1);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, C2);
  }
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The UTF-8 bytes of code unit(s) at `i`, packed little-endian, and how many there are. */
function utf8At(text: string, i: number): { bytes: number; count: number; units: number } {
  let c = text.charCodeAt(i);
  if (c < 0x80) return { bytes: c, count: 1, units: 1 };
  if (c < 0x800) return { bytes: 0xc0 | (c >> 6) | ((0x80 | (c & 63)) << 8), count: 2, units: 1 };
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
    const d = text.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) {
      const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
      const bytes =
        0xf0 |
        (cp >> 18) |
        ((0x80 | ((cp >> 12) & 63)) << 8) |
        ((0x80 | ((cp >> 6) & 63)) << 16) |
        ((0x80 | (cp & 63)) << 24);
      return { bytes, count: 4, units: 2 };
    }
  }
  if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
  const bytes = 0xe0 | (c >> 12) | ((0x80 | ((c >> 6) & 63)) << 8) | ((0x80 | (c & 63)) << 16);
  return { bytes, count: 3, units: 1 };
}

/** Continues the hash byte by byte from code unit `i`: the path for non-ASCII text. */
function hashFrom(
  text: string,
  i: number,
  h: number,
  pending: number,
  count: number,
  length: number,
): number {
  while (i < text.length) {
    const { bytes, count: n, units } = utf8At(text, i);
    i += units;
    for (let j = 0; j < n; j++) {
      pending |= ((bytes >>> (j << 3)) & 0xff) << (count << 3);
      length++;
      if (++count === 4) {
        h = mix(h, pending);
        pending = 0;
        count = 0;
      }
    }
  }
  return finish(h, pending, count, length);
}

/**
 * Returns a function hashing `prefix + subject` with the prefix's bytes mixed once, here.
 *
 * @example
 * const hash = createPrefixHash('passenger_favorites_matching:');
 * hash('passenger-42') === murmur.x86.hash32(utf8('passenger_favorites_matching:passenger-42'));
 */
export function createPrefixHash(prefix: string): (subject: string) => number {
  // The prefix goes through the generic path once; its state is then frozen in these constants.
  let h0 = 0;
  let pending0 = 0;
  let count0 = 0;
  let length0 = 0;
  for (let i = 0; i < prefix.length; ) {
    const { bytes, count: n, units } = utf8At(prefix, i);
    i += units;
    for (let j = 0; j < n; j++) {
      pending0 |= ((bytes >>> (j << 3)) & 0xff) << (count0 << 3);
      length0++;
      if (++count0 === 4) {
        h0 = mix(h0, pending0);
        pending0 = 0;
        count0 = 0;
      }
    }
  }
  const h1 = h0;
  const pending1 = pending0;
  const count1 = count0;
  const length1 = length0;

  return (subject: string): number => {
    let h = h1;
    let pending = pending1;
    let count = count1;
    const units = subject.length;
    let i = 0;
    // Complete the prefix's partial block first, so the main loop reads whole 4-char blocks.
    while (count !== 0 && i < units) {
      const c = subject.charCodeAt(i);
      if (c > 0x7f) return hashFrom(subject, i, h, pending, count, length1 + i);
      pending |= c << (count << 3);
      i++;
      if (++count === 4) {
        h = mix(h, pending);
        pending = 0;
        count = 0;
      }
    }
    for (; i + 4 <= units; i += 4) {
      const a = subject.charCodeAt(i);
      const b = subject.charCodeAt(i + 1);
      const c = subject.charCodeAt(i + 2);
      const d = subject.charCodeAt(i + 3);
      if ((a | b | c | d) > 0x7f) return hashFrom(subject, i, h, pending, count, length1 + i);
      h = mix(h, a | (b << 8) | (c << 16) | (d << 24));
    }
    for (; i < units; i++) {
      const c = subject.charCodeAt(i);
      if (c > 0x7f) return hashFrom(subject, i, h, pending, count, length1 + i);
      pending |= c << (count << 3);
      count++;
    }
    return finish(h, pending, count, length1 + units);
  };
}
