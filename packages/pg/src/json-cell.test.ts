import { describe, expect, it } from 'vitest';
import { jsonCell } from './json-cell';

describe('jsonCell', () => {
  it('parses the text PGlite may return, and passes on what pg already parsed', () => {
    expect(jsonCell('{"a":[1,2]}')).toEqual({ a: [1, 2] });
    const parsed = { a: [1, 2] };
    expect(jsonCell(parsed)).toBe(parsed);
    expect(jsonCell('[]')).toEqual([]);
  });

  it('keeps a missing cell null', () => {
    expect(jsonCell(null)).toBeNull();
    expect(jsonCell(undefined)).toBeNull();
  });
});
