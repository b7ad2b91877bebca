/**
 * Deterministic passenger ids for the benchmark: `passenger-` followed by a UUID v4-shaped string
 * drawn from a seeded PRNG (sfc32), so every run measures exactly the same subjects.
 *
 * Ids are built with `String.fromCharCode` so each one is a flat one-byte string, like an id read
 * from a database row, rather than a lazily concatenated rope.
 */

const HEX = '0123456789abcdef';
const PREFIX = 'passenger-';

/** A seeded 32-bit PRNG (sfc32): four words of state, period well beyond what the benchmark draws. */
export function createRandom(seed: number): () => number {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed | 0;
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // Discard the first outputs: sfc32's state needs a few rounds to mix a small seed.
  for (let i = 0; i < 16; i++) next();
  return next;
}

/**
 * `count` distinct passenger ids like `passenger-3f2a9c4e-1b7d-4e0a-9c1f-6a2b3c4d5e6f` (46 chars),
 * the same for the same `seed`. Throws if the generator ever repeats an id.
 *
 * @param count how many ids (the benchmark uses 1,000,000)
 * @param seed PRNG seed; default 20260203 (the seed snapshot's date)
 */
export function generatePassengerIds(count: number, seed = 20260203): string[] {
  const random = createRandom(seed);
  const ids = new Array<string>(count);
  const codes = new Array<number>(PREFIX.length + 36);
  for (let i = 0; i < PREFIX.length; i++) codes[i] = PREFIX.charCodeAt(i);
  const seen = new Set<string>();
  for (let n = 0; n < count; n++) {
    let at = PREFIX.length;
    for (let word = 0; word < 4; word++) {
      let bits = random();
      for (let nibble = 0; nibble < 8; nibble++) {
        // UUID v4 layout: dashes at 8, 13, 18, 23; version nibble 4; variant nibble 8..b.
        const position = at - PREFIX.length;
        if (position === 8 || position === 13 || position === 18 || position === 23) codes[at++] = 45;
        let digit = bits & 0xf;
        if (at - PREFIX.length === 14) digit = 4;
        else if (at - PREFIX.length === 19) digit = 8 | (digit & 3);
        codes[at++] = HEX.charCodeAt(digit);
        bits >>>= 4;
      }
    }
    const id = String.fromCharCode(...codes);
    if (seen.has(id)) throw new Error(`Passenger id generator repeated ${id} after ${n} ids`);
    seen.add(id);
    ids[n] = id;
  }
  return ids;
}
