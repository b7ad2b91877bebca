// Writes vectors/bucket-vectors.json: (flagKey, subjectId, bucket) rows computed by the reference
// implementation (murmurhash3js-revisited over TextEncoder's UTF-8), never by the package's own hash.
// Run: node packages/core/scripts/gen-vectors.mjs
import { writeFileSync } from 'node:fs';
import mm from 'murmurhash3js-revisited';

const encoder = new TextEncoder();
const bucket = (flagKey, subjectId) => {
  const q = mm.x86.hash32(encoder.encode(`${flagKey}:${subjectId}`)) % 10000;
  return (q % 100) * 100 + Math.floor(q / 100);
};

// A small deterministic PRNG so the file is reproducible.
let seed = 0x2f6b_1a3c;
const random = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = (list) => list[Math.floor(random() * list.length)];

const keys = ['passenger_favorites_matching', 'a', 'checkout.v2', 'new-pricing', 'x9_feature-flag.long.name'];
const subjects = [
  ' ',
  '  ',
  '\t',
  '\n',
  ' \u00a0 ',
  '0',
  '1',
  '42',
  '-1',
  '007',
  'passenger-1',
  'passenger-12',
  'f47ac10b-58cc-4372-a567-0e02b2c3d479',
  'user@example.com',
  'José',
  'Ñandú',
  'São Paulo',
  'ação',
  'Zürich',
  'naïve café',
  'Ελληνικά',
  'Кирилица',
  'עברית',
  'العربية',
  'हिन्दी',
  '日本語',
  '中文用户',
  '한국어',
  'ไทย',
  '😀',
  '👩‍👩‍👧‍👦',
  '🇧🇷',
  'a😀b',
  'é'.normalize('NFD'),
  'é',
  '\ud800',
  '\udc00',
  'x\ud83dy',
  '\ud83d',
  'a\udfffb',
  '\u0000',
  '\uffff',
  '\u{10ffff}',
  'x'.repeat(1024),
  'é'.repeat(512),
  '😀'.repeat(256),
  `${'passenger-'.repeat(100)}end`,
  'ab',
  'abc',
  'abcd',
  'abcde',
];
const alphabet = ['a', 'b', 'Z', '0', '9', '-', '_', ' ', 'é', 'ß', '日', '😀', '\ud800', '\udc00', 'ж'];

const rows = [];
for (const flagKey of keys)
  for (const subjectId of subjects) rows.push({ flagKey, subjectId, bucket: bucket(flagKey, subjectId) });
for (let i = 0; i < 100; i++) {
  const length = 1 + Math.floor(random() * 40);
  let subjectId = '';
  for (let j = 0; j < length; j++) subjectId += pick(alphabet);
  const flagKey = pick(keys);
  rows.push({ flagKey, subjectId, bucket: bucket(flagKey, subjectId) });
}

const file = new URL('../vectors/bucket-vectors.json', import.meta.url);
writeFileSync(
  file,
  `${JSON.stringify(
    {
      description:
        'bucket = (q mod 100) * 100 + floor(q / 100), q = MurmurHash3_x86_32(UTF-8(flagKey + ":" + subjectId), seed 0) mod 10000; lone surrogates encode as U+FFFD',
      rows,
    },
    null,
    1,
  )}\n`,
);
console.log(`wrote ${rows.length} vectors`);
