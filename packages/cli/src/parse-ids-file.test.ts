import { describe, expect, it } from 'vitest';
import { InvalidInputError } from './cli-errors';
import { parseIdsFile, splitCsvLine } from './parse-ids-file';

describe('parseIdsFile', () => {
  it('reads one id per line, trimming, skipping blanks and comments, dropping duplicates', () => {
    const text = '\uFEFF# beta wave 1\r\npassenger-1\n  passenger-2  \n\npassenger-1\npassenger-3\n';
    expect(parseIdsFile(text)).toEqual({ ids: ['passenger-1', 'passenger-2', 'passenger-3'], duplicates: 1 });
  });

  it('reads a CSV column by header name, with quoted fields', () => {
    const text = 'name,passenger_id,city\n"Silva, Ana",p-10,Rio\nBruno,"p-11",SP\n';
    expect(parseIdsFile(text, { column: 'passenger_id' })).toEqual({ ids: ['p-10', 'p-11'], duplicates: 0 });
  });

  it('reads a CSV column by 1-based number, without a header', () => {
    expect(parseIdsFile('x,p-1\ny,p-2\n', { column: '2' }).ids).toEqual(['p-1', 'p-2']);
  });

  it('rejects a comma, semicolon or tab line without --column, naming the line', () => {
    expect(() => parseIdsFile('p-1\np-2,p-3\n')).toThrow(/line 2: contains a comma/);
    expect(() => parseIdsFile('id;name\np-1;Ana\n')).toThrow(/line 1: contains a semicolon/);
    expect(() => parseIdsFile('p-1\tAna\n')).toThrow(/line 1: contains a tab/);
  });

  it('detects a semicolon- or tab-delimited file from its first record', () => {
    const semicolons = 'id;name\np-1;"Silva; Ana"\np-2;Bruno\n';
    expect(parseIdsFile(semicolons, { column: '1' }).ids).toEqual(['id', 'p-1', 'p-2']);
    expect(parseIdsFile(semicolons, { column: 'id' }).ids).toEqual(['p-1', 'p-2']);
    expect(parseIdsFile('name\tpassenger_id\nAna\tp-7\n', { column: 'passenger_id' }).ids).toEqual(['p-7']);
    // A comma inside a semicolon-delimited record stays part of its field.
    expect(parseIdsFile('p-1;a,b\np-2;c\n', { column: '2' }).ids).toEqual(['a,b', 'c']);
  });

  it('rejects an unknown header, a missing column, an empty id and an empty file', () => {
    expect(() => parseIdsFile('a,b\n1,2\n', { column: 'id' })).toThrow(
      /no column named "id" in the header \(a, b\)/,
    );
    expect(() => parseIdsFile('1,2\n3\n', { column: '2' })).toThrow(/line 2: has no column 2/);
    expect(() => parseIdsFile('id\n""\n', { column: 'id' })).toThrow(/line 2: the id is empty/);
    expect(() => parseIdsFile('# nothing\n\n')).toThrow(InvalidInputError);
    expect(() => parseIdsFile(`${'x'.repeat(1025)}\n`)).toThrow(
      /line 1: the id must be a non-empty string of at most 1024 characters/,
    );
  });

  it('splits CSV with escaped quotes and rejects an unterminated one', () => {
    expect(splitCsvLine('"a ""b""",c')).toEqual(['a "b"', 'c']);
    expect(() => splitCsvLine('"open,x')).toThrow(/unterminated/);
  });
});
