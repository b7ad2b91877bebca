import { readFileSync } from 'node:fs';
import mm from 'murmurhash3js-revisited';
import { describe, expect, it } from 'vitest';
import { bucketOf, thresholdOf } from './bucket';

// Read with JSON.parse: the vectors hold lone-surrogate escapes that bundlers' JSON loaders refuse.
const vectors: { rows: { flagKey: string; subjectId: string; bucket: number }[] } = JSON.parse(
  readFileSync(new URL('../vectors/bucket-vectors.json', import.meta.url), 'utf8'),
);
const FLAG = 'passenger_favorites_matching';
const ids = Array.from({ length: 10_000 }, (_, i) => `passenger-${i}`);
const countIn = (flagKey: string, percent: number) =>
  ids.filter((id) => bucketOf(flagKey, id) < thresholdOf(percent)).length;

describe('bucketOf', () => {
  it('matches every published vector (non-ASCII, emoji, lone surrogates, 1 kB ids)', () => {
    expect(vectors.rows.length).toBeGreaterThanOrEqual(200);
    const wrong = vectors.rows.filter((row) => bucketOf(row.flagKey, row.subjectId) !== row.bucket);
    expect(wrong).toEqual([]);
  });

  it('stays in 0..9999', () => {
    for (const id of ids.slice(0, 2000)) {
      const bucket = bucketOf(FLAG, id);
      expect(Number.isInteger(bucket) && bucket >= 0 && bucket < 10_000).toBe(true);
    }
  });

  it('gives pinned counts over 10,000 ids (a change here reshuffles users)', () => {
    expect([0.01, 0.5, 1, 1.5, 5, 50, 100].map((p) => countIn(FLAG, p))).toEqual([
      0, 38, 90, 150, 500, 5025, 10_000,
    ]);
  });

  it('puts a share within 4 sigma of the rollout, for several flags', () => {
    for (const flagKey of ['a', 'checkout.v2', FLAG]) {
      for (const p of [1, 10, 33.33, 50]) {
        const share = p / 100;
        const sigma = Math.sqrt((share * (1 - share)) / ids.length);
        expect(Math.abs(countIn(flagKey, p) / ids.length - share)).toBeLessThanOrEqual(4 * sigma);
      }
    }
  });

  it('is monotonic: everyone in at 1 % is in at 1.5 %, 5 % and 50 %', () => {
    const inAt = (p: number) => new Set(ids.filter((id) => bucketOf(FLAG, id) < thresholdOf(p)));
    const one = inAt(1);
    expect(one.size).toBeGreaterThan(0);
    for (const p of [1.5, 5, 50]) {
      const wider = inAt(p);
      expect([...one].filter((id) => !wider.has(id))).toEqual([]);
    }
  });

  it("equals Unleash's normalizedHash rule (h mod 100) + 1 <= p for whole percentages on ASCII ids", () => {
    const encoder = new TextEncoder();
    let differences = 0;
    for (const id of ids) {
      const unleashBucket = (mm.x86.hash32(encoder.encode(`${FLAG}:${id}`)) % 100) + 1;
      for (const p of [1, 5, 37, 100]) {
        if (unleashBucket <= p !== bucketOf(FLAG, id) < thresholdOf(p)) differences++;
      }
    }
    expect(differences).toBe(0);
  });
});

describe('thresholdOf', () => {
  it('rounds to 0.01 % buckets, floating-point noise included', () => {
    expect([0, 0.01, 0.29, 1, 1.15, 33.33, 100].map(thresholdOf)).toEqual([0, 1, 29, 100, 115, 3333, 10_000]);
  });
});
