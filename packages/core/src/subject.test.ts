import { describe, expect, it } from 'vitest';
import { MAX_SUBJECT_ID_LENGTH, subjectIdProblem, textProblem } from './subject';

describe('subjectIdProblem', () => {
  it('accepts ids of 1..1024 code points, spaces-only included, untrimmed', () => {
    for (const id of ['a', ' ', '  x  ', 'é', '🚀', 'x'.repeat(MAX_SUBJECT_ID_LENGTH)]) {
      expect(subjectIdProblem(id), JSON.stringify(id)).toBeUndefined();
    }
  });

  it('counts code points, as Postgres does: 1024 emoji (2048 UTF-16 units) fit, 1025 do not', () => {
    expect(subjectIdProblem('🚀'.repeat(1024))).toBeUndefined();
    expect(subjectIdProblem('🚀'.repeat(1025))).toMatch(/at most 1024 characters/);
    expect(subjectIdProblem('x'.repeat(1025))).toMatch(/at most 1024 characters/);
  });

  it('refuses non-strings, empty ids, NUL and lone surrogates, saying why', () => {
    expect(subjectIdProblem('')).toMatch(/non-empty/);
    expect(subjectIdProblem(42)).toMatch(/non-empty string/);
    expect(subjectIdProblem(null)).toMatch(/non-empty string/);
    expect(subjectIdProblem('a\u0000b')).toMatch(/NUL/);
    expect(subjectIdProblem('a\uD800')).toMatch(/lone surrogate U\+D800 at index 1/);
    expect(subjectIdProblem('\uDC00a')).toMatch(/lone surrogate U\+DC00 at index 0/);
  });
});

describe('textProblem', () => {
  it('accepts well-formed text, including U+FFFD and astral characters', () => {
    expect(textProblem('')).toBeUndefined();
    expect(textProblem('caf\u00e9 \uFFFD 🚀 \uD83D\uDE80')).toBeUndefined();
  });

  it('refuses NUL and each kind of lone surrogate', () => {
    expect(textProblem('\u0000')).toMatch(/NUL/);
    expect(textProblem('\uD83D')).toMatch(/lone surrogate/);
    expect(textProblem('x\uDE80y')).toMatch(/lone surrogate/);
    expect(textProblem('\uDE80\uD83D')).toMatch(/lone surrogate U\+DE80 at index 0/);
  });
});
