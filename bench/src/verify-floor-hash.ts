/**
 * Before anything is timed, the floor's hand-written hash must equal the reference,
 * murmurhash3js-revisited over `TextEncoder` bytes: on every benchmark id, and on random strings mixing
 * ASCII, 2- and 3-byte characters, emoji (surrogate pairs) and lone surrogates.
 */

import murmur from 'murmurhash3js-revisited';
import { BenchError } from './bench-error';
import { createPrefixHash } from './floor-hash';
import { createRandom } from './passenger-ids';

/** Thrown when the floor's hash disagrees with the reference: its timings would mean nothing. */
export class FloorHashMismatchError extends BenchError {
  constructor(
    readonly input: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(
      'BENCH_FLOOR_MISMATCH',
      `Floor hash of ${JSON.stringify(input)} is ${actual}, murmurhash3js-revisited says ${expected}`,
    );
  }
}

// Code units the random strings are drawn from: each class of UTF-8 length, plus lone surrogates.
const ALPHABET = [
  0x61, 0x2d, 0x39, 0x7f, 0x80, 0xe9, 0x7ff, 0x800, 0x20ac, 0xfffd, 0xffff, 0xd83d, 0xde00, 0xdbff, 0xdc00,
];

function randomString(random: () => number): string {
  const length = random() % 40;
  const codes: number[] = [];
  for (let i = 0; i < length; i++) {
    const r = random();
    // Half ASCII letters, half from the tricky alphabet; pairs make real emoji.
    if (r & 1) codes.push(0x61 + ((r >>> 1) % 26));
    else if (r & 2) codes.push(0xd83d, 0xde00 + ((r >>> 2) % 64));
    else codes.push(ALPHABET[(r >>> 2) % ALPHABET.length] as number);
  }
  return String.fromCharCode(...codes);
}

/**
 * Checks the floor hash for `prefix` on `ids` and on `randomCount` random strings (seeded). Throws
 * `FloorHashMismatchError` on the first difference; returns how many inputs were checked.
 */
export function verifyFloorHash(prefix: string, ids: readonly string[], randomCount = 200_000): number {
  const encoder = new TextEncoder();
  const floor = createPrefixHash(prefix);
  const check = (subject: string) => {
    const expected = murmur.x86.hash32(encoder.encode(prefix + subject), 0);
    const actual = floor(subject);
    if (actual !== expected) throw new FloorHashMismatchError(prefix + subject, expected, actual);
  };
  for (const id of ids) check(id);
  const random = createRandom(7);
  for (let n = 0; n < randomCount; n++) check(randomString(random));
  // Prefixes of every length modulo 4 exercise each way the prefix can leave a partial block.
  for (const other of ['', 'a', 'ab', 'abc', 'é:', '😀:']) {
    const hash = createPrefixHash(other);
    for (let n = 0; n < 1000; n++) {
      const subject = randomString(random);
      const expected = murmur.x86.hash32(encoder.encode(other + subject), 0);
      if (hash(subject) !== expected)
        throw new FloorHashMismatchError(other + subject, expected, hash(subject));
    }
  }
  return ids.length + randomCount + 6000;
}
