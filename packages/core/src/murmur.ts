/**
 * MurmurHash3 x86_32 (seed 0) over the UTF-8 bytes of `prefix + subject`, where the prefix (a flag's
 * `flagKey:`) is hashed once and each call mixes only the subject's bytes.
 *
 * Invariants:
 * - The result equals murmurhash3js-revisited's `x86.hash32(utf8(prefix + subject))` for every string
 *   (tested over a million random strings). Strings are encoded as `TextEncoder` does: a lone
 *   surrogate becomes U+FFFD (EF BF BD).
 * - ASCII subjects never allocate: their UTF-16 code units are their bytes. From the first non-ASCII
 *   code unit on, the id is encoded with `encodeInto` into one reused module-level buffer and only the
 *   bytes not yet mixed are mixed in (nothing is hashed twice).
 *
 * @internal
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const encoder = new TextEncoder();
let scratch = new Uint8Array(256);

/** Hash state after the prefix: `h` over whole 4-byte blocks, `w` the `n` (0..3) pending bytes. @internal */
export interface PrefixState {
  readonly h: number;
  readonly w: number;
  readonly n: number;
  /** Prefix length in bytes. */
  readonly len: number;
}

function mixBlock(h: number, block: number): number {
  let k = Math.imul(block, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function finish(h: number, w: number, n: number, len: number): number {
  if (n !== 0) {
    let k = Math.imul(w, C1);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, C2);
  }
  h ^= len;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function encode(text: string): number {
  // UTF-8 needs at most 3 bytes per UTF-16 code unit.
  if (scratch.length < text.length * 3)
    scratch = new Uint8Array(Math.max(text.length * 3, scratch.length * 2));
  return encoder.encodeInto(text, scratch).written;
}

interface MutableState {
  h: number;
  w: number;
  n: number;
}

/** Mixes bytes `from..count` of `scratch` into `state`. */
function feed(state: MutableState, from: number, count: number): void {
  let { h, w, n } = state;
  const bytes = scratch;
  for (let i = from; i < count; i++) {
    w |= (bytes[i] as number) << (n << 3);
    if (++n === 4) {
      h = mixBlock(h, w);
      w = 0;
      n = 0;
    }
  }
  state.h = h;
  state.w = w;
  state.n = n;
}

/** The hash state after the UTF-8 bytes of `prefix`. @internal */
export function prefixState(prefix: string): PrefixState {
  const state = { h: 0, w: 0, n: 0 };
  const len = encode(prefix);
  feed(state, 0, len);
  return { h: state.h, w: state.w, n: state.n, len };
}

/**
 * Finishes a hash whose first `from` code units (all ASCII) are already mixed into `h`/`w`/`n`:
 * mixes in only the bytes after them, so a non-ASCII id is never hashed twice.
 */
function finishEncoded(
  h: number,
  w: number,
  n: number,
  prefixLen: number,
  subject: string,
  from: number,
): number {
  // The first `from` code units are ASCII, so they are the first `from` bytes: skip them.
  const count = encode(subject);
  const state = { h, w, n };
  feed(state, from, count);
  return finish(state.h, state.w, state.n, prefixLen + count);
}

/** MurmurHash3 x86_32 of the prefix's bytes followed by the subject's UTF-8 bytes, unsigned. @internal */
export function hashWithPrefix(prefix: PrefixState, subject: string): number {
  let h = prefix.h;
  let w = prefix.w;
  let n = prefix.n;
  const length = subject.length;
  let i = 0;
  // Top up the prefix's pending bytes to a whole block.
  while (n !== 0 && i < length) {
    const c = subject.charCodeAt(i);
    if (c > 0x7f) return finishEncoded(h, w, n, prefix.len, subject, i);
    i++;
    w |= c << (n << 3);
    if (++n === 4) {
      h = mixBlock(h, w);
      w = 0;
      n = 0;
    }
  }
  for (; i + 4 <= length; i += 4) {
    const c0 = subject.charCodeAt(i);
    const c1 = subject.charCodeAt(i + 1);
    const c2 = subject.charCodeAt(i + 2);
    const c3 = subject.charCodeAt(i + 3);
    if ((c0 | c1 | c2 | c3) > 0x7f) return finishEncoded(h, w, n, prefix.len, subject, i);
    h = mixBlock(h, c0 | (c1 << 8) | (c2 << 16) | (c3 << 24));
  }
  for (; i < length; i++) {
    const c = subject.charCodeAt(i);
    if (c > 0x7f) return finishEncoded(h, w, n, prefix.len, subject, i);
    w |= c << (n << 3);
    n++;
  }
  return finish(h, w, n, prefix.len + length);
}
