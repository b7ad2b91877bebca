import { subjectIdProblem } from '@kaviar/flags-core';
import { InvalidInputError } from './cli-errors';

/*
 * Allowlist files: either one id per line, or a delimited file and the column holding the ids
 * (`--column passenger_id` by header name, or `--column 2`, 1-based, for a file without a header).
 * The delimiter of a delimited file is the one of `,` `;` or tab that its first record uses most
 * (outside quotes), so spreadsheet exports in any of the three read right; a plain file whose lines
 * hold one of them is refused rather than imported as whole lines.
 * Blank lines and `#` comments are skipped; ids are trimmed, must be 1..1024 characters, and
 * duplicates are dropped (and counted). Any bad line rejects the whole file, naming the line.
 */

/** The ids read from a file. */
export interface IdsFile {
  /** Unique ids, in file order. */
  readonly ids: string[];
  /** Repeated ids that were dropped. */
  readonly duplicates: number;
}

/** How to read the file. */
export interface ParseIdsOptions {
  /** CSV column holding the ids: a header name, or a 1-based number (then there is no header). */
  readonly column?: string;
}

/** A field delimiter of a delimited allowlist file. */
export type Delimiter = ',' | ';' | '\t';

// In tie order: a comma is the likeliest to stand inside data, a tab the least.
const DELIMITERS: readonly Delimiter[] = ['\t', ';', ','];

/**
 * The delimiter a record uses most outside quotes (`,` when it uses none: a one-column file); on a tie,
 * tab, then `;`, then `,`.
 */
export function detectDelimiter(line: string): Delimiter {
  let best: Delimiter = ',';
  let bestCount = 0;
  for (const delimiter of DELIMITERS) {
    let count = 0;
    let quoted = false;
    for (const ch of line) {
      if (ch === '"') quoted = !quoted;
      else if (!quoted && ch === delimiter) count++;
    }
    if (count > bestCount) {
      best = delimiter;
      bestCount = count;
    }
  }
  return best;
}

/** Splits one record (RFC 4180 quoting; `""` is a quote inside a quoted field). */
export function splitCsvLine(line: string, delimiter: Delimiter = ','): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (ch === delimiter) {
      fields.push(field);
      field = '';
    } else field += ch;
  }
  if (quoted) throw new InvalidInputError('unterminated quoted field');
  fields.push(field);
  return fields.map((f) => f.trim());
}

/** Parses an allowlist file's text. Throws `InvalidInputError` naming the first bad line. */
export function parseIdsFile(text: string, options: ParseIdsOptions = {}): IdsFile {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const seen = new Set<string>();
  let duplicates = 0;
  let columnIndex: number | undefined;
  let needHeader = false;
  let delimiter: Delimiter | undefined;
  if (options.column !== undefined) {
    if (/^\d+$/.test(options.column) && Number(options.column) >= 1) columnIndex = Number(options.column) - 1;
    else needHeader = true;
  }
  lines.forEach((raw, i) => {
    const lineNo = i + 1;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    let id = line;
    if (options.column !== undefined) {
      delimiter ??= detectDelimiter(line);
      let fields: string[];
      try {
        fields = splitCsvLine(line, delimiter);
      } catch (error) {
        throw new InvalidInputError(`line ${lineNo}: ${(error as Error).message}`);
      }
      if (needHeader) {
        columnIndex = fields.indexOf(options.column);
        if (columnIndex < 0) {
          throw new InvalidInputError(
            `line ${lineNo}: no column named ${JSON.stringify(options.column)} in the header (${fields.join(', ')})`,
          );
        }
        needHeader = false;
        return;
      }
      const value = fields[columnIndex ?? 0];
      if (value === undefined)
        throw new InvalidInputError(`line ${lineNo}: has no column ${(columnIndex ?? 0) + 1}`);
      id = value;
    } else {
      const found = DELIMITERS.find((d) => line.includes(d));
      if (found !== undefined) {
        const name = found === ',' ? 'a comma' : found === ';' ? 'a semicolon' : 'a tab';
        throw new InvalidInputError(
          `line ${lineNo}: contains ${name}; for a delimited file pass --column NAME (header) or --column N (1-based)`,
        );
      }
    }
    if (id === '') throw new InvalidInputError(`line ${lineNo}: the id is empty`);
    // The store's own rule for subject ids (length in characters, no NUL, no lone surrogate).
    const problem = subjectIdProblem(id);
    if (problem !== undefined) throw new InvalidInputError(`line ${lineNo}: the id ${problem}`);
    if (seen.has(id)) duplicates++;
    else seen.add(id);
  });
  if (seen.size === 0) throw new InvalidInputError('the file holds no ids');
  return { ids: [...seen], duplicates };
}
